//! Request and response bodies exactly as they travel on the wire: field names as
//! Tradovate spells them, optional fields left out when empty. Shared by the client
//! and the sandbox; the rules about what is *valid* live elsewhere, once per side.

mod alerts;
mod auth;
mod common;
mod entitlement;
mod offboarding;
mod risk;
mod setup;
mod subaccount;
mod users;

pub use alerts::*;
pub use auth::*;
pub use common::*;
pub use entitlement::*;
pub use offboarding::*;
pub use risk::*;
pub use setup::*;
pub use subaccount::*;
pub use users::*;

#[cfg(test)]
mod golden;
