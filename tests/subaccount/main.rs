//! Submitting subaccount requests through `propdesk::subaccount` against the sandbox on loopback.

mod linking;
mod refusals;
mod registry;
mod replies;
mod retries;
mod submit;
mod support;
