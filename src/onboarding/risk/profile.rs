//! A risk profile: the post-trade and pre-trade rules every account created from one
//! template carries (seeds/000 Step 3: daily loss limits and trailing drawdown "aren't
//! defined at the template level. You must set these values at the time of account
//! creation."). Stored in settings and in small JSON files, never with a secret.

use super::field::{RiskField, RiskValue, format_number};
use crate::api::wire::{PostTradeRisk, PreTradeRisk, PreTradeRiskParameter};
use serde::{Deserialize, Serialize};

/// The rules of one template account. The JSON form is the wire form, so a profile
/// file reads like the `postTradeRisk` / `preTradeRisk` Tradovate documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RiskProfile {
    /// The template account's name, for people reading the file.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub template: String,
    pub post_trade_risk: PostTradeRisk,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_trade_risk: Vec<PreTradeRisk>,
}

/// One rule broken by a profile or a row, on the field to fix.
#[derive(Clone, Debug, PartialEq)]
pub struct RiskProblem {
    pub field: ProfileField,
    pub message: String,
}

/// A field of the profile editor: a post-trade field or an overall position limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProfileField {
    Post(RiskField),
    Position(PositionField),
}

/// The overall position limit the editor offers ("max 5 contracts").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PositionField {
    LongLimit,
    ShortLimit,
    MaxOpeningOrderQty,
    MaxClosingOrderQty,
}

impl PositionField {
    pub const ALL: [PositionField; 4] = [
        PositionField::LongLimit,
        PositionField::ShortLimit,
        PositionField::MaxOpeningOrderQty,
        PositionField::MaxClosingOrderQty,
    ];

    pub fn label(self) -> &'static str {
        match self {
            PositionField::LongLimit => "Max long position",
            PositionField::ShortLimit => "Max short position",
            PositionField::MaxOpeningOrderQty => "Max contracts per opening order",
            PositionField::MaxClosingOrderQty => "Max contracts per closing order",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            PositionField::LongLimit => "Contracts the account may hold long, across all products",
            PositionField::ShortLimit => "Contracts the account may hold short, across all products",
            PositionField::MaxOpeningOrderQty => "Largest order that opens or adds to a position",
            PositionField::MaxClosingOrderQty => "Largest order that reduces a position",
        }
    }

    /// Reads a contract count: blank is no limit.
    pub fn parse(self, text: &str) -> Result<Option<i32>, String> {
        let value = text.trim();
        if value.is_empty() {
            return Ok(None);
        }
        match value.parse::<i32>() {
            Ok(n) if n >= 0 => Ok(Some(n)),
            _ => Err(format!("{} must be a whole number of contracts, 0 or more, not '{value}'", self.label())),
        }
    }
}

/// The escalation ladders where a lower stage must trigger first: alert, then
/// liquidate-only, then auto-liquidate (reference 8.1).
const LADDERS: [[RiskField; 3]; 3] = [
    [RiskField::DailyLossAlert, RiskField::DailyLossLiqOnly, RiskField::DailyLossAutoLiq],
    [RiskField::DailyLossPercentageAlert, RiskField::DailyLossPercentageLiqOnly, RiskField::DailyLossPercentageAutoLiq],
    [RiskField::MarginPercentageAlert, RiskField::MarginPercentageLiqOnly, RiskField::MarginPercentageAutoLiq],
];

fn stage_name(field: RiskField) -> &'static str {
    let position = LADDERS.iter().find_map(|ladder| ladder.iter().position(|f| *f == field));
    match position {
        Some(0) => "alert",
        Some(1) => "liquidate-only level",
        _ => "auto-liquidate level",
    }
}

fn number(risk: &PostTradeRisk, field: RiskField) -> Option<f64> {
    match field.get(risk) {
        Some(RiskValue::Number(n)) => Some(n),
        _ => None,
    }
}

/// Rules across fields of well-typed post-trade risk: each ladder in order, and a
/// trailing drawdown mode only with a drawdown. Problems sit on the earlier stage.
pub fn check_post_trade(risk: &PostTradeRisk) -> Vec<RiskProblem> {
    let mut problems = Vec::new();
    for ladder in LADDERS {
        for (i, &lower) in ladder.iter().enumerate() {
            let Some(low) = number(risk, lower) else { continue };
            let higher = ladder[i + 1..].iter().find_map(|&f| number(risk, f).map(|v| (f, v)));
            if let Some((higher, high)) = higher
                && low > high
            {
                problems.push(RiskProblem {
                    field: ProfileField::Post(lower),
                    message: format!(
                        "{} ({}) must not be above the {} ({}): the {} would never come first",
                        lower.label(),
                        shown(lower, low),
                        stage_name(higher),
                        shown(higher, high),
                        stage_name(lower),
                    ),
                });
            }
        }
    }
    for field in RiskField::ALL {
        if let Some(RiskValue::Number(n)) = field.get(risk)
            && (n < 0.0 || !n.is_finite())
        {
            problems.push(RiskProblem {
                field: ProfileField::Post(field),
                message: format!("{} must not be negative", field.label()),
            });
        }
    }
    if risk.trailing_max_drawdown_mode.is_some() && risk.trailing_max_drawdown.is_none() {
        problems.push(RiskProblem {
            field: ProfileField::Post(RiskField::TrailingMaxDrawdownMode),
            message: "Drawdown mode needs a trailing max drawdown amount".into(),
        });
    }
    problems
}

fn shown(field: RiskField, value: f64) -> String {
    match field.unit() {
        super::field::Unit::Percent => format!("{}%", format_number(value)),
        _ => format!("${}", format_number(value)),
    }
}

/// THE GUESS about `preTradeRisk` (reference 5.4 calls the element shape UNCONFIRMED;
/// the OpenAPI `PreTradeRisk` names the fields but not how the server stores them):
/// an account-wide limit is one element with `totalBy: "Overall"`, the position limits
/// in `longLimit`/`shortLimit`, and the order sizes in one `parameters` entry. The
/// sandbox stores each element as a `userAccountPositionLimit` with its parameters as
/// `userAccountRiskParameter`s (read back with `Client::account_position_limits`).
/// Fails safe: a server that refuses this shape refuses the account item (the run
/// shows the error); only a server that accepts and ignores it would go unnoticed,
/// which `userAccountPositionLimit/deps` on the first created account reveals.
pub const OVERALL: &str = "Overall";

impl RiskProfile {
    /// The overall limit's value of one editor field.
    pub fn position(&self, field: PositionField) -> Option<i32> {
        let limit = self.pre_trade_risk.iter().find(|l| l.total_by == OVERALL && l.active)?;
        let parameter = limit.parameters.first();
        match field {
            PositionField::LongLimit => limit.long_limit,
            PositionField::ShortLimit => limit.short_limit,
            PositionField::MaxOpeningOrderQty => parameter.and_then(|p| p.max_opening_order_qty),
            PositionField::MaxClosingOrderQty => parameter.and_then(|p| p.max_closing_order_qty),
        }
    }

    /// Sets one editor field of the overall limit, creating or removing the limit as needed.
    pub fn set_position(&mut self, field: PositionField, value: Option<i32>) {
        let index = match self.pre_trade_risk.iter().position(|l| l.total_by == OVERALL) {
            Some(i) => i,
            None => {
                self.pre_trade_risk.push(PreTradeRisk { active: true, total_by: OVERALL.into(), ..Default::default() });
                self.pre_trade_risk.len() - 1
            }
        };
        let limit = &mut self.pre_trade_risk[index];
        match field {
            PositionField::LongLimit => limit.long_limit = value,
            PositionField::ShortLimit => limit.short_limit = value,
            PositionField::MaxOpeningOrderQty | PositionField::MaxClosingOrderQty => {
                if limit.parameters.is_empty() {
                    limit.parameters.push(PreTradeRiskParameter::default());
                }
                let parameter = &mut limit.parameters[0];
                if field == PositionField::MaxOpeningOrderQty {
                    parameter.max_opening_order_qty = value;
                } else {
                    parameter.max_closing_order_qty = value;
                }
                if parameter == &PreTradeRiskParameter::default() {
                    limit.parameters.clear();
                }
            }
        }
        let empty = limit.long_limit.is_none()
            && limit.short_limit.is_none()
            && limit.exposed_limit.is_none()
            && limit.parameters.is_empty();
        if empty {
            self.pre_trade_risk.remove(index);
        }
    }

    /// Whether the profile limits anything at all.
    pub fn is_empty(&self) -> bool {
        self.post_trade_risk == PostTradeRisk::default() && self.pre_trade_risk.is_empty()
    }

    /// Every rule a saved profile must meet (the editor shows them as typed).
    pub fn problems(&self) -> Vec<RiskProblem> {
        let mut problems = check_post_trade(&self.post_trade_risk);
        for field in PositionField::ALL {
            if self.position(field).is_some_and(|n| n < 0) {
                problems.push(RiskProblem {
                    field: ProfileField::Position(field),
                    message: format!("{} must not be negative", field.label()),
                });
            }
        }
        problems
    }

    /// The post-trade risk of one account: the profile, with the row's own values
    /// (roster columns) taking precedence field by field.
    pub fn post_trade_for(&self, row: &PostTradeRisk) -> PostTradeRisk {
        let mut risk = self.post_trade_risk.clone();
        for field in RiskField::ALL {
            if let Some(value) = field.get(row) {
                field.set(&mut risk, Some(value));
            }
        }
        risk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(pairs: &[(RiskField, &str)]) -> PostTradeRisk {
        let mut risk = PostTradeRisk::default();
        for (field, text) in pairs {
            field.set(&mut risk, field.parse(text).unwrap());
        }
        risk
    }

    #[test]
    fn an_alert_above_the_auto_liquidate_level_is_refused_on_the_alert() {
        let risk = typed(&[(RiskField::DailyLossAlert, "3000"), (RiskField::DailyLossAutoLiq, "2000")]);
        let problems = check_post_trade(&risk);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].field, ProfileField::Post(RiskField::DailyLossAlert));
        assert_eq!(
            problems[0].message,
            "Daily loss alert ($3000) must not be above the auto-liquidate level ($2000): the alert would never come first"
        );
        let fixed = typed(&[(RiskField::DailyLossAlert, "1500"), (RiskField::DailyLossAutoLiq, "2000")]);
        assert!(check_post_trade(&fixed).is_empty());
    }

    #[test]
    fn each_ladder_is_checked_stage_by_stage() {
        let risk = typed(&[
            (RiskField::MarginPercentageAlert, "50"),
            (RiskField::MarginPercentageLiqOnly, "90"),
            (RiskField::MarginPercentageAutoLiq, "80"),
            (RiskField::DailyLossPercentageLiqOnly, "5"),
            (RiskField::DailyLossPercentageAutoLiq, "4"),
        ]);
        let fields: Vec<_> = check_post_trade(&risk).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                ProfileField::Post(RiskField::DailyLossPercentageLiqOnly),
                ProfileField::Post(RiskField::MarginPercentageLiqOnly)
            ]
        );
    }

    #[test]
    fn a_mode_without_a_drawdown_is_refused() {
        let risk = typed(&[(RiskField::TrailingMaxDrawdownMode, "EOD")]);
        assert_eq!(check_post_trade(&risk)[0].field, ProfileField::Post(RiskField::TrailingMaxDrawdownMode));
    }

    #[test]
    fn position_fields_build_one_overall_limit_and_remove_it_when_cleared() {
        let mut profile = RiskProfile::default();
        profile.set_position(PositionField::LongLimit, Some(5));
        profile.set_position(PositionField::MaxOpeningOrderQty, Some(3));
        assert_eq!(profile.pre_trade_risk.len(), 1);
        assert_eq!(
            serde_json::to_value(&profile.pre_trade_risk[0]).unwrap(),
            serde_json::json!({ "active": true, "totalBy": "Overall", "longLimit": 5, "parameters": [{ "maxOpeningOrderQty": 3 }] })
        );
        assert_eq!(profile.position(PositionField::MaxOpeningOrderQty), Some(3));
        profile.set_position(PositionField::LongLimit, None);
        profile.set_position(PositionField::MaxOpeningOrderQty, None);
        assert!(profile.pre_trade_risk.is_empty());
    }

    #[test]
    fn a_row_value_overrides_only_its_own_field() {
        let profile = RiskProfile {
            post_trade_risk: typed(&[(RiskField::DailyLossAutoLiq, "1100"), (RiskField::TrailingMaxDrawdown, "2000")]),
            ..Default::default()
        };
        let row = typed(&[(RiskField::DailyLossAutoLiq, "900")]);
        let merged = profile.post_trade_for(&row);
        assert_eq!(merged.daily_loss_auto_liq, Some(900.0));
        assert_eq!(merged.trailing_max_drawdown, Some(2000.0));
        assert_eq!(profile.post_trade_for(&PostTradeRisk::default()), profile.post_trade_risk);
    }
}
