//! The session against the sandbox on loopback, with an in-memory keyring (or a slow one).

use super::*;
use crate::api::{Environment, EnvironmentKind};
use crate::sandbox::{self, Sandbox, SandboxConfig};
use crate::store::{SecretKind, SecretStore, Settings};
use keyring_core::api::{CredentialApi, CredentialStoreApi};
use keyring_core::{CredentialStore, Entry};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

const KIND: EnvironmentKind = EnvironmentKind::Custom;

struct Fixture {
    sandbox: Sandbox,
    store: SecretStore,
    writer: SecretWriter,
    events: mpsc::Receiver<SecretEvent>,
}

impl Fixture {
    async fn new(store: SecretStore, config: SandboxConfig) -> Self {
        let sandbox = Sandbox::start(config).await.expect("sandbox");
        let (sender, events) = mpsc::channel();
        let report: Report = Arc::new(move |event| sender.send(event).expect("the test listens"));
        let writer = SecretWriter::start(store.clone(), &tokio::runtime::Handle::current(), report);
        Self { sandbox, store, writer, events }
    }

    /// The sandbox as a Custom environment: the Sandbox kind never touches the keyring.
    fn environment(&self) -> Environment {
        Environment { kind: KIND, ..self.sandbox.environment() }
    }

    async fn sign_in(&self, remember: bool) -> Session {
        let credentials = sandbox::admin_credentials("device-1");
        let signed = sign_in::with_api_key(self.environment(), credentials, remember, |_| {}).await.expect("signed in");
        let runtime = tokio::runtime::Handle::current();
        Session::start(signed.client, signed.credentials, signed.remember, false, &self.writer, &runtime, || {})
    }

    fn saved(&self) -> Vec<SecretKind> {
        let user = sandbox::ADMIN_NAME;
        SecretKind::ALL.into_iter().filter(|&kind| self.store.get(KIND, user, kind).unwrap().is_some()).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remember_saves_the_password_secret_and_token() {
    let fixture = Fixture::new(SecretStore::mock(), SandboxConfig::default()).await;
    let _session = fixture.sign_in(true).await;
    fixture.writer.settled().await;
    assert_eq!(fixture.saved(), SecretKind::ALL);
    let user = sandbox::ADMIN_NAME;
    assert_eq!(
        fixture.store.get(KIND, user, SecretKind::ApiSecret).unwrap(),
        Some(crate::api::Secret::new(sandbox::SECRET))
    );
    match fixture.events.try_recv() {
        Ok(SecretEvent::Remembered(KIND, Ok("test keyring"))) => {}
        other => panic!("expected Remembered in the test keyring, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_remember_nothing_is_saved_and_an_earlier_login_is_deleted() {
    let fixture = Fixture::new(SecretStore::mock(), SandboxConfig::default()).await;
    // An earlier launch remembered this login.
    fixture.store.remember(KIND, &sandbox::admin_credentials("device-1"), None).unwrap();
    let session = fixture.sign_in(false).await;
    fixture.writer.settled().await;
    assert_eq!(fixture.saved(), [], "nothing of this login stays on the computer");
    // A renewal while not remembered is not saved either.
    session.client().renew().await.expect("renewed");
    fixture.writer.settled().await;
    assert_eq!(fixture.saved(), []);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_signs_in_with_the_saved_secret_and_then_the_saved_token() {
    let fixture = Fixture::new(SecretStore::mock(), SandboxConfig::default()).await;
    let environment = fixture.environment();
    let mut settings = Settings { device_id: "device-1".into(), ..Settings::default() };
    let section = settings.environment_mut(KIND);
    (section.live_url, section.demo_url, section.ws_url) =
        (environment.live_url.clone(), environment.demo_url.clone(), environment.ws_url.clone());
    (section.username, section.app_id, section.cid) =
        (sandbox::ADMIN_NAME.into(), sandbox::APP_ID.into(), sandbox::CID.into());
    section.remember = true;
    assert!(sign_in::restore(fixture.store.clone(), settings.clone(), KIND, None, |_| {}).await.unwrap().is_none());

    // Only the password and secret saved: restoring signs in with them.
    fixture.store.remember(KIND, &sandbox::admin_credentials("device-1"), None).unwrap();
    let signed = sign_in::restore(fixture.store.clone(), settings.clone(), KIND, None, |_| {}).await.unwrap();
    let signed = signed.expect("restored");
    assert_eq!(signed.restored_from, Some("test keyring"));
    assert_eq!(signed.client.session().expect("signed in").user_name, sandbox::ADMIN_NAME);
    let logins = fixture.sandbox.stats().calls("auth/accesstokenrequest");
    assert_eq!(logins, 1);
    let runtime = tokio::runtime::Handle::current();
    let session = Session::start(signed.client, signed.credentials, true, true, &fixture.writer, &runtime, || {});
    // A renewal is saved, so the next start needs no login call.
    session.client().renew().await.expect("renewed");
    tokio::time::timeout(Duration::from_secs(5), async {
        while !fixture.saved().contains(&SecretKind::Token) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the renewed token was saved");
    session.leave();
    let again = sign_in::restore(fixture.store.clone(), settings, KIND, None, |_| {}).await.unwrap().expect("restored");
    assert!(again.client.session().is_some());
    assert_eq!(fixture.sandbox.stats().calls("auth/accesstokenrequest"), logins, "the saved token, no new login");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_deletes_every_saved_secret() {
    let fixture = Fixture::new(SecretStore::mock(), SandboxConfig::default()).await;
    let session = fixture.sign_in(true).await;
    fixture.writer.settled().await;
    assert_eq!(fixture.saved(), SecretKind::ALL);
    let client = session.client().clone();
    session.sign_out();
    fixture.writer.settled().await;
    assert_eq!(fixture.saved(), []);
    assert!(client.session().is_none(), "the client forgot its token");
}

/// The race seen in the kittest: sign-out right after "Remember", on a keyring whose
/// writes take a while. The writes must not land after sign-out's delete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_keyring_write_never_lands_after_sign_out() {
    let slow = SlowStore::new(Duration::from_millis(150));
    let fixture = Fixture::new(slow.secret_store(), SandboxConfig::default()).await;
    let session = fixture.sign_in(true).await;
    slow.wait_for_writes(1).await;
    session.sign_out();
    fixture.writer.settled().await;
    tokio::time::sleep(Duration::from_millis(500)).await; // longer than any write still on its way
    assert_eq!(fixture.saved(), [], "sign-out left keyring entries");
}

/// A renewed token being written when the admin signs out is deleted after it lands.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_write_under_way_at_sign_out_is_deleted_after_it_lands() {
    let slow = SlowStore::new(Duration::from_millis(150));
    let fixture = Fixture::new(slow.secret_store(), SandboxConfig::default()).await;
    let session = fixture.sign_in(true).await;
    fixture.writer.settled().await;
    let before = slow.writes_started();
    session.client().renew().await.expect("renewed");
    slow.wait_for_writes(before + 1).await;
    session.sign_out();
    fixture.writer.settled().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fixture.saved(), [], "sign-out left the renewed token");
}

/// A renewal still in flight at sign-out comes back afterwards; its token is not saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_that_lands_after_sign_out_is_not_saved() {
    let config = SandboxConfig { latency: Duration::from_millis(200), ..SandboxConfig::default() };
    let fixture = Fixture::new(SecretStore::mock(), config).await;
    let session = fixture.sign_in(true).await;
    fixture.writer.settled().await;
    let client = session.client().clone();
    let renewal = tokio::spawn(async move { client.renew().await });
    tokio::time::sleep(Duration::from_millis(50)).await; // the renewal is on the wire
    session.sign_out();
    renewal.await.unwrap().expect("the server renewed the old token");
    tokio::time::sleep(Duration::from_millis(100)).await;
    fixture.writer.settled().await;
    assert_eq!(fixture.saved(), [], "the late renewal was written after sign-out");
}

/// keyring-core's mock store whose writes take `delay` (as D-Bus or a Keychain prompt may).
#[derive(Clone)]
struct SlowStore {
    inner: Arc<CredentialStore>,
    delay: Duration,
    writes_started: Arc<AtomicUsize>,
}

impl SlowStore {
    fn new(delay: Duration) -> Self {
        let inner: Arc<CredentialStore> = keyring_core::mock::Store::new().expect("mock store");
        Self { inner, delay, writes_started: Arc::default() }
    }

    fn secret_store(&self) -> SecretStore {
        SecretStore::with_store(Arc::new(self.clone()), "slow test keyring")
    }

    fn writes_started(&self) -> usize {
        self.writes_started.load(Ordering::SeqCst)
    }

    async fn wait_for_writes(&self, count: usize) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while self.writes_started() < count {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
        .await
        .expect("the keyring write started");
    }
}

impl CredentialStoreApi for SlowStore {
    fn vendor(&self) -> String {
        "slow mock".into()
    }

    fn id(&self) -> String {
        "slow-mock".into()
    }

    fn build(&self, service: &str, user: &str, modifiers: Option<&HashMap<&str, &str>>) -> keyring_core::Result<Entry> {
        let entry = self.inner.build(service, user, modifiers)?;
        let slow = SlowEntry { entry, delay: self.delay, writes_started: self.writes_started.clone() };
        Ok(Entry::new_with_credential(Arc::new(slow)))
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V>;

struct SlowEntry {
    entry: Entry,
    delay: Duration,
    writes_started: Arc<AtomicUsize>,
}

impl CredentialApi for SlowEntry {
    fn set_secret(&self, secret: &[u8]) -> keyring_core::Result<()> {
        self.writes_started.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        self.entry.set_secret(secret)
    }

    fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
        self.entry.get_secret()
    }

    fn delete_credential(&self) -> keyring_core::Result<()> {
        self.entry.delete_credential()
    }

    fn get_credential(&self) -> keyring_core::Result<Option<Arc<keyring_core::api::Credential>>> {
        Ok(None)
    }

    fn get_specifiers(&self) -> Option<(String, String)> {
        self.entry.get_specifiers()
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
