//! Semantic versions (semver.org): enough to tell whether the manifest's is newer.

use std::cmp::Ordering;
use std::fmt;

/// `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; the build part is ignored when comparing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    /// Dot-separated pre-release identifiers (`rc.1`); empty for a release.
    pub pre: Vec<String>,
}

impl Version {
    /// Accepts an optional leading `v` (release tags are often named `v1.2.3`).
    pub fn parse(text: &str) -> Result<Version, String> {
        let text = text.trim();
        let bare = text.strip_prefix('v').unwrap_or(text);
        let core_and_pre = bare.split('+').next().unwrap_or_default();
        let (core, pre) = match core_and_pre.split_once('-') {
            Some((core, pre)) => (core, Some(pre)),
            None => (core_and_pre, None),
        };
        let numbers: Vec<&str> = core.split('.').collect();
        let [major, minor, patch] = numbers.as_slice() else {
            return Err(format!("'{text}' is not a version like 1.2.3"));
        };
        let number = |part: &str| -> Result<u64, String> {
            let digits = !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
            let leading_zero = part.len() > 1 && part.starts_with('0');
            if !digits || leading_zero {
                return Err(format!("'{text}' is not a version like 1.2.3"));
            }
            part.parse().map_err(|_| format!("'{text}' has a number too large"))
        };
        let pre = match pre {
            None => Vec::new(),
            Some(pre) => {
                let ids: Vec<String> = pre.split('.').map(str::to_string).collect();
                let valid = |id: &String| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
                if !ids.iter().all(valid) {
                    return Err(format!("'{text}' has a malformed pre-release part"));
                }
                ids
            }
        };
        Ok(Version { major: number(major)?, minor: number(minor)?, patch: number(patch)?, pre })
    }

    /// What the notice shows: `0.2` for 0.2.0, `0.2.1`, `1.0-rc.1`.
    pub fn short(&self) -> String {
        let mut text = format!("{}.{}", self.major, self.minor);
        if self.patch != 0 {
            text += &format!(".{}", self.patch);
        }
        if !self.pre.is_empty() {
            text += &format!("-{}", self.pre.join("."));
        }
        text
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre.join("."))?;
        }
        Ok(())
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            // A release is newer than its pre-releases; pre-releases compare id by id.
            match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_pre(&self.pre, &other.pre),
            }
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// semver.org §11: numeric ids compare as numbers and sort before alphanumeric ones.
fn compare_pre(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let order = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => x.cmp(y),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn orders_like_semver() {
        let ascending = [
            "0.9.9",
            "0.10.0",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.2.0",
            "2.0.0",
        ];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]) < v(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        assert_eq!(v("v1.2.3"), v("1.2.3"));
        assert_eq!(v("1.2.3+build.7").cmp(&v("1.2.3")), Ordering::Equal, "build metadata is ignored");
    }

    #[test]
    fn refuses_what_is_not_a_version() {
        for bad in
            ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.x.3", "1.2.3-", "1.2.3-a..b", "-1.2.3", "99999999999999999999.0.0"]
        {
            assert!(Version::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_notice_shows_a_short_version() {
        assert_eq!(v("0.2.0").short(), "0.2");
        assert_eq!(v("0.2.1").short(), "0.2.1");
        assert_eq!(v("1.0.0-rc.1").short(), "1.0-rc.1");
        assert_eq!(v("1.0.0-rc.1").to_string(), "1.0.0-rc.1");
    }
}
