//! The environment the window is signed in to, and the setup data loaded from it.

use super::bridge::Bridge;
use super::problem::Problem;
use super::remote::Remote;
use super::workspace::Workspace;
use crate::api::wire::{Account, Entitlement, TradovateSubscriptionPlan};
use crate::api::{Client, Environment, EnvironmentKind};
use crate::doctor::{self, DoctorOptions, Report};
use crate::session::Session;
use crate::store::settings::EnvironmentSettings;

pub use crate::onboarding::setup_choice::entitlement_label;
use crate::onboarding::setup_choice::{self, template_accounts};

pub struct Connection {
    pub environment: Environment,
    pub client: Client,
    /// The API key used, for the connection card (no secret).
    pub app_id: String,
    pub cid: String,
    pub remember: bool,
    pub plans: Remote<Vec<TradovateSubscriptionPlan>>,
    pub accounts: Remote<Vec<Account>>,
    pub entitlements: Remote<Vec<Entitlement>>,
    /// The last "Check connection" report (`propdesk doctor`'s read-only probes).
    pub checkup: Remote<Report>,
    /// Set once the session was lost, so the toast appears once.
    pub lost_reported: bool,
    /// The journal, registry and agreement watch; `None` until opened.
    pub workspace: Option<Workspace>,
    /// Why the workspace could not be opened, shown on the screens that need it.
    pub workspace_problem: Option<Problem>,
    /// Renewal, keyring policy and token persistence (`crate::session`).
    session: Session,
}

impl Connection {
    /// Shows a started session (the API key's name and ID are for the connection card).
    pub fn new(session: Session, app_id: String, cid: String) -> Self {
        let client = session.client().clone();
        Self {
            environment: client.environment().clone(),
            client,
            app_id,
            cid,
            remember: session.remember(),
            plans: Remote::NotRequested,
            accounts: Remote::NotRequested,
            entitlements: Remote::NotRequested,
            checkup: Remote::NotRequested,
            lost_reported: false,
            workspace: None,
            workspace_problem: None,
            session,
        }
    }

    /// Signs out and deletes what "Remember" saved of this login.
    pub fn sign_out(self) {
        self.session.sign_out();
    }

    /// Leaves for another environment; what "Remember" saved stays.
    pub fn leave(self) {
        self.session.leave();
    }

    pub fn kind(&self) -> EnvironmentKind {
        self.environment.kind
    }

    /// Which environment the state shown belongs to: the journal's key, so two Custom
    /// environments at different URLs never share results.
    pub fn scope(&self) -> String {
        crate::onboarding::journal::journal_key(&self.environment)
    }

    /// Starts whatever setup data was never requested.
    pub fn request_missing(&mut self, bridge: &Bridge) {
        self.load(bridge, false);
    }

    /// Asks again for everything; values stay visible while they reload.
    pub fn refresh(&mut self, bridge: &Bridge) {
        self.load(bridge, true);
    }

    fn load(&mut self, bridge: &Bridge, again: bool) {
        if again || self.plans.is_not_requested() {
            let client = self.client.clone();
            self.plans.request(bridge, async move {
                client.subscription_plans().await.map_err(|e| Problem::from(e).context("Loading plans"))
            });
        }
        if again || self.accounts.is_not_requested() {
            let client = self.client.clone();
            self.accounts.request(bridge, async move {
                client.accounts().await.map_err(|e| Problem::from(e).context("Loading template accounts"))
            });
        }
        if again || self.entitlements.is_not_requested() {
            let client = self.client.clone();
            self.entitlements.request(bridge, async move {
                client.entitlements().await.map_err(|e| Problem::from(e).context("Loading entitlements"))
            });
        }
    }

    /// Runs the doctor's read-only probes in the background (never the test trader:
    /// the window does not create test users). A check in flight is not doubled.
    pub fn check(&mut self, bridge: &Bridge) {
        let client = self.client.clone();
        self.checkup.request(bridge, async move { Ok(doctor::run(&client, &DoctorOptions::default()).await) });
    }

    /// True when any value arrived.
    pub fn poll(&mut self) -> bool {
        let a = self.plans.poll();
        let b = self.accounts.poll();
        let c = self.entitlements.poll();
        let d = self.checkup.poll();
        a || b || c || d
    }

    pub fn is_loading(&self) -> bool {
        self.plans.is_pending() || self.accounts.is_pending() || self.entitlements.is_pending()
    }

    /// Template accounts: those held by the signed-in admin (evaluation accounts belong
    /// to traders), smallest first. Falls back to all accounts if none match.
    pub fn templates(&self) -> Vec<&Account> {
        let Some(accounts) = self.accounts.value() else { return Vec::new() };
        template_accounts(accounts, self.client.session().map(|s| s.user_id))
    }

    /// Fills in Setup's choices not made yet (the rule: [`setup_choice::preselect`]).
    /// True when something changed.
    pub fn preselect(&self, section: &mut EnvironmentSettings) -> bool {
        let offered = setup_choice::Offered {
            plans: self.plans.value().map(Vec::as_slice),
            accounts: self.accounts.value().map(Vec::as_slice),
            entitlements: self.entitlements.value().map(Vec::as_slice),
            admin_user_id: self.client.session().map(|s| s.user_id),
        };
        setup_choice::preselect(self.kind(), &offered, section)
    }
}
