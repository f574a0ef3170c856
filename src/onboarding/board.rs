//! Where each trader stands, for the pipeline board: derived from the journal only.

use super::journal::{Author, HistoryEntry, JournaledTrader, Progress, Stamp};
use chrono::{DateTime, Datelike, Local};

/// A trader's stage, in the order of the onboarding guide, plus the ways out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BoardStage {
    UserCreated,
    ContactInfo,
    Account,
    AgreementSigned,
    TPropGranted,
    Failed,
    Revoked,
    Cancelled,
}

impl BoardStage {
    pub const ALL: [BoardStage; 8] = [
        BoardStage::UserCreated,
        BoardStage::ContactInfo,
        BoardStage::Account,
        BoardStage::AgreementSigned,
        BoardStage::TPropGranted,
        BoardStage::Failed,
        BoardStage::Revoked,
        BoardStage::Cancelled,
    ];

    pub fn label(self) -> &'static str {
        match self {
            BoardStage::UserCreated => "User created",
            BoardStage::ContactInfo => "Contact info",
            BoardStage::Account => "Account",
            BoardStage::AgreementSigned => "Agreement signed",
            BoardStage::TPropGranted => "T-Prop granted",
            BoardStage::Failed => "Failed",
            BoardStage::Revoked => "Revoked",
            BoardStage::Cancelled => "Cancelled",
        }
    }

    /// What the trader or the firm is waiting for at this stage.
    pub fn waiting_for(self) -> &'static str {
        match self {
            BoardStage::UserCreated => "contact info",
            BoardStage::ContactInfo => "the evaluation account",
            BoardStage::Account => "the trader to sign the market-data agreement",
            BoardStage::AgreementSigned => "the T-Prop entitlement",
            BoardStage::TPropGranted => "nothing: ready to trade",
            BoardStage::Failed => "a retry after fixing the error",
            BoardStage::Revoked | BoardStage::Cancelled => "nothing: offboarded",
        }
    }
}

/// The furthest stage reached; offboarding and unresolved errors take precedence.
/// `None` for a trader the journal knows but Tradovate has no user for yet.
pub fn stage_of(trader: &JournaledTrader) -> Option<BoardStage> {
    if trader.cancelled_at.is_some() {
        return Some(BoardStage::Cancelled);
    }
    if trader.revoked_at.is_some() {
        return Some(BoardStage::Revoked);
    }
    if trader.last_error.is_some() {
        return Some(BoardStage::Failed);
    }
    if trader.entitled_at.is_some() {
        return Some(BoardStage::TPropGranted);
    }
    if trader.agreement_signed_at.is_some() {
        return Some(BoardStage::AgreementSigned);
    }
    if trader.account_id.is_some() {
        return Some(BoardStage::Account);
    }
    if trader.contact_done {
        return Some(BoardStage::ContactInfo);
    }
    trader.user_id.map(|_| BoardStage::UserCreated)
}

// ---- Who made the latest change (the live board, issue 14 item 4) ----

/// A trader's latest change in words, for the board: "granted by anna on ops-laptop at
/// 14:02" ("granted by anna at 14:02" without `host`); the day too when it was not today
/// ("on 28 Nov", "on 28 Nov 2025"). Local time.
pub fn latest_change_text(entry: &HistoryEntry, now: DateTime<Local>, host: bool) -> String {
    let at = entry.at.with_timezone(&Local);
    let when = if at.date_naive() == now.date_naive() {
        at.format("at %H:%M").to_string()
    } else if at.year() == now.year() {
        at.format("on %-d %b at %H:%M").to_string()
    } else {
        at.format("on %-d %b %Y at %H:%M").to_string()
    };
    let what = change_verb(&entry.what);
    if entry.by == Author::stored(None, None) {
        // Written before the journal recorded authors.
        format!("{what} {when}")
    } else if host {
        format!("{what} by {} on {} {when}", entry.by.user, entry.by.host)
    } else {
        format!("{what} by {} {when}", entry.by.user)
    }
}

/// A history line's short verb: "granted", "created", "T-Prop failed", "risk rules
/// updated". The journal's own texts ([`Stamp`], [`Progress`]) map to one word; the
/// detail of anything else ("(id 7)", ": HTTP 500") stays in the history.
fn change_verb(what: &str) -> String {
    let short = match what {
        _ if what == Stamp::Entitled.history_text() => "granted",
        _ if what == Stamp::Signed.history_text() => "signature recorded",
        _ if what == Stamp::Revoked.history_text() => "revoked",
        _ if what == Stamp::Cancelled.history_text() => "cancelled",
        _ if what == Progress::User(0).history_text() => "created",
        _ => what.split([':', '(']).next().unwrap_or(what).trim(),
    };
    // "User created" -> "user created", but "T-Prop failed" keeps its capitals.
    let mut chars = short.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => {
            first.to_lowercase().chain(short[first.len_utf8()..].chars()).collect()
        }
        _ => short.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn stages_follow_the_guide_and_exits_win() {
        let mut t = JournaledTrader { user_id: Some(1), ..Default::default() };
        assert_eq!(stage_of(&t), Some(BoardStage::UserCreated));
        t.contact_done = true;
        t.account_id = Some(2);
        assert_eq!(stage_of(&t), Some(BoardStage::Account));
        t.agreement_signed_at = Some(Utc::now());
        assert_eq!(stage_of(&t), Some(BoardStage::AgreementSigned));
        t.entitled_at = Some(Utc::now());
        assert_eq!(stage_of(&t), Some(BoardStage::TPropGranted));
        t.last_error = Some("x".into());
        assert_eq!(stage_of(&t), Some(BoardStage::Failed));
        t.revoked_at = Some(Utc::now());
        assert_eq!(stage_of(&t), Some(BoardStage::Revoked));
        t.cancelled_at = Some(Utc::now());
        assert_eq!(stage_of(&t), Some(BoardStage::Cancelled));
        assert_eq!(stage_of(&JournaledTrader::default()), None);
    }

    fn line(what: &str, user: &str, host: &str, at: DateTime<Local>) -> HistoryEntry {
        let by = Author { user: user.into(), host: host.into() };
        HistoryEntry { at: at.with_timezone(&Utc), what: what.into(), by }
    }

    #[test]
    fn the_latest_change_says_what_who_where_and_when() {
        use chrono::TimeZone;
        let now = Local.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap();
        let today = Local.with_ymd_and_hms(2026, 11, 30, 14, 2, 0).unwrap();
        let earlier = Local.with_ymd_and_hms(2026, 11, 28, 9, 15, 0).unwrap();
        let last_year = Local.with_ymd_and_hms(2025, 12, 31, 23, 5, 0).unwrap();
        let text = |what: &str, at| latest_change_text(&line(what, "anna", "ops-laptop", at), now, true);
        assert_eq!(text("T-Prop entitlement granted", today), "granted by anna on ops-laptop at 14:02");
        assert_eq!(text("User created", earlier), "created by anna on ops-laptop on 28 Nov at 09:15");
        assert_eq!(
            text("Account created (id 7)", last_year),
            "account created by anna on ops-laptop on 31 Dec 2025 at 23:05"
        );
        assert_eq!(text("T-Prop failed: HTTP 500", today), "T-Prop failed by anna on ops-laptop at 14:02");
        assert_eq!(
            text("Risk rules updated (DEMOFIRM50K profile)", today),
            "risk rules updated by anna on ops-laptop at 14:02"
        );
        assert_eq!(
            text("Signed the market-data agreement", today),
            "signature recorded by anna on ops-laptop at 14:02"
        );
        let old = line("Everything cancelled", "unknown", "unknown", today);
        assert_eq!(latest_change_text(&old, now, true), "cancelled at 14:02", "no author before authors were recorded");
        let narrow = latest_change_text(&line("User created", "ben", "ops-desk", today), now, false);
        assert_eq!(narrow, "created by ben at 14:02", "a narrow board leaves the computer to the hover");
    }
}
