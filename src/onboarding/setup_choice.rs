//! The defaults Setup offers for what every new trader receives: the firm's plan, its
//! template accounts and the T-Prop entitlement. Shared by the window and `propdesk doctor`;
//! [`preselect`] is the whole rule, so the command line can apply the same one.

use crate::api::EnvironmentKind;
use crate::api::wire::{Account, Entitlement, TradovateSubscriptionPlan};
use crate::store::settings::{Chosen, EnvironmentSettings};

/// What an environment offers, as far as it was loaded (`None`: not loaded yet).
#[derive(Clone, Copy, Debug, Default)]
pub struct Offered<'a> {
    pub plans: Option<&'a [TradovateSubscriptionPlan]>,
    pub accounts: Option<&'a [Account]>,
    pub entitlements: Option<&'a [Entitlement]>,
    /// The signed-in admin, whose own accounts are the templates.
    pub admin_user_id: Option<i64>,
}

/// Fills in choices not made yet (or no longer offered) with sensible defaults: the
/// firm's `*_MONTHLY` plan, the smallest template, the "Prop" entitlement. On Production
/// nothing that bills is guessed (see [`strict`]). True when something changed.
pub fn preselect(kind: EnvironmentKind, offered: &Offered<'_>, section: &mut EnvironmentSettings) -> bool {
    let strict = strict(kind);
    let mut changed = false;
    if let Some(plans) = offered.plans {
        let is_offered = |c: &Chosen| plans.iter().any(|p| p.id == c.id);
        if !section.plan.as_ref().is_some_and(is_offered) {
            let pick = if strict { exact_monthly_plan(plans) } else { default_plan(plans) };
            let pick = pick.map(|p| Chosen { id: p.id, name: p.name.clone() });
            changed |= pick != section.plan;
            section.plan = pick;
        }
    }
    if let Some(accounts) = offered.accounts {
        let mut templates = template_accounts(accounts, offered.admin_user_id);
        if strict {
            templates.retain(|a| Some(a.user_id) == offered.admin_user_id);
        }
        let is_offered = |c: &Chosen| templates.iter().any(|a| a.id == c.id);
        if !section.template.as_ref().is_some_and(is_offered) {
            let pick = templates.first().map(|a| Chosen { id: a.id, name: a.name.clone() });
            changed |= pick != section.template;
            section.template = pick;
        }
    }
    if let Some(entitlements) = offered.entitlements {
        let is_offered = |c: &Chosen| entitlements.iter().any(|e| e.id == c.id);
        if !section.entitlement.as_ref().is_some_and(is_offered) {
            let pick = if strict { None } else { default_entitlement(entitlements) };
            let pick = pick.map(|e| Chosen { id: e.id, name: entitlement_label(e) });
            changed |= pick != section.entitlement;
            section.entitlement = pick;
        }
    }
    changed
}

/// How much the Setup defaults may guess. On Production a wrong guess bills real money:
/// only an exact `*_MONTHLY` plan and the admin's own template accounts are preselected,
/// the entitlement never is.
pub fn strict(kind: EnvironmentKind) -> bool {
    kind == EnvironmentKind::Production
}

/// Production's plan default: the one non-trial plan named `*_MONTHLY`, if exactly one.
pub fn exact_monthly_plan(plans: &[TradovateSubscriptionPlan]) -> Option<&TradovateSubscriptionPlan> {
    let mut monthly = plans.iter().filter(|p| !p.trial && p.name.to_ascii_uppercase().ends_with("_MONTHLY"));
    let first = monthly.next()?;
    monthly.next().is_none().then_some(first)
}

/// Template accounts: those held by the signed-in admin (evaluation accounts belong to
/// traders), smallest first. Falls back to all accounts if none match.
pub fn template_accounts(accounts: &[Account], admin_user_id: Option<i64>) -> Vec<&Account> {
    let mut own: Vec<&Account> = accounts.iter().filter(|a| Some(a.user_id) == admin_user_id).collect();
    if own.is_empty() {
        own = accounts.iter().collect();
    }
    own.sort_by(|a, b| a.evaluation_size.unwrap_or(f64::MAX).total_cmp(&b.evaluation_size.unwrap_or(f64::MAX)));
    own
}

/// The firm's own plan: a `*_MONTHLY` one that is not a trial, else the first plan.
pub fn default_plan(plans: &[TradovateSubscriptionPlan]) -> Option<&TradovateSubscriptionPlan> {
    let monthly = |p: &&TradovateSubscriptionPlan| p.name.to_ascii_uppercase().ends_with("_MONTHLY");
    plans.iter().filter(monthly).find(|p| !p.trial).or_else(|| plans.iter().find(monthly)).or(plans.first())
}

/// The "Tradovate Prop" entitlement: name or title containing "Prop".
pub fn default_entitlement(entitlements: &[Entitlement]) -> Option<&Entitlement> {
    let is_prop = |e: &&Entitlement| {
        e.name.to_ascii_lowercase().contains("prop") || e.title.to_ascii_lowercase().contains("prop")
    };
    entitlements
        .iter()
        .filter(|e| e.discontinued_date.is_none())
        .find(is_prop)
        .or_else(|| entitlements.iter().find(is_prop))
}

/// How an entitlement is named on screen: its title, else its name.
pub fn entitlement_label(e: &Entitlement) -> String {
    if e.title.trim().is_empty() { e.name.clone() } else { e.title.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: i64, name: &str, trial: bool) -> TradovateSubscriptionPlan {
        TradovateSubscriptionPlan { id, name: name.into(), trial, ..Default::default() }
    }

    #[test]
    fn prefers_the_monthly_plan_that_is_not_a_trial() {
        let plans = [plan(1, "DEMOFIRM_TRIAL", true), plan(2, "DEMOFIRM_MONTHLY", false)];
        assert_eq!(default_plan(&plans).unwrap().id, 2);
        assert_eq!(default_plan(&[plan(3, "OTHER", false)]).unwrap().id, 3);
    }

    #[test]
    fn finds_the_prop_entitlement() {
        let e = |id, name: &str, title: &str| Entitlement {
            id,
            name: name.into(),
            title: title.into(),
            ..Default::default()
        };
        let list = [e(85, "LivePlus", "Live+"), e(3101, "TradovateProp", "Tradovate Prop")];
        assert_eq!(default_entitlement(&list).unwrap().id, 3101);
    }

    #[test]
    fn production_takes_only_a_single_exact_monthly_plan() {
        let plans = [plan(1, "DEMOFIRM_TRIAL_MONTHLY", true), plan(2, "DEMOFIRM_MONTHLY", false)];
        assert_eq!(exact_monthly_plan(&plans).unwrap().id, 2);
        assert!(exact_monthly_plan(&[plan(3, "OTHER", false)]).is_none(), "no fallback to the first plan");
        let two = [plan(4, "A_MONTHLY", false), plan(5, "B_MONTHLY", false)];
        assert!(exact_monthly_plan(&two).is_none(), "two candidates: the admin chooses");
    }

    #[test]
    fn production_preselects_no_entitlement_and_only_the_admins_own_template() {
        let account = |id, user_id| Account { id, user_id, name: format!("T{id}"), ..Default::default() };
        let accounts = [account(1, 99), account(2, 7)];
        let entitlements = [Entitlement { id: 3101, name: "TradovateProp".into(), ..Default::default() }];
        let plans = [plan(2, "DEMOFIRM_MONTHLY", false)];
        let offered = Offered {
            plans: Some(&plans),
            accounts: Some(&accounts),
            entitlements: Some(&entitlements),
            admin_user_id: Some(7),
        };
        let mut staging = EnvironmentSettings::default();
        assert!(preselect(EnvironmentKind::Staging, &offered, &mut staging));
        assert_eq!(staging.entitlement.map(|c| c.id), Some(3101));
        let mut production = EnvironmentSettings::default();
        preselect(EnvironmentKind::Production, &offered, &mut production);
        assert_eq!(production.entitlement, None, "billing is never guessed on Production");
        assert_eq!((production.plan.map(|c| c.id), production.template.map(|c| c.id)), (Some(2), Some(2)));
        let foreign = Offered { admin_user_id: Some(8), ..offered };
        let mut production = EnvironmentSettings::default();
        preselect(EnvironmentKind::Production, &foreign, &mut production);
        assert_eq!(production.template, None, "no fallback to another user's account on Production");
        assert!(!preselect(EnvironmentKind::Production, &foreign, &mut production), "nothing changed twice");
    }
}
