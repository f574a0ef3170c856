//! The Tradovate Partner API and nothing else: hosts, authentication, the error
//! model, rate budgets, typed calls and the user-data WebSocket.

pub mod endpoint;
pub mod env;
pub mod error;
pub mod secret;
pub mod wire;
pub mod ws;

pub use env::{Domain, Environment, EnvironmentKind};
pub use error::{ApiError, ApiResult};
pub use secret::Secret;
