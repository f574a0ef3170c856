//! The user-data WebSocket: frames, signals inside `props` events, and the session
//! that keeps one connection alive.

mod backoff;
pub mod frame;
mod session;
mod signals;

pub use session::{SocketEvent, SocketOptions, UserSocket, signal_entity_types};
pub use signals::{admin_alert_signal, snapshot_signals};
