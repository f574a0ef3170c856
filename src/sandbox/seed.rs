//! The seeded firm "Demo Firm": its admin (whose API key the app signs in with), a
//! non-admin member, plans, entitlements, template accounts, a master account,
//! auto-liq profiles, and a trader of another organisation.

use super::state::*;
use crate::api::wire::{SubaccountStatus, TradeDate};
use chrono::Utc;

// The org admin's API key bundle (reference 2.1 shape).
pub const ADMIN_NAME: &str = "demofirm_admin";
pub const ADMIN_PASSWORD: &str = "sandbox-admin-pass";
pub const APP_ID: &str = "Propdesk Sandbox";
pub const APP_VERSION: &str = "1.0";
pub const CID: &str = "8123";
pub const SECRET: &str = "3f9c2a7e-sandbox-secret-5b1d";

// A member of the same org who is not an admin, with a key of its own.
pub const MEMBER_NAME: &str = "demofirm_member";
pub const MEMBER_PASSWORD: &str = "sandbox-member-pass";
pub const MEMBER_APP_ID: &str = "Member Tool";
pub const MEMBER_CID: &str = "8124";
pub const MEMBER_SECRET: &str = "77aa01c4-member-secret-9e2f";

pub const ORG_ID: Id = 77;
pub const ORG_NAME: &str = "Demo Firm";
pub const OTHER_ORG_ID: Id = 88;

pub const ADMIN_USER_ID: Id = 1001;
pub const MEMBER_USER_ID: Id = 1002;
/// A trader of another organisation (ctaUserId of another org).
pub const OTHER_ORG_USER_ID: Id = 2001;
pub const OTHER_ORG_USER_NAME: &str = "otherfirm_trader1";
/// The other organisation's admin, with an API key of its own: signs in to the same
/// sandbox as a different firm (a team journal must refuse to mix the two).
pub const OTHER_ORG_ADMIN_ID: Id = 2002;
pub const OTHER_ORG_ADMIN_NAME: &str = "otherfirm_admin";
pub const OTHER_ORG_ADMIN_PASSWORD: &str = "other-admin-pass";
pub const OTHER_ORG_APP_ID: &str = "Other Firm Tool";
pub const OTHER_ORG_CID: &str = "9311";
pub const OTHER_ORG_SECRET: &str = "5c1e02aa-other-firm-secret-41d0";
pub const OTHER_ORG_NAME: &str = "Other Firm";

pub const PLAN_MONTHLY_ID: Id = 501;
pub const PLAN_TRIAL_ID: Id = 502;
/// Belongs to another organisation: invisible and unusable for Demo Firm.
pub const OTHER_PLAN_ID: Id = 601;

pub const ENTITLEMENT_GROUP_TRADE: Id = 22;
pub const ENTITLEMENT_LIVE_PLUS: Id = 85;
pub const ENTITLEMENT_TPROP: Id = 3101;
pub const ENTITLEMENT_TRADINGVIEW: Id = 3102;

pub const TEMPLATE_50K_ID: Id = 20001;
pub const TEMPLATE_100K_ID: Id = 20002;
pub const TEMPLATE_150K_ID: Id = 20003;
pub const RISK_CATEGORY_ID: Id = 3;

pub const MASTER_ACCOUNT_ID: Id = 30001;
pub const AUTO_LIQ_PROFILE_ID: Id = 901;
pub const OTHER_ORG_AUTO_LIQ_PROFILE_ID: Id = 902;

/// A subaccount request of another organisation (status lookups must refuse it).
pub const OTHER_ORG_SUBACCOUNT_REQUEST_ID: Id = 40001;

/// The staging id of the "signed non-professional market data form" alert.
pub const AGREEMENT_ALERT_ID: Id = 70;

pub fn seed(world: &mut World, master_balance: f64) {
    let now = Utc::now();
    world.orgs = vec![
        Organization { id: ORG_ID, name: ORG_NAME.into() },
        Organization { id: OTHER_ORG_ID, name: OTHER_ORG_NAME.into() },
    ];
    let user = |id, name: &str, email: &str, password: &str, first: &str, last: &str, org_id, is_admin, key| UserRec {
        id,
        name: name.into(),
        email: email.into(),
        password: password.into(),
        first_name: first.into(),
        last_name: last.into(),
        org_id,
        is_admin,
        api_key: key,
        created: now,
        signed_agreement: None,
        agreement_clock_started: false,
    };
    let admin_key = ApiKey { app_id: APP_ID.into(), cid: CID.into(), sec: SECRET.into() };
    let member_key = ApiKey { app_id: MEMBER_APP_ID.into(), cid: MEMBER_CID.into(), sec: MEMBER_SECRET.into() };
    world.users = vec![
        user(
            ADMIN_USER_ID,
            ADMIN_NAME,
            "admin@demofirm.example",
            ADMIN_PASSWORD,
            "Dana",
            "Admin",
            ORG_ID,
            true,
            Some(admin_key),
        ),
        user(
            MEMBER_USER_ID,
            MEMBER_NAME,
            "member@demofirm.example",
            MEMBER_PASSWORD,
            "Morgan",
            "Member",
            ORG_ID,
            false,
            Some(member_key),
        ),
        user(
            OTHER_ORG_USER_ID,
            OTHER_ORG_USER_NAME,
            "trader1@otherfirm.example",
            "other-trader-pass",
            "Olive",
            "Other",
            OTHER_ORG_ID,
            false,
            None,
        ),
        user(
            OTHER_ORG_ADMIN_ID,
            OTHER_ORG_ADMIN_NAME,
            "admin@otherfirm.example",
            OTHER_ORG_ADMIN_PASSWORD,
            "Oscar",
            "Owner",
            OTHER_ORG_ID,
            true,
            Some(ApiKey { app_id: OTHER_ORG_APP_ID.into(), cid: OTHER_ORG_CID.into(), sec: OTHER_ORG_SECRET.into() }),
        ),
    ];
    world.plans = vec![
        Plan {
            id: PLAN_MONTHLY_ID,
            name: "DEMOFIRM_MONTHLY".into(),
            title: "Demo Firm Monthly".into(),
            price: 0.0,
            trial: false,
            org_id: ORG_ID,
        },
        Plan {
            id: PLAN_TRIAL_ID,
            name: "DEMOFIRM_TRIAL".into(),
            title: "Demo Firm Trial".into(),
            price: 0.0,
            trial: true,
            org_id: ORG_ID,
        },
        Plan {
            id: OTHER_PLAN_ID,
            name: "OTHERFIRM_MONTHLY".into(),
            title: "Other Firm Monthly".into(),
            price: 0.0,
            trial: false,
            org_id: OTHER_ORG_ID,
        },
    ];
    let ent = |id, name: &str, title: &str, price, purchase_type, discontinued| EntitlementRec {
        id,
        name: name.into(),
        title: title.into(),
        price,
        purchase_type,
        discontinued,
    };
    world.entitlements = vec![
        ent(ENTITLEMENT_GROUP_TRADE, "GroupTrade", "Group Trade (deprecated)", 0.0, "Any", true),
        ent(ENTITLEMENT_LIVE_PLUS, "LivePlus", "Live+", 0.0, "Any", false),
        ent(ENTITLEMENT_TPROP, "TradovateProp", "Tradovate Prop", 0.0, "LiveAccount", false),
        ent(ENTITLEMENT_TRADINGVIEW, "TradingView", "TradingView", 0.0, "Any", false),
    ];
    let template = |id, name: &str, size: f64| AccountRec {
        id,
        name: name.into(),
        user_id: ADMIN_USER_ID,
        org_id: ORG_ID,
        risk_category_id: RISK_CATEGORY_ID,
        auto_liq_profile_id: AUTO_LIQ_PROFILE_ID,
        evaluation_size: Some(size),
        is_template: true,
        balance: size,
        created: now,
    };
    world.accounts = vec![
        template(TEMPLATE_50K_ID, "DEMOFIRM50K", 50_000.0),
        template(TEMPLATE_100K_ID, "DEMOFIRM100K", 100_000.0),
        template(TEMPLATE_150K_ID, "DEMOFIRM150K", 150_000.0),
    ];
    world.auto_liq_profiles = vec![
        AutoLiqProfile { id: AUTO_LIQ_PROFILE_ID, org_id: ORG_ID },
        AutoLiqProfile { id: OTHER_ORG_AUTO_LIQ_PROFILE_ID, org_id: OTHER_ORG_ID },
    ];
    world.subaccounts = vec![SubaccountRec {
        id: OTHER_ORG_SUBACCOUNT_REQUEST_ID,
        org_id: OTHER_ORG_ID,
        cta_user_id: OTHER_ORG_USER_ID,
        transfer_amount: 1000.0,
        birth_date: TradeDate { year: 1980, month: 1, day: 1 },
        submitted: now,
        status: SubaccountStatus::InReview,
        history: vec![SubaccountStatus::Pending, SubaccountStatus::Preapproved, SubaccountStatus::InReview],
        message: None,
        slots: std::collections::HashMap::new(),
        review_started: false,
    }];
    world.master_accounts = vec![MasterAccount {
        id: MASTER_ACCOUNT_ID,
        org_id: ORG_ID,
        balance: master_balance,
        has_customer_application: true,
    }];
}
