//! `propdesk-cli`: exactly `propdesk`, built as a console program. On Windows the
//! `propdesk` binary is a GUI program (no console window when double-clicked), which
//! terminals do not wait for; scripts and terminals use this one and get progress on
//! the console and the documented exit codes. Elsewhere both behave the same.

// The GUI-subsystem attribute in main.rs is crate-level: inside this module it is
// ignored (on Windows only), which is what makes this binary a console program.
#[allow(unused_attributes)]
#[path = "../main.rs"]
mod propdesk_main;

fn main() -> std::process::ExitCode {
    propdesk_main::main()
}
