//! The sandbox spoken to with raw `reqwest` and `tokio-tungstenite` (not our client):
//! every rule it enforces, every fault it can inject.

mod sandbox_http {
    mod accounts;
    mod auth;
    pub mod common;
    mod faults;
    mod offboarding;
    mod onboarding;
    mod subaccounts;
    mod users;
    mod ws;
}
