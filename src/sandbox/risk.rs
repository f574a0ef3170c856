//! Risk rules carried by `user/createEvaluationAccounts` (`postTradeRisk`,
//! `preTradeRisk`), checked against the OpenAPI field types with the sandbox's own
//! tables, stored per account, and read back through `userAccountAutoLiq/deps`,
//! `userAccountPositionLimit/deps` and `userAccountRiskParameter/deps` (reference 8.1-8.3).

use super::auth::caller_org;
use super::rules::Check;
use super::server::{Ctx, Reply};
use super::state::{Id, World};
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

/// What a field must hold, as the OpenAPI types it.
#[derive(Clone, Copy)]
enum Kind {
    /// `number/double`.
    Number,
    /// `integer/int32`, `minimum: 0`.
    Count,
    /// `integer/int32` with no minimum.
    Int,
    /// `integer/int64`, `exclusiveMinimum: 0`.
    Id,
    Bool,
    /// `string/date-time`.
    DateTime,
    OneOf(&'static [&'static str]),
    /// `string`, `maxLength`.
    Text(usize),
    /// `parameters`: a list of at most 10 `PreTradeRiskParameter`.
    Parameters,
}

const PRODUCT_TYPES: &[&str] =
    &["CommonStock", "Continuous", "Cryptocurrency", "Futures", "MarketInternals", "Options", "Spread"];
const VERIFICATION: &[&str] = &["Inactive", "Locked", "ReadyForContracts", "ReadyToTrade", "Verified"];
const TOTAL_BY: &[&str] =
    &["Contract", "ContractGroup", "DiscountGroup", "Exchange", "Overall", "Product", "ProductType"];
const DRAWDOWN_MODES: &[&str] = &["EOD", "RealTime"];
const MAX_PARAMETERS: usize = 10;

/// OpenAPI `PostTradeRisk`: the 17 fields, all optional.
const POST_TRADE: &[(&str, Kind)] = &[
    ("marginPercentageAlert", Kind::Number),
    ("dailyLossPercentageAlert", Kind::Number),
    ("dailyLossAlert", Kind::Number),
    ("marginPercentageLiqOnly", Kind::Number),
    ("dailyLossPercentageLiqOnly", Kind::Number),
    ("dailyLossLiqOnly", Kind::Number),
    ("marginPercentageAutoLiq", Kind::Number),
    ("dailyLossPercentageAutoLiq", Kind::Number),
    ("dailyLossAutoLiq", Kind::Number),
    ("weeklyLossAutoLiq", Kind::Number),
    ("flattenTimestamp", Kind::DateTime),
    ("trailingMaxDrawdown", Kind::Number),
    ("trailingMaxDrawdownLimit", Kind::Number),
    ("trailingMaxDrawdownMode", Kind::OneOf(DRAWDOWN_MODES)),
    ("dailyProfitAutoLiq", Kind::Number),
    ("weeklyProfitAutoLiq", Kind::Number),
    ("doNotUnlock", Kind::Bool),
];

/// The selector fields shared by `PreTradeRisk` and `PreTradeRiskParameter`.
const SELECTORS: &[(&str, Kind)] = &[
    ("contractId", Kind::Id),
    ("productId", Kind::Id),
    ("exchangeId", Kind::Id),
    ("productType", Kind::OneOf(PRODUCT_TYPES)),
    ("riskDiscountContractGroupId", Kind::Id),
    ("productVerificationStatus", Kind::OneOf(VERIFICATION)),
    ("contractGroupId", Kind::Id),
];

/// OpenAPI `PreTradeRisk` (besides the selectors); required: active, totalBy, parameters.
const PRE_TRADE: &[(&str, Kind)] = &[
    ("active", Kind::Bool),
    ("riskTimePeriodId", Kind::Id),
    ("totalBy", Kind::OneOf(TOTAL_BY)),
    ("shortLimit", Kind::Count),
    ("longLimit", Kind::Count),
    ("exposedLimit", Kind::Count),
    ("description", Kind::Text(64)),
    ("parameters", Kind::Parameters),
];
const PRE_TRADE_REQUIRED: &[&str] = &["active", "totalBy", "parameters"];

/// OpenAPI `PreTradeRiskParameter` (besides the selectors).
const PARAMETER: &[(&str, Kind)] = &[
    ("maxOpeningOrderQty", Kind::Count),
    ("maxClosingOrderQty", Kind::Count),
    ("maxBackMonth", Kind::Count),
    ("preExpirationDays", Kind::Int),
    ("marginPercentage", Kind::Number),
    ("marginDollarValue", Kind::Number),
    ("hardLimit", Kind::Bool),
];

fn kind_of(tables: &[&[(&str, Kind)]], key: &str) -> Option<Kind> {
    tables.iter().flat_map(|t| t.iter()).find(|(k, _)| *k == key).map(|(_, kind)| *kind)
}

fn type_error(kind: Kind, value: &Value) -> Option<String> {
    let fits = match kind {
        Kind::Number => value.is_number(),
        Kind::Count => value.as_i64().is_some_and(|v| (0..=i64::from(i32::MAX)).contains(&v)),
        Kind::Int => value.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
        Kind::Id => value.as_i64().is_some_and(|v| v > 0),
        Kind::Bool => value.is_boolean(),
        Kind::DateTime => value.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
        Kind::OneOf(allowed) => value.as_str().is_some_and(|s| allowed.contains(&s)),
        Kind::Text(max) => value.as_str().is_some_and(|s| s.chars().count() <= max),
        Kind::Parameters => value.as_array().is_some_and(|a| a.len() <= MAX_PARAMETERS),
    };
    (!fits).then(|| match kind {
        Kind::Number => "must be a number".into(),
        Kind::Count => "must be a whole number, 0 or more".into(),
        Kind::Int => "must be a whole number".into(),
        Kind::Id => "must be a positive id".into(),
        Kind::Bool => "must be true or false".into(),
        Kind::DateTime => "must be a date-time such as 2026-01-05T21:00:00Z".into(),
        Kind::OneOf(allowed) => format!("must be one of {}", allowed.join(", ")),
        Kind::Text(max) => format!("must be text of at most {max} characters"),
        Kind::Parameters => format!("must be a list of at most {MAX_PARAMETERS} parameters"),
    })
}

fn violation(constraint: String, value: &Value, description: impl Into<String>) -> Value {
    json!({ "constraint": constraint, "value": value, "description": description.into() })
}

/// Checks one object against its tables: unknown keys, wrong types, missing required.
fn object_violations(path: &str, value: &Value, tables: &[&[(&str, Kind)]], required: &[&str], out: &mut Vec<Value>) {
    let Some(object) = value.as_object() else {
        out.push(violation(path.to_string(), value, "must be an object"));
        return;
    };
    for (key, field) in object {
        let at = format!("{path}.{key}");
        match kind_of(tables, key) {
            None => out.push(violation(at, field, "unknown field")),
            Some(_) if field.is_null() => {}
            Some(kind) => {
                if let Some(e) = type_error(kind, field) {
                    out.push(violation(at.clone(), field, e));
                } else if let (Kind::Parameters, Some(list)) = (kind, field.as_array()) {
                    for (i, parameter) in list.iter().enumerate() {
                        object_violations(&format!("{at}[{i}]"), parameter, &[SELECTORS, PARAMETER], &[], out);
                    }
                }
            }
        }
    }
    for key in required {
        if object.get(*key).is_none_or(Value::is_null) {
            out.push(violation(format!("{path}.{key}"), &Value::Null, "is required"));
        }
    }
}

/// Type violations in `accounts[index]`'s risk objects: a malformed request, refused
/// whole with HTTP 400 `violations` like a bad account name (reference 3.3, 5.4).
pub fn violations(index: usize, item: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    match item.get("postTradeRisk") {
        None | Some(Value::Null) => {}
        Some(risk) => {
            object_violations(&format!("accounts[{index}].postTradeRisk"), risk, &[POST_TRADE], &[], &mut out)
        }
    }
    match item.get("preTradeRisk") {
        None | Some(Value::Null) => {}
        Some(Value::Array(limits)) => {
            for (i, limit) in limits.iter().enumerate() {
                let path = format!("accounts[{index}].preTradeRisk[{i}]");
                object_violations(&path, limit, &[SELECTORS, PRE_TRADE], PRE_TRADE_REQUIRED, &mut out);
            }
        }
        Some(other) => out.push(violation(format!("accounts[{index}].preTradeRisk"), other, "must be a list")),
    }
    out
}

/// Business rules on well-typed risk, judged per item (errorText): a negative loss
/// limit or threshold makes no sense. (The seeds are silent on what the real server
/// says; the client refuses these before sending, so either way nothing is lost.)
pub fn check_values(item: &Value) -> Check<()> {
    if let Some(Value::Object(risk)) = item.get("postTradeRisk") {
        for (key, value) in risk {
            if value.as_f64().is_some_and(|v| v < 0.0) && matches!(kind_of(&[POST_TRADE], key), Some(Kind::Number)) {
                return Err(format!("postTradeRisk.{key} must not be negative"));
            }
        }
    }
    Ok(())
}

/// One stored `UserAccountAutoLiq`: the `postTradeRisk` object as received.
#[derive(Clone, Debug)]
pub struct AutoLiqRec {
    pub id: Id,
    pub account_id: Id,
    pub fields: Map<String, Value>,
}

/// One stored `UserAccountPositionLimit`, from one `preTradeRisk` element.
#[derive(Clone, Debug)]
pub struct PositionLimitRec {
    pub id: Id,
    pub account_id: Id,
    pub fields: Map<String, Value>,
}

/// One stored `UserAccountRiskParameter`, from one element of `parameters`.
#[derive(Clone, Debug)]
pub struct RiskParameterRec {
    pub id: Id,
    pub position_limit_id: Id,
    pub fields: Map<String, Value>,
}

#[derive(Clone, Debug, Default)]
pub struct RiskRecords {
    pub auto_liqs: Vec<AutoLiqRec>,
    pub position_limits: Vec<PositionLimitRec>,
    pub parameters: Vec<RiskParameterRec>,
}

fn without_nulls(object: &Map<String, Value>) -> Map<String, Value> {
    object.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Stores a created account's risk (already checked). Every account gets an auto-liq
/// entity, empty when no `postTradeRisk` was sent: nothing is limited then.
pub fn store(world: &mut World, account_id: Id, item: &Value) {
    let post = item.get("postTradeRisk").and_then(Value::as_object).map(without_nulls).unwrap_or_default();
    let id = world.new_id();
    world.risk.auto_liqs.push(AutoLiqRec { id, account_id, fields: post });
    for limit in item.get("preTradeRisk").and_then(Value::as_array).into_iter().flatten() {
        let Some(limit) = limit.as_object() else { continue };
        let mut fields = without_nulls(limit);
        let parameters = fields.remove("parameters");
        let limit_id = world.new_id();
        world.risk.position_limits.push(PositionLimitRec { id: limit_id, account_id, fields });
        for parameter in parameters.as_ref().and_then(Value::as_array).into_iter().flatten() {
            let fields = parameter.as_object().map(without_nulls).unwrap_or_default();
            let id = world.new_id();
            world.risk.parameters.push(RiskParameterRec { id, position_limit_id: limit_id, fields });
        }
    }
}

fn master_id(ctx: &Ctx<'_>) -> Result<Id, Reply> {
    let Some(master) = ctx.query.get("masterid") else {
        return Err(Reply::status(StatusCode::BAD_REQUEST, "masterid is required"));
    };
    master.trim().parse::<Id>().map_err(|_| Reply::status(StatusCode::BAD_REQUEST, "masterid must be an integer"))
}

/// Whether the account exists in the caller's organization.
fn own_account(ctx: &Ctx<'_>, world: &World, account_id: Id) -> bool {
    let (org_id, _) = caller_org(ctx, world);
    world.account(account_id).is_some_and(|a| a.org_id == org_id)
}

fn with_ids(fields: &Map<String, Value>, ids: &[(&str, Id)]) -> Value {
    let mut object = fields.clone();
    for (key, id) in ids {
        object.insert((*key).to_string(), json!(id));
    }
    Value::Object(object)
}

/// OpenAPI `UpdateUserAutoLiq` besides the post-trade fields.
const UPDATE_TARGET: &[(&str, Kind)] = &[("accountId", Kind::Id), ("asOwner", Kind::Bool)];

/// `POST userAccountAutoLiq/updateUserAutoLiq {accountId, asOwner?, ...PostTradeRisk}`
/// (DEMO): checked like `postTradeRisk` at creation; the account's rules become exactly
/// the fields sent (an omitted field disables that liquidation type, reference 8.1).
pub fn update_user_auto_liq(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let (_, is_admin) = caller_org(ctx, world);
    if !is_admin {
        return Reply::error_text(super::auth::ADMINS_ONLY);
    }
    let mut found = Vec::new();
    object_violations("updateUserAutoLiq", &ctx.body, &[UPDATE_TARGET, POST_TRADE], &["accountId"], &mut found);
    if !found.is_empty() {
        return Reply { status: StatusCode::BAD_REQUEST, body: Some(json!({ "violations": found })), failed: true };
    }
    let Some(account_id) = ctx.body.get("accountId").and_then(Value::as_i64) else {
        return Reply::error_text("accountId is required");
    };
    if !own_account(ctx, world, account_id) {
        return Reply::error_text(format!("Account {account_id} not found"));
    }
    let mut fields = ctx.body.as_object().map(without_nulls).unwrap_or_default();
    fields.remove("accountId");
    fields.remove("asOwner");
    if let Err(e) = check_values(&json!({ "postTradeRisk": fields })) {
        return Reply::error_text(e);
    }
    let record = match world.risk.auto_liqs.iter_mut().find(|r| r.account_id == account_id) {
        Some(record) => {
            record.fields = fields;
            record.clone()
        }
        None => {
            let record = AutoLiqRec { id: world.new_id(), account_id, fields };
            world.risk.auto_liqs.push(record.clone());
            record
        }
    };
    Reply::ok(json!({ "userAccountAutoLiq": with_ids(&record.fields, &[("id", record.id)]) }))
}

/// `GET userAccountAutoLiq/deps?masterid=<accountId>`.
pub fn auto_liq_deps(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    account_deps(ctx, world, |world, account_id| {
        world
            .risk
            .auto_liqs
            .iter()
            .filter(|r| r.account_id == account_id)
            .map(|r| with_ids(&r.fields, &[("id", r.id)]))
            .collect()
    })
}

/// `GET userAccountPositionLimit/deps?masterid=<accountId>`.
pub fn position_limit_deps(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    account_deps(ctx, world, |world, account_id| {
        world
            .risk
            .position_limits
            .iter()
            .filter(|r| r.account_id == account_id)
            .map(|r| with_ids(&r.fields, &[("id", r.id), ("accountId", r.account_id)]))
            .collect()
    })
}

/// A `deps?masterid=<accountId>` read: the caller's own account's records, or an empty
/// list for an account that is not the caller organization's.
fn account_deps(ctx: &Ctx<'_>, world: &World, records: impl FnOnce(&World, i64) -> Vec<Value>) -> Reply {
    let account_id = match master_id(ctx) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    if !own_account(ctx, world, account_id) {
        return Reply::ok(json!([]));
    }
    Reply::ok(Value::Array(records(world, account_id)))
}

/// `GET userAccountRiskParameter/deps?masterid=<positionLimitId>`.
pub fn risk_parameter_deps(ctx: &Ctx<'_>, world: &mut World) -> Reply {
    let limit_id = match master_id(ctx) {
        Ok(id) => id,
        Err(reply) => return reply,
    };
    let account_id = world.risk.position_limits.iter().find(|l| l.id == limit_id).map(|l| l.account_id);
    if !account_id.is_some_and(|a| own_account(ctx, world, a)) {
        return Reply::ok(json!([]));
    }
    let list = world
        .risk
        .parameters
        .iter()
        .filter(|r| r.position_limit_id == limit_id)
        .map(|r| with_ids(&r.fields, &[("id", r.id), ("userAccountPositionLimitId", r.position_limit_id)]))
        .collect();
    Reply::ok(Value::Array(list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_and_wrong_types_are_violations() {
        let item = json!({
            "postTradeRisk": { "dailyLossAutoLiq": "1000", "dailyLosLimit": 5, "trailingMaxDrawdownMode": "Daily",
                               "doNotUnlock": true, "flattenTimestamp": "tomorrow" },
            "preTradeRisk": [{ "active": true, "totalBy": "Overall", "parameters": [{ "maxOpeningOrderQty": -1 }] },
                             { "totalBy": "Product" }]
        });
        let found: Vec<String> =
            violations(3, &item).iter().map(|v| v["constraint"].as_str().unwrap().to_string()).collect();
        assert_eq!(
            found,
            [
                "accounts[3].postTradeRisk.dailyLosLimit",
                "accounts[3].postTradeRisk.dailyLossAutoLiq",
                "accounts[3].postTradeRisk.flattenTimestamp",
                "accounts[3].postTradeRisk.trailingMaxDrawdownMode",
                "accounts[3].preTradeRisk[0].parameters[0].maxOpeningOrderQty",
                "accounts[3].preTradeRisk[1].active",
                "accounts[3].preTradeRisk[1].parameters",
            ]
        );
    }

    #[test]
    fn every_post_trade_field_of_the_right_type_passes() {
        let risk: Map<String, Value> = POST_TRADE
            .iter()
            .map(|(key, kind)| {
                let value = match kind {
                    Kind::Bool => json!(true),
                    Kind::DateTime => json!("2026-01-05T21:00:00Z"),
                    Kind::OneOf(v) => json!(v[0]),
                    _ => json!(12.5),
                };
                ((*key).to_string(), value)
            })
            .collect();
        assert_eq!(risk.len(), 17);
        assert!(violations(0, &json!({ "postTradeRisk": risk })).is_empty());
    }
}
