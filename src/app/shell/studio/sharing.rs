//! The studio's side of a shared board: the Share and Join dialogs, taking in colleagues'
//! edits each frame, handing this person's edits and presence to the session, shared undo.

use egui::{Context, RichText, Ui};

use super::Studio;
use crate::app::shell::sharing::{self, Presence};
use crate::app::theme;
use crate::collab::Status;

impl Studio {
    /// Takes in what arrived from the room: a colleague's edit replaces the model.
    pub(super) fn sync_shared(&mut self, ctx: &Context) {
        let Some(s) = &mut self.sharing else { return };
        s.session.poll();
        if s.session.has_waiting() {
            // Changes made a moment ago go out with the next send.
            ctx.request_repaint_after(crate::collab::session::SEND_EVERY);
        }
        if let Some(at) = s.session.retry_at() {
            // Offline by itself: the next attempt to reconnect is made from a frame then.
            ctx.request_repaint_after(at.saturating_duration_since(std::time::Instant::now()));
        }
        if let Status::Refused(why) = s.session.status().clone() {
            self.sharing = None;
            self.doc.tap = None;
            self.notify(format!("Could not join the room: {why}"), true);
            return;
        }
        let refusals = std::mem::take(&mut s.session.refusals);
        let arrived = s.session.take_model();
        // The room's board (not an empty room's half-made one, which does not parse yet).
        let first = matches!(arrived, Some(Ok(_))) && std::mem::take(&mut s.awaiting_board);
        let waiting = s.awaiting_board;
        match arrived {
            Some(Ok(model)) if first => {
                // The room's board replaces the open one (which was saved: see Join).
                self.files.disk_mtime = None;
                self.doc = crate::app::document::open::Document::new(model, None);
                self.doc.tap = Some(Vec::new());
                self.forget_document_views();
                self.windows.start.open = false;
            }
            Some(Ok(model)) if model != self.doc.model => {
                self.doc.replace_shared(model);
                self.forget_deleted();
            }
            Some(Ok(_)) => {}
            // Joined a room whose board has not arrived whole yet: wait for it.
            Some(Err(_)) if waiting => {}
            Some(Err(e)) => self.notify(format!("A shared change was not taken in: {e}"), true),
            None => {}
        }
        for r in refusals {
            self.notify(format!("The relay refused a change: {r}"), true);
        }
    }

    /// Hands this frame's edits and this person's pointer and selection to the room.
    pub(super) fn share_out(&mut self, ctx: &Context) {
        let Some(s) = &mut self.sharing else { return };
        let tapped = self
            .doc
            .tap
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default();
        if let Err(e) = s.take_in(&self.doc.model, tapped) {
            self.notify(format!("Could not share a change: {e}"), true);
        }
        let run = self
            .sim
            .run
            .as_ref()
            .filter(|r| r.revision == self.doc.revision)
            .map(|r| {
                (
                    r.scenario.clone(),
                    self.sim.seed.clone(),
                    self.sim.time.cursor(),
                )
            });
        let view = self.board.view_center().map(|c| {
            (
                c.x.round(),
                c.y.round(),
                (self.board.zoom * 100.0).round() / 100.0,
            )
        });
        // Editing: renaming in place, or a text box focused while one sticky is selected.
        let typing = ctx.memory(|m| m.focused()).is_some();
        let editing = self.board.renaming().or_else(|| {
            (typing && self.selection.len() == 1)
                .then(|| self.selection.iter().next().copied())
                .flatten()
        });
        let s = self.sharing.as_mut().expect("checked above");
        s.tell(Presence {
            pointer: self.board.pointer.map(|p| (p.x.round(), p.y.round())),
            selection: self.selection.iter().copied().collect(),
            view,
            run,
            editing,
        });
    }

    /// Following someone: their view, and their simulation (the same scenario and seed run
    /// here, the cursor where theirs is). Returns an action to take (a run to start).
    pub(super) fn follow(&mut self) -> Option<crate::app::commands::actions::Action> {
        let leader = self.sharing.as_ref()?.leader()?;
        if let Some((x, y, zoom)) = leader.view {
            let here = self.board.view_center();
            let moved = here.is_none_or(|c| (c.x - x).abs() > 1.0 || (c.y - y).abs() > 1.0);
            if moved || (self.board.zoom - zoom).abs() > 0.01 {
                self.board.look_at(egui::pos2(x, y), zoom);
            }
        }
        let (scenario, seed, cursor) = leader.run?;
        let current = self
            .sim
            .run
            .as_ref()
            .is_some_and(|r| r.scenario == scenario && r.revision == self.doc.revision)
            && self.sim.seed == seed;
        if current {
            if self.sim.time.cursor() != cursor {
                self.sim
                    .time
                    .apply(crate::app::simulation::time_control::TimeCommand::Seek(
                        cursor,
                    ));
            }
            None
        } else if self.sim.running() {
            None
        } else {
            self.sim.scenario = scenario;
            self.sim.seed = seed;
            Some(crate::app::commands::actions::Action::RunScenario)
        }
    }

    /// Undo or redo while shared: this person's own steps only.
    pub(super) fn shared_undo(&mut self, redo: bool) {
        let Some(s) = &mut self.sharing else { return };
        s.end_step();
        let done = if redo {
            s.session.redo()
        } else {
            s.session.undo()
        };
        match done {
            Ok(true) => {
                if let Some(Ok(model)) = s.session.take_model() {
                    self.doc.replace_shared(model);
                    self.forget_deleted();
                }
                self.notify(
                    if redo {
                        "Redid your change"
                    } else {
                        "Undid your last change"
                    },
                    false,
                );
            }
            Ok(false) => self.notify(
                if redo {
                    "Nothing to redo"
                } else {
                    "Nothing of yours to undo"
                },
                false,
            ),
            Err(e) => self.notify(format!("Could not undo: {e}"), true),
        }
    }

    /// File → Share Board…
    pub(super) fn open_share_dialog(&mut self) {
        if self.share_dialog.room.is_empty() {
            self.share_dialog.room = sharing::room_name(&self.doc.model.name);
        }
        self.share_dialog.error = None;
        self.share_dialog.open = true;
    }

    /// File → Join Shared Board…
    pub(super) fn open_join_dialog(&mut self) {
        self.join_dialog.error = None;
        self.join_dialog.open = true;
    }

    /// File → Leave Shared Board: the board stays open as a local copy.
    pub(super) fn leave_shared(&mut self) {
        if let Some(mut s) = self.sharing.take() {
            s.session.disconnect();
            self.doc.tap = None;
            // The steps recorded while shared interleave with colleagues' edits: not undoable
            // one by one any more.
            self.doc.forget_history();
            self.notify(
                "Left the shared board: it stays open here as a local copy (save it to keep it)",
                false,
            );
        }
    }

    /// The Share and Join windows.
    pub(super) fn sharing_windows(&mut self, ctx: &Context) {
        if self.share_dialog.open {
            let mut open = true;
            let mut share = false;
            dialog("Share Board")
                .open(&mut open)
                .show(ctx, |ui| match &self.sharing {
                    Some(s) => shared_ui(ui, s, self.share_dialog.lan),
                    None => share = share_form_ui(ui, &mut self.share_dialog),
                });
            self.share_dialog.open = open;
            if share {
                let wake = wake(ctx);
                match sharing::share(&self.share_dialog, &self.doc.model, wake) {
                    Ok(s) => {
                        // From here undo is the shared document's, this person's steps only.
                        self.doc.forget_history();
                        self.doc.tap = Some(Vec::new());
                        self.sharing = Some(s);
                    }
                    Err(e) => self.share_dialog.error = Some(e),
                }
            }
        }
        if self.join_dialog.open {
            let mut open = true;
            let mut join = false;
            dialog("Join Shared Board")
                .open(&mut open)
                .show(ctx, |ui| join = join_form_ui(ui, &mut self.join_dialog));
            self.join_dialog.open = open;
            if join {
                if self.doc.is_dirty() {
                    self.join_dialog.error = Some(
                        "The open board has unsaved changes: save it (or revert) before joining another."
                            .into(),
                    );
                } else {
                    match sharing::join(&self.join_dialog, wake(ctx)) {
                        Ok(s) => {
                            self.sharing = Some(s);
                            self.doc.tap = Some(Vec::new());
                            self.join_dialog.open = false;
                        }
                        Err(e) => self.join_dialog.error = Some(e),
                    }
                }
            }
        }
    }

    /// The shared board in the status bar: room, connection, and the people in it, each
    /// with a switch to follow them.
    pub(super) fn sharing_status_ui(&mut self, ui: &mut Ui) {
        let Some(s) = &mut self.sharing else { return };
        ui.separator();
        let color = match s.session.status() {
            Status::Connected => theme::tokens(ui).ok,
            Status::Connecting => theme::tokens(ui).info,
            _ => theme::tokens(ui).warning,
        };
        ui.label(RichText::new(s.status_text()).color(color));
        let names: Vec<String> = s.session.peers().map(str::to_owned).collect();
        for name in names {
            sharing::swatch(ui, theme::peer_color(&name));
            let on = s.following.as_deref() == Some(name.as_str());
            let text = if on {
                format!("Following {name}")
            } else {
                format!("Follow {name}")
            };
            if ui
                .selectable_label(on, text)
                .on_hover_text("Show what they show: their view of the board and their simulation")
                .clicked()
            {
                s.following = if on { None } else { Some(name) };
            }
        }
    }
}

/// A sharing dialog's window.
fn dialog(title: &str) -> egui::Window<'_> {
    egui::Window::new(title)
        .collapsible(false)
        .resizable(false)
        .default_pos([360.0, 120.0])
}

fn wake(ctx: &Context) -> impl Fn() + Send + Sync + 'static {
    let ctx = ctx.clone();
    move || ctx.request_repaint()
}

/// The form before sharing; true when Share was pressed.
fn share_form_ui(ui: &mut Ui, d: &mut sharing::ShareDialog) -> bool {
    ui.label("Everybody with the join link edits this board with you, live.");
    egui::Grid::new("share-form").num_columns(2).show(ui, |ui| {
        labelled(ui, "Your name", &mut d.name, 200.0);
        ui.end_row();
        labelled(ui, "Room", &mut d.room, 200.0);
        ui.end_row();
    });
    ui.radio_value(&mut d.host_here, true, "Host the room in this studio");
    if d.host_here {
        ui.indent("host", |ui| {
            ui.horizontal(|ui| {
                ui.label("Port");
                ui.add(egui::DragValue::new(&mut d.port).range(1024..=65535));
            });
            ui.checkbox(&mut d.lan, "Reachable from the network (a LAN workshop)")
                .on_hover_text("Off: only this machine can join");
        });
    }
    ui.radio_value(
        &mut d.host_here,
        false,
        "Publish to a relay (stormlab serve)",
    );
    if !d.host_here {
        ui.indent("relay", |ui| {
            ui.horizontal(|ui| labelled(ui, "Relay address", &mut d.relay, 220.0));
        });
    }
    if let Some(e) = &d.error {
        ui.colored_label(theme::tokens(ui).error, e);
    }
    ui.button("Share").clicked()
}

/// The join link and who is there, once shared.
fn shared_ui(ui: &mut Ui, s: &sharing::Sharing, lan: bool) {
    ui.label(s.status_text());
    let host = lan.then_some("YOUR-ADDRESS");
    let mut link = sharing::join_link(s, host);
    ui.label("Join link (anyone with it can edit the board):");
    ui.add(egui::TextEdit::singleline(&mut link).desired_width(420.0));
    if ui.button("Copy link").clicked() {
        ui.ctx().copy_text(link);
    }
    if lan {
        ui.weak("Replace YOUR-ADDRESS with this machine's address on the network.");
    }
}

/// The form to join; true when Join was pressed.
fn join_form_ui(ui: &mut Ui, d: &mut sharing::JoinDialog) -> bool {
    ui.label("Paste the join link you were given (stormlab://host:port/room#token).");
    egui::Grid::new("join-form").num_columns(2).show(ui, |ui| {
        labelled(ui, "Join link", &mut d.link, 360.0);
        ui.end_row();
        labelled(ui, "Your name", &mut d.name, 200.0);
        ui.end_row();
    });
    if let Some(e) = &d.error {
        ui.colored_label(theme::tokens(ui).error, e);
    }
    ui.button("Join").clicked()
}

/// A text box with its label before it (the label names it for screen readers and tests).
fn labelled(ui: &mut Ui, label: &str, text: &mut String, width: f32) {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).desired_width(width))
        .labelled_by(l.id);
}
