//! A string that must never be printed: passwords, API secrets, tokens, SSNs.
//!
//! `Debug` and `Display` show a fixed mask, so a secret inside any struct that
//! derives `Debug` (or ends up in a `tracing` field or a panic message) stays
//! hidden. Serialization writes the real value, because the wire needs it; keep
//! serialized request bodies out of logs.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

pub const MASK: &str = "••••••";

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value. Call it only where the value leaves for the wire or the keyring.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Length in characters, for validation messages that must not show the value.
    pub fn char_len(&self) -> usize {
        self.0.chars().count()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let token = Secret::new("eyJhbGciOi.super-secret-token");
        assert!(!format!("{token:?}").contains("super-secret"));
        assert!(!format!("{token}").contains("super-secret"));
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Secret,
        }
        let holder = format!("{:?}", Holder { token });
        assert!(!holder.contains("super-secret"), "{holder}");
    }

    #[test]
    fn serializes_the_real_value_for_the_wire() {
        let s = Secret::new("pw123456");
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"pw123456\"");
    }
}
