//! What a user can send us when something goes wrong: a rotating log file, crash
//! reports written by the panic hook, and a short "Copy diagnostics" summary.
//! Nothing here may carry a secret (see `api::secret` and `crash::scrub`).

pub mod caught;
pub mod crash;
pub mod log_file;

use crate::api::EnvironmentKind;

/// The lines of "Help → Copy diagnostics": enough to reproduce, nothing personal.
pub fn summary(environment: Option<EnvironmentKind>) -> String {
    let environment = environment.map_or("not signed in", |kind| kind.label());
    format!(
        "Propdesk {}\nOS: {} {} ({})\nEnvironment: {environment}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH,
        std::env::consts::FAMILY,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_version_os_and_environment() {
        let text = summary(Some(EnvironmentKind::Staging));
        assert!(text.contains(env!("CARGO_PKG_VERSION")), "{text}");
        assert!(text.contains(std::env::consts::OS), "{text}");
        assert!(text.contains("Environment: Staging"), "{text}");
        assert!(summary(None).contains("not signed in"));
    }
}
