//! Asking before a write on a terminal: `onboard`, `cancel` and a first `entitle` grant
//! ask unless `--yes`. Without a terminal they refuse (exit 2), except `entitle --watch`
//! off Production, which is meant to run unattended from cron.

use super::UsageError;
use crate::api::EnvironmentKind;
use std::io::{BufRead, IsTerminal, Write};

/// Asks `question` on the terminal (y/N); without a terminal, refuses with `without_tty`.
pub fn ask(question: &str, without_tty: &str) -> Result<bool, UsageError> {
    if !std::io::stdin().is_terminal() {
        return Err(UsageError(format!("not a terminal: {without_tty}")));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).map_err(|e| UsageError(e.to_string()))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}

/// Whether `entitle` must ask first: always on a terminal without `--yes`; without a
/// terminal only a `--watch` off Production may go on unasked (Production needs `--yes`).
pub fn entitle_must_ask(kind: EnvironmentKind, yes: bool, watching: bool, terminal: bool) -> bool {
    if yes {
        return false;
    }
    terminal || !watching || kind == EnvironmentKind::Production
}

#[cfg(test)]
mod tests {
    use super::*;
    use EnvironmentKind::*;

    #[test]
    fn an_unattended_watch_needs_yes_on_production_only() {
        assert!(!entitle_must_ask(Staging, false, true, false), "cron on Staging");
        assert!(!entitle_must_ask(Custom, false, true, false), "cron on Custom");
        assert!(entitle_must_ask(Production, false, true, false), "cron on Production needs --yes");
        assert!(!entitle_must_ask(Production, true, true, false));
        assert!(entitle_must_ask(Staging, false, false, false), "a one-off grant without a terminal");
        assert!(entitle_must_ask(Staging, false, true, true), "a terminal asks");
    }
}
