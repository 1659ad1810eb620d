//! Studio actions: what menu items and shortcuts do. Menus and keys both send an [`Action`],
//! which the app handles once per frame.

use egui::{Key, KeyboardShortcut, Modifiers};

/// Something the user asked the studio to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// File → New.
    New,
    /// File → Open….
    Open,
    /// File → Save.
    Save,
    /// File → Save As….
    SaveAs,
    /// File → Revert.
    Revert,
    /// File → Export board image….
    ExportImage,
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
    /// Model → Export Protos….
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
    /// Simulate → Sandbox….
    Sandbox,
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

/// The keyboard shortcut of an action, shown in menus.
pub fn shortcut(action: Action) -> Option<KeyboardShortcut> {
    Some(match action {
        Action::New => cmd(Key::N),
        Action::Open => cmd(Key::O),
        Action::Save => cmd(Key::S),
        Action::SaveAs => KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::S),
        Action::Quit => cmd(Key::Q),
        Action::Undo => cmd(Key::Z),
        Action::Redo => KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z),
        Action::Duplicate => cmd(Key::D),
        // Shown in the menu; the keys arrive as the platform's cut and copy events.
        Action::Cut => cmd(Key::X),
        Action::Copy => cmd(Key::C),
        Action::SelectAll => cmd(Key::A),
        Action::Find => cmd(Key::F),
        Action::Delete => KeyboardShortcut::new(Modifiers::NONE, Key::Delete),
        Action::Rename => KeyboardShortcut::new(Modifiers::NONE, Key::F2),
        Action::Link => KeyboardShortcut::new(Modifiers::NONE, Key::L),
        Action::ZoomIn => cmd(Key::Equals),
        Action::ZoomOut => cmd(Key::Minus),
        Action::ZoomReset => cmd(Key::Num0),
        Action::Fit => KeyboardShortcut::new(Modifiers::NONE, Key::F),
        Action::Check => KeyboardShortcut::new(Modifiers::NONE, Key::F7),
        Action::Present => KeyboardShortcut::new(Modifiers::NONE, Key::F11),
        Action::RunScenario => KeyboardShortcut::new(Modifiers::NONE, Key::F5),
        Action::PauseRun => KeyboardShortcut::new(Modifiers::NONE, Key::F6),
        Action::StepEvent => KeyboardShortcut::new(Modifiers::NONE, Key::F10),
        Action::StepCommand => KeyboardShortcut::new(Modifiers::SHIFT, Key::F10),
        Action::ResetRun => cmd(Key::F5),
        Action::CheckScenarios => KeyboardShortcut::new(Modifiers::SHIFT, Key::F5),
        Action::ExportProtos => {
            KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::E)
        }
        Action::AutoLayoutBoard => {
            KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::L)
        }
        Action::Escape => KeyboardShortcut::new(Modifiers::NONE, Key::Escape),
        _ => return None,
    })
}

/// Actions whose shortcuts fire even while a text box has focus.
const GLOBAL: [Action; 15] = [
    Action::Present,
    Action::CheckScenarios,
    Action::RunScenario,
    Action::PauseRun,
    Action::StepEvent,
    Action::StepCommand,
    Action::ResetRun,
    Action::New,
    Action::Open,
    Action::Save,
    Action::SaveAs,
    Action::Quit,
    Action::Find,
    Action::Check,
    Action::ZoomReset,
];

/// Actions whose shortcuts only fire when no text box has focus (they are also text keys).
const BOARD: [Action; 12] = [
    Action::Undo,
    Action::Redo,
    Action::Duplicate,
    Action::SelectAll,
    Action::Delete,
    Action::Rename,
    Action::Link,
    Action::ZoomIn,
    Action::ZoomOut,
    Action::Fit,
    Action::Escape,
    Action::ZoomReset,
];

/// Reads this frame's shortcuts. `typing` is true while a text box has keyboard focus.
pub fn from_keys(ctx: &egui::Context, typing: bool) -> Vec<Action> {
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        // Longest modifier sets first, so Ctrl+Shift+S is not taken for Ctrl+S.
        for a in [
            Action::SaveAs,
            Action::Redo,
            Action::ExportProtos,
            Action::AutoLayoutBoard,
            Action::CheckScenarios,
            Action::StepCommand,
            Action::ResetRun,
        ] {
            if (!typing || GLOBAL.contains(&a))
                && let Some(s) = shortcut(a)
                && i.consume_shortcut(&s)
            {
                out.push(a);
            }
        }
        for a in GLOBAL {
            if let Some(s) = shortcut(a)
                && i.consume_shortcut(&s)
            {
                out.push(a);
            }
        }
        if !typing {
            for a in BOARD {
                if let Some(s) = shortcut(a)
                    && i.consume_shortcut(&s)
                {
                    out.push(a);
                }
            }
            if i.consume_shortcut(&cmd(Key::Y)) {
                out.push(Action::Redo);
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::Backspace)) {
                out.push(Action::Delete);
            }
            for (key, action) in [
                (Key::Plus, Action::ZoomIn),
                (Key::Equals, Action::ZoomIn),
                (Key::Minus, Action::ZoomOut),
                (Key::Num0, Action::ZoomReset),
            ] {
                if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, key)) {
                    out.push(action);
                }
            }
        }
    });
    out.dedup();
    out
}
