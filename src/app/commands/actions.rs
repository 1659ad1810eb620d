//! Studio actions: what menu items, shortcuts and panel buttons do. Each action is declared
//! once, in [`Action::command`]: its label, help text, keys, where its keys are heard and its
//! menu. Menus, the shortcuts window, key handling and the panels' buttons all read that
//! table and send an [`Action`], which the studio handles once per frame.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Something the user asked the studio to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// File → New.
    New,
    /// File → Start Page… (blank, starter, examples, recent files).
    StartPage,
    /// File → Open….
    Open,
    /// File → Import Context Mapper (CML)….
    ImportCml,
    /// File → Import Event Modeling (JSON)….
    ImportEventModeling,
    /// File → Save.
    Save,
    /// File → Save As….
    SaveAs,
    /// File → Revert.
    Revert,
    /// File → Export board image….
    ExportImage,
    /// File → Share Board… (host a room for it, or publish it to a relay).
    ShareBoard,
    /// File → Join Shared Board… (from a join link).
    JoinBoard,
    /// File → Leave Shared Board (a local copy stays open).
    LeaveBoard,
    /// File → Quit.
    Quit,
    /// Edit → Undo.
    Undo,
    /// Edit → Redo.
    Redo,
    /// Edit → Cut.
    Cut,
    /// Edit → Copy.
    Copy,
    /// Edit → Duplicate.
    Duplicate,
    /// Edit → Delete.
    Delete,
    /// Edit → Select All.
    SelectAll,
    /// Edit → Rename.
    Rename,
    /// Edit → Link From Selection.
    Link,
    /// Edit → Find….
    Find,
    /// Edit → Align left edges.
    AlignLeft,
    /// Edit → Align tops.
    AlignTop,
    /// View → Zoom In.
    ZoomIn,
    /// View → Zoom Out.
    ZoomOut,
    /// View → Actual Size.
    ZoomReset,
    /// View → Fit Board.
    Fit,
    /// View → Dark theme toggle.
    ToggleTheme,
    /// View → Presentation Mode (the board and the simulation cursor only, large type).
    Present,
    /// Model → New Bounded Context.
    NewContext,
    /// Model → Check Now.
    Check,
    /// Model → Auto-Layout Context (the selection's).
    AutoLayoutContext,
    /// Model → Auto-Layout Board.
    AutoLayoutBoard,
    /// Model → Export Contracts… (protos or AsyncAPI).
    ExportProtos,
    /// Simulate → Run Scenario (Continue when the chosen scenario's run is paused).
    RunScenario,
    /// Simulate → Pause.
    PauseRun,
    /// Simulate → Step Event.
    StepEvent,
    /// Simulate → Step Command.
    StepCommand,
    /// Simulate → Reset (the scenario set up afresh, paused at its start).
    ResetRun,
    /// Simulate → Check All Scenarios.
    CheckScenarios,
    /// Simulate → New Scenario.
    NewScenario,
    /// Simulate → Edit Scenario….
    EditScenario,
    /// Simulate → Fault Plan….
    FaultPlan,
    /// Simulate → Sandbox….
    Sandbox,
    /// Simulate → Explore….
    Explore,
    /// Model → System Invariants….
    SystemInvariants,
    /// Model → Compare with → Last Saved Version.
    CompareSaved,
    /// Model → Compare with → Model File….
    CompareFile,
    /// Escape: cancel the gesture or clear the selection.
    Escape,
}

/// A shortcut with the Command (Ctrl/⌘) modifier.
const fn cmd(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND, key)
}

/// A shortcut with Command and Shift.
const fn cmd_shift(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), key)
}

/// A key alone.
const fn bare(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::NONE, key)
}

/// A constant list of shortcuts (a `const` item, so that it lives for the whole program).
macro_rules! k {
    ($($key:expr),*) => {{
        const KEYS: &[KeyboardShortcut] = &[$($key),*];
        KEYS
    }};
}

/// Where an action's keys are heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Also while a text box has the keyboard focus (F-keys, Ctrl+S…).
    Anywhere,
    /// Only when no text box has the focus (the keys are also text or text editing).
    Board,
    /// Shown in the menu only: the keys arrive some other way (the platform's cut and copy
    /// events), or the action has none.
    Menu,
}

/// The menu an action is listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Menu {
    /// File.
    File,
    /// Edit.
    Edit,
    /// View.
    View,
    /// Model.
    Model,
    /// Simulate.
    Simulate,
    /// Not in a menu (Escape).
    None,
}

impl Menu {
    /// The menus in the menu bar's order, with their titles.
    pub const ALL: [(Menu, &'static str); 5] = [
        (Menu::File, "File"),
        (Menu::Edit, "Edit"),
        (Menu::View, "View"),
        (Menu::Model, "Model"),
        (Menu::Simulate, "Simulate"),
    ];
}

/// Everything the studio shows and hears of one action, declared once.
#[derive(Clone, Copy, Debug)]
pub struct Command {
    /// Menu label.
    pub label: &'static str,
    /// What it does, for tooltips and the shortcuts window.
    pub help: &'static str,
    /// Its keys: the first is shown in menus, the others are alternatives.
    pub keys: &'static [KeyboardShortcut],
    /// Where the keys are heard.
    pub scope: Scope,
    /// Its menu.
    pub menu: Menu,
}

const fn c(
    label: &'static str,
    help: &'static str,
    keys: &'static [KeyboardShortcut],
    scope: Scope,
    menu: Menu,
) -> Command {
    Command {
        label,
        help,
        keys,
        scope,
        menu,
    }
}

impl Action {
    /// Every action, in menu order.
    pub const ALL: [Action; 50] = [
        Action::New,
        Action::StartPage,
        Action::Open,
        Action::ImportCml,
        Action::ImportEventModeling,
        Action::Save,
        Action::SaveAs,
        Action::Revert,
        Action::ExportImage,
        Action::ShareBoard,
        Action::JoinBoard,
        Action::LeaveBoard,
        Action::Quit,
        Action::Undo,
        Action::Redo,
        Action::Cut,
        Action::Copy,
        Action::Duplicate,
        Action::Delete,
        Action::SelectAll,
        Action::Rename,
        Action::Link,
        Action::AlignLeft,
        Action::AlignTop,
        Action::Find,
        Action::ZoomIn,
        Action::ZoomOut,
        Action::ZoomReset,
        Action::Fit,
        Action::ToggleTheme,
        Action::Present,
        Action::NewContext,
        Action::Check,
        Action::AutoLayoutContext,
        Action::AutoLayoutBoard,
        Action::ExportProtos,
        Action::CompareSaved,
        Action::CompareFile,
        Action::RunScenario,
        Action::PauseRun,
        Action::StepEvent,
        Action::StepCommand,
        Action::ResetRun,
        Action::CheckScenarios,
        Action::NewScenario,
        Action::EditScenario,
        Action::FaultPlan,
        Action::Sandbox,
        Action::Explore,
        Action::SystemInvariants,
    ];

    /// The one declaration of this action.
    pub const fn command(self) -> Command {
        use Menu as M;
        use Scope::{Anywhere as A, Board as B, Menu as O};
        match self {
            Action::New => c("New", "a new, empty board", k![cmd(Key::N)], A, M::File),
            Action::StartPage => c(
                "Start Page…",
                "a blank board, the starter board, the examples, recent files",
                k![],
                O,
                M::File,
            ),
            Action::Open => c("Open…", "open a model file", k![cmd(Key::O)], A, M::File),
            Action::ImportCml => c(
                "Import Context Mapper (CML)…",
                "a Context Mapper model as a new board, with notes on what it could not hold",
                k![],
                A,
                M::File,
            ),
            Action::ImportEventModeling => c(
                "Import Event Modeling (JSON)…",
                "an Event Modeling export as a new board, its specifications as scenarios",
                k![],
                A,
                M::File,
            ),
            Action::Save => c("Save", "save the model", k![cmd(Key::S)], A, M::File),
            Action::SaveAs => c(
                "Save As…",
                "save under another name",
                k![cmd_shift(Key::S)],
                A,
                M::File,
            ),
            Action::ShareBoard => c(
                "Share Board…",
                "let others edit this board with you, live (a join link to pass on)",
                k![],
                A,
                M::File,
            ),
            Action::JoinBoard => c(
                "Join Shared Board…",
                "open a board someone shares, from their join link",
                k![],
                A,
                M::File,
            ),
            Action::LeaveBoard => c(
                "Leave Shared Board",
                "stop editing together; the board stays open here as a local copy",
                k![],
                A,
                M::File,
            ),
            Action::Revert => c(
                "Revert to Saved",
                "go back to the saved file (undoable)",
                k![],
                O,
                M::File,
            ),
            Action::ExportImage => c(
                "Export Board Image…",
                "the board as SVG or PNG",
                k![],
                O,
                M::File,
            ),
            Action::Quit => c("Quit", "close the studio", k![cmd(Key::Q)], A, M::File),
            Action::Undo => c("Undo", "undo the last step", k![cmd(Key::Z)], B, M::Edit),
            Action::Redo => c(
                "Redo",
                "redo the step undone",
                k![cmd_shift(Key::Z), cmd(Key::Y)],
                B,
                M::Edit,
            ),
            Action::Cut => c(
                "Cut",
                "copy the selection as RON and delete it",
                k![cmd(Key::X)],
                O,
                M::Edit,
            ),
            Action::Copy => c(
                "Copy",
                "copy the selection as RON",
                k![cmd(Key::C)],
                O,
                M::Edit,
            ),
            Action::Duplicate => c(
                "Duplicate",
                "copies of the selection, with new ids",
                k![cmd(Key::D)],
                B,
                M::Edit,
            ),
            Action::Delete => c(
                "Delete",
                "delete the selection",
                k![bare(Key::Delete), bare(Key::Backspace)],
                B,
                M::Edit,
            ),
            Action::SelectAll => c(
                "Select All",
                "select every sticky",
                k![cmd(Key::A)],
                B,
                M::Edit,
            ),
            Action::Rename => c(
                "Rename",
                "rename the selected sticky in place",
                k![bare(Key::F2)],
                B,
                M::Edit,
            ),
            Action::Link => c(
                "Link From Selection",
                "link the selected sticky to the next one clicked",
                k![bare(Key::L)],
                B,
                M::Edit,
            ),
            Action::AlignLeft => c(
                "Align Left Edges",
                "line the selection up on its leftmost edge",
                k![],
                O,
                M::Edit,
            ),
            Action::AlignTop => c(
                "Align Tops",
                "line the selection up on its top edge",
                k![],
                O,
                M::Edit,
            ),
            Action::Find => c(
                "Find…",
                "find an element by name and jump to it",
                k![cmd(Key::F)],
                A,
                M::Edit,
            ),
            Action::ZoomIn => c(
                "Zoom In",
                "zoom the board in",
                k![cmd(Key::Equals), bare(Key::Plus), bare(Key::Equals)],
                B,
                M::View,
            ),
            Action::ZoomOut => c(
                "Zoom Out",
                "zoom the board out",
                k![cmd(Key::Minus), bare(Key::Minus)],
                B,
                M::View,
            ),
            Action::ZoomReset => c(
                "Actual Size",
                "zoom to 100%",
                k![cmd(Key::Num0), bare(Key::Num0)],
                B,
                M::View,
            ),
            Action::Fit => c(
                "Fit Board",
                "fit the whole board into view",
                k![bare(Key::F)],
                B,
                M::View,
            ),
            Action::ToggleTheme => c(
                "Dark Theme",
                "switch between the dark and the light theme",
                k![],
                O,
                M::View,
            ),
            Action::Present => c(
                "Presentation Mode",
                "the board and the simulation cursor only, large type",
                k![bare(Key::F11)],
                A,
                M::View,
            ),
            Action::NewContext => c(
                "New Bounded Context",
                "a new context frame",
                k![],
                O,
                M::Model,
            ),
            Action::SystemInvariants => c(
                "System Invariants…",
                "what the whole system must keep: parked messages, rejections, read models",
                k![],
                O,
                M::Model,
            ),
            Action::Check => c(
                "Check Now",
                "check the model at once",
                k![bare(Key::F7)],
                A,
                M::Model,
            ),
            Action::AutoLayoutContext => c(
                "Auto-Layout Context",
                "lay out the selection's context, flow left to right",
                k![],
                O,
                M::Model,
            ),
            Action::AutoLayoutBoard => c(
                "Auto-Layout Board",
                "lay out every context, flow left to right",
                k![cmd_shift(Key::L)],
                B,
                M::Model,
            ),
            Action::ExportProtos => c(
                "Export Contracts…",
                "preview and write the .proto files or AsyncAPI documents",
                k![cmd_shift(Key::E)],
                B,
                M::Model,
            ),
            Action::CompareSaved => c(
                "Last Saved Version",
                "what changed in the contracts since the last save",
                k![],
                O,
                M::Model,
            ),
            Action::CompareFile => c(
                "Model File…",
                "what changed in the contracts against another model file",
                k![],
                O,
                M::Model,
            ),
            Action::RunScenario => c(
                "Run Scenario",
                "run the scenario to its end on a worker thread, or continue a paused run",
                k![bare(Key::F5)],
                A,
                M::Simulate,
            ),
            Action::PauseRun => c(
                "Pause",
                "stop the run where it is, to look and step",
                k![bare(Key::F6)],
                A,
                M::Simulate,
            ),
            Action::StepEvent => c(
                "Step Event",
                "run on until one more event is in the log",
                k![bare(Key::F10)],
                A,
                M::Simulate,
            ),
            Action::StepCommand => c(
                "Step Command",
                "run on until the next command is handled",
                k![KeyboardShortcut::new(Modifiers::SHIFT, Key::F10)],
                A,
                M::Simulate,
            ),
            Action::ResetRun => c(
                "Reset (paused at the start)",
                "set the scenario up afresh, paused at its start",
                k![cmd(Key::F5)],
                A,
                M::Simulate,
            ),
            Action::CheckScenarios => c(
                "Check All Scenarios",
                "run every scenario and check its expectations",
                k![KeyboardShortcut::new(Modifiers::SHIFT, Key::F5)],
                A,
                M::Simulate,
            ),
            Action::NewScenario => c(
                "New Scenario",
                "an empty scenario, open in the editor",
                k![],
                O,
                M::Simulate,
            ),
            Action::EditScenario => c(
                "Edit Scenario…",
                "given events, timed commands, load, expectations",
                k![],
                O,
                M::Simulate,
            ),
            Action::FaultPlan => c(
                "Fault Plan…",
                "the scenario's faults per subscriber: failures, outages, latency, duplicates",
                k![],
                O,
                M::Simulate,
            ),
            Action::Sandbox => c(
                "Sandbox…",
                "issue commands by hand after a run, and record them",
                k![],
                O,
                M::Simulate,
            ),
            Action::Explore => c(
                "Explore…",
                "run the scenario under many seeded fault plans against the invariants",
                k![],
                O,
                M::Simulate,
            ),
            Action::Escape => c(
                "Escape",
                "cancel the gesture, or clear the selection",
                k![bare(Key::Escape)],
                B,
                M::None,
            ),
        }
    }

    /// The menu label.
    pub fn label(self) -> &'static str {
        self.command().label
    }

    /// The shortcut shown in menus (the first of its keys).
    pub fn shortcut(self) -> Option<KeyboardShortcut> {
        self.command().keys.first().copied()
    }

    /// The help text, with the shortcut when there is one: `run the scenario … (F5)`.
    pub fn tooltip(self, ctx: &egui::Context) -> String {
        let help = self.command().help;
        match self.shortcut() {
            Some(s) => format!("{help} ({})", ctx.format_shortcut(&s)),
            None => help.to_owned(),
        }
    }
}

/// Reads this frame's shortcuts. `typing` is true while a text box has keyboard focus.
pub fn from_keys(ctx: &egui::Context, typing: bool) -> Vec<Action> {
    let mut keys: Vec<(Action, KeyboardShortcut)> = Action::ALL
        .iter()
        .chain([&Action::Escape])
        .filter(|a| match a.command().scope {
            Scope::Anywhere => true,
            Scope::Board => !typing,
            Scope::Menu => false,
        })
        .flat_map(|&a| a.command().keys.iter().map(move |&k| (a, k)))
        .collect();
    // Most modifiers first, so Ctrl+Shift+S is not taken for Ctrl+S, nor Shift+F10 for F10.
    let weight = |m: Modifiers| u8::from(m.command) + u8::from(m.shift) + u8::from(m.alt);
    keys.sort_by_key(|(_, k)| std::cmp::Reverse(weight(k.modifiers)));
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        for (action, key) in keys {
            if i.consume_shortcut(&key) {
                out.push(action);
            }
        }
    });
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_belongs_to_one_action_and_every_action_is_listed() {
        let mut seen = std::collections::BTreeMap::new();
        for a in Action::ALL.iter().chain([&Action::Escape]) {
            for k in a.command().keys {
                let key = format!("{:?}+{:?}", k.modifiers, k.logical_key);
                assert!(
                    seen.insert(key.clone(), *a).is_none(),
                    "{key} is declared twice"
                );
            }
        }
        let listed: std::collections::BTreeSet<String> =
            Action::ALL.iter().map(|a| format!("{a:?}")).collect();
        assert_eq!(listed.len(), Action::ALL.len());
        assert!(Action::ALL.iter().all(|a| a.command().menu != Menu::None));
    }
}
