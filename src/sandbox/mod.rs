//! An in-process imitation of the Tradovate Partner API: HTTP and the user-data
//! WebSocket on loopback, with the documented business rules and a seeded firm.
//! It is the app's offline "Sandbox" environment and the server every integration
//! test talks to, so it is strict: it checks every rule with its own code.
//!
//! Layout: one port, two domains by path prefix: LIVE `http://127.0.0.1:PORT/live/v1/...`,
//! DEMO `http://127.0.0.1:PORT/demo/v1/...`, WebSocket `ws://127.0.0.1:PORT/live/v1/websocket`
//! (and `/demo/v1/websocket`). Paths match case-insensitively.
//!
//! Modules: `config` (knobs), `state` (the data), `seed` (the firm), `server` (routing and
//! the gates every request passes), `auth`, `users`, `accounts`, `entitlements`,
//! `alerts` (agreement signature), `subaccounts`, `documents`, `offboarding`, `limits`
//! (rate limits, penalty tickets), `faults` (the switchboard), `ws`, `rules` (field checks).

mod accounts;
mod alerts;
mod auth;
pub mod config;
mod documents;
mod entitlements;
pub mod faults;
mod limits;
mod offboarding;
mod peak_rate;
mod risk;
mod rules;
pub mod seed;
mod server;
mod state;
mod subaccounts;
mod users;
mod ws;

pub use config::{
    BurstPenalty, CountMode, FilledSlotReply, Limit, RandomWriteFaults, RateLimits, SandboxConfig, SignalShape,
};
pub use faults::Faults;
pub use seed::{
    ADMIN_NAME, ADMIN_PASSWORD, ADMIN_USER_ID, AGREEMENT_ALERT_ID, APP_ID, APP_VERSION, AUTO_LIQ_PROFILE_ID, CID,
    ENTITLEMENT_GROUP_TRADE, ENTITLEMENT_LIVE_PLUS, ENTITLEMENT_TPROP, ENTITLEMENT_TRADINGVIEW, MASTER_ACCOUNT_ID,
    MEMBER_APP_ID, MEMBER_CID, MEMBER_NAME, MEMBER_PASSWORD, MEMBER_SECRET, MEMBER_USER_ID, ORG_NAME,
    OTHER_ORG_ADMIN_NAME, OTHER_ORG_ADMIN_PASSWORD, OTHER_ORG_APP_ID, OTHER_ORG_AUTO_LIQ_PROFILE_ID, OTHER_ORG_CID,
    OTHER_ORG_NAME, OTHER_ORG_SECRET, OTHER_ORG_SUBACCOUNT_REQUEST_ID, OTHER_ORG_USER_ID, OTHER_PLAN_ID,
    PLAN_MONTHLY_ID, PLAN_TRIAL_ID, RISK_CATEGORY_ID, SECRET, TEMPLATE_50K_ID, TEMPLATE_100K_ID, TEMPLATE_150K_ID,
};
pub use subaccounts::{MINOR_DENIAL, RESTRICTED_COUNTRIES, RESTRICTED_STATES};

/// The seeded org admin's API key bundle: what the app, the command line and the tests
/// sign in to a sandbox with.
pub fn admin_credentials(device_id: &str) -> crate::api::Credentials {
    crate::api::Credentials {
        name: ADMIN_NAME.into(),
        password: crate::api::Secret::new(ADMIN_PASSWORD),
        app_id: APP_ID.into(),
        app_version: APP_VERSION.into(),
        cid: CID.into(),
        sec: crate::api::Secret::new(SECRET),
        device_id: device_id.to_string(),
    }
}

use crate::api::Domain;
use crate::api::Environment;
use crate::api::wire::{SubaccountStatus, User};
use server::{App, Shared, lock};
use state::World;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Ids handed out at run time start here; anything below was seeded.
const FIRST_RUNTIME_ID: i64 = 100_000;

/// A running sandbox. Dropping it (or [`Sandbox::shutdown`]) stops the server and
/// closes its sockets.
pub struct Sandbox {
    shared: Arc<Shared>,
    faults: Faults,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// Binds `127.0.0.1:0` (a free port).
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        Self::start_at(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_at(config: SandboxConfig, addr: SocketAddr) -> std::io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mut world = World::default();
        seed::seed(&mut world, config.master_account_balance);
        let shared = Shared::new(config, world);
        let app = Arc::new(App { shared: shared.clone() });
        let router = axum::Router::new().fallback(server::dispatch).with_state(app);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("sandbox server stopped: {e}");
            }
        });
        let faults = Faults { shared: shared.clone() };
        Ok(Sandbox { shared, faults, addr, stop: Some(stop) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn live_url(&self) -> String {
        format!("http://{}/live/v1", self.addr)
    }

    pub fn demo_url(&self) -> String {
        format!("http://{}/demo/v1", self.addr)
    }

    /// The LIVE user-data socket (where agreement signals arrive).
    pub fn ws_url(&self) -> String {
        format!("ws://{}/live/v1/websocket", self.addr)
    }

    pub fn demo_ws_url(&self) -> String {
        format!("ws://{}/demo/v1/websocket", self.addr)
    }

    pub fn environment(&self) -> Environment {
        Environment::sandbox(&self.live_url(), &self.demo_url(), &self.ws_url())
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// A snapshot of call counts and entity counts.
    pub fn stats(&self) -> Stats {
        let calls = lock(&self.shared.calls).clone();
        let world = lock(&self.shared.world);
        let runtime = |id: i64| id > FIRST_RUNTIME_ID;
        Stats {
            calls,
            users_created: world.users.iter().filter(|u| runtime(u.id)).count(),
            accounts_created: world.accounts.iter().filter(|a| runtime(a.id)).count(),
            signals: world.signals.len(),
            entitlement_grants: world.plugins.iter().filter(|p| !p.cancelled).count(),
            duplicate_grants: world.duplicate_grants,
            subaccount_requests: world.subaccounts.iter().filter(|r| runtime(r.id)).count(),
            documents: world.documents.len(),
            revoked_permissions: world.permissions.iter().filter(|p| p.status == "Revoked").count(),
            master_balance: world.master_accounts.first().map(|m| m.balance).unwrap_or_default(),
            peak_requests_per_second: lock(&self.shared.arrivals).peak(),
        }
    }

    /// A user as `user/find` would show it, of any organisation.
    pub fn user_by_name(&self, name: &str) -> Option<User> {
        let world = lock(&self.shared.world);
        let user = world.users.iter().find(|u| u.name.eq_ignore_ascii_case(name))?;
        serde_json::from_value(users::user_wire(user)).ok()
    }

    /// Whether the simulated trader has signed the market-data agreement.
    pub fn has_signed_agreement(&self, user_id: i64) -> bool {
        lock(&self.shared.world).user(user_id).is_some_and(|u| u.signed_agreement.is_some())
    }

    /// The simulated trader signs the market-data agreement now, as if its signature
    /// clock had run out (tests and benches that choose when signatures arrive set a
    /// long `signature_delay`). False when the user is unknown or signed already.
    pub fn sign_agreement_now(&self, user_id: i64) -> bool {
        alerts::sign_now(&self.shared, user_id)
    }

    /// User-data sockets open now (every user, both domains).
    pub fn open_sockets(&self) -> usize {
        lock(&self.shared.sockets).open_count()
    }

    /// Signals of one admin alert about one user (tests wait for a simulated signature).
    pub fn signals_of(&self, user_id: i64, admin_alert_id: i64) -> usize {
        let world = lock(&self.shared.world);
        world.signals.iter().filter(|s| s.related_to_user_id == user_id && s.admin_alert_id == admin_alert_id).count()
    }

    /// Entitlement ids the user holds (not cancelled).
    pub fn entitlements_of(&self, user_id: i64) -> Vec<i64> {
        let world = lock(&self.shared.world);
        world.plugins.iter().filter(|p| p.user_id == user_id && !p.cancelled).map(|p| p.entitlement_id).collect()
    }

    pub fn subaccount_status(&self, request_id: i64) -> Option<SubaccountStatus> {
        lock(&self.shared.world).subaccounts.iter().find(|r| r.id == request_id).map(|r| r.status)
    }

    /// Every status the request has had, in order.
    pub fn subaccount_history(&self, request_id: i64) -> Vec<SubaccountStatus> {
        let world = lock(&self.shared.world);
        world.subaccounts.iter().find(|r| r.id == request_id).map(|r| r.history.clone()).unwrap_or_default()
    }

    /// Stops the server and closes every socket.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.faults.drop_sockets();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Calls received and what exists, at one moment.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    calls: HashMap<(Domain, String), u64>,
    pub users_created: usize,
    pub accounts_created: usize,
    pub signals: usize,
    pub entitlement_grants: usize,
    /// Grants sent for an entitlement the user already held (refused as a conflict).
    pub duplicate_grants: usize,
    pub subaccount_requests: usize,
    pub documents: usize,
    pub revoked_permissions: usize,
    pub master_balance: f64,
    /// Most HTTP requests that arrived within any one second.
    pub peak_requests_per_second: usize,
}

impl Stats {
    /// Calls to this path below `/v1/` on both domains, any case, over HTTP or as
    /// socket requests
    /// (e.g. `"adminAlertSignal/deps"`).
    pub fn calls(&self, path: &str) -> u64 {
        let path = path.trim_start_matches('/').to_ascii_lowercase();
        self.calls.iter().filter(|((_, p), _)| *p == path).map(|(_, n)| n).sum()
    }

    /// Calls to this path on one domain.
    pub fn calls_on(&self, domain: Domain, path: &str) -> u64 {
        let path = path.trim_start_matches('/').to_ascii_lowercase();
        self.calls.get(&(domain, path)).copied().unwrap_or_default()
    }

    /// Every HTTP call (and socket upgrade) received.
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }

    pub fn users_created(&self) -> usize {
        self.users_created
    }

    pub fn accounts_created(&self) -> usize {
        self.accounts_created
    }
}

/// `propdesk sandbox --addr 127.0.0.1:PORT`: serves with `config` (realistic timings
/// unless told otherwise) until Ctrl-C. Prints the URLs and the admin's non-secret key fields.
pub async fn run_standalone(addr: SocketAddr, config: SandboxConfig) -> std::io::Result<()> {
    let sandbox = Sandbox::start_at(config, addr).await?;
    println!("Propdesk sandbox (an imitation of the Tradovate Partner API) is running.");
    println!("  LIVE:      {}", sandbox.live_url());
    println!("  DEMO:      {}", sandbox.demo_url());
    println!("  WebSocket: {}", sandbox.ws_url());
    println!("  Org admin: {ADMIN_NAME} (appId {APP_ID:?}, cid {CID}); password and secret are the sandbox constants");
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    sandbox.shutdown();
    Ok(())
}
