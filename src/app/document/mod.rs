//! The open document: the model and its file, the edits the views send and the rule grouping them into undo steps, undo history, recovery.

pub mod edit;
pub mod gesture;
pub mod history;
pub mod open;
pub mod queue;
pub mod recovery;
pub mod watch;
