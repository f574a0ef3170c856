//! The environment the window is signed in to, and the setup data loaded from it.

use super::bridge::Bridge;
use super::problem::Problem;
use super::remote::Remote;
use super::workspace::Workspace;
use crate::api::wire::{Account, Entitlement, TradovateSubscriptionPlan};
use crate::api::{Client, Environment, EnvironmentKind};
use crate::doctor::{self, DoctorOptions, Report};
use crate::store::settings::{Chosen, EnvironmentSettings};
use chrono::{DateTime, Utc};

pub use crate::onboarding::setup_choice::{default_entitlement, default_plan, entitlement_label, template_accounts};

pub struct Connection {
    pub environment: Environment,
    pub client: Client,
    /// The API key used, for the connection card (no secret).
    pub app_id: String,
    pub cid: String,
    pub remember: bool,
    /// The username as typed: the keyring entries are named after it.
    pub login_name: String,
    pub plans: Remote<Vec<TradovateSubscriptionPlan>>,
    pub accounts: Remote<Vec<Account>>,
    pub entitlements: Remote<Vec<Entitlement>>,
    /// The last "Check connection" report (`propdesk doctor`'s read-only probes).
    pub checkup: Remote<Report>,
    /// Expiry of the token last written to the keyring, to save renewals once.
    pub saved_token_expiry: Option<DateTime<Utc>>,
    /// Set once the session was lost, so the toast appears once.
    pub lost_reported: bool,
    /// The journal, registry and agreement watch; `None` until opened.
    pub workspace: Option<Workspace>,
    /// Why the workspace could not be opened, shown on the screens that need it.
    pub workspace_problem: Option<Problem>,
    keep_fresh: tokio::task::JoinHandle<()>,
}

impl Connection {
    /// Adopts a signed-in client: repaint on session changes, renew in the background.
    pub fn new(client: Client, app_id: String, cid: String, remember: bool, bridge: &Bridge) -> Self {
        let ctx = bridge.ctx.clone();
        client.set_session_listener(move || ctx.request_repaint());
        let keep_fresh = bridge.spawn_reporting(client.clone().keep_fresh());
        Self {
            environment: client.environment().clone(),
            client,
            app_id,
            cid,
            remember,
            login_name: String::new(),
            plans: Remote::NotRequested,
            accounts: Remote::NotRequested,
            entitlements: Remote::NotRequested,
            checkup: Remote::NotRequested,
            saved_token_expiry: None,
            lost_reported: false,
            workspace: None,
            workspace_problem: None,
            keep_fresh,
        }
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

    /// Template accounts held by the signed-in admin only, smallest first (no fallback).
    pub fn own_templates(&self) -> Vec<&Account> {
        let admin = self.client.session().map(|s| s.user_id);
        self.templates().into_iter().filter(|a| Some(a.user_id) == admin).collect()
    }

    /// Template accounts: those held by the signed-in admin (evaluation accounts belong
    /// to traders), smallest first. Falls back to all accounts if none match.
    pub fn templates(&self) -> Vec<&Account> {
        let Some(accounts) = self.accounts.value() else { return Vec::new() };
        template_accounts(accounts, self.client.session().map(|s| s.user_id))
    }

    /// Fills in choices not made yet (or no longer offered) with sensible defaults:
    /// the firm's `*_MONTHLY` plan, the smallest template, the "Prop" entitlement.
    /// On Production nothing that bills is guessed (see [`Preselect::strict`]).
    /// True when something changed.
    pub fn preselect(&self, section: &mut EnvironmentSettings) -> bool {
        let strict = Preselect::strict(self.kind());
        let mut changed = false;
        if let Some(plans) = self.plans.value() {
            let offered = |c: &Chosen| plans.iter().any(|p| p.id == c.id);
            if !section.plan.as_ref().is_some_and(offered) {
                let pick = if strict { exact_monthly_plan(plans) } else { default_plan(plans) };
                let pick = pick.map(|p| Chosen { id: p.id, name: p.name.clone() });
                changed |= pick != section.plan;
                section.plan = pick;
            }
        }
        if self.accounts.value().is_some() {
            let templates = if strict { self.own_templates() } else { self.templates() };
            let offered = |c: &Chosen| templates.iter().any(|a| a.id == c.id);
            if !section.template.as_ref().is_some_and(offered) {
                let pick = templates.first().map(|a| Chosen { id: a.id, name: a.name.clone() });
                changed |= pick != section.template;
                section.template = pick;
            }
        }
        if let Some(entitlements) = self.entitlements.value() {
            let offered = |c: &Chosen| entitlements.iter().any(|e| e.id == c.id);
            if !section.entitlement.as_ref().is_some_and(offered) {
                let pick = if strict { None } else { default_entitlement(entitlements) };
                let pick = pick.map(|e| Chosen { id: e.id, name: entitlement_label(e) });
                changed |= pick != section.entitlement;
                section.entitlement = pick;
            }
        }
        changed
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.keep_fresh.abort();
    }
}

/// How much the Setup defaults may guess.
pub struct Preselect;

impl Preselect {
    /// On Production a wrong guess bills real money: only an exact `*_MONTHLY` plan and
    /// the admin's own template accounts are preselected, the entitlement never is.
    pub fn strict(kind: EnvironmentKind) -> bool {
        kind == EnvironmentKind::Production
    }
}

/// Production's plan default: the one non-trial plan named `*_MONTHLY`, if exactly one.
pub fn exact_monthly_plan(plans: &[TradovateSubscriptionPlan]) -> Option<&TradovateSubscriptionPlan> {
    let mut monthly = plans.iter().filter(|p| !p.trial && p.name.to_ascii_uppercase().ends_with("_MONTHLY"));
    let first = monthly.next()?;
    monthly.next().is_none().then_some(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: i64, name: &str, trial: bool) -> TradovateSubscriptionPlan {
        TradovateSubscriptionPlan { id, name: name.into(), trial, ..Default::default() }
    }

    #[test]
    fn production_takes_only_a_single_exact_monthly_plan() {
        let plans = [plan(1, "DEMOFIRM_TRIAL_MONTHLY", true), plan(2, "DEMOFIRM_MONTHLY", false)];
        assert_eq!(exact_monthly_plan(&plans).unwrap().id, 2);
        assert!(exact_monthly_plan(&[plan(3, "OTHER", false)]).is_none(), "no fallback to the first plan");
        let two = [plan(4, "A_MONTHLY", false), plan(5, "B_MONTHLY", false)];
        assert!(exact_monthly_plan(&two).is_none(), "two candidates: the admin chooses");
    }
}
