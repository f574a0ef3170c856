//! One file (or folder) per screen. Each draws from state and pushes `Command`s; the
//! Traders, Pipeline and Subaccounts screens keep their own state and apply their own
//! commands through [`ScreenContextMut`].

pub mod activity;
pub mod pipeline;
pub mod setup;
pub mod subaccounts;
pub mod team_history;
pub mod traders;

use super::bridge::Bridge;
use super::connection::Connection;
use super::toasts::Toasts;
use crate::store::{Paths, Settings};

/// What a screen may read while drawing.
pub struct ScreenContext<'a> {
    /// The signed-in environment with its workspace (journal, registry, watch), if any.
    pub connection: Option<&'a Connection>,
    pub settings: &'a Settings,
}

/// What a screen may change when applying its commands or polling background work.
pub struct ScreenContextMut<'a> {
    pub bridge: &'a Bridge,
    pub connection: Option<&'a mut Connection>,
    pub settings: &'a mut Settings,
    /// Set when the settings changed and must be saved.
    pub settings_dirty: &'a mut bool,
    pub toasts: &'a mut Toasts,
    pub paths: &'a Paths,
}
