//! Risk rules from the command line: `onboard --risk FILE | --no-risk-rules`, and
//! `propdesk risk show|import|export` on the profiles the window saves in settings.

use super::UsageError;
use crate::api::EnvironmentKind;
use crate::onboarding::risk::{
    PositionField, RiskField, RiskRules, TemplateRules, read_profile_file, write_profile_file,
};
use crate::store::{Paths, Settings};
use std::path::{Path, PathBuf};

/// How `propdesk onboard` chooses the accounts' risk rules.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct OnboardRiskArgs {
    /// The risk profile (JSON, as written by `propdesk risk export`) every account gets;
    /// default: the profile saved for the template in the window's settings.
    #[arg(long, value_name = "FILE")]
    pub risk: Option<PathBuf>,
    /// The template has no limits, create the accounts anyway (only needed when no
    /// profile is set and rows carry no risk columns).
    #[arg(long, conflicts_with = "risk")]
    pub no_risk_rules: bool,
}

impl OnboardRiskArgs {
    /// The rules for this template: the file, else the saved profile, else the saved or
    /// given "no limits" acknowledgement, else none (the run is then refused).
    pub fn rules(&self, kind: EnvironmentKind, template_id: i64, template: &str) -> Result<TemplateRules, UsageError> {
        if let Some(path) = &self.risk {
            let profile = read_profile_file(path).map_err(|e| UsageError(e.to_string()))?;
            return Ok(TemplateRules {
                template_id,
                template_name: template.to_string(),
                rules: RiskRules::Profile(Box::new(profile)),
            });
        }
        let (settings, _) = load_settings();
        let mut rules = settings.environment(kind).risk.rules_for(template_id, template);
        if self.no_risk_rules && rules.rules == RiskRules::NotSet {
            rules.rules = RiskRules::NoLimitsAcknowledged;
        }
        Ok(rules)
    }
}

#[derive(clap::Args, Debug)]
pub struct RiskArgs {
    #[command(subcommand)]
    pub command: RiskCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum RiskCommand {
    /// Print the profile saved for a template account.
    Show(TemplateArg),
    /// Save a profile file as the template's profile (the window uses it too).
    Import {
        #[command(flatten)]
        template: TemplateArg,
        /// The profile file (JSON).
        file: PathBuf,
    },
    /// Write the template's saved profile to a file, e.g. to keep it in version control.
    Export {
        #[command(flatten)]
        template: TemplateArg,
        /// Where to write the profile (JSON).
        file: PathBuf,
    },
}

#[derive(clap::Args, Debug)]
pub struct TemplateArg {
    /// The template account's name, such as DEMOFIRM50K.
    #[arg(long, value_name = "NAME")]
    pub template: String,
    /// sandbox, staging, production or custom.
    #[arg(long, value_name = "NAME", default_value = "sandbox")]
    pub env: String,
}

impl TemplateArg {
    fn kind(&self) -> Result<EnvironmentKind, UsageError> {
        EnvironmentKind::from_slug(&self.env).ok_or_else(|| {
            UsageError(format!("--env must be sandbox, staging, production or custom, not {:?}", self.env))
        })
    }
}

fn settings_path() -> Result<PathBuf, UsageError> {
    Paths::platform().map(|p| p.settings_file()).ok_or_else(|| UsageError("no settings folder on this system".into()))
}

fn load_settings() -> (Settings, Option<PathBuf>) {
    match settings_path() {
        Ok(path) => (Settings::load_or_default(&path).0, Some(path)),
        Err(_) => (Settings::default(), None),
    }
}

/// Async only to share `block_on` (and its exit codes) with the other commands.
pub async fn run(args: RiskArgs) -> Result<u8, UsageError> {
    match args.command {
        RiskCommand::Show(template) => {
            let (settings, _) = load_settings();
            let name = template.template.trim();
            let risk = &settings.environment(template.kind()?).risk;
            match risk.profile(name) {
                Some(profile) => print!("{}", describe(profile)),
                None if risk.acknowledged(name) => println!("{name}: no limits (acknowledged: create anyway)"),
                None => println!("{name}: no risk profile set; runs from this template are refused"),
            }
        }
        RiskCommand::Import { template, file } => {
            let profile = read_profile_file(&file).map_err(|e| UsageError(e.to_string()))?;
            let path = settings_path()?;
            let (mut settings, error) = Settings::load_or_default(&path);
            if let Some(error) = error {
                return Err(UsageError(format!("{error}; not overwriting it")));
            }
            let name = template.template.trim();
            settings.environment_mut(template.kind()?).risk.set_profile(name, profile);
            settings.save(&path).map_err(|e| UsageError(e.to_string()))?;
            eprintln!("propdesk: saved the risk profile for {name} from {}", file.display());
        }
        RiskCommand::Export { template, file } => {
            let (settings, _) = load_settings();
            let name = template.template.trim();
            let Some(profile) = settings.environment(template.kind()?).risk.profile(name) else {
                return Err(UsageError(format!("no risk profile is saved for {name}")));
            };
            write_profile(&file, profile)?;
        }
    }
    Ok(super::EXIT_DONE)
}

fn write_profile(path: &Path, profile: &crate::onboarding::risk::RiskProfile) -> Result<(), UsageError> {
    write_profile_file(path, profile).map_err(|e| UsageError(e.to_string()))?;
    eprintln!("propdesk: wrote {}", path.display());
    Ok(())
}

/// One line per rule that is set, in plain words.
fn describe(profile: &crate::onboarding::risk::RiskProfile) -> String {
    let mut text = format!("{}:\n", if profile.template.is_empty() { "profile" } else { &profile.template });
    for field in RiskField::ALL {
        let value = field.text(&profile.post_trade_risk);
        if !value.is_empty() {
            text.push_str(&format!("  {:<36} {value}   ({})\n", field.label(), field.header()));
        }
    }
    for field in PositionField::ALL {
        if let Some(n) = profile.position(field) {
            text.push_str(&format!("  {:<36} {n}\n", field.label()));
        }
    }
    let other = profile.pre_trade_risk.iter().filter(|l| l.total_by != crate::onboarding::risk::OVERALL).count();
    if other > 0 {
        text.push_str(&format!("  and {other} more position limit(s) by product or group\n"));
    }
    text
}
