//! The studio's shell: the window's frame of menus, panels, dock, status bar and prompts, and the file dialogs.

pub mod dialogs;
pub mod sharing;
pub mod start;
pub mod studio;
