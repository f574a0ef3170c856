//! The sandbox spoken to with raw `reqwest` and `tokio-tungstenite` (not our client):
//! every rule it enforces, every fault it can inject.

mod sandbox_http {
    pub mod common;
    mod accounts;
    mod auth;
    mod faults;
    mod offboarding;
    mod onboarding;
    mod subaccounts;
    mod users;
    mod ws;
}
