//! The CME's restricted countries: where market data must not be accessed, distributed
//! or consumed (seeds/000, "Restricted Countries"). A trader whose contact country, or a
//! subaccount applicant whose address or citizenship, is on this list is refused by the
//! client's own checks, with the reason, before anything is sent.
//!
//! This is the client's one list (the sandbox keeps its own in `sandbox/subaccounts.rs`).
//! The list "is subject to change", so an admin can replace it without a new release:
//! a file named [`OVERRIDE_FILE`] in the app's data folder, one ISO code per line (see
//! README, "Restricted countries").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, RwLock};

/// Where the built-in list comes from (seeds/000 links to it).
pub const SOURCE: &str = "https://partner.ninjatrader.com/resources/reference/cme-restricted-countries";

/// The page's list as ISO 3166-1 codes. The page names "Congo" without saying which, so
/// both the Republic (CG) and the Democratic Republic (CD) are listed: refusing one
/// trader too many is safe, billing one the CME forbids is not. "Sudan/South Sudan" is
/// both SD and SS.
const BUILT_IN: [(&str, &str); 29] = [
    ("AF", "Afghanistan"),
    ("AL", "Albania"),
    ("AQ", "Antarctica"),
    ("BY", "Belarus"),
    ("BF", "Burkina Faso"),
    ("TD", "Chad"),
    ("CG", "Congo"),
    ("CD", "Congo (Democratic Republic)"),
    ("CI", "Côte d'Ivoire"),
    ("CU", "Cuba"),
    ("DJ", "Djibouti"),
    ("TL", "East Timor"),
    ("GW", "Guinea-Bissau"),
    ("IR", "Iran"),
    ("JO", "Jordan"),
    ("LA", "Lao PDR"),
    ("LS", "Lesotho"),
    ("LY", "Libya"),
    ("MW", "Malawi"),
    ("KP", "North Korea"),
    ("PS", "Palestinian Territory"),
    ("RW", "Rwanda"),
    ("SL", "Sierra Leone"),
    ("SO", "Somalia"),
    ("SD", "Sudan"),
    ("SS", "South Sudan"),
    ("SY", "Syria"),
    ("TJ", "Tajikistan"),
    ("YE", "Yemen"),
];

/// The file in the data folder that replaces the built-in list.
pub const OVERRIDE_FILE: &str = "cme-restricted-countries.txt";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestrictedCountries {
    /// Upper-case code → name as the list gives it (may be empty).
    by_code: BTreeMap<String, String>,
    /// Where the list came from, for messages.
    source: String,
}

impl RestrictedCountries {
    pub fn built_in() -> Self {
        Self {
            by_code: BUILT_IN.iter().map(|(code, name)| (code.to_string(), name.to_string())).collect(),
            source: format!("the CME list ({SOURCE})"),
        }
    }

    /// A list file: one ISO code per line, optionally followed by the name; blank lines
    /// and lines starting with `#` are ignored. Any other line is an error (a typo must
    /// not silently drop a country).
    pub fn parse(text: &str, source: &str) -> Result<Self, String> {
        let mut by_code = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (code, name) = line.split_once([' ', '\t', ',', ';']).unwrap_or((line, ""));
            let code = code.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                return Err(format!(
                    "line {}: '{code}' is not a two-letter country code (each line: a code such as IR, then the name)",
                    number + 1
                ));
            }
            by_code.insert(code, name.trim().trim_matches(['"', ',', ';']).trim().to_string());
        }
        Ok(Self { by_code, source: source.to_string() })
    }

    /// The override file in `data_dir` if there is one, else the built-in list. A file
    /// that cannot be read or parsed keeps the built-in list and says why.
    pub fn load(data_dir: &Path) -> (Self, Option<String>) {
        let path = override_path(data_dir);
        match std::fs::read_to_string(&path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => (Self::built_in(), None),
            Err(error) => (
                Self::built_in(),
                Some(format!("{} could not be read ({error}); using the built-in list", path.display())),
            ),
            Ok(text) => match Self::parse(&text, &format!("the list in {}", path.display())) {
                Ok(list) => (list, None),
                Err(error) => (
                    Self::built_in(),
                    Some(format!("{} is not used ({error}); using the built-in list", path.display())),
                ),
            },
        }
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Why `code` (any case, spaces ignored) may not be used, or `None` when it may.
    pub fn reason(&self, code: &str) -> Option<String> {
        let code = code.trim().to_ascii_uppercase();
        let name = self.by_code.get(&code)?;
        let country = if name.is_empty() { code.clone() } else { format!("{name} ({code})") };
        Some(format!(
            "{country} is a CME restricted country: market data must not be accessed there, so nothing is sent for it (source: {})",
            self.source
        ))
    }
}

pub fn override_path(data_dir: &Path) -> PathBuf {
    data_dir.join(OVERRIDE_FILE)
}

static ACTIVE: LazyLock<RwLock<Arc<RestrictedCountries>>> =
    LazyLock::new(|| RwLock::new(Arc::new(RestrictedCountries::built_in())));

/// The list the checks use: built in, unless [`install`] replaced it at start-up.
pub fn active() -> Arc<RestrictedCountries> {
    ACTIVE.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// Makes `list` the one the checks use (the window and the command line call this once
/// at start-up with what [`RestrictedCountries::load`] found).
pub fn install(list: RestrictedCountries) {
    *ACTIVE.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(list);
}

/// Loads the list for this data folder and makes it the active one; returns what was
/// wrong with an override file, for the admin to see.
pub fn install_from(data_dir: &Path) -> Option<String> {
    let (list, problem) = RestrictedCountries::load(data_dir);
    install(list);
    problem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_list_names_the_cme_countries_and_its_source() {
        let list = RestrictedCountries::built_in();
        assert_eq!(list.len(), 29);
        let reason = list.reason(" ir ").unwrap();
        assert!(reason.starts_with("Iran (IR) is a CME restricted country"), "{reason}");
        assert!(reason.contains(SOURCE), "{reason}");
        for allowed in ["US", "GB", "DE", "RU", ""] {
            assert_eq!(list.reason(allowed), None, "{allowed}");
        }
    }

    #[test]
    fn a_file_in_the_data_folder_replaces_the_list() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(RestrictedCountries::load(dir.path()), (RestrictedCountries::built_in(), None));
        std::fs::write(override_path(dir.path()), "# updated by the admin\nIR Iran\n\nmx, Mexico\nFR\n").unwrap();
        let (list, problem) = RestrictedCountries::load(dir.path());
        assert_eq!(problem, None);
        assert_eq!(list.len(), 3);
        assert!(list.reason("MX").unwrap().starts_with("Mexico (MX) is"));
        assert!(list.reason("FR").unwrap().starts_with("FR is"));
        assert!(list.reason("AF").is_none(), "the file replaces, not adds");
        assert!(list.reason("FR").unwrap().contains(OVERRIDE_FILE));
    }

    #[test]
    fn a_damaged_file_keeps_the_built_in_list_and_says_which_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(override_path(dir.path()), "IR\nIran\n").unwrap();
        let (list, problem) = RestrictedCountries::load(dir.path());
        assert_eq!(list, RestrictedCountries::built_in());
        assert!(problem.unwrap().contains("line 2: 'IRAN' is not a two-letter country code"));
    }
}
