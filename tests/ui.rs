//! The window, driven like a user would with egui_kittest: no GPU, no display.
//! Background work (sandbox, API calls, keyring) runs on a real tokio runtime, so each
//! test steps the UI until what the user waits for appears.

#[path = "api/manifest_server.rs"]
mod manifest_server;
#[path = "api/support.rs"]
#[allow(dead_code)]
mod support;

mod ui {
    mod board;
    mod checkup;
    mod environments;
    pub mod harness;
    mod help;
    mod risk;
    mod setup;
    mod sign_in;
    mod small_screen;
    mod team;
    mod team_history;
    mod traders;
    mod updates;
    mod wizard;
}
