//! Risk rules at account creation: the 17 post-trade fields, profiles per template
//! account, the gate that keeps a run from creating accounts with no limits, and the
//! profile file. No UI types here; the Setup editor and the CLI both use this.

mod field;
mod form;
mod profile;
mod update;

pub use field::{RiskField, RiskValue, Unit, format_number, looks_like_risk};
pub use form::{RiskForm, groups, unit_text};
pub use profile::{OVERALL, PositionField, ProfileField, RiskProblem, RiskProfile, check_post_trade};
pub use update::{RiskUpdateOutcome, describe_update, update_risk_rules};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// What one environment remembers about risk, keyed by template account name (what
/// admins and `--template` use; unique within an organization). No secrets: amounts,
/// modes and flags only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskSettings {
    pub profiles: BTreeMap<String, RiskProfile>,
    /// Templates whose admin chose "the template has no limits, create anyway".
    pub no_limits_acknowledged: BTreeSet<String>,
}

impl RiskSettings {
    /// The template's profile, if it limits anything.
    pub fn profile(&self, template: &str) -> Option<&RiskProfile> {
        self.profiles.get(template).filter(|p| !p.is_empty())
    }

    pub fn set_profile(&mut self, template: &str, mut profile: RiskProfile) {
        profile.template = template.to_string();
        self.profiles.insert(template.to_string(), profile);
    }

    pub fn acknowledged(&self, template: &str) -> bool {
        self.no_limits_acknowledged.contains(template)
    }

    pub fn set_acknowledged(&mut self, template: &str, acknowledged: bool) {
        if acknowledged {
            self.no_limits_acknowledged.insert(template.to_string());
        } else {
            self.no_limits_acknowledged.remove(template);
        }
    }

    /// What a run from this template applies.
    pub fn rules_for(&self, template_id: i64, template: &str) -> TemplateRules {
        let rules = match self.profile(template) {
            Some(profile) => RiskRules::Profile(Box::new(profile.clone())),
            None if self.acknowledged(template) => RiskRules::NoLimitsAcknowledged,
            None => RiskRules::NotSet,
        };
        TemplateRules { template_id, template_name: template.to_string(), rules }
    }
}

/// The risk a run applies to the accounts of one template.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateRules {
    pub template_id: i64,
    pub template_name: String,
    pub rules: RiskRules,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RiskRules {
    Profile(Box<RiskProfile>),
    /// The admin chose "the template has no limits, create anyway" (stored per template).
    NoLimitsAcknowledged,
    NotSet,
}

/// Refusal of a run that would create accounts with no loss limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RiskRulesMissing {
    pub template_name: String,
    /// Valid rows that carry no risk value of their own.
    pub unprotected: usize,
}

impl fmt::Display for RiskRulesMissing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Set the risk rules for {} first: {} trader(s) would get accounts with no loss limits. \
             Or confirm that the template has no limits and create anyway.",
            self.template_name, self.unprotected
        )
    }
}

impl std::error::Error for RiskRulesMissing {}

/// Refuses a run from a template with no profile and no acknowledgement when any of
/// its rows carries no risk value of its own (that account would have no limits).
pub fn require_rules<'a>(
    template: &TemplateRules,
    rows: impl IntoIterator<Item = &'a crate::onboarding::Trader>,
) -> Result<(), RiskRulesMissing> {
    if template.rules != RiskRules::NotSet {
        return Ok(());
    }
    let unprotected = rows.into_iter().filter(|t| !t.has_risk_values()).count();
    if unprotected == 0 {
        return Ok(());
    }
    Err(RiskRulesMissing { template_name: template.template_name.clone(), unprotected })
}

/// Why a profile file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileFileError {
    #[error("Cannot read the risk profile {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("The risk profile {path} is not a valid profile: {source}")]
    Format { path: String, source: serde_json::Error },
    #[error("The risk profile {path} breaks a rule: {message}")]
    Rule { path: String, message: String },
    #[error("Cannot write the risk profile {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

/// Profile files are small; anything bigger is not one.
const MAX_PROFILE_FILE_BYTES: u64 = 256 * 1024;

/// Reads a profile file (`{"template": ..., "postTradeRisk": {...}, "preTradeRisk": [...]}`).
/// Unknown keys are refused so a misspelt rule is never silently dropped.
pub fn read_profile_file(path: &Path) -> Result<RiskProfile, ProfileFileError> {
    let shown = path.display().to_string();
    let read = |source| ProfileFileError::Read { path: shown.clone(), source };
    let size = std::fs::metadata(path).map_err(read)?.len();
    if size > MAX_PROFILE_FILE_BYTES {
        let source = std::io::Error::other(format!("{size} bytes; a profile is at most {MAX_PROFILE_FILE_BYTES}"));
        return Err(ProfileFileError::Read { path: shown, source });
    }
    let bytes = std::fs::read(path).map_err(read)?;
    parse_profile(&bytes).map_err(|e| match e {
        ParseError::Format(source) => ProfileFileError::Format { path: shown.clone(), source },
        ParseError::Rule(message) => ProfileFileError::Rule { path: shown.clone(), message },
    })
}

enum ParseError {
    Format(serde_json::Error),
    Rule(String),
}

fn parse_profile(bytes: &[u8]) -> Result<RiskProfile, ParseError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(ParseError::Format)?;
    if let Some(post) = value.get("postTradeRisk").and_then(|v| v.as_object())
        && let Some(unknown) = post.keys().find(|k| RiskField::ALL.iter().all(|f| f.header() != k.as_str()))
    {
        return Err(ParseError::Rule(format!("postTradeRisk has no field '{unknown}'")));
    }
    let profile: RiskProfile = serde_json::from_value(value).map_err(ParseError::Format)?;
    if let Some(problem) = profile.problems().into_iter().next() {
        return Err(ParseError::Rule(problem.message));
    }
    Ok(profile)
}

/// Writes a profile file, pretty-printed for version control.
pub fn write_profile_file(path: &Path, profile: &RiskProfile) -> Result<(), ProfileFileError> {
    let shown = path.display().to_string();
    let mut text = serde_json::to_string_pretty(profile)
        .map_err(|source| ProfileFileError::Format { path: shown.clone(), source })?;
    text.push('\n');
    std::fs::write(path, text).map_err(|source| ProfileFileError::Write { path: shown, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_file_round_trips_and_refuses_unknown_or_broken_rules() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("50k.json");
        let mut profile = RiskProfile { template: "DEMOFIRM50K".into(), ..Default::default() };
        profile.post_trade_risk.daily_loss_auto_liq = Some(1100.0);
        profile.post_trade_risk.trailing_max_drawdown = Some(2000.0);
        profile.set_position(PositionField::LongLimit, Some(5));
        write_profile_file(&path, &profile).unwrap();
        assert_eq!(read_profile_file(&path).unwrap(), profile);

        std::fs::write(&path, r#"{"postTradeRisk": {"dailyLossLimit": 1000}}"#).unwrap();
        let e = read_profile_file(&path).unwrap_err().to_string();
        assert!(e.contains("no field 'dailyLossLimit'"), "{e}");

        std::fs::write(&path, r#"{"postTradeRisk": {"dailyLossAlert": 3000, "dailyLossAutoLiq": 2000}}"#).unwrap();
        let e = read_profile_file(&path).unwrap_err().to_string();
        assert!(e.contains("must not be above the auto-liquidate level"), "{e}");
    }

    #[test]
    fn settings_choose_profile_then_acknowledgement() {
        let mut settings = RiskSettings::default();
        assert_eq!(settings.rules_for(7, "DEMOFIRM50K").rules, RiskRules::NotSet);
        settings.set_acknowledged("DEMOFIRM50K", true);
        assert_eq!(settings.rules_for(7, "DEMOFIRM50K").rules, RiskRules::NoLimitsAcknowledged);
        let mut profile = RiskProfile::default();
        profile.post_trade_risk.daily_loss_auto_liq = Some(1000.0);
        settings.set_profile("DEMOFIRM50K", profile.clone());
        profile.template = "DEMOFIRM50K".into();
        assert_eq!(settings.rules_for(7, "DEMOFIRM50K").rules, RiskRules::Profile(Box::new(profile)));
        assert_eq!(settings.rules_for(8, "OTHER").rules, RiskRules::NotSet);
    }
}
