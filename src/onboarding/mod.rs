//! The firm's job, independent of any UI: the roster of traders to onboard (import,
//! validation, generated passwords and account names, export), the conversion of each
//! valid row into the requests of the onboarding steps, the pipeline that moves each
//! trader through user, contact info and account, and the journal that makes a run
//! resumable after a crash.

pub mod agreements;
mod amount;
pub mod board;
pub mod claims;
mod convert;
pub mod entitlement;
mod export;
mod generate;
pub mod grant_sweep;
mod import;
pub mod import_limits;
mod incremental;
pub mod journal;
pub mod offboarding;
pub mod pipeline;
pub mod prepare;
pub mod results;
pub mod risk;
mod roster;
pub mod run;
pub mod run_lock;
pub mod setup_choice;
#[cfg(test)]
mod test_xlsx;
mod trader;
mod validate;
pub mod watcher;
mod workbook;

pub use crate::countries::is_country_code;
pub use amount::{AmountError, parse_amount};
pub use convert::InvalidRow;
pub use export::{CREDENTIAL_FIELDS, write_credentials_csv, write_roster_csv};
pub use generate::{
    MAX_PREFIX_LENGTH, PASSWORD_LENGTH, PrefixError, check_prefix, generate_account_names, generate_missing_passwords,
    generate_missing_passwords_with, generate_password,
};
pub use import::{
    ImportError, ImportReport, import_csv, import_csv_file, import_pasted, import_xlsx, import_xlsx_file, match_header,
};
pub use roster::{Roster, RowId, SortOrder};
pub use trader::{Field, Trader};
pub use validate::{
    CellProblem, KnownNames, Validation, canonical_drawdown_mode, is_valid_account_name, validate_roster,
    validate_trader,
};
