//! One file per screen. Each draws from state and pushes `Command`s.

pub mod activity;
pub mod pipeline;
pub mod setup;
pub mod subaccounts;
pub mod traders;
