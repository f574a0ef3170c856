//! `propdesk doctor --env custom` as a real child process against `propdesk sandbox`,
//! also a real child process, started in its default mode or in a mode that differs.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Output, Stdio};

/// A `propdesk sandbox` child on a free port; killed when dropped.
struct SandboxProcess {
    child: Child,
    live_url: String,
    demo_url: String,
    /// Kept open: the sandbox's later lines must not meet a closed pipe.
    _stdout: std::io::Lines<BufReader<ChildStdout>>,
}

impl SandboxProcess {
    fn start(flags: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_propdesk"))
            .args(["sandbox", "--addr", "127.0.0.1:0"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("propdesk sandbox starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let mut url = |label: &str| loop {
            let line = lines.next().expect("the sandbox prints its URLs").expect("readable");
            if let Some(url) = line.trim().strip_prefix(label) {
                return url.trim().to_string();
            }
        };
        let live_url = url("LIVE:");
        let demo_url = url("DEMO:");
        Self { child, live_url, demo_url, _stdout: lines }
    }

    fn doctor(&self, extra: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_propdesk"))
            .args(["doctor", "--env", "custom", "--live-url", &self.live_url, "--demo-url", &self.demo_url])
            .args(extra)
            .env_remove("TRADOVATE_USERNAME")
            .stdin(Stdio::null())
            .output()
            .expect("propdesk doctor runs")
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

#[test]
fn doctor_confirms_every_probe_against_propdesk_sandbox() {
    let sandbox = SandboxProcess::start(&[]);
    let output = sandbox.doctor(&[]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(0), "{out}");
    assert!(out.contains("All 11 checks confirmed"), "{out}");
    assert!(!out.contains("DIFF"), "{out}");
    assert!(!out.contains(propdesk::sandbox::ADMIN_PASSWORD) && !out.contains(propdesk::sandbox::SECRET), "{out}");
}

#[test]
fn doctor_names_deps_answering_only_on_demo_and_exits_1() {
    let sandbox = SandboxProcess::start(&["--deps-on", "demo"]);
    let output = sandbox.doctor(&[]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("deps-host [DIFFERS]: did not answer on LIVE for masterid 70"), "{out}");
    assert!(out.contains("1 of 11 checks differ"), "{out}");
}

#[test]
fn doctor_names_a_strict_entity_type_server_and_exits_1() {
    let sandbox = SandboxProcess::start(&["--strict-entity-types"]);
    let output = sandbox.doctor(&[]);
    let out = text(&output);
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert!(out.contains("snapshot-entity-types [DIFFERS]"), "{out}");
    assert!(out.contains("No collection for "), "{out}");
}

#[test]
fn the_test_trader_is_refused_on_production_before_anything_is_sent() {
    let output = Command::new(env!("CARGO_BIN_EXE_propdesk"))
        .args(["doctor", "--env", "production", "--test-trader"])
        .env_remove("TRADOVATE_USERNAME")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("never on Production"), "{}", text(&output));
    let bad = Command::new(env!("CARGO_BIN_EXE_propdesk")).args(["doctor", "--env", "custom"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2), "custom needs its URLs");
}
