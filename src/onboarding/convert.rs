//! From a roster row to the request bodies of onboarding steps 1 to 3. Only a row that
//! passes its own rules converts, so nothing Tradovate would refuse for a documented
//! limit is ever sent. (Duplicates need the whole roster: `validate_roster` first.)

use super::amount::parse_amount;
use super::trader::Trader;
use super::validate::{CellProblem, validate_trader};
use crate::api::wire::{EvaluationAccount, EvaluationUser, PostTradeRisk, UpdateContactInfo};
use std::fmt;

/// The row still has problems; nothing was converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidRow {
    pub problems: Vec<CellProblem>,
}

impl fmt::Display for InvalidRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [only] => write!(f, "This row has a problem: {}", only.message),
            [first, rest @ ..] => write!(f, "This row has {} problems, first: {}", rest.len() + 1, first.message),
            [] => write!(f, "This row has problems"),
        }
    }
}

impl std::error::Error for InvalidRow {}

fn check(trader: &Trader) -> Result<(), InvalidRow> {
    let problems = validate_trader(trader);
    if problems.is_empty() { Ok(()) } else { Err(InvalidRow { problems }) }
}

fn text(value: &str) -> String {
    value.trim().to_string()
}

fn optional_text(value: &str) -> Option<String> {
    Some(text(value)).filter(|v| !v.is_empty())
}

impl Trader {
    /// Step 1 (`user/createEvaluationUsers`), with the firm's subscription plan.
    /// Entitlements are not pre-assigned: T-Prop must wait for the market data agreement.
    pub fn to_evaluation_user(&self, plan_id: i64) -> Result<EvaluationUser, InvalidRow> {
        check(self)?;
        Ok(EvaluationUser {
            name: text(&self.name),
            email: text(&self.email),
            password: self.password.clone(),
            first_name: text(&self.first_name),
            last_name: text(&self.last_name),
            tradovate_subscription_plan_id: Some(plan_id),
            entitlement_ids: Vec::new(),
        })
    }

    /// Step 2 (`contactInfo/updateContactInfo`) for the user Tradovate created; `None`
    /// when the row has no address at all (the trader is asked at first login).
    pub fn to_contact_info(&self, user_id: i64) -> Result<Option<UpdateContactInfo>, InvalidRow> {
        check(self)?;
        if !self.has_contact_info() {
            return Ok(None);
        }
        Ok(Some(UpdateContactInfo {
            user_id,
            first_name: text(&self.first_name),
            last_name: text(&self.last_name),
            street_address1: text(&self.street_address1),
            street_address2: optional_text(&self.street_address2),
            city: text(&self.city),
            state: optional_text(&self.state),
            post_code: text(&self.post_code),
            country: text(&self.country).to_ascii_uppercase(),
            phone: text(&self.phone),
            mailing_is_different: None,
        }))
    }

    /// The row's own risk values (its risk columns), to override the template's profile.
    pub fn post_trade_overrides(&self) -> Result<PostTradeRisk, InvalidRow> {
        check(self)?;
        Ok(self.risk_values())
    }

    /// The row's risk values that parse (on a valid row: all of them), so the rules
    /// across fields can be judged while other cells are still being fixed.
    pub fn risk_values(&self) -> PostTradeRisk {
        let mut risk = PostTradeRisk::default();
        for (&field, text) in &self.risk {
            field.set(&mut risk, field.parse(text).ok().flatten());
        }
        risk
    }

    /// Step 3 (`user/createEvaluationAccounts`): the account, from the firm's template,
    /// with the row's own risk values only. The template does NOT carry loss limits
    /// (seeds/000 Step 3: they "aren't defined at the template level. You must set
    /// these values at the time of account creation"): `prepare` merges the template's
    /// risk profile in and refuses a run that would leave accounts without limits.
    pub fn to_evaluation_account(
        &self,
        user_id: i64,
        template_account_id: i64,
    ) -> Result<EvaluationAccount, InvalidRow> {
        let risk = self.post_trade_overrides()?;
        let initial_balance =
            parse_amount(&self.initial_balance).map_err(|_| InvalidRow { problems: validate_trader(self) })?;
        Ok(EvaluationAccount {
            user_id,
            template_account_id,
            name: text(&self.account_name),
            initial_balance,
            pre_trade_risk: Vec::new(),
            post_trade_risk: (risk != PostTradeRisk::default()).then_some(risk),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::onboarding::risk::RiskField;
    use crate::onboarding::trader::Field;
    use crate::onboarding::validate::tests::good;
    use serde_json::json;

    #[test]
    fn user_carries_the_plan_and_the_real_password() {
        let mut t = good();
        t.set(Field::Name, "  jsmith ".into());
        let user = t.to_evaluation_user(42).unwrap();
        assert_eq!(
            serde_json::to_value(&user).unwrap(),
            json!({
                "name": "jsmith", "email": "jane.smith@example.com", "password": "Str0ng!Passw0rd",
                "firstName": "Jane", "lastName": "Smith", "tradovateSubscriptionPlanId": 42
            })
        );
    }

    #[test]
    fn invalid_rows_do_not_convert() {
        let mut t = good();
        t.set(Field::AccountName, "abc123".into());
        let err = t.to_evaluation_user(1).unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert!(err.to_string().contains("lowercase"), "{err}");
        assert!(t.to_contact_info(1).is_err());
        assert!(t.to_evaluation_account(1, 2).is_err());
    }

    #[test]
    fn contact_info_is_skipped_without_an_address_and_canonical_with_one() {
        let mut t = good();
        t.set(Field::Country, "us".into());
        let info = t.to_contact_info(7).unwrap().unwrap();
        assert_eq!(
            serde_json::to_value(&info).unwrap(),
            json!({
                "userId": 7, "firstName": "Jane", "lastName": "Smith", "streetAddress1": "1 Main Street",
                "city": "Chicago", "state": "IL", "postCode": "60601", "country": "US",
                "phone": "+1 (312) 555-0100"
            })
        );
        for f in Field::CONTACT {
            t.set(f, String::new());
        }
        assert_eq!(t.to_contact_info(7), Ok(None));
    }

    #[test]
    fn account_carries_balance_and_risk_columns() {
        let mut t = good();
        t.set(Field::Risk(RiskField::WeeklyLossAutoLiq), "3,000".into());
        t.set(Field::Risk(RiskField::MarginPercentageAlert), "75%".into());
        t.set(Field::Risk(RiskField::DoNotUnlock), "yes".into());
        let account = t.to_evaluation_account(7, 99).unwrap();
        assert_eq!(
            serde_json::to_value(&account).unwrap(),
            json!({
                "userId": 7, "templateAccountId": 99, "name": "TRADER0001", "initialBalance": 50000.0,
                "postTradeRisk": {
                    "dailyLossAutoLiq": 1000.0, "weeklyLossAutoLiq": 3000.0,
                    "trailingMaxDrawdown": 2500.0, "trailingMaxDrawdownMode": "EOD",
                    "marginPercentageAlert": 75.0, "doNotUnlock": true
                }
            })
        );
        for f in RiskField::ALL {
            t.set(Field::Risk(f), String::new());
        }
        assert_eq!(t.to_evaluation_account(7, 99).unwrap().post_trade_risk, None);
    }
}
