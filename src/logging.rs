//! Logging to stderr, filtered by `RUST_LOG` (default: warnings and errors).
//!
//! Nothing secret is ever logged: secrets are `Secret` values whose `Debug` and
//! `Display` are masked, and request bodies are never logged.

pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,propdesk=info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
