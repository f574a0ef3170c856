//! A profile as typed in the Setup editor: text per field, checked on every change so
//! the rule error shows beside the field before anything is saved.

use super::field::{RiskField, Unit};
use super::profile::{PositionField, ProfileField, RiskProblem, RiskProfile};
use std::collections::BTreeMap;

/// The editor's text, one cell per field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RiskForm {
    texts: BTreeMap<ProfileField, String>,
}

impl RiskForm {
    pub fn from_profile(profile: &RiskProfile) -> Self {
        let mut texts = BTreeMap::new();
        for field in RiskField::ALL {
            texts.insert(ProfileField::Post(field), field.text(&profile.post_trade_risk));
        }
        for field in PositionField::ALL {
            texts.insert(
                ProfileField::Position(field),
                profile.position(field).map(|n| n.to_string()).unwrap_or_default(),
            );
        }
        Self { texts }
    }

    pub fn text(&self, field: ProfileField) -> &str {
        self.texts.get(&field).map_or("", String::as_str)
    }

    pub fn text_mut(&mut self, field: ProfileField) -> &mut String {
        self.texts.entry(field).or_default()
    }

    /// The profile the text describes, and every rule it breaks (cells that do not
    /// parse are left out of the profile and reported on their field). `base` keeps
    /// what the editor does not show (limits by product or group from a file).
    pub fn check(&self, base: &RiskProfile) -> (RiskProfile, Vec<RiskProblem>) {
        let mut profile = base.clone();
        let mut problems = Vec::new();
        for field in RiskField::ALL {
            match field.parse(self.text(ProfileField::Post(field))) {
                Ok(value) => field.set(&mut profile.post_trade_risk, value),
                Err(message) => {
                    field.set(&mut profile.post_trade_risk, None);
                    problems.push(RiskProblem { field: ProfileField::Post(field), message });
                }
            }
        }
        for field in PositionField::ALL {
            match field.parse(self.text(ProfileField::Position(field))) {
                Ok(value) => profile.set_position(field, value),
                Err(message) => problems.push(RiskProblem { field: ProfileField::Position(field), message }),
            }
        }
        problems.extend(profile.problems());
        (profile, problems)
    }
}

/// The editor's groups, in order, with a heading each.
pub fn groups() -> Vec<(&'static str, Vec<ProfileField>)> {
    use RiskField as F;
    let post = |fields: &[RiskField]| fields.iter().map(|f| ProfileField::Post(*f)).collect::<Vec<_>>();
    vec![
        ("Daily loss", post(&[F::DailyLossAlert, F::DailyLossLiqOnly, F::DailyLossAutoLiq])),
        ("Trailing drawdown", post(&[F::TrailingMaxDrawdown, F::TrailingMaxDrawdownLimit, F::TrailingMaxDrawdownMode])),
        ("Weekly loss, profit targets", post(&[F::WeeklyLossAutoLiq, F::DailyProfitAutoLiq, F::WeeklyProfitAutoLiq])),
        (
            "Daily loss, % of balance",
            post(&[F::DailyLossPercentageAlert, F::DailyLossPercentageLiqOnly, F::DailyLossPercentageAutoLiq]),
        ),
        ("Margin use, %", post(&[F::MarginPercentageAlert, F::MarginPercentageLiqOnly, F::MarginPercentageAutoLiq])),
        ("Schedule", post(&[F::FlattenTimestamp, F::DoNotUnlock])),
        ("Position limits, all products", PositionField::ALL.map(ProfileField::Position).to_vec()),
    ]
}

/// The unit shown after a field.
pub fn unit_text(field: ProfileField) -> &'static str {
    match field {
        ProfileField::Position(_) => "contracts",
        ProfileField::Post(f) => match f.unit() {
            Unit::Dollars => "$",
            Unit::Percent => "%",
            Unit::Mode | Unit::Timestamp | Unit::Flag => "",
        },
    }
}

impl ProfileField {
    pub fn label(self) -> &'static str {
        match self {
            ProfileField::Post(f) => f.label(),
            ProfileField::Position(f) => f.label(),
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            ProfileField::Post(f) => f.help(),
            ProfileField::Position(f) => f.help(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reports_the_ladder_error_beside_the_alert_and_clears_once_fixed() {
        let mut form = RiskForm::default();
        *form.text_mut(ProfileField::Post(RiskField::DailyLossAutoLiq)) = "2000".into();
        *form.text_mut(ProfileField::Post(RiskField::DailyLossAlert)) = "3000".into();
        *form.text_mut(ProfileField::Position(PositionField::LongLimit)) = "five".into();
        let (_, problems) = form.check(&RiskProfile::default());
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [ProfileField::Position(PositionField::LongLimit), ProfileField::Post(RiskField::DailyLossAlert)]
        );
        *form.text_mut(ProfileField::Post(RiskField::DailyLossAlert)) = "1500".into();
        *form.text_mut(ProfileField::Position(PositionField::LongLimit)) = "5".into();
        let (profile, problems) = form.check(&RiskProfile::default());
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(profile.post_trade_risk.daily_loss_alert, Some(1500.0));
        assert_eq!(profile.position(PositionField::LongLimit), Some(5));
        assert_eq!(RiskForm::from_profile(&profile).check(&RiskProfile::default()).0, profile);
        let shown: usize = groups().iter().map(|(_, f)| f.len()).sum();
        assert_eq!(shown, 17 + 4, "every field has a place in the editor");
    }
}
