//! Who made a journal write and where: the OS user and this computer's name, so a
//! team sharing one journal can tell its members' writes apart. Not secrets.

use crate::onboarding::run_lock::this_host;

/// Shown for history lines written before the journal recorded authors.
pub const UNKNOWN: &str = "unknown";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub user: String,
    pub host: String,
}

impl Author {
    /// The user this process runs as (`USER`, or `USERNAME` on Windows) on this computer.
    pub fn of_this_process() -> Self {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .ok()
            .map(|name| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| UNKNOWN.into());
        Self { user, host: this_host() }
    }

    /// A stored line's author; either half missing (a line older than authors) is unknown.
    pub(crate) fn stored(user: Option<String>, host: Option<String>) -> Self {
        Self { user: user.unwrap_or_else(|| UNKNOWN.into()), host: host.unwrap_or_else(|| UNKNOWN.into()) }
    }

    /// The inverse of [`Author::stored`] (a journal copy keeps unknown authors unknown).
    pub(crate) fn to_stored(&self) -> (Option<String>, Option<String>) {
        let known = |part: &str| (part != UNKNOWN).then(|| part.to_string());
        (known(&self.user), known(&self.host))
    }
}

/// `user@host`.
impl std::fmt::Display for Author {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}", self.user, self.host)
    }
}
