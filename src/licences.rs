//! Where the third-party licence list (THIRD-PARTY-LICENSES.txt, written by
//! tools/third_party_licenses.py) is on this computer: every package ships it.

use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "THIRD-PARTY-LICENSES.txt";

/// Where the packages put the file, from the running program's path.
pub fn places(program: &Path) -> Vec<PathBuf> {
    let dir = program.parent().unwrap_or(Path::new("."));
    vec![
        // Windows installers (cargo-packager resources sit beside the programs).
        dir.join(FILE_NAME),
        // macOS: Propdesk.app/Contents/MacOS/propdesk → Contents/Resources.
        dir.join("../Resources").join(FILE_NAME),
        // The .deb: /usr/bin/propdesk → /usr/share/doc/propdesk.
        dir.join("../share/doc/propdesk").join(FILE_NAME),
    ]
}

/// The first of `places` that exists, or a message naming where it looked.
pub fn find_from(program: &Path) -> Result<PathBuf, String> {
    let mut candidates = places(program);
    if cfg!(debug_assertions) {
        // A development build run from the repository (`cargo run`, the tests).
        candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(FILE_NAME));
    }
    candidates.iter().find(|p| p.is_file()).cloned().ok_or_else(|| {
        let looked: Vec<String> = candidates.iter().map(|p| p.display().to_string()).collect();
        format!("{FILE_NAME} was not found (looked in {}); reinstalling Propdesk restores it", looked.join(", "))
    })
}

pub fn find() -> Result<PathBuf, String> {
    let program = std::env::current_exe().map_err(|e| format!("the program's own path is unknown: {e}"))?;
    find_from(&program)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lays out a package's files under `root` and finds the list from its program.
    fn found(root: &Path, program: &str, list: &str) -> PathBuf {
        let (program, list) = (root.join(program), root.join(list));
        std::fs::create_dir_all(program.parent().unwrap()).unwrap();
        std::fs::create_dir_all(list.parent().unwrap()).unwrap();
        std::fs::write(&list, "crates").unwrap();
        find_from(&program).unwrap().canonicalize().unwrap()
    }

    #[test]
    fn finds_the_list_where_each_package_puts_it() {
        let layouts = [
            ("Programs/Propdesk/propdesk.exe", "Programs/Propdesk/THIRD-PARTY-LICENSES.txt"),
            ("Propdesk.app/Contents/MacOS/propdesk", "Propdesk.app/Contents/Resources/THIRD-PARTY-LICENSES.txt"),
            ("usr/bin/propdesk", "usr/share/doc/propdesk/THIRD-PARTY-LICENSES.txt"),
        ];
        for (program, list) in layouts {
            let root = tempfile::tempdir().unwrap();
            assert_eq!(found(root.path(), program, list), root.path().join(list).canonicalize().unwrap());
        }
    }
}
