//! What the screens ask for. Drawing never changes the world: screens push commands,
//! and the app applies them after the frame is drawn.

use super::help::HelpCommand;
use super::screens::pipeline::PipelineCommand;
use super::screens::subaccounts::SubaccountsCommand;
use super::screens::traders::TradersCommand;
use crate::api::activity::CallRecord;
use crate::api::{Credentials, Environment};
use crate::store::ThemeChoice;
use crate::store::settings::Chosen;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Screen {
    Setup,
    Traders,
    Pipeline,
    Subaccounts,
    Activity,
}

impl Screen {
    pub const ALL: [Screen; 5] =
        [Screen::Setup, Screen::Traders, Screen::Pipeline, Screen::Subaccounts, Screen::Activity];

    pub fn label(self) -> &'static str {
        match self {
            Screen::Setup => "Setup",
            Screen::Traders => "Traders",
            Screen::Pipeline => "Pipeline",
            Screen::Subaccounts => "Subaccounts",
            Screen::Activity => "Activity",
        }
    }

    pub fn icon(self) -> &'static str {
        match self {
            Screen::Setup => "⚙",
            Screen::Traders => "👥",
            Screen::Pipeline => "⏩",
            Screen::Subaccounts => "🏦",
            Screen::Activity => "📋",
        }
    }

    pub fn slug(self) -> &'static str {
        match self {
            Screen::Setup => "setup",
            Screen::Traders => "traders",
            Screen::Pipeline => "pipeline",
            Screen::Subaccounts => "subaccounts",
            Screen::Activity => "activity",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Screen> {
        Self::ALL.into_iter().find(|s| s.slug() == slug)
    }
}

/// Which Setup choice a [`Command::Choose`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Choice {
    Plan,
    Template,
    Entitlement,
}

/// A sign-in typed into the form. `Debug` of `Credentials` is masked.
#[derive(Clone, Debug)]
pub struct SignInRequest {
    pub environment: Environment,
    pub credentials: Credentials,
    pub remember: bool,
}

#[derive(Clone, Debug)]
pub enum Command {
    Navigate(Screen),
    SetTheme(ThemeChoice),
    SignIn(Box<SignInRequest>),
    /// Start (or reuse) the in-process sandbox and sign in to it.
    SignInSandbox,
    SignOut,
    RefreshSetup,
    /// Run the doctor's read-only probes against the signed-in environment.
    CheckConnection,
    Choose(Choice, Chosen),
    /// Save the risk rules every account from this template gets (Setup).
    SaveRiskProfile {
        template: String,
        profile: Box<crate::onboarding::risk::RiskProfile>,
    },
    /// "The template has no limits, create anyway", per template.
    AcknowledgeNoRiskLimits {
        template: String,
        acknowledged: bool,
    },
    /// Setup → Team journal: save the address (and the password in the keyring), then
    /// reopen the environment's journal on the team's database.
    UseTeamJournal {
        settings: crate::store::TeamJournalSettings,
        password: Option<crate::api::Secret>,
    },
    /// Back to this computer's journal file.
    UseLocalJournal,
    ExportActivity(Vec<CallRecord>),
    /// Activity → Team history → Export CSV…: the lines shown.
    ExportTeamHistory(Vec<crate::onboarding::journal::TeamHistoryLine>),
    DismissToast(u64),
    Help(HelpCommand),
    Traders(TradersCommand),
    Pipeline(PipelineCommand),
    Subaccounts(SubaccountsCommand),
}
