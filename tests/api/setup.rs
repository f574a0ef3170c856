use crate::support::*;

#[tokio::test]
async fn lists_plans_templates_and_entitlements() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let plans = client.subscription_plans().await.unwrap();
    assert!(plans.iter().any(|p| p.name == "DEMOFIRM_MONTHLY"), "{plans:?}");
    let accounts = client.accounts().await.unwrap();
    assert!(accounts.iter().any(|a| a.name == "DEMOFIRM50K"));
    assert!(accounts.iter().any(|a| a.name == "DEMOFIRM100K"));
    let entitlements = client.entitlements().await.unwrap();
    assert!(entitlements.iter().any(|e| e.id == 22), "GroupTrade is listed (and forbidden)");
    assert!(entitlements.iter().any(|e| e.title.contains("Prop") || e.name.contains("Prop")));
    // Templates come from DEMO, plans and entitlements from LIVE.
    let stats = sandbox.stats();
    assert_eq!(stats.calls_on(propdesk::api::Domain::Demo, "account/list"), 1);
    assert_eq!(stats.calls_on(propdesk::api::Domain::Live, "tradovatesubscriptionplan/list"), 1);
}

#[tokio::test]
async fn find_account_returns_none_for_an_unknown_name() {
    let sandbox = sandbox().await;
    let client = signed_in(&sandbox).await;
    let found = client.find_account("DEMOFIRM50K").await.unwrap().expect("template exists");
    assert!(found.id > 0);
    assert!(client.find_account("NOSUCHACCOUNT1").await.unwrap().is_none());
}
