//! Building the app for a test and waiting for it.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use propdesk::store::{Paths, SecretStore};
use propdesk::ui::{AppConfig, PropdeskApp, StartEnvironment, save_dialog};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A running app with its own runtime, settings directory and keyring.
pub struct TestApp {
    // Field order is drop order: the window first, then the runtime it used.
    pub harness: Harness<'static, PropdeskApp>,
    pub mock: Arc<keyring_core::mock::Store>,
    pub dir: tempfile::TempDir,
    pub _runtime: tokio::runtime::Runtime,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
}

impl TestApp {
    pub fn start(start: StartEnvironment) -> Self {
        Self::start_with(start, runtime())
    }

    pub fn start_with(start: StartEnvironment, runtime: tokio::runtime::Runtime) -> Self {
        Self::start_full(start, runtime, None)
    }

    /// `secret_store`: `None` for the mock keyring in `mock`.
    pub fn start_full(
        start: StartEnvironment,
        runtime: tokio::runtime::Runtime,
        secret_store: Option<SecretStore>,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mock = keyring_core::mock::Store::new().expect("mock keyring");
        Self::start_in(dir, mock, start, runtime, secret_store)
    }

    /// Starts on a prepared settings directory and keyring (a second launch).
    pub fn start_in(
        dir: tempfile::TempDir,
        mock: Arc<keyring_core::mock::Store>,
        start: StartEnvironment,
        runtime: tokio::runtime::Runtime,
        secret_store: Option<SecretStore>,
    ) -> Self {
        Self::start_configured(dir, mock, start, runtime, secret_store, |_| {})
    }

    /// Like `start_in`, letting the test change the rest of the configuration first.
    pub fn start_configured(
        dir: tempfile::TempDir,
        mock: Arc<keyring_core::mock::Store>,
        start: StartEnvironment,
        runtime: tokio::runtime::Runtime,
        secret_store: Option<SecretStore>,
        configure: impl FnOnce(&mut AppConfig),
    ) -> Self {
        let mut config = AppConfig::new(Paths::in_dir(dir.path()), runtime.handle().clone());
        config.secret_store = secret_store.unwrap_or_else(|| SecretStore::with_store(mock.clone(), "test keyring"));
        config.start = start;
        config.save_dialog = save_dialog::fixed(dir.path().join("activity.csv"));
        configure(&mut config);
        let harness = Harness::builder()
            .with_size(egui::vec2(1280.0, 800.0))
            .build_eframe(move |cc| PropdeskApp::new(cc, config));
        Self { harness, mock, dir, _runtime: runtime }
    }

    /// Steps the UI until `done` holds, or fails the test after 20 s.
    pub fn wait_for(&mut self, what: &str, done: impl Fn(&Harness<'static, PropdeskApp>) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            self.harness.step();
            if done(&self.harness) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {what}");
            std::thread::sleep(Duration::from_millis(15));
        }
    }

    /// Waits until a node whose label contains `text` is on screen.
    pub fn wait_for_text(&mut self, text: &str) {
        let owned = text.to_string();
        // `query_all`: the same words may be on screen twice (a toast and the screen's own line).
        self.wait_for(text, move |h| h.query_all_by_label_contains(&owned).next().is_some());
    }

    /// Fills the Custom sign-in form with `sandbox`'s URLs and admin key, then signs in.
    pub fn sign_in_to_custom(&mut self, sandbox: &propdesk::sandbox::Sandbox) {
        self.sign_in_to_custom_as(sandbox, &SandboxAdmin::DEMO_FIRM);
    }

    /// Like `sign_in_to_custom`, as another of the sandbox's admins.
    pub fn sign_in_to_custom_as(&mut self, sandbox: &propdesk::sandbox::Sandbox, admin: &SandboxAdmin) {
        self.harness.get_by_label("Custom").click();
        self.wait_for_text("LIVE URL");
        self.type_into("LIVE URL", &sandbox.live_url());
        self.type_into("DEMO URL", &sandbox.demo_url());
        self.type_into("Username", admin.name);
        self.type_into("Password", admin.password);
        self.type_into("API key name", admin.app_id);
        self.type_into("Key ID", admin.cid);
        self.type_into("Secret", admin.secret);
        self.harness.get_by_role_and_label(egui::accesskit::Role::Button, "Sign in").click();
    }

    /// Replaces the text of a labelled field (masked ones too: one backspace per
    /// character), scrolled into view first (the card may be below the fold).
    pub fn retype(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).scroll_to_me();
        // The scroll animates: step until it has settled.
        for _ in 0..30 {
            self.harness.step();
        }
        self.harness.get_by_label(label).click();
        self.harness.step();
        let old = self.harness.get_by_label(label).value().unwrap_or_default();
        self.harness.key_press(egui::Key::End);
        for _ in 0..old.chars().count() {
            self.harness.key_press(egui::Key::Backspace);
        }
        self.harness.get_by_label(label).type_text(text);
        self.harness.step();
        self.harness.step();
    }

    /// Clicks into a labelled field and types.
    pub fn type_into(&mut self, label: &str, text: &str) {
        self.harness.get_by_label(label).click();
        self.harness.step();
        self.harness.get_by_label(label).type_text(text);
        self.harness.step();
    }

    /// Clicks a navigation entry (its label also carries an icon).
    pub fn click_nav(&mut self, screen: &str) {
        let button = self
            .harness
            .query_all_by_label_contains(screen)
            .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
            .unwrap_or_else(|| panic!("no navigation button {screen}"));
        button.click();
        self.harness.step();
    }
}

/// One of the sandbox's seeded admins with an API key.
pub struct SandboxAdmin {
    pub name: &'static str,
    pub password: &'static str,
    pub app_id: &'static str,
    pub cid: &'static str,
    pub secret: &'static str,
}

impl SandboxAdmin {
    pub const DEMO_FIRM: SandboxAdmin = {
        use propdesk::sandbox::{ADMIN_NAME, ADMIN_PASSWORD, APP_ID, CID, SECRET};
        SandboxAdmin { name: ADMIN_NAME, password: ADMIN_PASSWORD, app_id: APP_ID, cid: CID, secret: SECRET }
    };
    pub const OTHER_FIRM: SandboxAdmin = {
        use propdesk::sandbox::{
            OTHER_ORG_ADMIN_NAME, OTHER_ORG_ADMIN_PASSWORD, OTHER_ORG_APP_ID, OTHER_ORG_CID, OTHER_ORG_SECRET,
        };
        SandboxAdmin {
            name: OTHER_ORG_ADMIN_NAME,
            password: OTHER_ORG_ADMIN_PASSWORD,
            app_id: OTHER_ORG_APP_ID,
            cid: OTHER_ORG_CID,
            secret: OTHER_ORG_SECRET,
        }
    };
}

/// A settings folder and keyring as Setup leaves them for the team journal at `url`:
/// the URL without its password in the settings (after `configure`), the password in
/// the keyring. Start the window on them with `TestApp::start_in`.
pub fn team_journal_folder(
    url: &str,
    configure: impl FnOnce(&mut propdesk::store::Settings),
) -> (tempfile::TempDir, Arc<keyring_core::mock::Store>) {
    use propdesk::store::{Settings, TeamJournalSettings};
    let dir = tempfile::tempdir().expect("temp dir");
    let (team, password) = TeamJournalSettings::from_typed_url(url);
    let mock = keyring_core::mock::Store::new().expect("mock keyring");
    let secrets = SecretStore::with_store(mock.clone(), "test keyring");
    secrets.set_team_journal_password(&team.url, password.as_ref().expect("a password")).expect("keyring");
    let mut settings = Settings { team_journal: Some(team), ..Settings::default() };
    configure(&mut settings);
    settings.save(&Paths::in_dir(dir.path()).settings_file()).expect("settings");
    (dir, mock)
}

/// A file dropped on the window, as the windowing backend would hand it over.
#[derive(Debug)]
pub struct TestDrop {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl egui::DroppedFile for TestDrop {
    fn path(&self) -> &Path {
        &self.path
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Ok(self.bytes.clone())
    }
}

/// Onboards one trader (US contact, a DEMOFIRM50K account with a daily loss limit) into
/// `journal` with the library pipeline, as a run elsewhere would; returns its user name.
pub async fn onboard_one_trader(
    sandbox: &propdesk::sandbox::Sandbox,
    journal: &Arc<propdesk::onboarding::journal::Journal>,
    account_prefix: &str,
) -> String {
    use crate::support::{signed_in, trader, us_contact};
    use propdesk::api::wire::{EvaluationAccount, PostTradeRisk};
    use propdesk::onboarding::pipeline::{CancelToken, Pipeline, PipelineOptions, PreparedTrader};

    let client = signed_in(sandbox).await;
    let plan = client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY");
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap().id;
    let user = trader(plan.map(|p| p.id));
    let mut contact = us_contact(0);
    contact.first_name = user.first_name.clone();
    contact.last_name = user.last_name.clone();
    let name = user.name.clone();
    let prepared = PreparedTrader {
        account: EvaluationAccount {
            user_id: 0,
            template_account_id: template,
            name: format!("{account_prefix}{}", std::process::id() % 100_000),
            initial_balance: 50_000.0,
            pre_trade_risk: vec![],
            post_trade_risk: Some(PostTradeRisk { daily_loss_auto_liq: Some(1000.0), ..Default::default() }),
        },
        contact: Some(contact),
        user,
    };
    let (sender, _receiver) = tokio::sync::mpsc::unbounded_channel();
    let pipeline = Pipeline::new(client, journal.clone(), PipelineOptions::default());
    let summary = pipeline.run(vec![prepared], &CancelToken::default(), &sender).await;
    assert_eq!(summary.done, 1, "{summary:?}");
    name
}
