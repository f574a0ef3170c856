//! Keeps SQLite, file and network calls off the UI thread (ARCHITECTURE.md, "The UI
//! thread"): every mention of them in `src/ui` is listed below with where it runs, and
//! a new one fails this test until it is moved into a background job or listed here.

use std::path::Path;

/// What may not run on the UI thread, as written in code. `RosterCheck::new` and
/// `Settings::load` are listed because they read the journal and a file.
const WATCHED: &[&str] =
    &["rusqlite", "reqwest", "std::fs", "Journal::", "Registry::", "RosterCheck::new", "Settings::load"];

enum Runs {
    /// Inside a job (`Remote`, `Inbox`, `Bridge`): named for the reader.
    Background(&'static str),
    /// On the UI thread, on purpose; the cost is measured in ARCHITECTURE.md.
    UiThread,
}

/// (file under src/ui, watched text, how many times, where it runs).
const ALLOWED: &[(&str, &str, usize, Runs)] = &[
    ("mod.rs", "Settings::load", 1, Runs::UiThread),
    ("help.rs", "std::fs", 1, Runs::Background("opening a folder, in a Bridge job")),
    ("open_dialog.rs", "std::fs", 1, Runs::Background("looking for zenity / the portal, inside the dialog's future")),
    ("document_picker.rs", "std::fs", 2, Runs::Background("reading a chosen document, on the blocking pool")),
    (
        "workspace.rs",
        "Journal::",
        3,
        Runs::Background("opening the journal (file, memory or team database), in a Bridge job"),
    ),
    (
        "workspace.rs",
        "Registry::",
        3,
        Runs::Background("opening the registry (file, memory or team database), in a Bridge job"),
    ),
    ("screens/traders/mod.rs", "std::fs", 2, Runs::Background("saving a CSV and a dropped file's size, Inbox jobs")),
    ("screens/subaccounts/mod.rs", "std::fs", 1, Runs::Background("a dropped document's size, an Inbox job")),
    (
        "screens/setup/team.rs",
        "Journal::",
        2,
        Runs::Background("opening both journals of a move, in its Remote / Inbox job on the blocking pool"),
    ),
];

/// The file's code without its `#[cfg(test)]` module (tests may touch the disk).
fn code_of(text: &str) -> &str {
    text.find("#[cfg(test)]\nmod tests").map_or(text, |at| &text[..at])
}

fn mentions(root: &Path, dir: &Path, found: &mut Vec<(String, &'static str, usize)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            mentions(root, &path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let code: String = code_of(&text)
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let file = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            for watched in WATCHED {
                let count = code.matches(watched).count();
                if count > 0 && file != "ui_thread_rules.rs" {
                    found.push((file.clone(), watched, count));
                }
            }
        }
    }
}

#[test]
fn sqlite_file_and_network_calls_in_the_window_are_only_the_listed_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut found = Vec::new();
    mentions(&root, &root, &mut found);
    let mut unlisted = Vec::new();
    for (file, watched, count) in &found {
        let listed = ALLOWED.iter().find(|(f, w, _, _)| f == file && w == watched).map_or(0, |(_, _, n, _)| *n);
        if listed != *count {
            unlisted.push(format!("src/ui/{file}: {count} × {watched} (listed: {listed})"));
        }
    }
    for (file, watched, _, _) in ALLOWED {
        if !found.iter().any(|(f, w, _)| f == file && w == watched) {
            unlisted.push(format!("src/ui/{file}: {watched} is listed but gone; remove it from ALLOWED"));
        }
    }
    assert!(
        unlisted.is_empty(),
        "Move these into a background job (Remote / Inbox, ARCHITECTURE.md) or list them:\n{}",
        unlisted.join("\n")
    );
}

#[test]
fn every_ui_thread_exception_is_in_architecture_md_with_its_cost() {
    let architecture = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    for (file, watched, _, runs) in ALLOWED {
        if let Runs::Background(why) = runs {
            assert!(!why.is_empty());
            continue;
        }
        let line = architecture
            .lines()
            .find(|l| l.contains(&format!("src/ui/{file}")) && l.contains(watched))
            .unwrap_or_else(|| panic!("ARCHITECTURE.md does not list src/ui/{file} ({watched})"));
        assert!(line.contains(" ms") || line.contains(" µs"), "no measured cost on: {line}");
    }
}
