//! The user-data WebSocket: frames, and the session that keeps one open.

pub mod frame;
