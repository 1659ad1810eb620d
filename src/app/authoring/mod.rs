//! Writing scenarios: the scenario editor, the fault plan, the sandbox, exploration (whose
//! failures become scenarios), and their windows.

pub mod explore;
pub mod fault_plan;
pub mod sandbox;
pub mod scenario_editor;
pub mod windows;

use explore::ExploreView;
use fault_plan::FaultPlanView;
use sandbox::Sandbox;
use scenario_editor::ScenarioEditor;

/// The Simulation tab's authoring windows: what a trainer writes scenarios with.
#[derive(Default)]
pub struct Authoring {
    /// The scenario editor.
    pub editor: ScenarioEditor,
    /// The fault-plan editor.
    pub faults: FaultPlanView,
    /// Commands issued by hand after the run, and their recording.
    pub sandbox: Sandbox,
    /// The scenario explored under many seeded fault plans.
    pub explore: ExploreView,
}
