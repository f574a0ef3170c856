//! The defaults Setup offers for what every new trader receives: the firm's plan, its
//! template accounts and the T-Prop entitlement. Shared by the window and `propdesk doctor`.

use crate::api::wire::{Account, Entitlement, TradovateSubscriptionPlan};

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
}
