//! Writing scenarios: the scenario editor, the fault plan, the sandbox, and their windows.

pub mod fault_plan;
pub mod sandbox;
pub mod scenario_editor;
pub mod windows;
