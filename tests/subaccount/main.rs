//! Submitting subaccount requests through `propdesk::subaccount` against the sandbox on loopback.

mod linking;
mod refusals;
mod registry;
mod retries;
mod submit;
mod support;
