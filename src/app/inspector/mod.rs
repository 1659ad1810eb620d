//! The inspector: editors of the selected element, its behaviour, relations and saga, and text boxes checked as you type.

pub mod arrow;
pub mod behaviour;
pub mod buffered_edit;
pub mod expr_edit;
pub mod invariants;
pub mod panel;
pub mod relation;
pub mod saga;
pub mod schedule;
