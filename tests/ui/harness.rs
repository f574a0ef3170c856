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
        self.wait_for(text, move |h| h.query_by_label_contains(&owned).is_some());
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
