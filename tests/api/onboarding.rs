use crate::support::*;
use propdesk::api::wire::{AddEntitlementSubscription, EvaluationAccount, PostTradeRisk};
use propdesk::api::{ApiError, Client};
use std::time::Duration;

async fn plan_and_template(client: &Client) -> (i64, i64) {
    let plan = client.subscription_plans().await.unwrap().into_iter().find(|p| p.name == "DEMOFIRM_MONTHLY").unwrap();
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap();
    (plan.id, template.id)
}

async fn t_prop_id(client: &Client) -> i64 {
    let entitlements = client.entitlements().await.unwrap();
    entitlements.iter().find(|e| e.title.contains("Prop") || e.name.contains("Prop")).unwrap().id
}

fn account(user_id: i64, template: i64, name: &str) -> EvaluationAccount {
    EvaluationAccount {
        user_id,
        template_account_id: template,
        name: name.into(),
        initial_balance: 50_000.0,
        pre_trade_risk: vec![],
        post_trade_risk: Some(PostTradeRisk {
            daily_loss_auto_liq: Some(1_000.0),
            trailing_max_drawdown: Some(2_500.0),
            trailing_max_drawdown_mode: Some("EOD".into()),
            ..Default::default()
        }),
    }
}

#[tokio::test]
async fn creates_users_with_positional_results_and_a_duplicate_refused() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (plan, _) = plan_and_template(&client).await;
    let first = trader(Some(plan));
    let second = trader(Some(plan));
    let mut duplicate = trader(Some(plan));
    duplicate.email = first.email.clone();
    let reply = client.create_evaluation_users(vec![first.clone(), duplicate, second.clone()]).await.unwrap();
    assert!(reply.results[0].user_id.is_some());
    assert!(reply.results[1].user_id.is_none());
    assert!(reply.results[1].error_text.as_deref().unwrap_or("").to_lowercase().contains("mail"));
    assert!(reply.results[2].user_id.is_some());
    let found = client.find_user(&first.name).await.unwrap().expect("created user is found");
    assert_eq!(Some(found.id), reply.results[0].user_id);
    assert!(client.find_user("nobody-by-this-name").await.unwrap().is_none());
}

#[tokio::test]
async fn entitlement_22_fails_the_whole_batch() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let good = trader(None);
    let mut bad = trader(None);
    bad.entitlement_ids = vec![22];
    let error = client.create_evaluation_users(vec![good.clone(), bad]).await.unwrap_err();
    assert!(matches!(error, ApiError::Rejected { .. }), "{error:?}");
    assert!(client.find_user(&good.name).await.unwrap().is_none(), "no user may be created");
}

#[tokio::test]
async fn combined_names_over_60_are_refused_per_user() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let mut long = trader(None);
    long.first_name = "A".repeat(31);
    long.last_name = "B".repeat(30);
    let reply = client.create_evaluation_users(vec![long]).await.unwrap();
    assert!(reply.results[0].error_text.is_some());
}

#[tokio::test]
async fn batches_over_100_are_refused_before_sending() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let users: Vec<_> = (0..101).map(|_| trader(None)).collect();
    let error = client.create_evaluation_users(users).await.unwrap_err();
    assert!(error.to_string().contains("1 to 100"));
    assert_eq!(client.activity().count("user/createEvaluationUsers"), 0);
}

#[tokio::test]
async fn contact_info_requires_state_for_us() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (user_id, _) = create_user(&client).await;
    let mut info = us_contact(user_id);
    info.state = None;
    let error = client.update_contact_info(&info).await.unwrap_err();
    assert!(error.to_string().to_lowercase().contains("state"), "{error}");
    info.state = Some("NY".into());
    let reply = client.update_contact_info(&info).await.unwrap();
    assert_eq!(reply.contact_info.unwrap().user_id, user_id);
}

#[tokio::test]
async fn creates_accounts_on_demo_and_rejects_bad_names_with_violations() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (_, template) = plan_and_template(&client).await;
    let (user_id, _) = create_user(&client).await;
    let name = format!("EVAL{}", std::process::id());
    let reply = client.create_evaluation_accounts(vec![account(user_id, template, &name)]).await.unwrap();
    let result = &reply.results[0];
    assert!(result.account_id.is_some() && result.trading_permission_id.is_some(), "{result:?}");
    let permissions = client.account_trading_permissions(result.account_id.unwrap()).await.unwrap();
    assert_eq!(permissions[0].user_id, user_id);

    let error = client.create_evaluation_accounts(vec![account(user_id, template, "abc123")]).await.unwrap_err();
    let ApiError::Invalid { violations } = error else { panic!("expected violations, got {error:?}") };
    assert_eq!(violations[0].constraint, "name");

    let reply = client.create_evaluation_accounts(vec![account(user_id, 999_999, "UNKNOWNTPL1")]).await.unwrap();
    assert!(reply.results[0].error_text.is_some(), "unknown template is refused");
}

#[tokio::test]
async fn t_prop_waits_for_the_agreement_then_is_granted_once() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let t_prop = t_prop_id(&client).await;
    let (user_id, _) = create_user(&client).await;
    let grant = AddEntitlementSubscription { entitlement_id: t_prop, user_id: Some(user_id), ..Default::default() };
    let error = client.add_entitlement_subscription(&grant).await.unwrap_err();
    assert_eq!(error, ApiError::Rejected { text: "Live account is required".into() });

    client.update_contact_info(&us_contact(user_id)).await.unwrap();
    let alert_id = client.environment().agreement_alert_id;
    let signal = eventually(Duration::from_secs(5), || async {
        let signals = client.admin_alert_signals(alert_id).await.ok()?;
        signals.into_iter().find(|s| s.related_to_user_id == Some(user_id))
    })
    .await
    .expect("the trader signs after the configured delay");
    assert_eq!(signal.admin_alert_id, 70);

    let plugin = client.add_entitlement_subscription(&grant).await.unwrap().expect("the sandbox returns the plugin");
    assert_eq!(plugin.user_id, user_id);
    let held = client.user_plugins(user_id).await.unwrap();
    assert_eq!(held.iter().map(|p| p.entitlement_id).collect::<Vec<_>>(), [Some(t_prop)], "listed by userPlugin/deps");
    let again = client.add_entitlement_subscription(&grant).await.unwrap_err();
    assert!(matches!(again, ApiError::Conflict { .. }), "{again:?}");
}

#[tokio::test]
async fn a_call_on_the_wrong_domain_is_not_found() {
    let sandbox = sandbox().await;
    let mut environment = sandbox.environment();
    // Swap the hosts: createEvaluationUsers now lands on DEMO, where it does not exist.
    std::mem::swap(&mut environment.live_url, &mut environment.demo_url);
    let client = Client::with_options(environment, fast_options());
    client.sign_in(admin_credentials()).await.expect("auth works on both domains");
    let error = client.create_evaluation_users(vec![trader(None)]).await.unwrap_err();
    assert!(matches!(error, ApiError::NotFound(_)), "{error:?}");
}
