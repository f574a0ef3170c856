use crate::support::*;
use propdesk::api::wire::{CancelEverything, EvaluationAccount};
use propdesk::api::{ApiError, Domain};

async fn user_with_account(client: &propdesk::api::Client) -> (i64, i64, i64) {
    let template = client.find_account("DEMOFIRM50K").await.unwrap().unwrap().id;
    let (user_id, user) = create_user(client).await;
    let name: String = format!("OFF{}", user.name.len() as u32 * 1000 + (user_id as u32 % 1000));
    let reply = client
        .create_evaluation_accounts(vec![EvaluationAccount {
            user_id,
            template_account_id: template,
            name,
            initial_balance: 50_000.0,
            ..Default::default()
        }])
        .await
        .unwrap();
    let r = &reply.results[0];
    (user_id, r.account_id.unwrap(), r.trading_permission_id.unwrap())
}

#[tokio::test]
async fn revoking_a_permission_marks_it_revoked() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (_, account_id, permission_id) = user_with_account(&client).await;
    client.revoke_trading_permissions(vec![permission_id]).await.unwrap();
    let permissions = client.account_trading_permissions(account_id).await.unwrap();
    assert_eq!(permissions[0].status, "Revoked");
    let error = client.revoke_trading_permissions(vec![987_654_321]).await.unwrap_err();
    assert!(matches!(error, ApiError::Rejected { .. }), "{error:?}");
}

#[tokio::test]
async fn cancel_everything_reaches_demo_and_live() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let (user_id, account_id, _) = user_with_account(&client).await;
    let outcome = client.cancel_everything(&CancelEverything::all_for(vec![user_id])).await;
    assert!(outcome.is_complete(), "{outcome:?}");
    let stats = sandbox.stats();
    assert_eq!(stats.calls_on(Domain::Demo, "user/canceleverything"), 1);
    assert_eq!(stats.calls_on(Domain::Live, "user/canceleverything"), 1);
    let demo = outcome.demo.unwrap();
    assert!(!demo.trading_permission_ids.is_empty(), "DEMO cancels the account's permission");
    let permissions = client.account_trading_permissions(account_id).await.unwrap();
    assert_eq!(permissions[0].status, "Revoked");
}
