//! `propdesk onboard` and `propdesk risk` with risk rules, as real child processes
//! against a sandbox in this test process (settings in a temporary PROPDESK_DIR).

use crate::support::{sandbox, signed_in};
use propdesk::sandbox::Sandbox;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A roster with no risk columns at all.
fn plain_roster(dir: &Path, tag: &str, count: usize) -> PathBuf {
    let mut text = String::from("name,email,password,firstName,lastName,accountName,initialBalance\n");
    for i in 0..count {
        text.push_str(&format!(
            "{tag}{i},{tag}{i}@example.com,Str0ng!Passw0rd,Jamie,Rivera,{}{i:05},50000\n",
            tag.to_uppercase()
        ));
    }
    let path = dir.join(format!("{tag}.csv"));
    std::fs::write(&path, text).unwrap();
    path
}

fn propdesk(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_propdesk"));
    command.env(propdesk::store::paths::DIR_ENV, home).env_remove("TRADOVATE_USERNAME").stdin(Stdio::null());
    command
}

fn onboard(sandbox: &Sandbox, home: &Path, users: &Path, extra: &[&str]) -> Output {
    propdesk(home)
        .args(["onboard", "--live-url", &sandbox.live_url(), "--demo-url", &sandbox.demo_url()])
        .args(["--plan", "DEMOFIRM_MONTHLY", "--template", "DEMOFIRM50K", "--yes", "--users"])
        .arg(users)
        .arg("--journal")
        .arg(home.join("journal.sqlite"))
        .args(extra)
        .output()
        .unwrap()
}

const PROFILE: &str = r#"{
  "template": "DEMOFIRM50K",
  "postTradeRisk": { "dailyLossAutoLiq": 1100, "trailingMaxDrawdown": 2000, "trailingMaxDrawdownMode": "EOD" },
  "preTradeRisk": [{ "active": true, "totalBy": "Overall", "longLimit": 5, "shortLimit": 5, "parameters": [] }]
}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboard_without_rules_exits_2_and_runs_after_no_risk_rules() {
    let sandbox = sandbox().await;
    let home = tempfile::tempdir().unwrap();
    let users = plain_roster(home.path(), "clinorisk", 2);

    let refused = onboard(&sandbox, home.path(), &users, &[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Set the risk rules for DEMOFIRM50K first"), "{stderr}");
    assert_eq!(sandbox.stats().users_created(), 0, "nothing was sent");

    let allowed = onboard(&sandbox, home.path(), &users, &["--no-risk-rules"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", String::from_utf8_lossy(&allowed.stderr));
    assert_eq!(sandbox.stats().accounts_created(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_file_or_the_saved_profile_reaches_every_account() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let home = tempfile::tempdir().unwrap();
    let profile = home.path().join("50k.json");
    std::fs::write(&profile, PROFILE).unwrap();

    let users = plain_roster(home.path(), "clifile", 1);
    let output = onboard(&sandbox, home.path(), &users, &["--risk", profile.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let account = client.find_account("CLIFILE00000").await.unwrap().unwrap();
    let risk = &client.account_auto_liqs(account.id).await.unwrap()[0].risk;
    assert_eq!((risk.daily_loss_auto_liq, risk.trailing_max_drawdown), (Some(1100.0), Some(2000.0)));
    assert_eq!(client.account_position_limits(account.id).await.unwrap()[0].long_limit, Some(5));

    // Saved once (as the window would), then used without --risk; export gives it back.
    let import = propdesk(home.path())
        .args(["risk", "import", "--template", "DEMOFIRM50K", "--env", "custom"])
        .arg(&profile)
        .output()
        .unwrap();
    assert_eq!(import.status.code(), Some(0), "{}", String::from_utf8_lossy(&import.stderr));
    let users = plain_roster(home.path(), "clisaved", 1);
    let output = onboard(&sandbox, home.path(), &users, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let account = client.find_account("CLISAVED00000").await.unwrap().unwrap();
    assert_eq!(client.account_auto_liqs(account.id).await.unwrap()[0].risk.daily_loss_auto_liq, Some(1100.0));

    let show =
        propdesk(home.path()).args(["risk", "show", "--template", "DEMOFIRM50K", "--env", "custom"]).output().unwrap();
    let shown = String::from_utf8_lossy(&show.stdout);
    assert!(shown.contains("Trailing max drawdown") && shown.contains("2000"), "{shown}");
    let exported = home.path().join("back.json");
    let export = propdesk(home.path())
        .args(["risk", "export", "--template", "DEMOFIRM50K", "--env", "custom"])
        .arg(&exported)
        .output()
        .unwrap();
    assert_eq!(export.status.code(), Some(0));
    let back: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(exported).unwrap()).unwrap();
    assert_eq!(back["postTradeRisk"]["trailingMaxDrawdownMode"], "EOD");
}
