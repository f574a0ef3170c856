//! The OS keyring itself, not the mock: "Remember on this computer" against a real Secret
//! Service (GNOME Keyring) and the kernel keyring, read back by a new process (the app
//! restarted), removed on sign-out, and the plain words when the keyring is locked or
//! there is no desktop session bus.
//!
//! `PROPDESK_REAL_KEYRING=secret-service|keyutils` (set by packaging/linux/test-keyring.sh,
//! which also starts the services) makes that store REQUIRED: the tests fail when the
//! platform picks another store or none. Without it a test whose store is not usable
//! prints why and passes, so a plain `cargo test` works on a fresh machine.
//! `PROPDESK_KEYRING_MAY_LOCK=1` says the Secret Service is a throwaway the locking test
//! may lock (never a developer's own keyring).
//!
//! A "restart" re-runs this test binary as a child process with [`CHILD`] set: it knows
//! nothing but the settings folder, exactly like the next start of the app.

use propdesk::api::{Client, Environment, EnvironmentKind, Secret};
use propdesk::sandbox::{self, Sandbox, SandboxConfig};
use propdesk::store::keyring::{KERNEL_KEYRING, SECRET_SERVICE};
use propdesk::store::{KeyringError, Paths, SavedToken, SecretKind, SecretStore, Settings, load_saved_credentials};
use std::process::Command;

/// Which store the environment requires, if any.
const REQUIRED: &str = "PROPDESK_REAL_KEYRING";
const MAY_LOCK: &str = "PROPDESK_KEYRING_MAY_LOCK";
/// Set in a child process: what it should check.
const CHILD: &str = "PROPDESK_KEYRING_CHILD";

fn required_store() -> Option<&'static str> {
    match std::env::var(REQUIRED).ok()?.as_str() {
        "secret-service" => Some(SECRET_SERVICE),
        "keyutils" => Some(KERNEL_KEYRING),
        other => panic!("{REQUIRED}={other:?}: say secret-service or keyutils"),
    }
}

/// The platform store as the app picks it, or `None` (skipped, with the reason printed)
/// when there is none and none is required.
fn platform_store_or_skip(test: &str) -> Option<(SecretStore, &'static str)> {
    let store = SecretStore::platform();
    match (store.backend(), required_store()) {
        (Ok(name), Some(required)) => {
            assert_eq!(name, required, "{REQUIRED} asks for {required}, the app picked {name}");
            Some((store, name))
        }
        (Ok(name), None) => Some((store, name)),
        (Err(error), Some(required)) => panic!("{REQUIRED} asks for {required}, but: {error:?}"),
        (Err(error), None) => {
            eprintln!("{test}: skipped, no usable keyring here ({error:?}); packaging/linux/test-keyring.sh runs it");
            None
        }
    }
}

/// Worker threads: the sandbox must answer while this thread waits for the child.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

/// Re-runs this binary as the app's next start: only `test` runs, with `mode` in [`CHILD`].
fn restart(test: &str, mode: &str, dir: &std::path::Path, extra_env: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().expect("test binary"));
    command.args(["--exact", test, "--include-ignored", "--nocapture", "--test-threads=1"]);
    command.env(CHILD, mode).env(propdesk::store::paths::DIR_ENV, dir);
    for (name, value) in extra_env {
        command.env(name, value);
    }
    let output = command.output().expect("start the restarted process");
    eprintln!("--- restarted process ({mode}):\n{}{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
    output
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const RESTART_TEST: &str = "a_remembered_sign_in_is_read_back_after_a_restart_and_gone_after_sign_out";

#[test]
fn a_remembered_sign_in_is_read_back_after_a_restart_and_gone_after_sign_out() {
    if let Ok(mode) = std::env::var(CHILD) {
        return next_start(&mode);
    }
    let Some((store, backend)) = platform_store_or_skip(RESTART_TEST) else { return };
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start(SandboxConfig::for_tests())).expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");

    // First start: sign in to a Custom environment with "Remember on this computer", as
    // the window does (names in the settings file, secrets in the keyring).
    let environment = Environment::custom(&sandbox.live_url(), &sandbox.demo_url(), None);
    let client = Client::new(environment.clone());
    let credentials = sandbox::admin_credentials("real-keyring-test");
    runtime.block_on(client.sign_in(credentials.clone())).expect("sign in");
    let saved = client.token().zip(client.session()).map(|(token, session)| SavedToken { token, session });
    store.remember(EnvironmentKind::Custom, &credentials, saved).expect("remember");
    let mut settings = Settings {
        device_id: credentials.device_id.clone(),
        last_environment: EnvironmentKind::Custom,
        ..Settings::default()
    };
    let section = settings.environment_mut(EnvironmentKind::Custom);
    (section.live_url, section.demo_url) = (environment.live_url.clone(), environment.demo_url.clone());
    (section.username, section.app_id, section.cid) =
        (credentials.name.clone(), credentials.app_id.clone(), credentials.cid.clone());
    section.remember = true;
    let paths = Paths::in_dir(dir.path());
    settings.save(&paths.settings_file()).expect("save settings");
    drop(client);

    // The next start reads it back and is signed in: with the saved token (no login),
    // and with the saved password and secret (a fresh login the sandbox checks).
    let output = restart(RESTART_TEST, "signed-in", dir.path(), &[]);
    assert!(output.status.success(), "the restarted app did not find its sign-in in the {backend}");
    assert!(stdout(&output).contains(&format!("restored from {backend}")), "{}", stdout(&output));
    assert_eq!(sandbox.stats().calls("auth/accesstokenrequest"), 2, "the first start's login and the restart's check");

    // Sign out forgets it: the next start finds nothing.
    store.forget(EnvironmentKind::Custom, &credentials.name).expect("forget");
    let output = restart(RESTART_TEST, "signed-out", dir.path(), &[]);
    assert!(output.status.success(), "the {backend} kept a secret after sign-out");
    for text in [sandbox::SECRET, sandbox::ADMIN_PASSWORD] {
        let settings = std::fs::read_to_string(paths.settings_file()).expect("settings");
        assert!(!settings.contains(text), "a secret in the settings file");
    }
}

/// The restarted process: what the app does when it starts (load_saved_credentials).
fn next_start(mode: &str) {
    let paths = Paths::platform().expect("PROPDESK_DIR");
    let settings = Settings::load(&paths.settings_file()).expect("settings");
    let store = SecretStore::platform();
    let backend = store.backend().expect("a keyring in the restarted process");
    let login = load_saved_credentials(&store, &settings, EnvironmentKind::Custom).expect("read the keyring");
    match mode {
        "signed-in" => {
            let login = login.expect("the remembered sign-in is not in the keyring after the restart");
            let (token, session) = login.token.clone().expect("the saved token");
            let runtime = runtime();
            let restored = Client::new(login.environment.clone());
            restored.restore(token, session, Some(login.credentials.clone()));
            runtime.block_on(restored.me()).expect("the saved token works");
            let fresh = Client::new(login.environment);
            runtime.block_on(fresh.sign_in(login.credentials)).expect("the saved password and secret work");
            println!("restored from {backend}");
        }
        "signed-out" => {
            assert!(login.is_none(), "a sign-in is still remembered after sign-out");
            for kind in SecretKind::ALL {
                let left = store.get(EnvironmentKind::Custom, sandbox::ADMIN_NAME, kind).expect("read");
                assert!(left.is_none(), "{kind:?} is still in the {backend} after sign-out");
            }
            println!("nothing remembered in {backend}");
        }
        other => panic!("unknown mode {other}"),
    }
}

const NO_BUS_TEST: &str = "without_a_desktop_session_bus_the_secret_service_says_so_plainly";

/// Runs everywhere: the child gets a session bus address that leads nowhere.
#[test]
fn without_a_desktop_session_bus_the_secret_service_says_so_plainly() {
    if std::env::var(CHILD).is_ok_and(|mode| mode == "no-bus") {
        let store = SecretStore::platform_only(SECRET_SERVICE);
        let error = store.set(EnvironmentKind::Staging, "admin", SecretKind::Password, &Secret::new("pw")).unwrap_err();
        println!("summary: {error}");
        if let KeyringError::Unavailable { reason } = &error {
            println!("details: {reason}");
        }
        return;
    }
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let nowhere = format!("unix:path={}", dir.path().join("no-bus").display());
    let output = restart(NO_BUS_TEST, "no-bus", dir.path(), &[("DBUS_SESSION_BUS_ADDRESS", &nowhere)]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.contains(
            "summary: No system keyring is available on this computer; you will need to sign in again next time"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "details: Secret Service: there is no desktop session bus (D-Bus) here, so no keyring service such as GNOME Keyring or KWallet can be reached"
        ),
        "{text}"
    );
    for jargon in ["zbus", "unix:path", "os error", "Platform failure"] {
        assert!(!text.contains(jargon), "{jargon:?} shown to the admin: {text}");
    }
}

#[test]
fn a_locked_secret_service_is_reported_plainly() {
    if std::env::var(CHILD).is_ok() {
        return;
    }
    let may_lock = std::env::var(MAY_LOCK).is_ok_and(|v| v == "1");
    if !may_lock || required_store() != Some(SECRET_SERVICE) {
        eprintln!(
            "a_locked_secret_service_is_reported_plainly: skipped, needs {REQUIRED}=secret-service and {MAY_LOCK}=1"
        );
        return;
    }
    let store = SecretStore::platform_only(SECRET_SERVICE);
    let (env, user) = (EnvironmentKind::Staging, "locked-test");
    store.set(env, user, SecretKind::Password, &Secret::new("pw-locked")).expect("save while unlocked");
    // Lock every collection, as the desktop does on a screen lock or timeout.
    let locked = Command::new("dbus-send")
        .args(["--session", "--print-reply", "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets"])
        .args(["org.freedesktop.Secret.Service.Lock", "array:objpath:/org/freedesktop/secrets/collection/login"])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("dbus-send");
    assert!(locked.success(), "could not lock the test keyring");
    // No one can answer the unlock prompt here (no display): the read is refused.
    let error = store.get(env, user, SecretKind::Password).unwrap_err();
    assert_eq!(
        error.to_string(),
        "The system keyring refused: it is locked and was not unlocked; unlock it (signing in to the desktop usually does) and try again"
    );
}
