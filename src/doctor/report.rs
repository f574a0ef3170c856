//! What `propdesk doctor` found: one finding per probe, each confirming one of our
//! guesses about the real server or naming how the server differs.

use std::fmt;

/// One thing the doctor checks. Each stands for a guess listed in `docs/assumptions.md`
/// (the slug is how that file names the probe that settles it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Probe {
    SignIn,
    TokenOnLive,
    TokenOnDemo,
    Plans,
    Templates,
    Entitlements,
    UserFindUnknown,
    TradingPermissionsDomain,
    SocketAuthorize,
    SnapshotEntityTypes,
    DepsHost,
    TestTraderUser,
    TestTraderContactInfo,
    TestTraderAccount,
    GrantBeforeSigning,
}

impl Probe {
    pub fn slug(self) -> &'static str {
        match self {
            Probe::SignIn => "sign-in",
            Probe::TokenOnLive => "token-on-live",
            Probe::TokenOnDemo => "token-on-demo",
            Probe::Plans => "plans",
            Probe::Templates => "templates",
            Probe::Entitlements => "entitlements",
            Probe::UserFindUnknown => "user-find-unknown",
            Probe::TradingPermissionsDomain => "trading-permissions-domain",
            Probe::SocketAuthorize => "socket-authorize",
            Probe::SnapshotEntityTypes => "snapshot-entity-types",
            Probe::DepsHost => "deps-host",
            Probe::TestTraderUser => "test-trader-user",
            Probe::TestTraderContactInfo => "test-trader-contact-info",
            Probe::TestTraderAccount => "test-trader-account",
            Probe::GrantBeforeSigning => "grant-before-signing",
        }
    }

    /// What we assume, in one line a firm administrator can read.
    pub fn title(self) -> &'static str {
        match self {
            Probe::SignIn => "Sign-in with the key's cid sent as a string",
            Probe::TokenOnLive => "The token works on LIVE",
            Probe::TokenOnDemo => "The LIVE token also works on DEMO",
            Probe::Plans => "Subscription plans are listed (LIVE)",
            Probe::Templates => "Template accounts are listed (DEMO)",
            Probe::Entitlements => "A T-Prop entitlement is listed (LIVE)",
            Probe::UserFindUnknown => "user/find for an unknown name means \"none\"",
            Probe::TradingPermissionsDomain => "Trading permissions are read on DEMO",
            Probe::SocketAuthorize => "The WebSocket authorizes with the token",
            Probe::SnapshotEntityTypes => "The sync snapshot carries every entity type we subscribe to",
            Probe::DepsHost => "adminAlertSignal/deps answers on LIVE for the agreement alert id",
            Probe::TestTraderUser => "Test trader: user created on LIVE",
            Probe::TestTraderContactInfo => "Test trader: contact info set on LIVE",
            Probe::TestTraderAccount => "Test trader: evaluation account created on DEMO",
            Probe::GrantBeforeSigning => {
                "Test trader: T-Prop before signing is refused with \"Live account is required\""
            }
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The server did what we assume.
    Confirmed,
    /// The server did something else: the detail says what.
    Differs,
    /// The probe could not run (an earlier step failed, or a budget said wait).
    NotChecked,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Differs => "DIFFERS",
            Verdict::NotChecked => "not checked",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub probe: Probe,
    pub verdict: Verdict,
    /// What the server actually said or did (never a secret).
    pub detail: String,
}

impl Finding {
    pub fn confirmed(probe: Probe, detail: impl Into<String>) -> Self {
        Self { probe, verdict: Verdict::Confirmed, detail: detail.into() }
    }

    pub fn differs(probe: Probe, detail: impl Into<String>) -> Self {
        Self { probe, verdict: Verdict::Differs, detail: detail.into() }
    }

    pub fn not_checked(probe: Probe, detail: impl Into<String>) -> Self {
        Self { probe, verdict: Verdict::NotChecked, detail: detail.into() }
    }
}

/// Every finding of one doctor run, in the order the probes ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Which environment was probed, e.g. "Staging" or "Custom (http://127.0.0.1:8765/live/v1)".
    pub environment: String,
    pub findings: Vec<Finding>,
}

impl Report {
    /// True when every probe confirmed our assumption.
    pub fn all_confirmed(&self) -> bool {
        !self.findings.is_empty() && self.findings.iter().all(|f| f.verdict == Verdict::Confirmed)
    }

    /// The findings that are not confirmed: differences first, then what was not checked.
    pub fn differences(&self) -> Vec<&Finding> {
        let mut out: Vec<&Finding> = self.findings.iter().filter(|f| f.verdict == Verdict::Differs).collect();
        out.extend(self.findings.iter().filter(|f| f.verdict == Verdict::NotChecked));
        out
    }

    pub fn finding(&self, probe: Probe) -> Option<&Finding> {
        self.findings.iter().find(|f| f.probe == probe)
    }

    /// One line of summary, e.g. "All 11 checks confirmed" or "2 of 11 checks differ".
    pub fn summary(&self) -> String {
        let total = self.findings.len();
        let differ = self.findings.iter().filter(|f| f.verdict == Verdict::Differs).count();
        let unchecked = self.findings.iter().filter(|f| f.verdict == Verdict::NotChecked).count();
        match (differ, unchecked) {
            (0, 0) => format!("All {total} checks confirmed"),
            (d, 0) => format!("{d} of {total} checks differ from our assumptions"),
            (0, u) => format!("{u} of {total} checks could not be made"),
            (d, u) => format!("{d} of {total} checks differ from our assumptions; {u} could not be made"),
        }
    }
}

/// The plain-text report the command line prints.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Propdesk doctor: {}", self.environment)?;
        for finding in &self.findings {
            let mark = match finding.verdict {
                Verdict::Confirmed => "ok  ",
                Verdict::Differs => "DIFF",
                Verdict::NotChecked => "--  ",
            };
            writeln!(f, "  [{mark}] {} ({})", finding.probe.title(), finding.probe.slug())?;
            writeln!(f, "         {}", finding.detail)?;
        }
        writeln!(f, "{}.", self.summary())?;
        let differences = self.differences();
        if !differences.is_empty() {
            writeln!(f, "Differences from our assumptions (see docs/assumptions.md):")?;
            for finding in differences {
                writeln!(f, "  - {} [{}]: {}", finding.probe.slug(), finding.verdict.label(), finding.detail)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_matches_only_when_every_probe_confirmed() {
        let mut report = Report {
            environment: "Staging".into(),
            findings: vec![Finding::confirmed(Probe::TokenOnLive, "plans listed")],
        };
        assert!(report.all_confirmed());
        assert_eq!(report.summary(), "All 1 checks confirmed");
        report.findings.push(Finding::not_checked(Probe::DepsHost, "budget"));
        assert!(!report.all_confirmed());
        report.findings.push(Finding::differs(Probe::TokenOnDemo, "401 on DEMO"));
        let text = report.to_string();
        assert!(text.contains("token-on-demo [DIFFERS]: 401 on DEMO"), "{text}");
        assert_eq!(report.differences()[0].probe, Probe::TokenOnDemo, "differences come first");
        assert!(!Report::default().all_confirmed(), "nothing checked is not a match");
    }
}
