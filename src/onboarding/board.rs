//! Where each trader stands, for the pipeline board: derived from the journal only.

use super::journal::JournaledTrader;

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
}
