//! The real client against the sandbox over loopback HTTP and WebSocket.

mod auth;
mod doctor;
mod faults;
mod manifest_server;
mod offboarding;
mod onboarding;
mod sessions;
mod setup;
mod socket;
mod subaccounts;
mod support;
mod update;
