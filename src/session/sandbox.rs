//! Starting the in-process Sandbox: the only place a session touches `sandbox/`.

use crate::api::{Credentials, Environment};
use crate::sandbox::{self, Sandbox, SandboxConfig};

/// Keeps the sandbox running; dropping it stops the server.
pub struct SandboxHandle {
    _sandbox: Sandbox,
}

/// Starts the sandbox on the current tokio runtime and returns its environment.
pub async fn start(config: SandboxConfig) -> std::io::Result<(SandboxHandle, Environment)> {
    let sandbox = Sandbox::start(config).await?;
    let environment = sandbox.environment();
    Ok((SandboxHandle { _sandbox: sandbox }, environment))
}

/// The seeded admin's API key: the Sandbox needs no typing.
pub fn credentials(device_id: &str) -> Credentials {
    sandbox::admin_credentials(device_id)
}
