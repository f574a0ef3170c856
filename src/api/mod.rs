//! The Tradovate Partner API and nothing else: hosts, authentication, the error
//! model, rate budgets, typed calls and the user-data WebSocket.

pub mod activity;
pub mod auth;
pub mod bounds;
mod budget;
mod calls;
mod client;
pub mod endpoint;
pub mod env;
pub mod error;
pub mod rate_limit;
mod reply;
pub mod secret;
pub mod wire;
pub mod ws;

pub use auth::{Credentials, SessionInfo, Token};
pub use calls::CancelEverywhere;
pub use client::{AUTO_SIGN_INS_PER_HOUR, Client, ClientOptions};
pub use env::{Domain, Environment, EnvironmentKind};
pub use error::{ApiError, ApiResult};
pub use secret::Secret;
