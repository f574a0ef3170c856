use crate::support::*;
use propdesk::api::activity::Outcome;
use propdesk::api::{ApiError, Client, Secret};
use std::time::Duration;

#[tokio::test]
async fn signs_in_with_the_api_key_and_reads_me() {
    let sandbox = sandbox().await;
    let client = Client::with_options(sandbox.environment(), fast_options());
    let session = client.sign_in(admin_credentials()).await.unwrap();
    assert_eq!(session.user_name, propdesk::sandbox::ADMIN_NAME);
    assert!(session.expires_at > chrono::Utc::now());
    let me = client.me().await.unwrap();
    assert_eq!(me.user_id, session.user_id);
    assert!(!me.organization_name.is_empty());
}

#[tokio::test]
async fn wrong_password_returns_the_servers_error_text() {
    let sandbox = sandbox().await;
    let client = Client::with_options(sandbox.environment(), fast_options());
    let mut credentials = admin_credentials();
    credentials.password = Secret::new("not-the-password");
    let error = client.sign_in(credentials).await.unwrap_err();
    let ApiError::Rejected { text } = &error else { panic!("expected errorText, got {error:?}") };
    assert!(!text.is_empty());
    assert!(client.session().is_none());
    // The activity log keeps the server's words but never the password.
    let records = client.activity().snapshot();
    assert_eq!(records.last().unwrap().outcome, Outcome::Rejected);
    assert!(!format!("{records:?}").contains("not-the-password"));
}

#[tokio::test]
async fn calls_before_signing_in_say_signed_out() {
    let sandbox = sandbox().await;
    let client = Client::with_options(sandbox.environment(), fast_options());
    assert!(matches!(client.me().await, Err(ApiError::SignedOut { .. })));
}

#[tokio::test]
async fn token_debug_output_is_redacted() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let token = client.token().unwrap();
    let real = token.value.expose().to_string();
    assert!(real.len() > 8);
    let shown = format!("{token:?} {}", token.value);
    assert!(!shown.contains(&real), "{shown}");
}

#[tokio::test]
async fn renews_in_the_last_quarter_of_a_short_lifetime() {
    let sandbox = sandbox().await;
    sandbox.faults().set_token_lifetime(Duration::from_secs(4));
    let client = signed_in(&sandbox).await;
    let first = client.token().unwrap();
    tokio::time::sleep(Duration::from_millis(3300)).await;
    client.subscription_plans().await.expect("renewed before expiry, call succeeds");
    let second = client.token().unwrap();
    assert_ne!(first.value, second.value);
    assert!(second.expires_at > first.expires_at);
    assert_eq!(client.activity().count("auth/renewaccesstoken"), 1);
    assert_eq!(client.activity().count("auth/accesstokenrequest"), 1, "renewal, not a new login");
}

#[tokio::test]
async fn an_expired_token_is_replaced_by_signing_in_again() {
    let sandbox = sandbox().await;
    sandbox.faults().set_token_lifetime(Duration::from_secs(1));
    let client = signed_in(&sandbox).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    client.subscription_plans().await.expect("re-login with remembered credentials");
    assert_eq!(client.activity().count("auth/accesstokenrequest"), 2);
}

#[tokio::test]
async fn a_token_revoked_by_the_server_gets_one_recovery_then_works() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    sandbox.faults().expire_all_tokens();
    client.entitlements().await.expect("401, then renewal or re-login, then success");
    let records = client.activity().snapshot();
    assert!(records.iter().any(|r| r.status == Some(401)));
}

#[tokio::test]
async fn without_credentials_a_revoked_token_means_signed_out() {
    let sandbox = sandbox().await;
    let signed = signed_in(&sandbox).await;
    let client = Client::with_options(sandbox.environment(), fast_options());
    client.restore(signed.token().unwrap(), signed.session().unwrap(), None);
    client.me().await.expect("a restored token works");
    sandbox.faults().expire_all_tokens();
    let error = client.me().await.unwrap_err();
    assert!(matches!(error, ApiError::SignedOut { .. }), "{error:?}");
    assert!(error.to_string().contains("Sign in again"));
    assert!(client.session().is_none());
}
