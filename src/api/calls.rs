//! One typed method per endpoint. Each knows its domain through the endpoint table;
//! none of them retries or validates beyond what the wire needs.

use super::client::Client;
use super::endpoint::{self, Endpoint, MAX_BATCH};
use super::env::Domain;
use super::error::{ApiError, ApiResult};
use super::wire::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

impl Client {
    pub async fn me(&self) -> ApiResult<Me> {
        self.get(&endpoint::ME, &[]).await
    }

    pub async fn subscription_plans(&self) -> ApiResult<Vec<TradovateSubscriptionPlan>> {
        self.get(&endpoint::SUBSCRIPTION_PLAN_LIST, &[]).await
    }

    /// Every account the organization can see on DEMO, template accounts included.
    pub async fn accounts(&self) -> ApiResult<Vec<Account>> {
        self.get(&endpoint::ACCOUNT_LIST, &[]).await
    }

    /// The account with this name, if any (`account/find`).
    pub async fn find_account(&self, name: &str) -> ApiResult<Option<Account>> {
        self.find(&endpoint::ACCOUNT_FIND, name).await
    }

    pub async fn entitlements(&self) -> ApiResult<Vec<Entitlement>> {
        self.get(&endpoint::ENTITLEMENT_LIST, &[]).await
    }

    /// Creates up to 100 users (LIVE). `results[i]` belongs to `users[i]`; a refused
    /// user has its own `errorText` while the others are created. A top-level `errorText`
    /// beside the results is a note on the batch (see `reply::is_batch_reply`).
    pub async fn create_evaluation_users(
        &self,
        users: Vec<EvaluationUser>,
    ) -> ApiResult<CreateEvaluationUsersResponse> {
        check_batch(&endpoint::CREATE_EVALUATION_USERS, users.len())?;
        let count = users.len();
        let reply: CreateEvaluationUsersResponse =
            self.post(&endpoint::CREATE_EVALUATION_USERS, &CreateEvaluationUsers { users }).await?;
        check_positional(&endpoint::CREATE_EVALUATION_USERS, count, reply.results.len())?;
        let batch_note = error_text_of(&reply.error_text).is_some();
        if batch_note || reply.results.iter().any(|r| error_text_of(&r.error_text).is_some()) {
            self.record_item_failures(&endpoint::CREATE_EVALUATION_USERS);
        }
        Ok(reply)
    }

    /// The user with this name, if any (`user/find`).
    pub async fn find_user(&self, name: &str) -> ApiResult<Option<User>> {
        self.find(&endpoint::USER_FIND, name).await
    }

    pub async fn update_contact_info(&self, info: &UpdateContactInfo) -> ApiResult<UpdateContactInfoResponse> {
        self.post(&endpoint::UPDATE_CONTACT_INFO, info).await
    }

    /// Creates up to 100 evaluation accounts with their trading permissions (DEMO).
    pub async fn create_evaluation_accounts(
        &self,
        accounts: Vec<EvaluationAccount>,
    ) -> ApiResult<CreateEvaluationAccountsResponse> {
        check_batch(&endpoint::CREATE_EVALUATION_ACCOUNTS, accounts.len())?;
        let count = accounts.len();
        let reply: CreateEvaluationAccountsResponse =
            self.post(&endpoint::CREATE_EVALUATION_ACCOUNTS, &CreateEvaluationAccounts { accounts }).await?;
        check_positional(&endpoint::CREATE_EVALUATION_ACCOUNTS, count, reply.results.len())?;
        let batch_note = error_text_of(&reply.error_text).is_some();
        if batch_note || reply.results.iter().any(|r| error_text_of(&r.error_text).is_some()) {
            self.record_item_failures(&endpoint::CREATE_EVALUATION_ACCOUNTS);
        }
        Ok(reply)
    }

    /// Signals of one admin alert this week (`adminAlertSignal/deps?masterid=`). Call it
    /// once after (re)connecting the WebSocket, never on a schedule.
    pub async fn admin_alert_signals(&self, admin_alert_id: i64) -> ApiResult<Vec<AdminAlertSignal>> {
        let signals: Option<Vec<AdminAlertSignal>> =
            self.get(&endpoint::ADMIN_ALERT_SIGNAL_DEPS, &[("masterid", admin_alert_id.to_string())]).await?;
        Ok(signals.unwrap_or_default())
    }

    /// The account's post-trade risk as the server holds it (`userAccountAutoLiq/deps`).
    pub async fn account_auto_liqs(&self, account_id: i64) -> ApiResult<Vec<UserAccountAutoLiq>> {
        self.deps(&endpoint::USER_ACCOUNT_AUTO_LIQ_DEPS, account_id).await
    }

    /// The account's pre-trade position limits (`userAccountPositionLimit/deps`).
    pub async fn account_position_limits(&self, account_id: i64) -> ApiResult<Vec<UserAccountPositionLimit>> {
        self.deps(&endpoint::USER_ACCOUNT_POSITION_LIMIT_DEPS, account_id).await
    }

    /// The parameters of one position limit (`userAccountRiskParameter/deps`).
    pub async fn position_limit_parameters(&self, position_limit_id: i64) -> ApiResult<Vec<UserAccountRiskParameter>> {
        self.deps(&endpoint::USER_ACCOUNT_RISK_PARAMETER_DEPS, position_limit_id).await
    }

    /// Replaces the account's post-trade risk with `risk` (DEMO). A refusal (unknown
    /// account, a rule the server rejects) comes back as `ApiError::Rejected`.
    pub async fn update_user_auto_liq(
        &self,
        account_id: i64,
        risk: &PostTradeRisk,
    ) -> ApiResult<UpdateUserAutoLiqResponse> {
        let body = UpdateUserAutoLiq { account_id, as_owner: None, risk: risk.clone() };
        self.post(&endpoint::UPDATE_USER_AUTO_LIQ, &body).await
    }

    /// `GET <entity>/deps?masterid=`: a missing body counts as none.
    async fn deps<T: DeserializeOwned>(&self, endpoint: &Endpoint, master_id: i64) -> ApiResult<Vec<T>> {
        let list: Option<Vec<T>> = self.get(endpoint, &[("masterid", master_id.to_string())]).await?;
        Ok(list.unwrap_or_default())
    }

    /// Grants an entitlement (LIVE). Before the trader signed the market-data agreement
    /// this is refused with "Live account is required". A 200 without `errorText` is a
    /// grant, whether or not it carries the `entitlementSubscription` (optional in the OpenAPI).
    pub async fn add_entitlement_subscription(
        &self,
        request: &AddEntitlementSubscription,
    ) -> ApiResult<Option<UserPlugin>> {
        let reply: Option<EntitlementSubscriptionResponse> =
            self.post(&endpoint::ADD_ENTITLEMENT_SUBSCRIPTION, request).await?;
        Ok(reply.and_then(|r| r.entitlement_subscription))
    }

    /// The entitlements a user holds (`userPlugin/deps?masterid=<userId>`).
    pub async fn user_plugins(&self, user_id: i64) -> ApiResult<Vec<UserPlugin>> {
        let plugins: Option<Vec<UserPlugin>> =
            self.get(&endpoint::USER_PLUGIN_DEPS, &[("masterid", user_id.to_string())]).await?;
        Ok(plugins.unwrap_or_default())
    }

    pub async fn create_partner_subaccount_request(
        &self,
        request: &CreatePartnerSubaccountRequest,
    ) -> ApiResult<CreatePartnerSubaccountResponse> {
        let reply: CreatePartnerSubaccountResponse =
            self.post(&endpoint::CREATE_PARTNER_SUBACCOUNT_REQUEST, request).await?;
        if reply.request_id.is_none() {
            return Err(ApiError::Protocol {
                endpoint: endpoint::CREATE_PARTNER_SUBACCOUNT_REQUEST.path.into(),
                detail: "no requestId in the reply".into(),
            });
        }
        Ok(reply)
    }

    pub async fn submit_partner_subaccount_document(
        &self,
        document: &SubmitPartnerSubaccountDocument,
    ) -> ApiResult<DocumentUploadResponse> {
        self.post(&endpoint::SUBMIT_PARTNER_SUBACCOUNT_DOCUMENT, document).await
    }

    pub async fn submit_customer_application_document(
        &self,
        document: &SubmitCustomerApplicationDocument,
    ) -> ApiResult<DocumentUploadResponse> {
        self.post(&endpoint::SUBMIT_CUSTOMER_APPLICATION_DOCUMENT, document).await
    }

    pub async fn partner_subaccount_request_status(
        &self,
        request_id: i64,
    ) -> ApiResult<PartnerSubaccountRequestStatus> {
        let body = GetPartnerSubaccountRequestStatus { sub_account_request_id: request_id };
        let reply: PartnerSubaccountRequestStatus =
            self.post(&endpoint::GET_PARTNER_SUBACCOUNT_REQUEST_STATUS, &body).await?;
        // An errorText came back as `Rejected` already; a reply with no status either is
        // not an answer, and must never read as "still Pending".
        if reply.status.is_none() {
            return Err(ApiError::Protocol {
                endpoint: endpoint::GET_PARTNER_SUBACCOUNT_REQUEST_STATUS.path.into(),
                detail: "the reply has neither a status nor an errorText".into(),
            });
        }
        Ok(reply)
    }

    pub async fn revoke_trading_permissions(&self, trading_permission_ids: Vec<i64>) -> ApiResult<SimpleResponse> {
        let reply: SimpleResponse = self
            .post(&endpoint::REVOKE_TRADING_PERMISSIONS, &RevokeTradingPermissions { trading_permission_ids })
            .await?;
        if !reply.ok {
            return Err(ApiError::Rejected { text: "Tradovate did not confirm the revocation".into() });
        }
        Ok(reply)
    }

    /// Cancels on one domain. Use [`Client::cancel_everything`] to cover both.
    pub async fn cancel_everything_on(
        &self,
        domain: Domain,
        request: &CancelEverything,
    ) -> ApiResult<CancelEverythingResponse> {
        let body = to_body(&endpoint::CANCEL_EVERYTHING, request)?;
        self.request(&endpoint::CANCEL_EVERYTHING, domain, &[], Some(body)).await
    }

    /// `user/cancelEverything` must be sent to DEMO and to LIVE (reference 7): both are
    /// attempted even if one fails, and both results are returned.
    pub async fn cancel_everything(&self, request: &CancelEverything) -> CancelEverywhere {
        CancelEverywhere {
            demo: self.cancel_everything_on(Domain::Demo, request).await,
            live: self.cancel_everything_on(Domain::Live, request).await,
        }
    }

    pub async fn account_trading_permissions(&self, account_id: i64) -> ApiResult<Vec<TradingPermission>> {
        let reply: TradingPermissionsResponse =
            self.post(&endpoint::GET_ACCOUNT_TRADING_PERMISSIONS, &GetAccountTradingPermissions { account_id }).await?;
        Ok(reply.trading_permissions)
    }

    // ---- helpers ----

    async fn get<T: DeserializeOwned>(&self, endpoint: &Endpoint, query: &[(&str, String)]) -> ApiResult<T> {
        self.request(endpoint, single_domain(endpoint), query, None).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, endpoint: &Endpoint, body: &B) -> ApiResult<T> {
        let body = to_body(endpoint, body)?;
        self.request(endpoint, single_domain(endpoint), &[], Some(body)).await
    }

    /// `find` replies with the entity, or nothing (404, `null` or an empty body).
    async fn find<T: DeserializeOwned>(&self, endpoint: &Endpoint, name: &str) -> ApiResult<Option<T>> {
        let reply: ApiResult<Value> = self.get(endpoint, &[("name", name.to_string())]).await;
        match reply {
            Ok(Value::Null) => Ok(None),
            Ok(Value::Object(map)) if map.is_empty() => Ok(None),
            Ok(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| ApiError::Protocol { endpoint: endpoint.path.into(), detail: e.to_string() }),
            Err(ApiError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// Both halves of a cancellation.
#[derive(Debug)]
pub struct CancelEverywhere {
    pub demo: ApiResult<CancelEverythingResponse>,
    pub live: ApiResult<CancelEverythingResponse>,
}

impl CancelEverywhere {
    pub fn is_complete(&self) -> bool {
        self.demo.is_ok() && self.live.is_ok()
    }
}

fn single_domain(endpoint: &Endpoint) -> Domain {
    endpoint.home_domain()
}

fn to_body<B: Serialize>(endpoint: &Endpoint, body: &B) -> ApiResult<Value> {
    serde_json::to_value(body).map_err(|e| ApiError::Protocol { endpoint: endpoint.path.into(), detail: e.to_string() })
}

/// Refuses an empty or oversized batch before it is sent.
fn check_batch(endpoint: &Endpoint, len: usize) -> ApiResult<()> {
    if len == 0 || len > MAX_BATCH {
        return Err(ApiError::Rejected {
            text: format!("{} takes 1 to {MAX_BATCH} items per call, not {len}", endpoint.path),
        });
    }
    Ok(())
}

/// Batch results are positional: a reply with a different count cannot be matched to
/// rows, yet the server may have created some of them, so the caller must reconcile.
fn check_positional(endpoint: &Endpoint, sent: usize, received: usize) -> ApiResult<()> {
    if sent != received {
        return Err(ApiError::OutcomeUnknown {
            endpoint: endpoint.path.into(),
            detail: format!("sent {sent} items but received {received} results"),
        });
    }
    Ok(())
}
