//! The organisation's data as the sandbox keeps it. Plain structs, one `World`
//! behind one mutex; handlers take `&mut World`.

use crate::api::wire::{SubaccountStatus, TradeDate};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

pub type Id = i64;

#[derive(Clone, Debug)]
pub struct Organization {
    pub id: Id,
    pub name: String,
}

#[derive(Clone, Debug)]
pub struct ApiKey {
    pub app_id: String,
    pub cid: String,
    pub sec: String,
}

#[derive(Clone, Debug)]
pub struct UserRec {
    pub id: Id,
    pub name: String,
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub org_id: Id,
    pub is_admin: bool,
    pub api_key: Option<ApiKey>,
    pub created: DateTime<Utc>,
    /// When the simulated trader signed the market-data agreement.
    pub signed_agreement: Option<DateTime<Utc>>,
    /// True once contact info started the agreement clock (it starts once).
    pub agreement_clock_started: bool,
}

#[derive(Clone, Debug)]
pub struct Session {
    pub user_id: Id,
    pub expires: DateTime<Utc>,
    /// Which login this token belongs to: a renewal keeps it, a new login starts another.
    pub login: u64,
    /// Closed because the user signed in too many times (the OpenAPI's session limit).
    pub closed: bool,
}

#[derive(Clone, Debug)]
pub struct Plan {
    pub id: Id,
    pub name: String,
    pub title: String,
    pub price: f64,
    pub trial: bool,
    pub org_id: Id,
}

#[derive(Clone, Debug)]
pub struct EntitlementRec {
    pub id: Id,
    pub name: String,
    pub title: String,
    pub price: f64,
    pub purchase_type: &'static str,
    pub discontinued: bool,
}

#[derive(Clone, Debug)]
pub struct AccountRec {
    pub id: Id,
    pub name: String,
    pub user_id: Id,
    pub org_id: Id,
    pub risk_category_id: Id,
    pub auto_liq_profile_id: Id,
    pub evaluation_size: Option<f64>,
    pub is_template: bool,
    pub balance: f64,
    pub created: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct PermissionRec {
    pub id: Id,
    pub user_id: Id,
    pub account_id: Id,
    pub status: &'static str,
    pub updated: DateTime<Utc>,
}

#[derive(Clone, Debug)]
pub struct SubscriptionRec {
    pub id: Id,
    pub user_id: Id,
    pub plan_id: Id,
    pub cancelled: bool,
}

#[derive(Clone, Debug)]
pub struct PluginRec {
    pub id: Id,
    pub user_id: Id,
    pub entitlement_id: Id,
    pub created: DateTime<Utc>,
    pub cancelled: bool,
}

#[derive(Clone, Debug)]
pub struct ContactRec {
    pub id: Id,
    pub user_id: Id,
    pub value: serde_json::Value,
}

#[derive(Clone, Debug)]
pub struct SignalRec {
    pub id: Id,
    pub timestamp: DateTime<Utc>,
    pub admin_alert_id: Id,
    pub related_to_user_id: Id,
    pub org_id: Id,
    pub text: String,
    pub subject_id: Id,
}

#[derive(Clone, Debug)]
pub struct AutoLiqProfile {
    pub id: Id,
    pub org_id: Id,
}

#[derive(Clone, Debug)]
pub struct MasterAccount {
    pub id: Id,
    pub org_id: Id,
    pub balance: f64,
    /// seeds/004: "No customer application found for the master account".
    pub has_customer_application: bool,
}

/// One of the three document kinds of a subaccount request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    PoaForm,
    Id,
    Address,
}

impl DocKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "POAForm" => Some(Self::PoaForm),
            "Id" => Some(Self::Id),
            "AddressVerificationFAFTA" => Some(Self::Address),
            _ => None,
        }
    }

    pub fn wire(self) -> &'static str {
        match self {
            Self::PoaForm => "POAForm",
            Self::Id => "Id",
            Self::Address => "AddressVerificationFAFTA",
        }
    }
}

#[derive(Clone, Debug)]
pub struct DocumentRec {
    pub id: Id,
    pub kind: DocKind,
    pub user_id: Id,
    pub org_id: Id,
    pub filename: String,
    pub bytes: usize,
    /// The subaccount request it fills, once linked or uploaded for one.
    pub request_id: Option<Id>,
}

#[derive(Clone, Debug)]
pub struct SubaccountRec {
    pub id: Id,
    pub org_id: Id,
    pub cta_user_id: Id,
    pub transfer_amount: f64,
    pub birth_date: TradeDate,
    pub submitted: DateTime<Utc>,
    pub status: SubaccountStatus,
    /// Every status it has had, in order (for tests).
    pub history: Vec<SubaccountStatus>,
    pub message: Option<String>,
    pub slots: HashMap<DocKind, Id>,
    /// The status machine has been started (all three slots filled).
    pub review_started: bool,
}

/// The whole simulated world.
#[derive(Debug, Default)]
pub struct World {
    /// A reviewer's decision armed by `Faults::deny_next_review`: the next request that
    /// finishes review is Denied with this message.
    pub pending_denial: Option<String>,
    next_id: Id,
    /// Numbers logins (sessions) in the order they started.
    pub next_login: u64,
    pub orgs: Vec<Organization>,
    pub users: Vec<UserRec>,
    pub tokens: HashMap<String, Session>,
    pub plans: Vec<Plan>,
    pub entitlements: Vec<EntitlementRec>,
    pub accounts: Vec<AccountRec>,
    pub permissions: Vec<PermissionRec>,
    pub subscriptions: Vec<SubscriptionRec>,
    pub plugins: Vec<PluginRec>,
    pub contacts: Vec<ContactRec>,
    pub signals: Vec<SignalRec>,
    pub auto_liq_profiles: Vec<AutoLiqProfile>,
    /// Risk rules applied to created accounts.
    pub risk: super::risk::RiskRecords,
    pub master_accounts: Vec<MasterAccount>,
    pub documents: Vec<DocumentRec>,
    pub subaccounts: Vec<SubaccountRec>,
    /// Grants refused as "Live account is required" after the trader signed, per user
    /// (see `SandboxConfig::grant_lag_refusals`).
    pub grant_lag_refusals: HashMap<Id, u32>,
    /// Grants refused because the user already held the entitlement: each one is a
    /// client that sent a grant twice (see `Stats::duplicate_grants`).
    pub duplicate_grants: usize,
}

impl World {
    /// A fresh id, unique across all entity kinds (easier to spot mix-ups in tests).
    pub fn new_id(&mut self) -> Id {
        if self.next_id == 0 {
            self.next_id = 100_000;
        }
        self.next_id += 1;
        self.next_id
    }

    pub fn user(&self, id: Id) -> Option<&UserRec> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_mut(&mut self, id: Id) -> Option<&mut UserRec> {
        self.users.iter_mut().find(|u| u.id == id)
    }

    pub fn org_name(&self, org_id: Id) -> String {
        self.orgs.iter().find(|o| o.id == org_id).map(|o| o.name.clone()).unwrap_or_default()
    }

    pub fn account(&self, id: Id) -> Option<&AccountRec> {
        self.accounts.iter().find(|a| a.id == id)
    }
}
