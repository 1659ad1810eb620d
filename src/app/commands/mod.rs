//! What the user can ask for: the one table of actions (labels, keys, menus) and the shortcuts window that lists it.

pub mod actions;
pub mod shortcuts;
