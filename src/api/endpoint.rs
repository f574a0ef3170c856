//! The endpoints Propdesk calls: path, HTTP method, domain, whether a repeat is
//! harmless, and the documented per-endpoint rate budget (reference 1.1 and 3.2).
//!
//! This table is the one place where "which host" and "how often" live.

use super::env::Domain;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// Which requests count toward a rate budget (reference 3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counts {
    FailedOnly,
    All,
}

/// A per-endpoint budget: `limit_per_hour` counted requests per rolling hour, and a
/// pause of `backoff` after a failed request before the next one to that endpoint
/// (the docs' "back-off"; reading it as a pause after *every* call would make three
/// document uploads take 90 s, which nothing in the docs suggests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateBudget {
    pub limit_per_hour: u32,
    pub backoff: Duration,
    pub counts: Counts,
}

/// Where a call goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    One(Domain),
    /// `user/cancelEverything`: the caller sends it to each domain in turn.
    EachDomain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Path below `/v1`, as Tradovate spells it in its docs.
    pub path: &'static str,
    pub method: Method,
    pub route: Route,
    /// True when sending it twice cannot create or change anything twice, so a
    /// lost reply or a 5xx may be retried. Writes that create things are false.
    pub safe_to_repeat: bool,
    pub budget: Option<RateBudget>,
    /// Whether the request needs a Bearer token.
    pub authenticated: bool,
}

impl Endpoint {
    /// Short name for the activity log: the path.
    pub fn name(&self) -> &'static str {
        self.path
    }

    /// The domain a single call goes to (`cancelEverything` goes to each in turn; a
    /// caller that sends it once sends it to LIVE).
    pub fn home_domain(&self) -> Domain {
        match self.route {
            Route::One(domain) => domain,
            Route::EachDomain => Domain::Live,
        }
    }

    /// The calls that carry up to [`MAX_BATCH`] items (and need a longer timeout).
    pub fn is_batch(&self) -> bool {
        self.path == CREATE_EVALUATION_USERS.path || self.path == CREATE_EVALUATION_ACCOUNTS.path
    }
}

const fn get(path: &'static str, domain: Domain) -> Endpoint {
    Endpoint {
        path,
        method: Method::Get,
        route: Route::One(domain),
        safe_to_repeat: true,
        budget: None,
        authenticated: true,
    }
}

const fn write(path: &'static str, domain: Domain, safe_to_repeat: bool) -> Endpoint {
    Endpoint {
        path,
        method: Method::Post,
        route: Route::One(domain),
        safe_to_repeat,
        budget: None,
        authenticated: true,
    }
}

const fn with_budget(mut e: Endpoint, limit_per_hour: u32, backoff_secs: u64, counts: Counts) -> Endpoint {
    e.budget = Some(RateBudget { limit_per_hour, backoff: Duration::from_secs(backoff_secs), counts });
    e
}

use Domain::{Demo, Live};

// Authentication. The token is requested on LIVE and used on both domains
// (UNCONFIRMED whether a live token works on demo; this is the one place to change).
pub const ACCESS_TOKEN_REQUEST: Endpoint = Endpoint {
    authenticated: false,
    // A login creates a session; never resend it blindly.
    safe_to_repeat: false,
    ..write("auth/accesstokenrequest", Live, false)
};
pub const RENEW_ACCESS_TOKEN: Endpoint = get("auth/renewaccesstoken", Live);
pub const ME: Endpoint = get("auth/me", Live);

// Setup.
pub const SUBSCRIPTION_PLAN_LIST: Endpoint = get("tradovateSubscriptionPlan/list", Live);
/// Template accounts live where evaluation accounts are created: DEMO.
pub const ACCOUNT_LIST: Endpoint = get("account/list", Demo);
pub const ACCOUNT_FIND: Endpoint = get("account/find", Demo);
pub const ENTITLEMENT_LIST: Endpoint = get("entitlement/list", Live);

// Onboarding.
pub const CREATE_EVALUATION_USERS: Endpoint =
    with_budget(write("user/createEvaluationUsers", Live, false), 100, 1, Counts::FailedOnly);
pub const USER_FIND: Endpoint = get("user/find", Live);
/// seeds/000 step 2: "Environments: Live". Setting the same contact info twice is harmless.
pub const UPDATE_CONTACT_INFO: Endpoint = write("contactInfo/updateContactInfo", Live, true);
pub const CREATE_EVALUATION_ACCOUNTS: Endpoint =
    with_budget(write("user/createEvaluationAccounts", Demo, false), 100, 1, Counts::FailedOnly);
pub const ADMIN_ALERT_SIGNAL_DEPS: Endpoint = get("adminAlertSignal/deps", Live);
// Risk read-back: the entities live with the accounts they limit, on DEMO.
pub const USER_ACCOUNT_AUTO_LIQ_DEPS: Endpoint = get("userAccountAutoLiq/deps", Demo);
pub const USER_ACCOUNT_POSITION_LIMIT_DEPS: Endpoint = get("userAccountPositionLimit/deps", Demo);
pub const USER_ACCOUNT_RISK_PARAMETER_DEPS: Endpoint = get("userAccountRiskParameter/deps", Demo);
/// Changes an existing account's post-trade risk (reference 8.1), on DEMO with the
/// account. Setting the same rules twice leaves the same rules: safe to repeat.
pub const UPDATE_USER_AUTO_LIQ: Endpoint = write("userAccountAutoLiq/updateUserAutoLiq", Demo, true);
/// A grant bills the trader. Whether the real server refuses a second grant of the same
/// entitlement (ConflictWithExisting) or opens a second paid subscription is UNCONFIRMED,
/// so a lost reply is never resent blindly: the caller reads the trader's entitlements first.
pub const ADD_ENTITLEMENT_SUBSCRIPTION: Endpoint = write("userPlugin/addEntitlementSubscription", Live, false);
/// The trader's entitlements (`userPlugin/deps?masterid=<userId>`, OpenAPI). Its domain is
/// not stated anywhere: assumed LIVE, where they are granted (UNCONFIRMED; if it is wrong
/// the check fails and no grant is resent).
pub const USER_PLUGIN_DEPS: Endpoint = get("userPlugin/deps", Live);

// Subaccount requests.
pub const CREATE_PARTNER_SUBACCOUNT_REQUEST: Endpoint =
    with_budget(write("customerApplication/createPartnerSubaccountRequest", Live, false), 250, 30, Counts::All);
/// A document slot fills once; a repeat is refused, so a retry cannot double it.
pub const SUBMIT_PARTNER_SUBACCOUNT_DOCUMENT: Endpoint =
    with_budget(write("customerApplication/submitPartnerSubaccountDocument", Live, true), 750, 30, Counts::All);
pub const SUBMIT_CUSTOMER_APPLICATION_DOCUMENT: Endpoint =
    with_budget(write("customerApplication/submitCustomerApplicationDocument", Live, false), 750, 30, Counts::All);
/// A POST that only reads (reference 6.4). Domain UNCONFIRMED: presumably LIVE.
pub const GET_PARTNER_SUBACCOUNT_REQUEST_STATUS: Endpoint =
    write("customerApplication/getPartnerSubaccountRequestStatus", Live, true);

// Offboarding. Revoking or cancelling twice leaves the same state: safe to repeat.
/// Trading permissions belong to evaluation accounts, which live on DEMO
/// (domain not stated in the docs: UNCONFIRMED).
pub const REVOKE_TRADING_PERMISSIONS: Endpoint = write("user/revokeTradingPermissions", Demo, true);
pub const CANCEL_EVERYTHING: Endpoint =
    Endpoint { route: Route::EachDomain, ..write("user/cancelEverything", Live, true) };
/// A POST that only reads.
pub const GET_ACCOUNT_TRADING_PERMISSIONS: Endpoint = write("user/getAccountTradingPermissions", Demo, true);

/// Every endpoint above, for tests and the activity filter.
pub const ALL: &[Endpoint] = &[
    ACCESS_TOKEN_REQUEST,
    RENEW_ACCESS_TOKEN,
    ME,
    SUBSCRIPTION_PLAN_LIST,
    ACCOUNT_LIST,
    ACCOUNT_FIND,
    ENTITLEMENT_LIST,
    CREATE_EVALUATION_USERS,
    USER_FIND,
    UPDATE_CONTACT_INFO,
    CREATE_EVALUATION_ACCOUNTS,
    ADMIN_ALERT_SIGNAL_DEPS,
    USER_PLUGIN_DEPS,
    USER_ACCOUNT_AUTO_LIQ_DEPS,
    USER_ACCOUNT_POSITION_LIMIT_DEPS,
    USER_ACCOUNT_RISK_PARAMETER_DEPS,
    UPDATE_USER_AUTO_LIQ,
    ADD_ENTITLEMENT_SUBSCRIPTION,
    CREATE_PARTNER_SUBACCOUNT_REQUEST,
    SUBMIT_PARTNER_SUBACCOUNT_DOCUMENT,
    SUBMIT_CUSTOMER_APPLICATION_DOCUMENT,
    GET_PARTNER_SUBACCOUNT_REQUEST_STATUS,
    REVOKE_TRADING_PERMISSIONS,
    CANCEL_EVERYTHING,
    GET_ACCOUNT_TRADING_PERMISSIONS,
];

/// Batch endpoints take at most this many items per call (seeds/000, OpenAPI `maxLength: 100`).
pub const MAX_BATCH: usize = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_follow_reference_table_1_1() {
        assert_eq!(CREATE_EVALUATION_USERS.route, Route::One(Live));
        assert_eq!(CREATE_EVALUATION_ACCOUNTS.route, Route::One(Demo));
        assert_eq!(ADD_ENTITLEMENT_SUBSCRIPTION.route, Route::One(Live));
        assert_eq!(UPDATE_CONTACT_INFO.route, Route::One(Live));
        assert_eq!(CREATE_PARTNER_SUBACCOUNT_REQUEST.route, Route::One(Live));
        assert_eq!(CANCEL_EVERYTHING.route, Route::EachDomain);
    }

    #[test]
    fn creating_writes_are_never_retried_blindly() {
        for e in [
            CREATE_EVALUATION_USERS,
            CREATE_EVALUATION_ACCOUNTS,
            CREATE_PARTNER_SUBACCOUNT_REQUEST,
            ACCESS_TOKEN_REQUEST,
        ] {
            assert!(!e.safe_to_repeat, "{}", e.path);
        }
    }

    #[test]
    fn budgets_match_reference_3_2() {
        let b = CREATE_EVALUATION_USERS.budget.unwrap();
        assert_eq!((b.limit_per_hour, b.backoff.as_secs(), b.counts), (100, 1, Counts::FailedOnly));
        let b = CREATE_PARTNER_SUBACCOUNT_REQUEST.budget.unwrap();
        assert_eq!((b.limit_per_hour, b.backoff.as_secs(), b.counts), (250, 30, Counts::All));
        let b = SUBMIT_PARTNER_SUBACCOUNT_DOCUMENT.budget.unwrap();
        assert_eq!(b.limit_per_hour, 750);
    }
}
