//! The firm's job, independent of any UI: the roster of traders to onboard (import,
//! validation, generated passwords and account names, export) and the conversion of
//! each valid row into the requests of the onboarding steps.

mod amount;
mod roster;
mod trader;

pub use amount::{AmountError, parse_amount};
pub use roster::{Roster, RowId, SortOrder};
pub use trader::{Field, Trader};
