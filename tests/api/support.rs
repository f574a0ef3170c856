//! Shared set-up: a sandbox on loopback and a client signed in to it.

use propdesk::api::wire::{EvaluationUser, UpdateContactInfo};
use propdesk::api::{Client, ClientOptions, Credentials, Secret};
use propdesk::sandbox::{self, Sandbox, SandboxConfig};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub fn admin_credentials() -> Credentials {
    sandbox::admin_credentials("test-device-0001")
}

/// Quick retries so fault tests finish fast.
pub fn fast_options() -> ClientOptions {
    ClientOptions {
        request_timeout: Duration::from_secs(10),
        batch_timeout: Duration::from_secs(10),
        retries: 3,
        retry_delay: Duration::from_millis(20),
        max_penalty_wait: Duration::from_secs(30),
    }
}

pub async fn sandbox() -> Sandbox {
    sandbox_with(SandboxConfig::for_tests()).await
}

pub async fn sandbox_with(config: SandboxConfig) -> Sandbox {
    Sandbox::start(config).await.expect("sandbox starts on loopback")
}

pub async fn signed_in(sandbox: &Sandbox) -> Client {
    signed_in_with(sandbox, fast_options()).await
}

pub async fn signed_in_with(sandbox: &Sandbox, options: ClientOptions) -> Client {
    let client = Client::with_options(sandbox.environment(), options);
    client.sign_in(admin_credentials()).await.expect("the seeded admin signs in");
    client
}

static NEXT: AtomicU32 = AtomicU32::new(1);

/// A valid trader with a unique name, email and account-name suffix.
pub fn trader(plan_id: Option<i64>) -> EvaluationUser {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id() % 10_000;
    EvaluationUser {
        name: format!("trader{pid}x{n}"),
        email: format!("trader{pid}x{n}@example.com"),
        password: Secret::new("Str0ng!Passw0rd"),
        first_name: "Jamie".into(),
        last_name: format!("Rivera{n}").chars().filter(|c| c.is_alphabetic()).collect::<String>() + "son",
        tradovate_subscription_plan_id: plan_id,
        entitlement_ids: vec![],
    }
}

pub fn us_contact(user_id: i64) -> UpdateContactInfo {
    UpdateContactInfo {
        user_id,
        first_name: "Jamie".into(),
        last_name: "Rivera".into(),
        street_address1: "123 Maple Avenue".into(),
        street_address2: None,
        city: "Albany".into(),
        state: Some("NY".into()),
        post_code: "12207".into(),
        country: "US".into(),
        phone: "+1-518-555-0199".into(),
        mailing_is_different: None,
    }
}

/// Creates one user and returns its id.
pub async fn create_user(client: &Client) -> (i64, EvaluationUser) {
    let user = trader(None);
    let reply = client.create_evaluation_users(vec![user.clone()]).await.expect("batch accepted");
    let id = reply.results[0].user_id.unwrap_or_else(|| panic!("user created: {:?}", reply.results[0]));
    (id, user)
}

/// Polls `f` until it returns Some, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = f().await {
            return Some(value);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
