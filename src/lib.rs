//! Propdesk: onboard prop-firm traders through the Tradovate Partner API.
//!
//! Layers (imports only go downward): `ui` and `cli` drive `onboarding` and
//! `subaccount`, which use `api` and `store`; `sandbox` imitates Tradovate for the
//! Sandbox environment and the tests. `session` (sign-in, keyring policy, token
//! persistence) sits under `ui` and uses `api`, `store` and `sandbox`, never egui.
//! See `../shared/DESIGN.md`.

pub mod api;
pub mod cli;
pub mod countries;
pub mod diagnostics;
pub mod doctor;
pub mod licences;
pub mod logging;
pub mod onboarding;
pub mod restricted_countries;
pub mod safe_csv;
pub mod sandbox;
pub mod session;
pub mod store;
pub mod subaccount;
pub mod ui;
pub mod update;
