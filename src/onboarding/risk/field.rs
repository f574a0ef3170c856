//! The 17 `PostTradeRisk` fields (OpenAPI), each with the words an admin reads, its
//! unit, and the conversion between the text typed in a cell and the wire value.

use crate::api::wire::PostTradeRisk;
use crate::onboarding::amount::{AmountError, parse_amount};
use crate::onboarding::validate::canonical_drawdown_mode;

/// One `PostTradeRisk` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskField {
    DailyLossAutoLiq,
    TrailingMaxDrawdown,
    TrailingMaxDrawdownMode,
    WeeklyLossAutoLiq,
    DailyProfitAutoLiq,
    TrailingMaxDrawdownLimit,
    WeeklyProfitAutoLiq,
    DailyLossAlert,
    DailyLossLiqOnly,
    DailyLossPercentageAlert,
    DailyLossPercentageLiqOnly,
    DailyLossPercentageAutoLiq,
    MarginPercentageAlert,
    MarginPercentageLiqOnly,
    MarginPercentageAutoLiq,
    FlattenTimestamp,
    DoNotUnlock,
}

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Dollars,
    Percent,
    /// `EOD` or `RealTime` (the OpenAPI enum).
    Mode,
    /// A date-time (RFC 3339).
    Timestamp,
    /// Yes or no.
    Flag,
}

/// A typed value of one field.
#[derive(Clone, Debug, PartialEq)]
pub enum RiskValue {
    Number(f64),
    Text(String),
    Flag(bool),
}

impl RiskField {
    /// Every field; the first five are the roster's original columns (their order
    /// keeps headerless imports where they were).
    pub const ALL: [RiskField; 17] = [
        RiskField::DailyLossAutoLiq,
        RiskField::TrailingMaxDrawdown,
        RiskField::TrailingMaxDrawdownMode,
        RiskField::WeeklyLossAutoLiq,
        RiskField::DailyProfitAutoLiq,
        RiskField::TrailingMaxDrawdownLimit,
        RiskField::WeeklyProfitAutoLiq,
        RiskField::DailyLossAlert,
        RiskField::DailyLossLiqOnly,
        RiskField::DailyLossPercentageAlert,
        RiskField::DailyLossPercentageLiqOnly,
        RiskField::DailyLossPercentageAutoLiq,
        RiskField::MarginPercentageAlert,
        RiskField::MarginPercentageLiqOnly,
        RiskField::MarginPercentageAutoLiq,
        RiskField::FlattenTimestamp,
        RiskField::DoNotUnlock,
    ];

    /// The API's name (also the roster's column header and the profile file's key).
    pub fn header(self) -> &'static str {
        match self {
            RiskField::DailyLossAutoLiq => "dailyLossAutoLiq",
            RiskField::TrailingMaxDrawdown => "trailingMaxDrawdown",
            RiskField::TrailingMaxDrawdownMode => "trailingMaxDrawdownMode",
            RiskField::WeeklyLossAutoLiq => "weeklyLossAutoLiq",
            RiskField::DailyProfitAutoLiq => "dailyProfitAutoLiq",
            RiskField::TrailingMaxDrawdownLimit => "trailingMaxDrawdownLimit",
            RiskField::WeeklyProfitAutoLiq => "weeklyProfitAutoLiq",
            RiskField::DailyLossAlert => "dailyLossAlert",
            RiskField::DailyLossLiqOnly => "dailyLossLiqOnly",
            RiskField::DailyLossPercentageAlert => "dailyLossPercentageAlert",
            RiskField::DailyLossPercentageLiqOnly => "dailyLossPercentageLiqOnly",
            RiskField::DailyLossPercentageAutoLiq => "dailyLossPercentageAutoLiq",
            RiskField::MarginPercentageAlert => "marginPercentageAlert",
            RiskField::MarginPercentageLiqOnly => "marginPercentageLiqOnly",
            RiskField::MarginPercentageAutoLiq => "marginPercentageAutoLiq",
            RiskField::FlattenTimestamp => "flattenTimestamp",
            RiskField::DoNotUnlock => "doNotUnlock",
        }
    }

    /// Plain words for labels and the start of messages.
    pub fn label(self) -> &'static str {
        match self {
            RiskField::DailyLossAutoLiq => "Daily loss limit",
            RiskField::TrailingMaxDrawdown => "Trailing max drawdown",
            RiskField::TrailingMaxDrawdownMode => "Drawdown mode",
            RiskField::WeeklyLossAutoLiq => "Weekly loss limit",
            RiskField::DailyProfitAutoLiq => "Daily profit target",
            RiskField::TrailingMaxDrawdownLimit => "Drawdown stops trailing at",
            RiskField::WeeklyProfitAutoLiq => "Weekly profit target",
            RiskField::DailyLossAlert => "Daily loss alert",
            RiskField::DailyLossLiqOnly => "Daily loss liquidate-only",
            RiskField::DailyLossPercentageAlert => "Daily loss alert (percent)",
            RiskField::DailyLossPercentageLiqOnly => "Daily loss liquidate-only (percent)",
            RiskField::DailyLossPercentageAutoLiq => "Daily loss limit (percent)",
            RiskField::MarginPercentageAlert => "Margin alert (percent)",
            RiskField::MarginPercentageLiqOnly => "Margin liquidate-only (percent)",
            RiskField::MarginPercentageAutoLiq => "Margin limit (percent)",
            RiskField::FlattenTimestamp => "Flatten and cancel at",
            RiskField::DoNotUnlock => "Stay locked after a trigger",
        }
    }

    /// One sentence on what the field does (OpenAPI descriptions, reference 8.1).
    pub fn help(self) -> &'static str {
        match self {
            RiskField::DailyLossAutoLiq => "The account is liquidated when the day's loss reaches this amount",
            RiskField::TrailingMaxDrawdown => "The account is liquidated when equity falls this far below its peak",
            RiskField::TrailingMaxDrawdownMode => {
                "EOD: the peak is updated at the end of each day; RealTime: with every tick"
            }
            RiskField::WeeklyLossAutoLiq => "The account is liquidated when the week's loss reaches this amount",
            RiskField::DailyProfitAutoLiq => "The account is liquidated when the day's profit reaches this amount",
            RiskField::TrailingMaxDrawdownLimit => "The balance at which the drawdown stops trailing up",
            RiskField::WeeklyProfitAutoLiq => "The account is liquidated when the week's profit reaches this amount",
            RiskField::DailyLossAlert => "The trader is warned when the day's loss reaches this amount",
            RiskField::DailyLossLiqOnly => "Only closing orders are allowed once the day's loss reaches this amount",
            RiskField::DailyLossPercentageAlert => "The trader is warned when the day's loss reaches this share",
            RiskField::DailyLossPercentageLiqOnly => {
                "Only closing orders are allowed once the day's loss reaches this share"
            }
            RiskField::DailyLossPercentageAutoLiq => "The account is liquidated when the day's loss reaches this share",
            RiskField::MarginPercentageAlert => "The trader is warned when margin use reaches this share",
            RiskField::MarginPercentageLiqOnly => "Only closing orders are allowed once margin use reaches this share",
            RiskField::MarginPercentageAutoLiq => "The account is liquidated when margin use reaches this share",
            RiskField::FlattenTimestamp => {
                "Positions are flattened and orders cancelled at this time, e.g. 2026-01-05T16:00:00-05:00"
            }
            RiskField::DoNotUnlock => "After a trigger the account is not unlocked automatically",
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            RiskField::TrailingMaxDrawdownMode => Unit::Mode,
            RiskField::FlattenTimestamp => Unit::Timestamp,
            RiskField::DoNotUnlock => Unit::Flag,
            RiskField::DailyLossPercentageAlert
            | RiskField::DailyLossPercentageLiqOnly
            | RiskField::DailyLossPercentageAutoLiq
            | RiskField::MarginPercentageAlert
            | RiskField::MarginPercentageLiqOnly
            | RiskField::MarginPercentageAutoLiq => Unit::Percent,
            _ => Unit::Dollars,
        }
    }

    /// The field named by a column header or file key, ignoring case and punctuation.
    pub fn from_header(header: &str) -> Option<RiskField> {
        let key = header_key(header);
        RiskField::ALL.into_iter().find(|f| header_key(f.header()) == key || header_key(f.label()) == key)
    }

    /// Reads what was typed: blank is `None` (the rule is off). Numbers must not be
    /// negative and percentages stay within 0-100.
    pub fn parse(self, text: &str) -> Result<Option<RiskValue>, String> {
        let value = text.trim();
        if value.is_empty() {
            return Ok(None);
        }
        let label = self.label();
        match self.unit() {
            Unit::Dollars | Unit::Percent => {
                let number = value.strip_suffix('%').filter(|_| self.unit() == Unit::Percent).unwrap_or(value);
                let number = match parse_amount(number) {
                    Ok(number) => number,
                    Err(AmountError::NotANumber) => {
                        return Err(format!("{label} must be a number such as 1000; '{value}' is not a number"));
                    }
                    Err(AmountError::BadGrouping) => {
                        return Err(format!(
                            "{label} '{value}' is ambiguous: use a dot for cents and commas only between thousands"
                        ));
                    }
                };
                if number < 0.0 {
                    return Err(format!("{label} must not be negative"));
                }
                if self.unit() == Unit::Percent && number > 100.0 {
                    return Err(format!("{label} is a percentage: 0 to 100, not {number}"));
                }
                Ok(Some(RiskValue::Number(number)))
            }
            Unit::Mode => match canonical_drawdown_mode(value) {
                Some(mode) => Ok(Some(RiskValue::Text(mode.into()))),
                None => Err(format!("{label} must be EOD (end of day) or RealTime; '{value}' is neither")),
            },
            Unit::Timestamp => match chrono::DateTime::parse_from_rfc3339(value) {
                Ok(at) => Ok(Some(RiskValue::Text(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))),
                Err(_) => Err(format!("{label} must be a date and time such as 2026-01-05T16:00:00-05:00")),
            },
            Unit::Flag => match value.to_ascii_lowercase().as_str() {
                "yes" | "true" | "y" | "1" => Ok(Some(RiskValue::Flag(true))),
                "no" | "false" | "n" | "0" => Ok(Some(RiskValue::Flag(false))),
                _ => Err(format!("{label} must be yes or no, not '{value}'")),
            },
        }
    }

    /// The field's value in `risk`.
    pub fn get(self, risk: &PostTradeRisk) -> Option<RiskValue> {
        match self {
            RiskField::TrailingMaxDrawdownMode => risk.trailing_max_drawdown_mode.clone().map(RiskValue::Text),
            RiskField::FlattenTimestamp => risk.flatten_timestamp.clone().map(RiskValue::Text),
            RiskField::DoNotUnlock => risk.do_not_unlock.map(RiskValue::Flag),
            number => number_of(risk, number).map(RiskValue::Number),
        }
    }

    /// Sets (or with `None` clears) the field in `risk`. A value of the wrong kind clears it.
    pub fn set(self, risk: &mut PostTradeRisk, value: Option<RiskValue>) {
        match self {
            RiskField::TrailingMaxDrawdownMode => risk.trailing_max_drawdown_mode = text_of(value),
            RiskField::FlattenTimestamp => risk.flatten_timestamp = text_of(value),
            RiskField::DoNotUnlock => {
                risk.do_not_unlock = match value {
                    Some(RiskValue::Flag(b)) => Some(b),
                    _ => None,
                }
            }
            number => {
                if let Some(slot) = number_slot(risk, number) {
                    *slot = match value {
                        Some(RiskValue::Number(n)) => Some(n),
                        _ => None,
                    }
                }
            }
        }
    }

    /// The value as an admin would type it back (for editors and exports).
    pub fn text(self, risk: &PostTradeRisk) -> String {
        match self.get(risk) {
            None => String::new(),
            Some(RiskValue::Number(n)) => format_number(n),
            Some(RiskValue::Text(t)) => t,
            Some(RiskValue::Flag(b)) => if b { "yes" } else { "no" }.into(),
        }
    }
}

fn text_of(value: Option<RiskValue>) -> Option<String> {
    match value {
        Some(RiskValue::Text(t)) => Some(t),
        _ => None,
    }
}

/// `2000` rather than `2000.0`; fractions as they are.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

/// Whether a column name that matched no field still looks like a risk rule (so the
/// import says loudly that it was not applied instead of listing it with the rest).
pub fn looks_like_risk(header: &str) -> bool {
    const WORDS: [&str; 12] = [
        "loss",
        "profit",
        "drawdown",
        "liq",
        "margin",
        "risk",
        "limit",
        "contracts",
        "flatten",
        "unlock",
        "alert",
        "position",
    ];
    let key = header_key(header);
    WORDS.iter().any(|w| key.contains(w))
}

fn header_key(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The slot of a dollar or percentage field; `None` for the mode, time and flag.
fn number_slot(risk: &mut PostTradeRisk, field: RiskField) -> Option<&mut Option<f64>> {
    Some(match field {
        RiskField::DailyLossAutoLiq => &mut risk.daily_loss_auto_liq,
        RiskField::TrailingMaxDrawdown => &mut risk.trailing_max_drawdown,
        RiskField::WeeklyLossAutoLiq => &mut risk.weekly_loss_auto_liq,
        RiskField::DailyProfitAutoLiq => &mut risk.daily_profit_auto_liq,
        RiskField::TrailingMaxDrawdownLimit => &mut risk.trailing_max_drawdown_limit,
        RiskField::WeeklyProfitAutoLiq => &mut risk.weekly_profit_auto_liq,
        RiskField::DailyLossAlert => &mut risk.daily_loss_alert,
        RiskField::DailyLossLiqOnly => &mut risk.daily_loss_liq_only,
        RiskField::DailyLossPercentageAlert => &mut risk.daily_loss_percentage_alert,
        RiskField::DailyLossPercentageLiqOnly => &mut risk.daily_loss_percentage_liq_only,
        RiskField::DailyLossPercentageAutoLiq => &mut risk.daily_loss_percentage_auto_liq,
        RiskField::MarginPercentageAlert => &mut risk.margin_percentage_alert,
        RiskField::MarginPercentageLiqOnly => &mut risk.margin_percentage_liq_only,
        RiskField::MarginPercentageAutoLiq => &mut risk.margin_percentage_auto_liq,
        RiskField::TrailingMaxDrawdownMode | RiskField::FlattenTimestamp | RiskField::DoNotUnlock => return None,
    })
}

fn number_of(risk: &PostTradeRisk, field: RiskField) -> Option<f64> {
    let mut copy = risk.clone();
    number_slot(&mut copy, field).and_then(|slot| *slot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_round_trips_through_text() {
        let mut risk = PostTradeRisk::default();
        for field in RiskField::ALL {
            let typed = match field.unit() {
                Unit::Dollars => "$1,250.50",
                Unit::Percent => "80%",
                Unit::Mode => "realtime",
                Unit::Timestamp => "2026-01-05T21:00:00Z",
                Unit::Flag => "Yes",
            };
            field.set(&mut risk, field.parse(typed).unwrap());
        }
        let json = serde_json::to_value(&risk).unwrap();
        assert_eq!(json.as_object().unwrap().len(), 17, "{json}");
        assert_eq!(json["dailyLossAlert"], 1250.5);
        assert_eq!(json["marginPercentageAutoLiq"], 80.0);
        assert_eq!(json["trailingMaxDrawdownMode"], "RealTime");
        assert_eq!(json["doNotUnlock"], true);
        for field in RiskField::ALL {
            assert_eq!(field.parse(&field.text(&risk)).unwrap(), field.get(&risk), "{field:?}");
            assert_eq!(RiskField::from_header(field.header()), Some(field));
        }
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        assert_eq!(RiskField::DailyLossAlert.parse("-5"), Err("Daily loss alert must not be negative".into()));
        assert_eq!(
            RiskField::MarginPercentageAlert.parse("120"),
            Err("Margin alert (percent) is a percentage: 0 to 100, not 120".into())
        );
        assert!(RiskField::TrailingMaxDrawdownMode.parse("daily").unwrap_err().contains("EOD"));
        assert!(RiskField::DoNotUnlock.parse("maybe").is_err());
        assert_eq!(RiskField::DailyLossAutoLiq.parse("  "), Ok(None));
    }
}
