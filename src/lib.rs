//! Propdesk: onboard prop-firm traders through the Tradovate Partner API.
//!
//! Layers (imports only go downward): `ui` and `cli` drive `onboarding` and
//! `subaccount`, which use `api` and `store`; `sandbox` imitates Tradovate for the
//! Sandbox environment and the tests. See `../shared/DESIGN.md`.

pub mod api;
pub mod cli;
pub mod diagnostics;
pub mod doctor;
pub mod licences;
pub mod logging;
pub mod onboarding;
pub mod restricted_countries;
pub mod safe_csv;
pub mod sandbox;
pub mod store;
pub mod subaccount;
pub mod ui;
pub mod update;
