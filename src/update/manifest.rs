//! The update manifest: a small JSON file the maintainers publish with each release.
//!
//! ```json
//! { "version": "0.2.0", "notes_url": "https://example.com/propdesk/releases/0.2.0" }
//! ```
//! Other fields are ignored, so later releases can add some.

use super::version::Version;
use serde::Deserialize;

/// More than any manifest needs; a bigger answer is refused unread.
pub const MAX_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    pub version: Version,
    /// The release notes page; only http(s), since the notice opens it in the browser.
    pub notes_url: String,
}

#[derive(Deserialize)]
struct Wire {
    version: String,
    notes_url: String,
}

impl Manifest {
    /// A specific message for each way the file can be wrong (it goes to the log).
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        if bytes.len() > MAX_BYTES {
            return Err(format!("the manifest is {} bytes, more than {MAX_BYTES}", bytes.len()));
        }
        let wire: Wire = serde_json::from_slice(bytes).map_err(|e| format!("the manifest is not valid JSON: {e}"))?;
        let version = Version::parse(&wire.version).map_err(|e| format!("the manifest's version: {e}"))?;
        let notes_url = wire.notes_url.trim().to_string();
        let scheme_ok = ["https://", "http://"].iter().any(|s| notes_url.to_ascii_lowercase().starts_with(s));
        if !scheme_ok || notes_url.len() > 2048 || notes_url.chars().any(char::is_whitespace) {
            return Err(format!("the manifest's notes_url '{notes_url}' is not an http(s) link"));
        }
        Ok(Manifest { version, notes_url })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_version_and_notes_link_and_ignores_other_fields() {
        let manifest =
            Manifest::parse(br#"{"version":"v0.3.1","notes_url":"https://example.com/notes","sha256":"x"}"#).unwrap();
        assert_eq!(manifest.version, Version::parse("0.3.1").unwrap());
        assert_eq!(manifest.notes_url, "https://example.com/notes");
    }

    #[test]
    fn says_what_is_wrong() {
        let cases: [(&[u8], &str); 5] = [
            (b"<html>", "not valid JSON"),
            (br#"{"version":"0.3"}"#, "not valid JSON"),
            (br#"{"version":"soon","notes_url":"https://e.com"}"#, "version"),
            (br#"{"version":"0.3.0","notes_url":"javascript:alert(1)"}"#, "not an http(s) link"),
            (br#"{"version":"0.3.0","notes_url":"file:///etc/passwd"}"#, "not an http(s) link"),
        ];
        for (bytes, expected) in cases {
            let error = Manifest::parse(bytes).unwrap_err();
            assert!(error.contains(expected), "{error}");
        }
        let huge = vec![b' '; MAX_BYTES + 1];
        assert!(Manifest::parse(&huge).unwrap_err().contains("more than"));
    }
}
