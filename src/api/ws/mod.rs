//! The user-data WebSocket: frames, signals inside `props` events, and the session
//! that keeps one connection alive.

pub mod frame;
mod session;
mod signals;

pub use session::{SocketEvent, SocketOptions, UserSocket};
pub use signals::admin_alert_signal;
