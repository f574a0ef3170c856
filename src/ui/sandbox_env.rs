//! Starting the in-process Sandbox: the only place the window touches `sandbox/`.

use crate::api::{Credentials, Environment, Secret};
use std::any::Any;

/// Keeps the sandbox running; dropping it stops the server.
pub struct SandboxHandle {
    _sandbox: Box<dyn Any + Send>,
}

/// Starts the sandbox on the current tokio runtime and returns its environment.
pub async fn start() -> std::io::Result<(SandboxHandle, Environment)> {
    // Gate until the sandbox lands on main (see the report); replaced by
    // `Sandbox::start(SandboxConfig::default())` after the merge.
    let _ = SandboxHandle { _sandbox: Box::new(()) };
    Err(std::io::Error::other("the sandbox is not part of this build yet"))
}

/// The seeded admin's API key: the Sandbox needs no typing.
pub fn credentials(device_id: &str) -> Credentials {
    Credentials {
        name: "demofirm_admin".into(),
        password: Secret::new(""),
        app_id: String::new(),
        app_version: "1.0".into(),
        cid: String::new(),
        sec: Secret::new(""),
        device_id: device_id.to_string(),
    }
}
