//! GUI tests: drive the real studio through AccessKit labels, as a user would.

#![cfg(feature = "studio")]

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use stormlab::app::shell::studio::{Prefs, Studio};
use stormlab::model::{Kind, Model};

fn harness(model: Model) -> (Harness<'static, Studio>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let studio = Studio::new(model, None, Prefs::default(), dir.path().to_owned());
    let h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, s: &mut Studio| s.ui(ui), studio);
    (h, dir)
}

/// Double-clicks the board at `offset` from its top-left corner.
fn double_click_board(h: &mut Harness<'static, Studio>, offset: egui::Vec2) {
    let at = h.get_by_label("board").rect().min + offset;
    for _ in 0..2 {
        h.hover_at(at);
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: true,
            modifiers: Modifiers::NONE,
        });
        h.step();
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    settle(h);
}

/// Runs a few frames (a status message keeps one delayed repaint pending, so `run` would not settle).
fn settle(h: &mut Harness<'static, Studio>) {
    h.run_steps(3);
}

/// The text the last frame put on the clipboard, if any.
fn copied_text(h: &Harness<'static, Studio>) -> Option<String> {
    h.output()
        .platform_output
        .commands
        .iter()
        .find_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
}

/// The kind of the element with id `uid` in the studio's model.
fn kind_of(h: &Harness<'static, Studio>, uid: stormlab::model::Uid) -> Kind {
    h.state()
        .doc
        .model
        .locate(uid)
        .expect("the element exists")
        .kind
}

fn count(model: &Model, kind: Kind) -> usize {
    model
        .elements()
        .iter()
        .filter(|e| e.loc.kind == kind)
        .count()
}

#[test]
fn every_sticky_kind_can_be_created_from_the_palette_and_undone() {
    let (mut h, _dir) = harness(Model::new("t"));
    settle(&mut h);
    for (i, &kind) in Kind::STICKIES.iter().enumerate() {
        h.get_by_label(&format!("new {}", kind.label())).click();
        settle(&mut h);
        let x = 120.0 + (i % 4) as f32 * 170.0;
        let y = 220.0 + (i / 4) as f32 * 130.0;
        double_click_board(&mut h, egui::vec2(x, y));
        assert_eq!(
            count(&h.state().doc.model, kind),
            1,
            "one {} created",
            kind.label()
        );
    }
    assert_eq!(h.state().doc.model.element_count(), 9);
    // The last sticky's name box is open (type-to-name): Enter keeps the placeholder.
    h.key_press(Key::Enter);
    settle(&mut h);
    // Each creation is one undo step; redo brings it back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().doc.model.element_count(), 8);
    h.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
    settle(&mut h);
    assert_eq!(h.state().doc.model.element_count(), 9);
}

fn board_with(kinds: &[Kind]) -> (Harness<'static, Studio>, tempfile::TempDir) {
    let (mut h, dir) = harness(Model::new("t"));
    settle(&mut h);
    for (i, kind) in kinds.iter().enumerate() {
        h.get_by_label(&format!("new {}", kind.label())).click();
        settle(&mut h);
        double_click_board(&mut h, egui::vec2(120.0 + i as f32 * 190.0, 200.0));
    }
    // Clear the selection.
    h.key_press(Key::Escape);
    settle(&mut h);
    (h, dir)
}

#[test]
fn renaming_in_place_with_f2_and_undo() {
    let (mut h, _dir) = board_with(&[Kind::Event]);
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    h.key_press(Key::F2);
    settle(&mut h);
    // F2 selects the whole name: typing replaces it.
    h.event(egui::Event::Text("ServiceBooked".into()));
    h.key_press(Key::Enter);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].events[0].name,
        "ServiceBooked"
    );
    assert!(h.query_by_label("event ServiceBooked").is_some());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].events[0].name,
        "SomethingHappened"
    );
}

#[test]
fn linking_two_stickies_and_refusing_an_invalid_link() {
    let (mut h, _dir) = board_with(&[Kind::Event, Kind::Policy, Kind::Actor]);
    // Event → policy: valid; the policy now reacts to the event.
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    h.key_press(Key::L);
    settle(&mut h);
    h.get_by_label("policy Policy").click();
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].policies[0].on,
        "SomethingHappened"
    );
    // Event → actor: refused, with the reason shown, and nothing changes.
    let before = h.state().doc.model.clone();
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    h.key_press(Key::L);
    settle(&mut h);
    h.get_by_label("actor Actor").click();
    settle(&mut h);
    assert_eq!(h.state().doc.model, before);
    assert!(
        h.query_by_label_contains("is not an EventStorming link")
            .is_some()
    );
    // Undo takes the valid link back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().doc.model.contexts[0].policies[0].on, "");
}

#[test]
fn adding_a_field_in_the_inspector_gives_it_the_next_stable_number() {
    let (mut h, _dir) = board_with(&[Kind::Event]);
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    h.get_by_label("➕ Add field").click();
    settle(&mut h);
    h.get_by_label("➕ Add field").click();
    settle(&mut h);
    let fields = &h.state().doc.model.contexts[0].events[0].fields;
    assert_eq!(fields.iter().map(|f| f.n).collect::<Vec<_>>(), vec![1, 2]);
    // Removing the first reserves its number and name.
    h.get_all_by_label("🗑").next().unwrap().click();
    settle(&mut h);
    let ev = &h.state().doc.model.contexts[0].events[0];
    assert_eq!(ev.fields.len(), 1);
    assert_eq!(ev.reserved[0].n, 1);
}

#[test]
fn unpublishing_an_event_withdraws_it_and_undo_restores_it() {
    let (mut h, _dir) = board_with(&[Kind::Event]);
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    let published = "Published (integration event, public language)";
    h.get_by_label(published).click();
    settle(&mut h);
    let ev = |h: &Harness<'static, Studio>| {
        let e = &h.state().doc.model.contexts[0].events[0];
        (e.published, e.withdrawn)
    };
    assert_eq!(ev(&h), (true, false));
    // Unticking keeps it for consumers: withdrawn, deprecated in the integration envelope.
    h.get_by_label(published).click();
    settle(&mut h);
    assert_eq!(ev(&h), (false, true));
    let withdrawn = "Withdrawn: kept, deprecated, for consumers";
    h.get_by_label(withdrawn).click();
    settle(&mut h);
    assert_eq!(ev(&h), (false, false));
    assert!(h.query_by_label(withdrawn).is_none());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(ev(&h), (false, true));
}

#[test]
fn a_file_changed_by_another_program_is_offered_for_reload() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.ron");
    stormlab::model::file::save(&path, &Model::new("Before")).unwrap();
    let studio = Studio::new(
        stormlab::model::file::load(&path).unwrap(),
        Some(path.clone()),
        Prefs::default(),
        dir.path().join("recovery"),
    );
    let mut h = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, s: &mut Studio| s.ui(ui), studio);
    settle(&mut h);
    assert!(h.query_by_label("File changed on disk").is_none());
    // Another program replaces the file, the way editors save.
    let tmp = dir.path().join(".m.ron.new");
    std::fs::write(&tmp, stormlab::model::file::to_string(&Model::new("After"))).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&tmp)
        .unwrap()
        .set_modified(later)
        .unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    let start = std::time::Instant::now();
    while h.query_by_label("File changed on disk").is_none() {
        assert!(
            start.elapsed().as_secs() < 5,
            "the change was never noticed"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        h.step();
    }
    settle(&mut h);
    h.get_by_label("Reload").click();
    settle(&mut h);
    assert!(h.query_by_label("File changed on disk").is_none());
    assert_eq!(h.state().doc.model.name, "After");
}

#[test]
fn delete_and_duplicate_the_selection() {
    let (mut h, _dir) = board_with(&[Kind::Command, Kind::Event]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::D);
    settle(&mut h);
    assert_eq!(h.state().doc.model.element_count(), 4);
    h.key_press(Key::Delete);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.element_count(),
        2,
        "the duplicates were selected and deleted"
    );
}

/// Runs frames until `label` (a substring) is shown, waiting for worker threads (≤ 5 s).
fn wait_for(h: &mut Harness<'static, Studio>, label: &str) {
    for _ in 0..100 {
        h.run_steps(2);
        if h.query_by_label_contains(label).is_some() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("`{label}` never appeared");
}

#[test]
fn a_diagnostic_appears_in_problems_and_clicking_it_selects_the_element() {
    let (mut h, _dir) = board_with(&[Kind::Command]);
    wait_for(&mut h, "SL011  command Core/DoSomething is not handled");
    h.key_press(Key::Escape);
    settle(&mut h);
    assert!(h.state().selection.is_empty());
    h.get_by_label_contains("SL011  command Core/DoSomething")
        .click();
    settle(&mut h);
    let selected: Vec<_> = h.state().selection.iter().copied().collect();
    assert_eq!(selected.len(), 1);
    assert_eq!(kind_of(&h, selected[0]), Kind::Command);
    assert!(
        h.query_by_label("1 error, 1 warning").is_some(),
        "the status bar counts it (and the placeholder name's warning)"
    );
}

#[test]
fn save_and_reopen_gives_the_same_model_and_clears_the_unsaved_marker() {
    let (mut h, dir) = board_with(&[Kind::Event, Kind::Policy]);
    let path = dir.path().join("board.ron");
    assert!(h.state().doc.is_dirty());
    h.state_mut().save_to(&path);
    settle(&mut h);
    assert!(!h.state().doc.is_dirty());
    assert!(h.query_by_label_contains("Saved").is_some());
    let saved = h.state().doc.model.clone();
    // Change something, then reopen the file: the saved board comes back.
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.key_press(Key::Delete);
    settle(&mut h);
    assert_eq!(h.state().doc.model.element_count(), 0);
    h.state_mut().open_path(&path);
    settle(&mut h);
    assert_eq!(h.state().doc.model, saved);
    assert_eq!(h.state().doc.path.as_deref(), Some(path.as_path()));
}

#[test]
fn a_failed_save_keeps_the_old_file_and_says_why() {
    let (mut h, dir) = board_with(&[Kind::Event]);
    let path = dir.path().join("board.ron");
    h.state_mut().save_to(&path);
    let before = std::fs::read(&path).unwrap();
    h.key_press(Key::Delete);
    h.get_by_label("event SomethingHappened").click();
    h.key_press(Key::Delete);
    settle(&mut h);
    // A path below a regular file cannot be written.
    let bad = path.join("inside-a-file.ron");
    h.state_mut().save_to(&bad);
    settle(&mut h);
    assert!(h.query_by_label_contains("could not save").is_some());
    assert!(
        h.query_by_label_contains("previous file is unchanged")
            .is_some()
    );
    assert!(
        h.state().doc.is_dirty(),
        "the board still has unsaved changes"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn export_protos_previews_and_writes_the_files_and_compare_reports_changes() {
    let (mut h, dir) = harness(stormlab::app::shell::studio::default_model());
    let path = dir.path().join("autoservice.ron");
    h.state_mut().save_to(&path);
    settle(&mut h);
    // Delete an event after saving: Compare will show it below.
    h.get_by_label("event PaymentDeclined").click();
    settle(&mut h);
    h.key_press(Key::Delete);
    settle(&mut h);
    assert!(h.query_by_label("event PaymentDeclined").is_none());

    h.get_by_label("Model").click();
    settle(&mut h);
    h.get_by_label_contains("Export Contracts…").click();
    settle(&mut h);
    // The deleted event is still emitted by the gateway: the export is blocked and says why.
    assert!(h.query_by_label_contains("The model has errors").is_some());
    assert!(h.query_all_by_label_contains("SL001").next().is_some());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert!(
        h.query_by_label_contains("No findings: the export passes buf lint")
            .is_some()
    );
    // The preview lists the files under the default folder, beside the model.
    h.get_by_label_contains("protos/huk/support/v1/support.proto")
        .click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("package huk.support.v1;")
            .is_some()
    );
    h.get_by_label("Export").click();
    settle(&mut h);
    assert!(
        h.query_all_by_label_contains("Wrote 3 file(s)")
            .next()
            .is_some()
    );
    let written = dir.path().join("protos/huk/booking/v1/booking.proto");
    let text = std::fs::read_to_string(written).unwrap();
    assert!(text.contains("message BookingEnvelope"));
    assert!(text.contains("message PaymentDeclined"));
    // The same window writes the AsyncAPI documents, beside the protos.
    h.get_by_label("AsyncAPI, per context").click();
    settle(&mut h);
    h.get_by_label_contains("protos/huk/support/v1/support.asyncapi.json")
        .click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("\"asyncapi\": \"3.0.0\"")
            .is_some()
    );
    h.get_by_label("Export").click();
    settle(&mut h);
    let doc = dir
        .path()
        .join("protos/huk/support/v1/support.asyncapi.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(doc).unwrap()).unwrap();
    assert!(
        doc["operations"]["supportReceivesBookingEvents"].is_object(),
        "{doc}"
    );
    h.get_by_label("Protocol Buffers").click();
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);
    settle(&mut h);
    assert!(h.query_by_label("event PaymentDeclined").is_none());

    // Against the saved file: the event's message is gone (generated code breaks), its
    // envelope number is retired (data does not).
    h.get_by_label("Model").click();
    settle(&mut h);
    h.get_by_label_contains("Compare with").click();
    settle(&mut h);
    h.get_by_label("Last Saved Version").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("Compatible:").is_some());
    assert!(
        h.query_by_label_contains("message PaymentDeclined removed")
            .is_some()
    );
    h.get_by_label("generated code (PACKAGE)").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("breaking change(s)").is_some());
}

#[test]
fn auto_layout_of_a_context_is_one_undoable_step() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    let before = h.state().doc.model.clone();
    h.get_by_label("event ServiceBooked").click();
    settle(&mut h);
    h.get_by_label("Model").click();
    settle(&mut h);
    h.get_by_label_contains("Auto-Layout Context").click();
    settle(&mut h);
    let after = h.state().doc.model.clone();
    assert_ne!(
        after.contexts[0], before.contexts[0],
        "the Booking context moved"
    );
    assert_eq!(after.contexts[1], before.contexts[1], "the others did not");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().doc.model, before);
}

#[test]
fn a_guard_is_checked_as_you_type_with_the_error_shown() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.get_by_label("aggregate Booking").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("on FinalizeService").is_some());
    assert!(
        h.query_all_by_label_contains("did you mean")
            .next()
            .is_none(),
        "no error yet"
    );
    h.get_by_label("on FinalizeService").click();
    settle(&mut h);
    h.query_all_by_value("cmd.mileage >= 0")
        .next()
        .unwrap()
        .click();
    settle(&mut h);
    h.query_all_by_value("cmd.mileage >= 0")
        .next()
        .unwrap()
        .type_text(" && cmd.milage > 1");
    settle(&mut h);
    let guards = &h.state().doc.model.contexts[0].aggregates[0].handlers;
    assert!(
        guards
            .iter()
            .flat_map(|g| &g.guards)
            .any(|g| g.expr == "cmd.mileage >= 0 && cmd.milage > 1"),
        "the edit reached the model"
    );
    assert!(
        h.query_all_by_label_contains("⚠ unknown name `cmd.milage`")
            .next()
            .is_some(),
        "the error is shown under the box"
    );
}

#[test]
fn read_model_rules_and_appliers_are_edited_in_the_inspector() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.get_by_label("read model CustomerBookings").click();
    settle(&mut h);
    h.get_by_label("on Booking.BookingPaid").click();
    settle(&mut h);
    // The row key and the column assignment, each in a checked expression box.
    assert!(h.query_all_by_value("event.booking_id").next().is_some());
    h.query_all_by_value("'paid'").next().unwrap().click();
    settle(&mut h);
    h.query_all_by_value("'paid'")
        .next()
        .unwrap()
        .type_text(" + 1");
    settle(&mut h);
    let rm = &h.state().doc.model.contexts[1].read_models[0];
    assert!(format!("{:?}", rm.rules[1].action).contains("'paid' + 1"));
    assert!(
        h.query_all_by_label_contains("⚠").count() >= 2,
        "a string plus an int is a type error, shown under the box"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    // Appliers of an aggregate.
    h.get_by_label("aggregate Booking").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("apply ServiceBooked").is_some());
}

#[test]
fn a_scenario_runs_on_a_worker_and_the_cursor_scrubs_the_log_and_state() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.key_press(Key::F5);
    wait_for(&mut h, "passed");
    let total = last_run(&h).engine.records().len();
    assert!(total > 0);
    assert!(
        h.query_by_label_contains("expectations ").is_some(),
        "the summary shows the checks"
    );
    // The run's panels settle their layout (table column widths) in the next frames.
    h.run_steps(10);
    h.get_by_label("◀").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains(&format!("Event log ({} of {total})", total - 1))
            .is_some()
    );
    // Back to the start: nothing applied yet; one event on: the first record and its state.
    h.get_by_label("⏮").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains(&format!("Event log (0 of {total})"))
            .is_some()
    );
    h.get_by_label("▶").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains(&format!("Event log (1 of {total})"))
            .is_some()
    );
    assert!(h.query_by_label_contains("ServiceBooked at").is_some());
    // The board lights the sticky of the event at the cursor and of the command behind it.
    let studio = h.state();
    let lit = studio.sim.lit(studio.doc.revision);
    let named = |id: &stormlab::model::Loc| {
        studio
            .doc
            .model
            .elements()
            .iter()
            .find(|e| e.loc == *id)
            .map(|e| e.name.to_owned())
    };
    let names: Vec<String> = lit.iter().filter_map(named).collect();
    assert!(names.contains(&"ServiceBooked".to_owned()), "{names:?}");
    assert!(names.contains(&"BookService".to_owned()), "{names:?}");
    // Badges under the stickies: the booking's lifecycle state, the read models' row counts.
    let revision = h.state().doc.revision;
    let badges = h.state_mut().sim.badges(revision);
    let studio = h.state();
    let badge = |name: &str| {
        let id = studio
            .doc
            .model
            .elements()
            .iter()
            .find(|e| e.name == name && e.loc.kind != Kind::Context)
            .map(|e| e.loc)
            .unwrap();
        badges.get(&id).cloned()
    };
    assert_eq!(badge("Booking").as_deref(), Some("b-1: Created"));
    assert_eq!(badge("CustomerBookings").as_deref(), Some("1 row(s)"));
    // The path taken is drawn over the arrows, stage by stage: command → aggregate → event →
    // subscribers; a dot travels along it just after the cursor moved, then rests.
    let model = h.state().doc.model.clone();
    let arrows = stormlab::app::board::arrows::arrows(&model);
    let name_of = |id: &stormlab::model::Loc| {
        model
            .elements()
            .iter()
            .find(|e| e.loc == *id)
            .map(|e| e.name.to_owned())
            .unwrap_or_default()
    };
    let sim = &mut h.state_mut().sim;
    sim.time
        .apply(stormlab::app::simulation::time_control::TimeCommand::Seek(
            0,
        ));
    assert!(
        sim.path(revision, &arrows, 100.0).arrows.is_empty(),
        "nothing at 0"
    );
    sim.time
        .apply(stormlab::app::simulation::time_control::TimeCommand::Seek(
            1,
        ));
    let path = sim.path(revision, &arrows, 200.0);
    let hops: Vec<(String, String, usize)> = path
        .arrows
        .iter()
        .map(|(a, b, stage)| (name_of(a), name_of(b), *stage))
        .collect();
    for hop in [
        ("BookService", "Booking", 0),
        ("Booking", "ServiceBooked", 1),
        ("ServiceBooked", "CustomerBookings", 2),
    ] {
        assert!(
            hops.contains(&(hop.0.to_owned(), hop.1.to_owned(), hop.2)),
            "{hop:?} in {hops:?}"
        );
    }
    let moving = sim.path(revision, &arrows, 200.3).phase;
    assert!(moving.is_some_and(|p| p > 0.2 && p < 0.5), "{moving:?}");
    assert!(
        sim.path(revision, &arrows, 205.0).phase.is_none(),
        "at rest"
    );
    assert!(
        h.query_by_label_contains("Booking/b-1: Created (v1)")
            .is_some()
    );
    // Every expectation of the scenario passed, as `stormlab test` says.
    assert!(h.query_all_by_label_contains("✖").next().is_none());
    // On by whole commands: the cursor lands after the next command's events.
    h.get_by_label("⏮").click();
    settle(&mut h);
    h.get_by_label("⏩ Next command").click();
    settle(&mut h);
    let first = last_run(&h).engine.commands()[0].events().end;
    assert_eq!(h.state().sim.time.cursor(), first);
    // Playing moves the cursor on by itself (5 events per second by default) and stops at the end.
    h.get_by_label("⏮").click();
    settle(&mut h);
    h.get_by_label("⏵ Play").click();
    h.run_steps(30);
    let played = h.state().sim.time.cursor();
    assert!(
        (1..=3).contains(&played),
        "half a second played {played} events"
    );
    h.run_steps(60 * total / 5 + 60);
    assert_eq!(h.state().sim.time.cursor(), total as u64);
    assert!(!h.state().sim.time.playing());
}

const OUTAGE: &str = "CRM outage parks booking events";

/// The default model with the CRM outage scenario's scripted redrive removed: messages stay
/// parked at the end of the run.
fn outage_without_redrive() -> Model {
    let mut model = stormlab::app::shell::studio::default_model();
    let s = model
        .scenarios
        .iter_mut()
        .find(|s| s.name == OUTAGE)
        .unwrap();
    s.when
        .retain(|step| !matches!(step, stormlab::model::Step::Redrive { .. }));
    model
}

#[test]
fn parked_messages_can_be_redriven_from_the_simulation_tab() {
    let (mut h, _dir) = harness(outage_without_redrive());
    settle(&mut h);
    run_scenario(&mut h, OUTAGE);
    let parked = last_run(&h).engine.parked().len();
    let before = last_run(&h).engine.records().len();
    assert!(parked > 0, "the outage parks messages");
    assert!(
        h.query_by_label_contains(&format!("Dead letters ({parked})"))
            .is_some()
    );
    assert!(
        h.query_by_label_contains(&format!("{parked} parked ·"))
            .is_some()
    );
    h.get_by_label("Redrive all").click();
    settle(&mut h);
    let run = last_run(&h);
    assert!(
        run.engine.parked().is_empty(),
        "every parked message was redriven"
    );
    // The summary agrees with the timeline, which still marks every parking.
    assert!(
        h.query_by_label_contains(&format!("{parked} parked (0 still parked)"))
            .is_some()
    );
    assert!(
        run.engine.records().len() >= before
            && run
                .engine
                .journal()
                .iter()
                .any(|(_, _, c)| { matches!(c, stormlab::sim::engine::Change::Redriven { .. }) }),
        "the redrive is recorded in the run's journal, replayable on the timeline"
    );
    assert!(h.query_by_label_contains("Dead letters (0)").is_some());
}

/// The Simulation tab's last finished run.
fn last_run<'h>(h: &'h Harness<'static, Studio>) -> &'h stormlab::app::simulation::panel::Run {
    h.state().sim.run.as_ref().expect("a finished run")
}

fn example(name: &str) -> Model {
    let path = format!("{}/models/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    stormlab::model::file::load(std::path::Path::new(&path)).unwrap()
}

/// `model` with the load generators of scenario `name` set to `count` commands (and one every
/// `every`, when given).
fn with_load(mut model: Model, name: &str, count: i64, every: Option<&str>) -> Model {
    let s = model.scenarios.iter_mut().find(|s| s.name == name).unwrap();
    for step in &mut s.when {
        if let stormlab::model::scenario::Step::Load {
            count: c, every: e, ..
        } = step
        {
            *c = count;
            if let Some(every) = every {
                *e = every.into();
            }
        }
    }
    model
}

/// Picks scenario `name` in the Simulate menu and runs it (F5), waiting for the result.
fn run_scenario(h: &mut Harness<'static, Studio>, name: &str) {
    h.get_by_label("Simulate").click();
    settle(h);
    h.get_by_label(name).click();
    settle(h);
    h.key_press(Key::F5);
    wait_for(h, "passed");
    // The run's panels settle their layout (table column widths) in the next frames.
    h.run_steps(10);
}

#[test]
fn a_rejected_command_shows_its_reason_and_a_saga_its_sequence() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    run_scenario(&mut h, "payment over the limit is compensated");
    // The command log lists every command with its outcome; opening the rejected one shows why.
    h.get_by_label("Commands").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Command log (5 commands, 1 rejected)")
            .is_some()
    );
    h.get_by_label_contains("✖ rejected: over the card limit")
        .click();
    settle(&mut h);
    assert!(h.query_by_label("Rejected: over the card limit").is_some());
    assert!(h.query_by_label_contains("issued on event #").is_some());
    // The compensation that followed was caused by that rejection.
    click(&mut h, "ReleaseStock");
    assert!(
        h.query_by_label("issued because command #3 ChargePayment was rejected")
            .is_some()
    );
    // The saga instance opens as a sequence diagram across the contexts.
    h.get_by_label("Sagas (1)").click();
    settle(&mut h);
    h.get_by_label("Sequence").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Saga sequence — OrderFulfilment o-2")
            .is_some()
    );
    let seq = h.state().sim.windows.sequence.clone().unwrap();
    use stormlab::app::simulation::sequence::Step;
    let charge = seq
        .rows
        .iter()
        .find(|r| r.label.starts_with("ChargePayment"))
        .unwrap();
    assert!(
        matches!(&charge.step, Step::Command { rejection: Some(r), .. } if r == "over the card limit")
    );
    assert!(
        seq.rows.iter().any(|r| matches!(
            r.step,
            Step::Command {
                compensating: true,
                rejection: None
            }
        )),
        "the compensation is marked"
    );
    assert!(seq.rows.iter().any(|r| r.label.ends_with("Compensated")));
    // The diagram goes to the clipboard as Mermaid text, for the team's docs.
    h.get_by_label("Copy Mermaid").click();
    h.step();
    let copied = copied_text(&h).expect("Copy Mermaid puts text on the clipboard");
    assert!(copied.contains("sequenceDiagram"), "{copied}");
    assert!(
        copied.contains("ChargePayment o-2 rejected: over the card limit"),
        "{copied}"
    );
    assert!(copied.contains("↺ ReleaseStock o-2"), "{copied}");
    settle(&mut h);
    // A row of the diagram moves the cursor to its moment.
    h.get_by_label("OrderPlaced").click();
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), 1);
    // The causation graph of the event at the cursor opens in its own window.
    h.get_by_label("Causation graph").click();
    h.run_steps(5);
    assert!(
        h.query_by_label_contains("Causation — #1 OrderPlaced")
            .is_some()
    );
    assert_eq!(
        h.state().sim.windows.causation.as_ref().unwrap().position,
        0
    );
}

#[test]
fn a_saga_shows_its_pending_deadline_and_the_compensation_it_caused() {
    let (mut h, _dir) = harness(example("devportal"));
    settle(&mut h);
    run_scenario(&mut h, "unanswered survey times out and is closed");
    // On SurveySent the saga waits: its deadline is pending (the fortnight passes before the
    // next record), nothing is compensated yet.
    h.get_by_label("◀").click();
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), 5);
    h.get_by_label("Sagas (1)").click();
    settle(&mut h);
    assert!(h.query_by_label("FeedbackSurvey app-3: Running").is_some());
    assert!(h.query_by_label("⏰ feedback due 06-17 08:00:05").is_some());
    assert!(h.query_by_label_contains("compensation").is_none());
    // On SurveyClosed it has timed out and run its compensation.
    h.get_by_label("▶").click();
    settle(&mut h);
    assert!(h.query_by_label("FeedbackSurvey app-3: TimedOut").is_some());
    assert!(h.query_by_label_contains("⏰").is_none());
    assert!(h.query_by_label("1 compensation run").is_some());
    // The compensating command says what caused it: the deadline, armed by SurveySent.
    h.get_by_label("Commands").click();
    settle(&mut h);
    click(&mut h, "CloseSurvey");
    assert!(
        h.query_by_label("issued when the deadline set on event #5 SurveySent expired")
            .is_some()
    );
}

#[test]
fn thousands_of_saga_instances_are_listed_without_laying_each_out() {
    let scenario = "flaky saga delivery is remediated";
    let model = with_load(example("accounts"), scenario, 3_000, None);
    let (mut h, _dir) = harness(model);
    settle(&mut h);
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label(scenario).click();
    settle(&mut h);
    h.key_press(Key::F5);
    wait_for(&mut h, "expectations ");
    h.run_steps(4);
    let instances = last_run(&h).engine.saga_instances()[0].len();
    assert!(instances > 2_900, "{instances} instances");
    h.get_by_label(&format!("Sagas ({instances})")).click();
    settle(&mut h);
    // Only the rows in view are laid out (a frame stays fast); the list scrolls to the rest.
    let shown = h.query_all_by_label("Sequence").count();
    assert!((3..100).contains(&shown), "{shown} rows laid out");
    assert!(
        h.query_by_label("OrderFulfilment o-100: Completed")
            .is_some()
    );
    assert!(
        h.query_by_label("OrderFulfilment o-3099: Completed")
            .is_none()
    );
}

#[test]
fn all_scenarios_are_checked_with_a_pass_fail_list() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.key_press_modifiers(Modifiers::SHIFT, Key::F5);
    wait_for(&mut h, "scenario(s) passed");
    let n = h.state().doc.model.scenarios.len();
    assert!(
        h.query_by_label(&format!("{n} of {n} scenario(s) passed"))
            .is_some()
    );
    assert_eq!(h.query_all_by_label_contains("✔ PASS").count(), n);
    // A scenario opens in the Simulation tab from the list.
    h.get_all_by_label("Open").next().unwrap().click();
    wait_for(&mut h, "expectations ");
    assert!(h.state().sim.run.is_some());
}

#[test]
fn the_log_filters_and_read_model_tables_show_the_rows_at_the_cursor() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    run_scenario(&mut h, OUTAGE);
    let total = last_run(&h).engine.records().len();
    let filter = || egui::accesskit::Role::TextInput;
    h.get_by_role_and_label(filter(), "Filter events").click();
    settle(&mut h);
    h.get_by_role_and_label(filter(), "Filter events")
        .type_text("b-7");
    settle(&mut h);
    // Records whose stream or payload mentions b-7 (b-7 itself, and b-70 … b-79 if any).
    let e = &last_run(&h).engine;
    let matching = e
        .records()
        .iter()
        .filter(|r| {
            e.stream_name(r.stream).contains("b-7")
                || e.payload(r).iter().any(|v| v.to_string().contains("b-7"))
        })
        .count();
    assert!(matching > 0 && matching < total);
    assert!(
        h.query_by_label(&format!(
            "Event log: {matching} matching of {total} ({total} in all)"
        ))
        .is_some()
    );
    // Back to the start, one event on: the read-model table holds the first booking only.
    h.get_by_label("⏮").click();
    settle(&mut h);
    h.get_by_label("▶").click();
    settle(&mut h);
    h.get_by_label("Read models").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("CustomerBookings: 1 row(s)")
            .is_some()
    );
    let run = last_run(&h);
    let key_at = |position: u64| -> Vec<String> {
        let mut keys: Vec<String> = run.timeline.at(&run.engine, position).read_models[0]
            .keys()
            .map(|k| k.to_string())
            .collect();
        keys.sort();
        keys
    };
    let (first, later) = (key_at(1), key_at(total as u64));
    assert_eq!(first.len(), 1);
    let absent = later.iter().find(|k| !first.contains(k)).unwrap().clone();
    assert!(
        h.query_by_label(&first[0]).is_some(),
        "the row's key is shown in the table"
    );
    assert!(
        h.query_by_label(&absent).is_none(),
        "a later row is not there yet"
    );
}

#[test]
fn one_parked_message_can_be_redriven_from_the_dead_letters() {
    let (mut h, _dir) = harness(outage_without_redrive());
    settle(&mut h);
    run_scenario(&mut h, OUTAGE);
    let parked = last_run(&h).engine.parked().len();
    assert!(parked > 1);
    h.get_by_label(&format!("Dead letters ({parked})")).click();
    settle(&mut h);
    h.get_all_by_label("Redrive").next().unwrap().click();
    settle(&mut h);
    assert_eq!(last_run(&h).engine.parked().len(), parked - 1);
    assert!(
        h.query_by_label_contains(&format!("Dead letters ({})", parked - 1))
            .is_some()
    );
    // The history lists every parking and the redrive, with their virtual times.
    assert_eq!(h.query_all_by_label_contains(" parked #").count(), parked);
    assert!(h.query_by_label_contains(" redriven: #").is_some());
    // The redrive of that one message is recorded: saved as a scenario, it replays the log.
    let recorded = h.state().sim.authoring.sandbox.recorded.clone();
    assert!(
        matches!(
            recorded.as_slice(),
            [stormlab::model::Step::Redrive { event: Some(_), .. }]
        ),
        "{recorded:?}"
    );
    let log = stormlab::sim::log::jsonl(&last_run(&h).engine);
    click(&mut h, "Sandbox…");
    click(&mut h, "Save as new scenario");
    let name = format!("{OUTAGE} (recorded)");
    run_scenario(&mut h, &name);
    assert_eq!(last_run(&h).scenario, name);
    assert_eq!(stormlab::sim::log::jsonl(&last_run(&h).engine), log);
}

#[test]
fn a_fault_plan_edited_in_the_studio_reruns_and_the_runs_are_compared() {
    use egui::accesskit::{Action, ActionData, ActionRequest};
    use egui_kittest::kittest::NodeT as _;
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    let name = "booking is paid, confirmed and finalized";
    run_scenario(&mut h, name);
    h.get_by_label("Keep as baseline").click();
    settle(&mut h);
    assert_eq!(
        h.query_all_by_label("✔ BusinessMetrics: the same rows")
            .count(),
        2,
        "rebuilt from the log = live, and the baseline = this very run"
    );
    // Every delivery to the metrics (a counter, not idempotent) duplicated.
    h.get_by_label("Fault plan…").click();
    settle(&mut h);
    let (target_node, target_tree) = h
        .get_by_label("BusinessMetrics: duplicate %")
        .accesskit_node()
        .locate();
    h.event(egui::Event::AccessKitActionRequest(ActionRequest {
        action: Action::SetValue,
        target_node,
        target_tree,
        data: Some(ActionData::NumericValue(100.0)),
    }));
    settle(&mut h);
    let faults = |h: &Harness<'static, Studio>| {
        let model = &h.state().doc.model;
        let s = model.scenarios.iter().find(|s| s.name == name).unwrap();
        s.faults.clone()
    };
    let plan = faults(&h);
    assert_eq!(plan.len(), 1);
    assert_eq!(
        (plan[0].subscriber.as_str(), plan[0].duplicate_rate),
        ("BusinessMetrics", 1.0)
    );
    // Run again: the rebuild and the baseline both disagree with the live metrics now.
    h.key_press(Key::F5);
    for _ in 0..100 {
        h.run_steps(2);
        if last_run(&h).revision == h.state().doc.revision {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    h.run_steps(10);
    assert_eq!(
        h.query_all_by_label_contains("✖ BusinessMetrics: 1 row(s) differ")
            .count(),
        2,
        "live vs rebuilt, and baseline vs current"
    );
    // The plan change is one undoable edit.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert!(faults(&h).is_empty());
}

#[test]
fn presentation_mode_narrates_the_run_and_steps_with_the_arrow_keys() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.key_press(Key::F5);
    wait_for(&mut h, "passed");
    h.run_steps(10);
    let total = last_run(&h).engine.records().len() as u64;
    h.key_press(Key::F11);
    settle(&mut h);
    assert!(h.state().presenting.is_some());
    assert!(
        h.query_by_label("Stickies").is_none(),
        "the palette is hidden"
    );
    assert!(
        h.query_by_label_contains(&format!("{total} of {total}"))
            .is_some()
    );
    h.key_press(Key::ArrowLeft);
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), total - 1);
    h.get_by_label("◀").click();
    settle(&mut h);
    h.key_press(Key::ArrowRight);
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), total - 1);
    let r = &last_run(&h).engine.records()[(total - 2) as usize];
    let name = last_run(&h).engine.program().events[r.event as usize]
        .name
        .clone();
    assert!(h.query_by_label_contains(&format!("{name} — ")).is_some());
    // Escape ends it: the panels are back.
    h.key_press(Key::Escape);
    settle(&mut h);
    assert!(h.state().presenting.is_none());
    assert!(h.query_by_label("Stickies").is_some());
}

#[test]
fn the_timeline_marks_parkings_and_the_charts_show_the_outage() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    run_scenario(&mut h, OUTAGE);
    let run = last_run(&h);
    let len = run.engine.records().len() as u64;
    // Where each parking shows: the first cursor position whose state has it.
    let parkings: Vec<u64> = run
        .engine
        .journal()
        .iter()
        .filter(|(_, _, c)| matches!(c, stormlab::sim::engine::Change::Parked(_)))
        .map(|(stamp, time, _)| stormlab::sim::timeline::shown_from(&run.engine, *stamp, *time))
        .collect();
    assert!(parkings.len() > 1);
    // The strip under the cursor marks every parking and the scripted redrive.
    assert!(
        h.query_by_label_contains(&format!(
            "Timeline: {} marker(s), cursor {len} of {len}",
            parkings.len() + 1
        ))
        .is_some()
    );
    assert!(
        h.query_by_label(&format!("{} parked", parkings.len()))
            .is_some()
    );
    assert!(h.query_by_label("1 redriven").is_some());
    // "Previous parked" from the end lands on the last parking before it; once more, on the
    // one before that.
    let previous = |cursor: u64| *parkings.iter().rev().find(|&&p| p < cursor).unwrap();
    h.get_by_label("Previous parked").click();
    settle(&mut h);
    let first_step = previous(len);
    assert_eq!(h.state().sim.time.cursor(), first_step);
    h.get_by_label("Previous parked").click();
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), previous(first_step));
    // The charts: the CRM's delay shows (it waited for the redrive), the support read model's
    // does not (it never waited a second), and the dead-letter queue has its chart.
    h.get_by_label("Charts…").click();
    h.run_steps(5);
    assert!(h.query_by_label("■ Crm").is_some());
    assert!(h.query_by_label("■ CustomerBookings").is_none());
    assert!(h.query_by_label("■ ServiceBooked").is_some());
    assert!(h.query_by_label("Dead-letter queue size").is_some());
}

/// Scrolls the widget labelled `label` into view (a window may scroll) and clicks it.
fn click(h: &mut Harness<'static, Studio>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    settle(h);
    h.get_by_label(label).click();
    settle(h);
}

/// Types `text` into the text box labelled `label`, replacing what it holds.
fn retype(h: &mut Harness<'static, Studio>, label: &str, text: &str) {
    click(h, label);
    settle(h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_label(label).type_text(text);
    settle(h);
}

/// Opens the combo box labelled `combo` and picks `item` in its list.
fn pick(h: &mut Harness<'static, Studio>, combo: &str, item: &str) {
    click(h, combo);
    h.query_all_by_label(item).last().unwrap().click();
    settle(h);
}

#[test]
fn a_scenario_is_written_in_the_editor_and_a_sandbox_session_is_recorded() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    let scenarios = h.state().doc.model.scenarios.len();
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label("New Scenario").click();
    settle(&mut h);
    assert_eq!(h.state().doc.model.scenarios.len(), scenarios + 1);
    retype(&mut h, "Scenario name", "an order by hand");
    assert_eq!(h.state().sim.scenario, "an order by hand");
    // When: one command with its fields; then: one expectation.
    click(&mut h, "+ Command");
    pick(&mut h, "Step 1: command", "PlaceOrder");
    for (field, value) in [
        ("account_id", "'a-1'"),
        ("order_id", "'o-7'"),
        ("lines", "[OrderLine('kettle', 2, 29.90)]"),
    ] {
        retype(&mut h, &format!("Step 1: {field}"), value);
    }
    click(&mut h, "+ Expectation");
    pick(&mut h, "Expectation 1: event", "OrderPlaced");
    let s = h.state().doc.model.scenarios.last().unwrap().clone();
    assert_eq!(s.name, "an order by hand");
    assert!(
        matches!(&s.when[..], [stormlab::model::Step::Command { command, fields, .. }]
        if command == "PlaceOrder" && fields["lines"] == "[OrderLine('kettle', 2, 29.90)]")
    );
    // A mistake is reported under its row by the checker.
    retype(&mut h, "Step 1: lines", "[OrderLine('kettle', 2 +, 29.90)]");
    wait_for(&mut h, "scenario an order by hand");
    retype(&mut h, "Step 1: lines", "[OrderLine('kettle', 2, 29.90)]");

    h.key_press(Key::F5);
    wait_for(&mut h, "passed");
    h.run_steps(5);
    let run = last_run(&h);
    assert_eq!(run.scenario, "an order by hand");
    // The scenario's one expectation (the model's invariants are verdicts too).
    assert_eq!(
        run.verdicts
            .iter()
            .filter(|v| v.passed && !v.expectation.starts_with("invariant"))
            .count(),
        1,
        "{:?}",
        run.verdicts
    );

    // The sandbox: one more order by hand after the run, recorded as a new scenario.
    h.get_by_label("Edit scenario…").click();
    settle(&mut h);
    assert!(!h.state().sim.authoring.editor.open);
    h.get_by_label("Sandbox…").click();
    settle(&mut h);
    pick(&mut h, "Sandbox command", "PlaceOrder");
    for (field, value) in [
        ("account_id", "'a-1'"),
        ("order_id", "'o-8'"),
        ("lines", "[OrderLine('kettle', 1, 29.90)]"),
    ] {
        retype(&mut h, &format!("Sandbox: {field}"), value);
    }
    let commands = last_run(&h).engine.commands().len();
    h.get_by_label("Issue").click();
    settle(&mut h);
    assert!(last_run(&h).engine.commands().len() > commands);
    assert_eq!(h.state().sim.authoring.sandbox.recorded.len(), 1);
    assert!(
        h.query_by_label_contains("PlaceOrder: 5 event(s)")
            .is_some(),
        "the sandbox says what the command caused"
    );
    let by_hand = stormlab::sim::log::jsonl(&last_run(&h).engine);
    h.get_by_label("Save as new scenario").click();
    settle(&mut h);
    let model = &h.state().doc.model;
    let saved = model
        .scenarios
        .iter()
        .find(|s| s.name == "an order by hand (recorded)")
        .expect("the recording is a scenario");
    assert_eq!(saved.when.len(), 2);
    // Run, it replays what was done by hand.
    assert_eq!(h.state().sim.scenario, "an order by hand (recorded)");
    h.key_press(Key::F5);
    for _ in 0..100 {
        h.run_steps(2);
        if h.state().sim.run.as_ref().map(|r| r.scenario.as_str())
            == Some("an order by hand (recorded)")
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(stormlab::sim::log::jsonl(&last_run(&h).engine), by_hand);
}

#[test]
fn a_message_parked_and_redriven_between_two_events_is_shown_at_its_moment() {
    use egui_kittest::kittest::NodeT as _;
    let (mut h, _dir) = harness(example("conference"));
    settle(&mut h);
    run_scenario(
        &mut h,
        "ticketing outage parks the allocation until redriven",
    );
    // The parking marker: the cursor goes to the first event after it happened.
    h.get_by_label("Previous parked").click();
    settle(&mut h);
    let cursor = h.state().sim.time.cursor();
    assert!(cursor > 0 && cursor < last_run(&h).engine.records().len() as u64);
    h.get_by_label("Dead letters (0)").click();
    settle(&mut h);
    // Parked after its retries and redriven an hour later, both before the next event: the
    // queue is empty at the cursor, and the history says so and can show the moment.
    assert!(
        h.query_by_label("No message is parked at this moment.")
            .is_some()
    );
    let line = h
        .get_by_label_contains("parked #2 for AllocateSponsorTickets")
        .accesskit_node()
        .label()
        .unwrap_or_default();
    click(&mut h, &line);
    assert!(h.query_by_label_contains("At 09:01:06").is_some());
    assert!(
        h.query_by_label_contains("#2 InvoicePaid to AllocateSponsorTickets: unavailable")
            .is_some(),
        "the queue at that moment holds the message"
    );
    let line = h
        .query_all_by_label_contains("redriven: ")
        .filter_map(|n| n.accesskit_node().label())
        .find(|l| l.contains("redriven: "))
        .unwrap();
    click(&mut h, &line);
    assert!(
        h.query_by_label("No message is parked at this moment.")
            .is_some()
    );
    h.get_by_label("Back to the cursor").click();
    settle(&mut h);
    assert!(h.query_by_label_contains("At 09:01:06").is_none());
}

#[test]
fn a_sagas_steps_deadlines_and_ends_are_edited_in_the_inspector() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    h.get_by_label("saga OrderFulfilment").click();
    settle(&mut h);
    let saga = |h: &Harness<'static, Studio>| {
        h.state()
            .doc
            .model
            .contexts
            .iter()
            .flat_map(|c| &c.sagas)
            .find(|s| s.name == "OrderFulfilment")
            .unwrap()
            .clone()
    };
    let before = saga(&h);
    assert!(h.query_by_label("Step 1").is_some());
    assert!(
        h.query_by_label(&format!("Steps ({})", before.steps.len()))
            .is_some()
    );
    // A deadline's delay must be a duration: a wrong one is said so, and reaches the model
    // (undoable like every edit).
    h.query_all_by_value("1h").next().unwrap().scroll_to_me();
    settle(&mut h);
    h.query_all_by_value("1h").next().unwrap().click();
    settle(&mut h);
    h.query_all_by_value("1h").next().unwrap().type_text("our");
    settle(&mut h);
    assert_eq!(saga(&h).deadlines[0].after, "1hour");
    assert!(
        h.query_by_label("a duration such as 15m, 2h or 14d")
            .is_some()
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(saga(&h).deadlines[0].after, "1h");
    // A new step.
    click(&mut h, "+ Step");
    assert_eq!(saga(&h).steps.len(), before.steps.len() + 1);
    // The saga's state: step 1 sets `total` (which step 2's command reads), and a step can
    // become a join, undoably.
    assert_eq!(before.state.len(), 1);
    assert!(h.query_all_by_value("event.total").next().is_some());
    assert!(h.query_all_by_value("state.total").next().is_some());
    h.get_all_by_label("+ Wait also for…")
        .next()
        .unwrap()
        .scroll_to_me();
    settle(&mut h);
    h.get_all_by_label("+ Wait also for…")
        .next()
        .unwrap()
        .click();
    settle(&mut h);
    assert_eq!(saga(&h).steps[0].and.len(), 1);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert!(saga(&h).steps[0].and.is_empty(), "undone");
}

/// A studio on the fixture `text` (named `file`) with the sticky labelled `sticky` (`saga
/// Allocate`) selected in the inspector.
fn with_selected(
    text: &str,
    file: &str,
    sticky: &str,
) -> (Harness<'static, Studio>, tempfile::TempDir) {
    let model = stormlab::model::file::from_str(text, file).unwrap();
    let (mut h, dir) = harness(model);
    settle(&mut h);
    h.get_by_label(sticky).click();
    settle(&mut h);
    (h, dir)
}

/// Types `text` at the end of the first text box showing `value`.
fn type_after_value(h: &mut Harness<'static, Studio>, value: &str, text: &str) {
    h.query_all_by_value(value).next().unwrap().scroll_to_me();
    settle(h);
    h.query_all_by_value(value).next().unwrap().click();
    settle(h);
    h.query_all_by_value(value).next().unwrap().type_text(text);
    settle(h);
}

#[test]
fn a_saga_steps_fan_out_is_edited_and_checked_in_the_inspector() {
    let text = include_str!("fixtures/allocation.ron");
    let (mut h, _dir) = with_selected(text, "allocation.ron", "saga Allocate");
    let for_each = |h: &Harness<'static, Studio>| {
        h.state().doc.model.contexts[0].sagas[0].steps[0]
            .for_each
            .clone()
    };
    assert!(
        h.query_by_label("For each (ITEM in LIST: one command per element; empty: one command)")
            .is_some()
    );
    // The element is in scope for the command's fields (shown without an error).
    assert!(h.query_all_by_value("line.quantity").next().is_some());
    type_after_value(&mut h, "line in event.lines", "x");
    assert_eq!(for_each(&h).as_deref(), Some("line in event.linesx"));
    assert!(
        h.query_all_by_label_contains("unknown name `event.linesx`")
            .next()
            .is_some()
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(
        for_each(&h).as_deref(),
        Some("line in event.lines"),
        "undone"
    );
}

#[test]
fn a_saga_steps_timer_is_edited_in_the_inspector() {
    let text = include_str!("fixtures/shipping.ron");
    let (mut h, _dir) = with_selected(text, "shipping.ron", "saga Fulfilment");
    let after = |h: &Harness<'static, Studio>| {
        h.state().doc.model.contexts[0].sagas[0].steps[3]
            .after
            .clone()
    };
    assert!(
        h.query_all_by_label("Unless first, on the same target (comma-separated events)")
            .next()
            .is_some()
    );
    type_after_value(&mut h, "minutes(30)", " + hours(1)");
    assert_eq!(after(&h).as_deref(), Some("minutes(30) + hours(1)"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(after(&h).as_deref(), Some("minutes(30)"), "undone");
    // The saga's sticky says it keeps time; a saga with deadlines says how.
    let model = &h.state().doc.model;
    let saga = |m: &Model, name: &str| {
        m.elements()
            .into_iter()
            .find(|e| e.name == name && e.loc.kind == Kind::Saga)
            .unwrap()
            .loc
    };
    use stormlab::app::board::sticky::keeps_time;
    assert_eq!(keeps_time(model, saga(model, "Fulfilment")), Some("timer"));
    let accounts = example("accounts");
    let fulfilment = saga(&accounts, "OrderFulfilment");
    assert_eq!(keeps_time(&accounts, fulfilment), Some("deadline"));
}

#[test]
fn a_handlers_schedule_is_edited_in_the_inspector() {
    let text = include_str!("fixtures/invoices.ron");
    let (mut h, _dir) = with_selected(text, "invoices.ron", "aggregate Invoice");
    let schedule = |h: &Harness<'static, Studio>| {
        h.state().doc.model.contexts[0].aggregates[0].handlers[0].schedule[0].clone()
    };
    // Four handlers: each folded; open the one that schedules.
    click(&mut h, "on IssueInvoice");
    assert!(
        h.query_by_label("Schedules (armed when it emits)")
            .is_some()
    );
    type_after_value(&mut h, "cmd.due", " + days(1)");
    assert_eq!(schedule(&h).at.as_deref(), Some("cmd.due + days(1)"));
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(schedule(&h).at.as_deref(), Some("cmd.due"), "undone");
    // The same text as a duration is wrong, and the box says so.
    click(&mut h, "after a duration");
    assert_eq!(
        (schedule(&h).after.as_deref(), schedule(&h).at),
        (Some("cmd.due"), None)
    );
    assert!(
        h.query_all_by_label_contains("expected `duration`")
            .next()
            .is_some()
    );
    click(&mut h, "+ Schedule a command");
    let handler = &h.state().doc.model.contexts[0].aggregates[0].handlers[0];
    assert_eq!(handler.schedule.len(), 2);
    // The aggregate's sticky says it keeps time.
    let model = &h.state().doc.model;
    let invoice = model
        .elements()
        .into_iter()
        .find(|e| e.loc.kind == Kind::Aggregate)
        .unwrap()
        .loc;
    let keeps = stormlab::app::board::sticky::keeps_time(model, invoice);
    assert_eq!(keeps, Some("timer"));
}

#[test]
fn a_relations_translations_are_edited_in_the_context_inspector() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.get_by_label("context Booking").click();
    settle(&mut h);
    let translations = |h: &Harness<'static, Studio>| {
        h.state()
            .doc
            .model
            .relations
            .iter()
            .map(|r| r.translations.len())
            .sum::<usize>()
    };
    assert_eq!(translations(&h), 0);
    h.get_all_by_label("Translations (0)")
        .next()
        .unwrap()
        .click();
    settle(&mut h);
    click(&mut h, "+ Translation");
    assert_eq!(translations(&h), 1);
    assert!(h.query_by_label("Translation 1").is_some());
    // The label, then its combo box (both named so).
    h.get_all_by_label("Booking event").last().unwrap().click();
    settle(&mut h);
    h.query_all_by_label("ServiceBooked")
        .last()
        .unwrap()
        .click();
    settle(&mut h);
    let t = h
        .state()
        .doc
        .model
        .relations
        .iter()
        .flat_map(|r| &r.translations)
        .next()
        .unwrap()
        .clone();
    assert_eq!(t.from, "ServiceBooked");
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(translations(&h), 0, "undone");
}

#[test]
fn a_run_reset_to_its_start_steps_by_command_and_event_and_continues_to_the_same_log() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    let scenario = "payment over the limit is compensated";
    run_scenario(&mut h, scenario);
    let straight = stormlab::sim::log::jsonl(&last_run(&h).engine);
    // Reset: the scenario set up afresh, paused before its first step.
    click(&mut h, "⏮ Reset");
    wait_for(&mut h, "paused at");
    let run = last_run(&h);
    assert!(!run.finished);
    assert_eq!(run.engine.commands().len(), 0);
    assert!(h.query_by_label("▶ Continue").is_some());
    // One command: it is handled with the events it appended, and the cursor follows.
    click(&mut h, "Step command");
    let (commands, events) = {
        let e = &last_run(&h).engine;
        (e.commands().len(), e.records().len())
    };
    assert_eq!(commands, 1);
    assert!(events >= 1, "the first command appended its events");
    assert_eq!(h.state().sim.time.cursor(), events as u64);
    assert!(
        h.query_by_label_contains(&format!("{events} events, 1 commands"))
            .is_some()
    );
    // One event (F10): exactly one more record, however many deliveries it took.
    h.key_press(Key::F10);
    settle(&mut h);
    assert_eq!(last_run(&h).engine.records().len(), events + 1);
    assert_eq!(h.state().sim.time.cursor(), events as u64 + 1);
    // Continue: on to the end on the worker; the checks run, and the log is the one a
    // straight run writes, byte for byte.
    click(&mut h, "▶ Continue");
    wait_for(&mut h, "passed");
    let run = last_run(&h);
    assert!(run.finished);
    assert!(run.verdicts.iter().all(|v| v.passed));
    assert_eq!(stormlab::sim::log::jsonl(&run.engine), straight);
}

#[test]
fn enums_and_value_objects_are_added_and_edited_from_the_context_inspector() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.get_by_label("context Booking").click();
    settle(&mut h);
    let before = h.state().doc.model.contexts[0].enums.len();
    click(&mut h, "+ Enum");
    // Added with a free name and selected: the inspector now edits its values.
    let c = &h.state().doc.model.contexts[0];
    assert_eq!(c.enums.len(), before + 1);
    assert_eq!(c.enums[before].name, "NewEnum");
    let selected: Vec<_> = h.state().selection.iter().copied().collect();
    assert_eq!(selected.len(), 1);
    assert_eq!(kind_of(&h, selected[0]), Kind::Enum);
    assert!(h.query_by_label("Values, comma-separated").is_some());
    // Undo removes it in one step.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().doc.model.contexts[0].enums.len(), before);
    // A value object: added, then a field given in the inspector.
    h.get_by_label("context Booking").click();
    settle(&mut h);
    let values = h.state().doc.model.contexts[0].values.len();
    click(&mut h, "+ Value object");
    click(&mut h, "➕ Add field");
    let v = &h.state().doc.model.contexts[0].values[values];
    assert_eq!(v.name, "NewValue");
    assert_eq!(v.fields.len(), 1);
    // Listed in its context, a click selects it again.
    h.get_by_label("context Booking").click();
    settle(&mut h);
    click(&mut h, "value object NewValue");
    let selected: Vec<_> = h.state().selection.iter().copied().collect();
    assert_eq!(kind_of(&h, selected[0]), Kind::Value);
}

#[test]
fn a_long_run_pauses_on_its_worker_and_shows_what_it_has_so_far() {
    // 200,000 bookings: far longer than the few frames it takes to ask for the pause.
    let scenario = "CRM outage parks booking events";
    let model = with_load(example("autoservice"), scenario, 200_000, Some("1s"));
    let (mut h, _dir) = harness(model);
    settle(&mut h);
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label(scenario).click();
    settle(&mut h);
    h.key_press(Key::F5);
    h.run_steps(2);
    assert!(h.state().sim.running());
    assert!(h.query_by_label("⏸ Pause").is_some());
    h.key_press(Key::F6);
    // Setting the scenario up (200,000 commands scheduled) comes before the first step.
    for _ in 0..600 {
        if !h.state().sim.running() {
            break;
        }
        h.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    h.run_steps(4);
    assert!(h.query_by_label_contains("paused at").is_some());
    let run = last_run(&h);
    assert!(!run.finished);
    assert!(run.engine.commands().len() < 200_000);
    // What ran so far is there to look at and step.
    assert_eq!(
        h.state().sim.time.cursor(),
        run.engine.records().len() as u64
    );
    let before = run.engine.records().len();
    click(&mut h, "Step event");
    assert_eq!(last_run(&h).engine.records().len(), before + 1);
}

#[test]
fn help_lists_the_keyboard_shortcuts() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.get_by_label("Help").click();
    settle(&mut h);
    h.get_by_label("Keyboard Shortcuts").click();
    settle(&mut h);
    assert!(h.state().windows.shortcuts_open);
    // The same labels and keys as the menus (one table declares both).
    assert!(h.query_by_label("Step Event").is_some());
    assert!(h.query_by_label("F10").is_some());
    assert!(h.query_by_label("Reset (paused at the start)").is_some());
    // Alternative keys are listed beside the first.
    assert!(h.query_by_label_contains("Ctrl+Y").is_some());
}

#[test]
fn stepping_with_nothing_paused_starts_the_scenario_paused_and_takes_the_step() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    h.key_press(Key::F10);
    wait_for(&mut h, "paused at");
    let run = last_run(&h);
    assert!(!run.finished);
    assert_eq!(run.engine.records().len(), 1, "one event, the first step");
    assert_eq!(h.state().sim.time.cursor(), 1);
}

#[test]
fn a_run_started_in_presentation_mode_arrives_there() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    h.key_press(Key::F11);
    settle(&mut h);
    h.key_press(Key::F5);
    for _ in 0..100 {
        h.run_steps(2);
        if h.state().sim.run.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(h.state().presenting.is_some(), "still presenting");
    assert!(
        last_run(&h).finished,
        "the run arrived without leaving presentation mode"
    );
}

#[test]
fn opening_another_model_shows_none_of_the_old_models_problems_run_or_badges() {
    // A board with a finding of its own.
    let (mut h, dir) = board_with(&[Kind::Command]);
    wait_for(&mut h, "SL011  command Core/DoSomething is not handled");
    let unhandled = dir.path().join("unhandled.ron");
    stormlab::model::file::save(&unhandled, &h.state().doc.model).unwrap();
    // Open the example: the old finding is gone at once, before the new check has finished.
    let example = dir.path().join("autoservice.ron");
    std::fs::write(&example, stormlab::app::shell::studio::DEFAULT_MODEL).unwrap();
    h.state_mut().open_path(&example);
    h.step();
    assert!(h.query_by_label_contains("SL011").is_none());
    assert!(h.state().problems.diagnostics.is_empty());
    // Run it: the board gets badges and lit stickies.
    h.key_press(Key::F5);
    wait_for(&mut h, "passed");
    h.run_steps(10);
    let revision = h.state().doc.revision;
    assert!(!h.state_mut().sim.badges(revision).is_empty());
    // Open the other model: no run, no badges, nothing lit, no old selection.
    h.state_mut().open_path(&unhandled);
    settle(&mut h);
    let studio = h.state_mut();
    let revision = studio.doc.revision;
    assert!(studio.sim.run.is_none(), "the old run is gone");
    assert!(studio.sim.badges(revision).is_empty());
    assert!(studio.sim.lit(revision).is_empty());
    assert!(studio.selection.is_empty());
    // And its own finding comes back from its own check.
    let mut found = false;
    for _ in 0..100 {
        h.run_steps(2);
        found = h
            .state()
            .problems
            .diagnostics
            .iter()
            .any(|d| d.message.contains("DoSomething is not handled"));
        if found {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(found, "the new model is checked");
}

#[test]
fn deleting_a_sticky_keeps_the_others_selected_and_copies_get_new_ids() {
    let (mut h, _dir) = board_with(&[Kind::Event, Kind::Event, Kind::Event]);
    let ids: Vec<_> = h.state().doc.model.contexts[0]
        .events
        .iter()
        .map(|e| e.uid)
        .collect();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    settle(&mut h);
    h.state_mut().selection.remove(&ids[1]);
    h.state_mut().selection.remove(&ids[2]);
    // Select the middle one alone and delete it: the others keep their ids.
    h.state_mut().selection.clear();
    h.state_mut().selection.insert(ids[1]);
    h.key_press(Key::Delete);
    settle(&mut h);
    let now: Vec<_> = h.state().doc.model.contexts[0]
        .events
        .iter()
        .map(|e| e.uid)
        .collect();
    assert_eq!(now, [ids[0], ids[2]]);
    // Duplicate the last one: the copy is a new element with its own id.
    h.state_mut().selection.clear();
    h.state_mut().selection.insert(ids[2]);
    h.key_press_modifiers(Modifiers::COMMAND, Key::D);
    settle(&mut h);
    let events = &h.state().doc.model.contexts[0].events;
    assert_eq!(events.len(), 3);
    let copy = events[2].uid;
    assert!(!ids.contains(&copy));
    assert_eq!(
        h.state().selection.iter().copied().collect::<Vec<_>>(),
        [copy],
        "the copy is selected"
    );
}

/// Types `text` one character per frame, as a person does: every keystroke is applied (and
/// the inspector redrawn from the model) before the next.
fn type_chars(h: &mut Harness<'static, Studio>, text: &str) {
    for c in text.chars() {
        h.event(egui::Event::Text(c.to_string()));
        h.run_steps(2);
    }
    settle(h);
}

#[test]
fn a_new_field_is_named_by_typing_and_a_list_type_typed_key_by_key_is_kept_whole() {
    let (mut h, _dir) = board_with(&[Kind::Event]);
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    let before = h.state().doc.model.contexts[0].events[0].fields.len();
    click(&mut h, "➕ Add field");
    settle(&mut h);
    // The new field's name box has the keys, its placeholder selected: typing names it.
    type_chars(&mut h, "order_lines");
    let fields = &h.state().doc.model.contexts[0].events[0].fields;
    assert_eq!(fields.len(), before + 1);
    let n = fields[before].n;
    assert_eq!(fields[before].name, "order_lines");
    assert_eq!(
        h.state().selection.len(),
        1,
        "no key reached the board (Ctrl+A would have selected every sticky)"
    );
    // Its type, typed key by key: `list<` does not parse yet, and is kept, not lost.
    retype(&mut h, &format!("field #{n} type"), "");
    type_chars(&mut h, "list<string>");
    h.key_press(Key::Enter);
    settle(&mut h);
    let field = &h.state().doc.model.contexts[0].events[0].fields[before];
    assert_eq!(field.ty.to_string(), "list<string>");
}

#[test]
fn comma_separated_states_typed_key_by_key_keep_their_commas() {
    let (mut h, _dir) = board_with(&[Kind::Aggregate]);
    h.get_by_label("aggregate Aggregate").click();
    settle(&mut h);
    retype(&mut h, "Lifecycle states", "");
    type_chars(&mut h, "New, Placed");
    h.key_press(Key::Enter);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].aggregates[0].lifecycle,
        ["New", "Placed"]
    );
}

#[test]
fn a_text_box_session_is_one_undo_step_named_after_its_element() {
    let (mut h, _dir) = board_with(&[Kind::Event]);
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    // A description typed key by key: every key reaches the model, the session is one step.
    click(&mut h, "Description of the element");
    type_chars(&mut h, "When 10 orders are in");
    let zoom = h.state_mut().view().zoom;
    // A real keyboard sends the key too: `0` is text here, not View → Actual Size.
    h.key_press(Key::Num0);
    h.event(egui::Event::Text("0".into()));
    h.run_steps(2);
    assert_eq!(h.state_mut().view().zoom, zoom);
    h.key_press(Key::Backspace);
    h.run_steps(2);
    let ev = &h.state().doc.model.contexts[0].events[0];
    assert_eq!(
        ev.doc, "When 10 orders are in",
        "0 is typed, not taken for Actual Size"
    );
    assert_eq!(
        h.state().doc.history.undo_label(),
        Some("Edit ‘SomethingHappened’")
    );
    // The name, typed in the inspector and committed with Enter: its own step.
    retype(&mut h, "Element name", "OrderPlaced");
    h.key_press(Key::Enter);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].events[0].name,
        "OrderPlaced"
    );
    assert_eq!(
        h.state().doc.history.undo_label(),
        Some("Rename ‘SomethingHappened’")
    );
    h.key_press(Key::Escape);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    let ev = &h.state().doc.model.contexts[0].events[0];
    assert_eq!(
        ev.name, "SomethingHappened",
        "one undo takes the rename back"
    );
    assert_eq!(
        ev.doc, "When 10 orders are in",
        "0 is typed, not taken for Actual Size"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].events[0].doc,
        "",
        "one more takes the whole description back"
    );
}

#[test]
fn a_scenario_editor_session_is_one_undo_step() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label("New Scenario").click();
    settle(&mut h);
    let named = h.state().doc.model.scenarios.last().unwrap().name.clone();
    retype(&mut h, "Scenario name", "");
    type_chars(&mut h, "an order");
    assert_eq!(
        h.state().doc.model.scenarios.last().unwrap().name,
        "an order"
    );
    h.key_press(Key::Escape);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.scenarios.last().unwrap().name,
        named,
        "one undo takes the whole name back"
    );
}

#[test]
fn the_context_inspector_edits_by_operations_and_each_is_undone_alone() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    let relations = h.state().doc.model.relations.len();
    h.get_by_label("context Booking").click();
    settle(&mut h);
    h.get_by_label("Add relation to…").click();
    settle(&mut h);
    h.get_by_label("Booking upstream of Analytics").click();
    settle(&mut h);
    let model = &h.state().doc.model;
    assert_eq!(model.relations.len(), relations + 1);
    let added = model.relations.last().unwrap();
    assert_eq!(
        (added.upstream.as_str(), added.downstream.as_str()),
        ("Booking", "Analytics")
    );
    assert!(!added.uid.is_none());
    assert_eq!(
        h.state().doc.history.undo_label(),
        Some("Edit context ‘Booking’")
    );
    // The step holds the new relation only, not a copy of the model.
    let ops = h.state().doc.history.undo_ops().unwrap();
    assert!(
        matches!(ops, [stormlab::model::op::Op::RemoveRelation { .. }]),
        "{ops:?}"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(h.state().doc.model.relations.len(), relations);
    assert!(!h.state().doc.is_dirty());
}

#[test]
fn the_panels_run_button_and_f5_issue_the_same_command() {
    use stormlab::app::commands::actions::Action;
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    h.key_press(Key::F5);
    h.step();
    assert_eq!(h.state().recent_actions(), [Action::RunScenario]);
    wait_for(&mut h, "passed");
    h.run_steps(5);
    h.get_by_label("▶ Run").click();
    h.step();
    assert_eq!(
        h.state().recent_actions(),
        [Action::RunScenario, Action::RunScenario]
    );
    wait_for(&mut h, "passed");
    h.run_steps(5);
    // Reset from the panel and Ctrl+F5 are one action too, and leave the run paused.
    h.get_by_label("⏮ Reset").click();
    h.step();
    assert_eq!(h.state().recent_actions().last(), Some(&Action::ResetRun));
    h.run_steps(10);
    assert!(h.query_by_label("▶ Continue").is_some());
    h.key_press(Key::F10);
    h.step();
    assert_eq!(h.state().recent_actions().last(), Some(&Action::StepEvent));
    // The panel's New scenario is the Simulate menu's.
    let scenarios = h.state().doc.model.scenarios.len();
    h.get_by_label("New scenario").click();
    h.step();
    assert_eq!(
        h.state().recent_actions().last(),
        Some(&Action::NewScenario)
    );
    settle(&mut h);
    assert_eq!(h.state().doc.model.scenarios.len(), scenarios + 1);
    // The panel's window buttons open their windows through the menus' actions; pressed
    // again, they close them.
    h.get_by_label("Sandbox…").click();
    h.step();
    assert_eq!(h.state().recent_actions().last(), Some(&Action::Sandbox));
    assert!(h.state().sim.authoring.sandbox.open);
    h.get_by_label("Fault plan…").click();
    h.step();
    assert_eq!(h.state().recent_actions().last(), Some(&Action::FaultPlan));
    assert!(h.state().sim.authoring.faults.open);
    settle(&mut h);
    h.get_by_label("Sandbox…").click();
    h.step();
    assert!(!h.state().sim.authoring.sandbox.open);
    assert_eq!(h.state().recent_actions().last(), Some(&Action::FaultPlan));
}

#[test]
fn a_burst_of_arrow_key_nudges_is_one_undo_step() {
    let (mut h, _dir) = board_with(&[Kind::Event]);
    h.get_by_label("event SomethingHappened").click();
    settle(&mut h);
    let at = |h: &Harness<'static, Studio>| h.state().doc.model.contexts[0].events[0].at;
    let start = at(&h);
    for _ in 0..3 {
        h.key_press(Key::ArrowRight);
        h.run();
    }
    h.key_press(Key::ArrowDown);
    settle(&mut h);
    assert_eq!(at(&h).x, start.x + 30.0);
    assert_eq!(at(&h).y, start.y + 10.0);
    assert_eq!(
        h.state().doc.history.undo_label(),
        Some("Move ‘SomethingHappened’")
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(at(&h), start, "the whole burst is undone at once");
}

#[test]
fn a_new_sticky_is_named_by_typing_right_after_creating_it() {
    let (mut h, _dir) = harness(Model::new("t"));
    settle(&mut h);
    h.get_by_label("new command").click();
    settle(&mut h);
    double_click_board(&mut h, egui::vec2(200.0, 200.0));
    // No click on the sticky, no F2: the placeholder is selected, the keys go to its name.
    for text in ["Place", "Order"] {
        h.event(egui::Event::Text(text.into()));
        h.step();
    }
    h.key_press(Key::Enter);
    settle(&mut h);
    let commands = &h.state().doc.model.contexts[0].commands;
    assert_eq!(commands.len(), 1, "typing made no other sticky");
    assert_eq!(commands[0].name, "PlaceOrder");
    assert!(
        commands[0].contract.is_empty(),
        "no placeholder contract pinned"
    );
    // Undo takes the name back, then the sticky.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(
        h.state().doc.model.contexts[0].commands[0].name,
        "DoSomething"
    );
}

#[test]
fn a_domain_expert_draws_a_board_that_runs_without_typing_any_ron() {
    let (mut h, _dir) = harness(Model::new("t"));
    settle(&mut h);
    // Stickies from the palette, each named by typing right after it is made.
    let stickies = [
        (Kind::Actor, "Customer", (60.0, 80.0)),
        (Kind::Command, "PlaceOrder", (220.0, 80.0)),
        (Kind::Aggregate, "Order", (400.0, 80.0)),
        (Kind::Event, "OrderPlaced", (580.0, 80.0)),
        (Kind::ReadModel, "Orders", (580.0, 260.0)),
        (Kind::Policy, "ConfirmPlacedOrders", (760.0, 80.0)),
        (Kind::Command, "ConfirmOrder", (760.0, 260.0)),
    ];
    for (kind, name, (x, y)) in stickies {
        h.get_by_label(&format!("new {}", kind.label())).click();
        settle(&mut h);
        double_click_board(&mut h, egui::vec2(x, y));
        h.event(egui::Event::Text(name.into()));
        h.key_press(Key::Enter);
        settle(&mut h);
    }
    // The flow, drawn as links (select, L, click the target).
    let links = [
        ("actor Customer", "command PlaceOrder"),
        ("command PlaceOrder", "aggregate Order"),
        ("aggregate Order", "event OrderPlaced"),
        ("event OrderPlaced", "read model Orders"),
        ("event OrderPlaced", "policy ConfirmPlacedOrders"),
        ("policy ConfirmPlacedOrders", "command ConfirmOrder"),
        ("command ConfirmOrder", "aggregate Order"),
    ];
    let mut selected = "";
    for (from, to) in links {
        // A link selects its target; clicking it again at once would be a double click.
        if from != selected {
            h.get_by_label(from).click();
            settle(&mut h);
        }
        selected = to;
        h.key_press(Key::L);
        settle(&mut h);
        h.get_by_label(to).click();
        settle(&mut h);
    }
    // A guard, from the inspector's structured editor.
    h.get_by_label("aggregate Order").click();
    settle(&mut h);
    // Both handlers are open; the first is PlaceOrder's.
    h.query_all_by_label("+ Guard").next().unwrap().click();
    settle(&mut h);
    let order = &h.state().doc.model.contexts[0].aggregates[0];
    assert_eq!(order.handlers[0].guards.len(), 1);
    // A scenario, from the scenario editor.
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label("New Scenario").click();
    settle(&mut h);
    retype(&mut h, "Scenario name", "one order");
    click(&mut h, "+ Command");
    pick(&mut h, "Step 1: command", "PlaceOrder");
    // Text is typed as it is: no quotes.
    retype(&mut h, "Step 1: id", "o-1");
    click(&mut h, "+ Expectation");
    pick(&mut h, "Expectation 1: event", "OrderPlaced");
    let errors: Vec<String> = stormlab::model::check::check(&h.state().doc.model)
        .into_iter()
        .filter(|d| d.severity == stormlab::model::diagnostic::Severity::Error)
        .map(|d| d.message)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    h.key_press(Key::F5);
    wait_for(&mut h, "passed");
    h.run_steps(5);
    let run = last_run(&h);
    assert_eq!(run.scenario, "one order");
    let step = &h.state().doc.model.scenarios[0].when[0];
    assert!(
        matches!(step, stormlab::model::Step::Command { fields, .. } if fields["id"] == "'o-1'"),
        "{step:?}"
    );
    assert!(run.verdicts.iter().all(|v| v.passed), "{:?}", run.verdicts);
    let e = &run.engine;
    let names: Vec<&str> = e
        .records()
        .iter()
        .filter_map(|r| e.event_of(r).map(|d| d.name.as_str()))
        .collect();
    assert_eq!(names, ["OrderPlaced"]);
    // The policy issued ConfirmOrder; the read model holds the order's row.
    assert_eq!(e.commands().len(), 2);
    assert_eq!(e.tables()[0].len(), 1);
}

#[test]
fn presentation_mode_says_in_words_that_a_command_was_rejected_and_a_saga_compensated() {
    use stormlab::app::simulation::time_control::TimeCommand;
    let (mut h, _dir) = harness(example("accounts"));
    run_scenario(&mut h, "payment over the limit is compensated");
    let e = &last_run(&h).engine;
    let rejected = e
        .commands()
        .iter()
        .find(|c| c.rejection.is_some())
        .expect("the payment is rejected");
    let at = e.cursor_of(rejected);
    h.key_press(Key::F11);
    settle(&mut h);
    h.state_mut().sim.time.apply(TimeCommand::Seek(at));
    settle(&mut h);
    assert!(
        h.query_by_label_contains("ChargePayment o-2 rejected: over the card limit")
            .is_some(),
        "the caption says what was rejected and why"
    );
    // On the board, the rejected command's sticky is marked as failed at that step.
    let revision = h.state().doc.revision;
    let failed = h.state().sim.failed(revision);
    let model = &h.state().doc.model;
    let names: Vec<&str> = failed.iter().filter_map(|&l| model.name_of(l)).collect();
    assert_eq!(names, ["ChargePayment"]);
    // At the end, the saga's compensation is told too.
    h.state_mut().sim.time.apply(TimeCommand::End);
    settle(&mut h);
    let end = h.state().sim.time.cursor();
    let said = (0..=end).any(|c| {
        h.state_mut().sim.time.apply(TimeCommand::Seek(c));
        h.run_steps(2);
        h.query_by_label_contains("OrderFulfilment o-2: Compensated")
            .is_some()
    });
    assert!(said, "some step of the run narrates the compensation");
    // The step where the compensating command's event lands says what it answers, and so
    // does the saga's failure command after it.
    let e = &last_run(&h).engine;
    let released = e
        .records()
        .iter()
        .position(|r| e.program().events[r.event as usize].name == "StockReleased")
        .expect("the stock is released") as u64;
    h.state_mut()
        .sim
        .time
        .apply(TimeCommand::Seek(released + 1));
    settle(&mut h);
    assert!(
        h.query_by_label_contains(
            "↺ compensation ReleaseStock o-2, because ChargePayment o-2 was rejected: over the card limit"
        )
        .is_some(),
        "the stock released is narrated as the compensation"
    );
    h.state_mut().sim.time.apply(TimeCommand::End);
    settle(&mut h);
    assert!(
        h.query_by_label_contains("↺ on failure CancelOrder o-2, because ChargePayment o-2")
            .is_some(),
        "the order cancelled is narrated as the saga's failure command"
    );
}

#[test]
fn quick_fixes_in_problems_are_one_undoable_step_each() {
    use stormlab::model::access::Sticky;
    let mut m = Model::new("t");
    for (kind, name) in [
        (Kind::Command, "PlaceOrder"),
        (Kind::Aggregate, "Order"),
        (Kind::Event, "SomethingHappened"),
    ] {
        m.insert_sticky(
            0,
            Sticky::new_of(kind, name, stormlab::model::Pos::new(100.0, 100.0)).unwrap(),
        )
        .unwrap();
    }
    // Aimed at the aggregate by hand (as a file may say): no handler, no id field.
    m.contexts[0].commands[0].target = "Order".into();
    let (mut h, _dir) = harness(m);
    wait_for(&mut h, "SL011  command Core/PlaceOrder is not handled");
    click(&mut h, "🔧 Add a handler for PlaceOrder");
    assert_eq!(
        h.state().doc.model.contexts[0].aggregates[0].handlers[0].on,
        "PlaceOrder"
    );
    assert_eq!(
        h.state().doc.history.undo_label(),
        Some("Fix: Add a handler for PlaceOrder")
    );
    wait_for(&mut h, "SL029");
    click(&mut h, "🔧 Add field `id`");
    assert_eq!(
        h.state().doc.model.contexts[0].commands[0].fields[0].name,
        "id"
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert!(
        h.state().doc.model.contexts[0].commands[0]
            .fields
            .is_empty()
    );
    assert_eq!(
        h.state().doc.model.contexts[0].aggregates[0].handlers.len(),
        1
    );
    // A placeholder name's fix opens the name box on the board.
    click(&mut h, "🔧 Name it…");
    assert!(h.state_mut().view().is_renaming());
}

#[test]
fn the_mouse_wheel_over_a_window_does_not_scroll_the_board_beneath() {
    let (mut h, _dir) = harness(stormlab::app::shell::studio::default_model());
    settle(&mut h);
    let wheel = |h: &mut Harness<'static, Studio>, at: egui::Pos2| {
        h.hover_at(at);
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -120.0),
            phase: egui::TouchPhase::Move,
            modifiers: Modifiers::NONE,
        });
        settle(h);
    };
    // Over the board: it pans.
    let board = h.get_by_label("board").rect();
    let before = h.state_mut().view().offset;
    wheel(&mut h, board.center());
    assert_ne!(
        h.state_mut().view().offset,
        before,
        "the wheel pans the board"
    );
    // Over a window above the board: the board stays where it is.
    h.state_mut().windows.shortcuts_open = true;
    settle(&mut h);
    let window = h.get_by_label("Keyboard shortcuts").rect();
    assert!(
        board.contains(window.center()),
        "the window is over the board"
    );
    let before = h.state_mut().view().offset;
    wheel(&mut h, window.center() + egui::vec2(0.0, 60.0));
    assert_eq!(h.state_mut().view().offset, before);
}

#[test]
fn the_start_page_opens_the_starter_board_which_runs_as_drawn() {
    let (mut h, _dir) = harness(Model::new("t"));
    settle(&mut h);
    h.get_by_label("File").click();
    settle(&mut h);
    h.get_by_label("Start Page…").click();
    settle(&mut h);
    assert!(h.query_by_label("Welcome to Stormlab").is_some());
    click(
        &mut h,
        "New from the starter: orders and payments (runs as drawn)",
    );
    assert!(
        h.query_by_label("Welcome to Stormlab").is_none(),
        "it closes"
    );
    assert_eq!(h.state().doc.model.name, "Orders and payments");
    assert!(h.query_by_label("aggregate Payment").is_some());
    h.key_press(Key::F5);
    wait_for(&mut h, "passed");
    h.run_steps(5);
    assert!(last_run(&h).verdicts.iter().all(|v| v.passed));
    // An example opens from it too.
    h.state_mut().windows.start.open = true;
    settle(&mut h);
    click(&mut h, "Accounts and orders (a saga with compensation)");
    assert_eq!(h.state().doc.model.name, "Accounts and Orders");
}

/// Clicks once at screen point `at`.
fn click_at(h: &mut Harness<'static, Studio>, at: egui::Pos2) {
    h.hover_at(at);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos: at,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
        h.step();
    }
    settle(h);
}

/// An arrow of the board that `wanted` accepts, and the screen point halfway along its route
/// (one no other arrow passes nearer to, so a click there picks it).
fn arrow_to_click(
    h: &mut Harness<'static, Studio>,
    wanted: impl Fn(stormlab::model::Loc, stormlab::model::Loc) -> bool,
) -> ((stormlab::model::Loc, stormlab::model::Loc), egui::Pos2) {
    use stormlab::app::board::route::point_along;
    let board = h.state_mut().view();
    board
        .arrows
        .routed()
        .filter(|((a, b), _)| wanted(*a, *b))
        .map(|(l, r)| (*l, point_along(r, 0.5)))
        .find(|(l, mid)| board.arrows.hit(*mid, 0.5) == Some(*l))
        .map(|(l, mid)| (l, board.to_screen(mid)))
        .expect("an arrow to click")
}

#[test]
fn an_arrow_is_picked_by_a_click_and_delete_removes_the_link_it_draws_in_one_undo_step() {
    let (mut h, _dir) = harness(example("accounts"));
    settle(&mut h);
    // A command → aggregate arrow, clicked halfway along its route.
    let (link, at) = arrow_to_click(&mut h, |from, to| {
        from.kind == Kind::Command && to.kind == Kind::Aggregate
    });
    let command = link.0;
    let target = |h: &Harness<'static, Studio>| {
        let c = command.context.unwrap();
        h.state().doc.model.contexts[c].commands[command.index]
            .target
            .to_string()
    };
    let before = target(&h);
    assert!(!before.is_empty());
    click_at(&mut h, at);
    assert_eq!(h.state_mut().view().picked_arrow, Some(link));
    assert!(h.state().selection.is_empty());
    h.key_press(Key::Delete);
    settle(&mut h);
    // The command no longer names its aggregate, and the board has no such arrow.
    assert_eq!(target(&h), "");
    assert!(!h.state_mut().view().arrows.links().contains(&link));
    assert_eq!(h.state_mut().view().picked_arrow, None);
    // One step undoes it.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(target(&h), before);
    assert!(h.state_mut().view().arrows.links().contains(&link));
    // A click on empty board picks no arrow.
    let empty = h.get_by_label("board").rect().max - egui::vec2(5.0, 5.0);
    click_at(&mut h, empty);
    assert_eq!(h.state_mut().view().picked_arrow, None);
}

#[test]
fn a_parked_delivery_is_marked_on_its_subscriber_and_the_summary_counts_what_the_timeline_shows() {
    use stormlab::app::simulation::time_control::TimeCommand;
    use stormlab::sim::engine::Change;
    let (mut h, _dir) = harness(example("autoservice"));
    settle(&mut h);
    run_scenario(&mut h, "CRM outage parks booking events");
    // The run summary and the timeline's legend agree: 20 parked, all redriven by the end.
    assert!(
        h.query_by_label_contains("20 parked (0 still parked)")
            .is_some()
    );
    assert!(h.query_by_label("20 parked").is_some());
    assert!(h.query_by_label("1 redriven").is_some());
    // At the moment a booking is parked, the CRM's sticky is marked as failed.
    let parked_at = {
        let e = &last_run(&h).engine;
        e.journal()
            .iter()
            .find(|(_, _, c)| matches!(c, Change::Parked(_)))
            .map(|(at, time, _)| stormlab::sim::timeline::shown_from(e, *at, *time))
            .expect("a delivery is parked")
    };
    h.state_mut().sim.time.apply(TimeCommand::Seek(parked_at));
    settle(&mut h);
    let revision = h.state().doc.revision;
    let failed = h.state().sim.failed(revision);
    let model = &h.state().doc.model;
    let names: Vec<&str> = failed.iter().filter_map(|&l| model.name_of(l)).collect();
    assert!(names.contains(&"Crm"), "{names:?}");
    // A moment without a failure marks nothing.
    h.state_mut().sim.time.apply(TimeCommand::Seek(0));
    settle(&mut h);
    assert!(h.state().sim.failed(revision).is_empty());
}

#[test]
fn a_field_type_is_picked_from_the_built_in_types_and_the_models_value_objects_and_wrapped() {
    use stormlab::model::Type;
    let (mut h, _dir) = harness(example("autoservice"));
    settle(&mut h);
    h.get_by_label("aggregate Booking").click();
    settle(&mut h);
    let ty = |h: &Harness<'static, Studio>| {
        h.state().doc.model.contexts[0].aggregates[0].state[0]
            .ty
            .clone()
    };
    assert_eq!(ty(&h), Type::Id);
    h.get_by_label("field #1 type picker").click();
    settle(&mut h);
    h.get_by_label("Money").click();
    settle(&mut h);
    assert_eq!(ty(&h), Type::Named("Money".into()));
    h.get_by_label("field #1 type picker").click();
    settle(&mut h);
    h.get_by_label("list<Money>").click();
    settle(&mut h);
    assert_eq!(ty(&h), Type::List(Box::new(Type::Named("Money".into()))));
    h.get_by_label("field #1 type picker").click();
    settle(&mut h);
    h.get_by_label("Unwrap to Money").click();
    settle(&mut h);
    assert_eq!(ty(&h), Type::Named("Money".into()));
    // Each pick is one undo step.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(ty(&h), Type::List(Box::new(Type::Named("Money".into()))));
}

/// Drags with the primary button from `from` through `to` (screen points), a few steps.
fn drag_between(h: &mut Harness<'static, Studio>, from: egui::Pos2, to: egui::Pos2) {
    h.hover_at(from);
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.step();
    for i in 1..=6 {
        h.hover_at(from + (to - from) * (i as f32 / 6.0));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.step();
    settle(h);
}

#[test]
fn a_dragged_sticky_snaps_level_with_its_neighbour_in_one_undo_step() {
    let (mut h, _dir) = board_with(&[Kind::Event, Kind::Command]);
    let y = |h: &Harness<'static, Studio>, i: usize| {
        let c = &h.state().doc.model.contexts[0];
        if i == 0 {
            c.events[0].at.y
        } else {
            c.commands[0].at.y
        }
    };
    let level = y(&h, 0);
    assert_eq!(y(&h, 1), level);
    // Dragged down 40 points, then back up 37: within a few points of the event's top, it
    // snaps level with it.
    let at = h.get_by_label("command DoSomething").rect().center();
    drag_between(&mut h, at, at + egui::vec2(0.0, 40.0));
    let moved = y(&h, 1);
    assert!(moved > level + 10.0, "{moved} vs {level}");
    let at = h.get_by_label("command DoSomething").rect().center();
    drag_between(&mut h, at, at + egui::vec2(0.0, -37.0));
    assert_eq!(y(&h, 1), level, "snapped level");
    // One drag is one undo step.
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(y(&h, 1), moved);
}

#[test]
fn the_minimap_shows_while_the_board_is_zoomed_in_and_a_click_in_it_brings_that_part_into_view() {
    use stormlab::app::board::canvas::element_rect;
    let (mut h, _dir) = harness(example("autoservice"));
    settle(&mut h);
    // Fitted: the whole board is in view, no minimap.
    assert!(h.query_by_label("minimap").is_none());
    h.state_mut().view().zoom = 2.0;
    settle(&mut h);
    let map = h.get_by_label("minimap").rect();
    // A click in the minimap's centre brings the board's centre into view.
    click_at(&mut h, map.center());
    let model = h.state().doc.model.clone();
    let bounds = model
        .elements()
        .iter()
        .filter_map(|e| element_rect(&model, e.loc))
        .reduce(|a, b| a.union(b))
        .unwrap();
    let board = h.state_mut().view();
    let canvas = board.canvas();
    let centre = board.to_screen(bounds.center());
    assert!(
        (centre - canvas.center()).length() < 3.0,
        "{centre:?} vs the canvas centre {:?}",
        canvas.center()
    );
}

#[test]
fn a_picked_arrow_is_labelled_in_the_inspector_in_one_undo_step_and_the_label_is_saved() {
    let (mut h, dir) = harness(example("accounts"));
    settle(&mut h);
    let (link, at) = arrow_to_click(&mut h, |_, _| true);
    click_at(&mut h, at);
    assert_eq!(h.state_mut().view().picked_arrow, Some(link));
    h.get_by_label("arrow label").click();
    settle(&mut h);
    for c in "only gold sponsors".chars() {
        h.event(egui::Event::Text(c.to_string()));
        h.step();
    }
    settle(&mut h);
    let labels = || {
        let m = &h.state().doc.model;
        m.labels.iter().map(|l| l.text.clone()).collect::<Vec<_>>()
    };
    assert_eq!(labels(), ["only gold sponsors"]);
    // Saved with the model, and read back.
    let path = dir.path().join("labelled.ron");
    stormlab::model::file::save(&path, &h.state().doc.model).unwrap();
    let back = stormlab::model::file::load(&path).unwrap();
    assert_eq!(back.labels, h.state().doc.model.labels);
    // The whole typing session is one undo step.
    h.key_press(Key::Escape);
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert!(h.state().doc.model.labels.is_empty());
}

#[test]
fn a_handlers_outcomes_are_edited_in_the_inspector_and_undone() {
    let model =
        stormlab::model::file::from_str(include_str!("fixtures/stock.ron"), "stock.ron").unwrap();
    let (mut h, _dir) = harness(model);
    settle(&mut h);
    h.get_by_label("aggregate Reservation").click();
    settle(&mut h);
    // The outcomes in order, each condition in a checked expression box.
    assert!(h.query_by_label("1. when").is_some());
    assert!(h.query_by_label("3. otherwise").is_some());
    assert!(
        h.query_all_by_value("all(cmd.lines, l -> l.quantity <= 10)")
            .next()
            .is_some()
    );
    // A new outcome goes before the otherwise, which stays last.
    click(&mut h, "+ Outcome when…");
    let branches = |h: &Harness<'static, Studio>| {
        h.state().doc.model.contexts[0].aggregates[0].handlers[0]
            .branches
            .iter()
            .map(|b| b.when.clone())
            .collect::<Vec<_>>()
    };
    let now = branches(&h);
    assert_eq!(now.len(), 4);
    assert_eq!(now[2].as_deref(), Some("true"));
    assert_eq!(now[3], None, "the otherwise stays last");
    // Its condition is checked as you type.
    h.query_all_by_value("true").next().unwrap().click();
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.query_all_by_value("true")
        .next()
        .unwrap()
        .type_text("cmd.lines[0].qty > 1");
    settle(&mut h);
    assert_eq!(branches(&h)[2].as_deref(), Some("cmd.lines[0].qty > 1"));
    let shown: Vec<String> = h
        .query_all_by_label_contains("⚠")
        .map(|n| format!("{n:?}"))
        .collect();
    assert!(
        h.query_all_by_label_contains("has no field `qty`")
            .next()
            .is_some(),
        "the error is shown under the box: {shown:#?}"
    );
    // Tried earlier: it swaps with the one before it.
    h.query_all_by_label("⏶").nth(1).unwrap().click();
    settle(&mut h);
    assert_eq!(branches(&h)[1].as_deref(), Some("cmd.lines[0].qty > 1"));
    // Undo, step by step, back to the three outcomes of the file.
    for _ in 0..3 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        settle(&mut h);
    }
    assert_eq!(branches(&h).len(), 3);
}

#[test]
fn a_policys_fan_out_and_command_fields_are_edited_in_the_inspector() {
    let model =
        stormlab::model::file::from_str(include_str!("fixtures/stock.ron"), "stock.ron").unwrap();
    let (mut h, _dir) = harness(model);
    settle(&mut h);
    h.get_by_label("policy ReserveEachLine").click();
    settle(&mut h);
    // The element is in scope for the target and the fields: no error under them.
    assert!(h.query_all_by_value("line in event.lines").next().is_some());
    assert!(h.query_all_by_value("line.product").next().is_some());
    assert!(h.query_by_label("quantity =").is_some());
    assert!(h.query_all_by_label_contains("⚠").next().is_none());
    // Over what is not a list: the error shows, and so do the names it no longer provides.
    h.query_all_by_value("line in event.lines")
        .next()
        .unwrap()
        .click();
    settle(&mut h);
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.query_all_by_value("line in event.lines")
        .next()
        .unwrap()
        .type_text("line in event.order_id");
    settle(&mut h);
    let policy = &h.state().doc.model.contexts[0].policies[0];
    assert_eq!(policy.for_each.as_deref(), Some("line in event.order_id"));
    assert!(
        h.query_all_by_label_contains("a fan-out runs over a list, found `id`")
            .next()
            .is_some()
    );
    assert!(
        h.query_all_by_label_contains("unknown name `line`")
            .next()
            .is_some()
    );
}

/// Opens the Timers tab (one timer pending) and finds the line starting `line`, which says
/// what set it (`set_on`).
fn timer_shown(h: &mut Harness<'static, Studio>, line: &str, set_on: &str) {
    h.get_by_label("Timers (1)").click();
    settle(h);
    let shown = h.query_by_label_contains(line).map(|n| format!("{n:?}"));
    assert!(
        shown.as_deref().is_some_and(|s| s.contains(set_on)),
        "{shown:?}"
    );
}

#[test]
fn a_handlers_scheduled_command_is_a_pending_timer_at_the_cursor() {
    let (mut h, _dir) = harness(example("conference"));
    settle(&mut h);
    run_scenario(&mut h, "no tickets before the contract and the invoice");
    // At the contract (the first event), its payment terms are running.
    h.get_by_label("◀").click();
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), 1);
    timer_shown(
        &mut h,
        "⏰ Sponsor on SignContract: ChaseInvoice slow due",
        "set on #1 ContractSigned",
    );
    h.get_by_label("▶").click();
    settle(&mut h);
    assert!(h.query_by_label("Timers (0)").is_some(), "fired");
}

#[test]
fn a_pending_timer_shows_at_the_cursor_until_it_fires() {
    let (mut h, _dir) = harness(example("devportal"));
    settle(&mut h);
    run_scenario(&mut h, "credentials expire");
    // On CredentialInserted the timer is set; it fires thirty days later.
    h.get_by_label("◀").click();
    settle(&mut h);
    assert_eq!(h.state().sim.time.cursor(), 3);
    timer_shown(
        &mut h,
        "⏰ ExpireOnTheirDate: ExpireCredentials app-4 due",
        "set on #3 CredentialInserted",
    );
    // On CredentialsExpired it has fired: nothing pending.
    h.get_by_label("▶").click();
    settle(&mut h);
    assert!(h.query_by_label("Timers (0)").is_some());
    assert!(
        h.query_by_label("No timer pending at this moment.")
            .is_some()
    );
    // The expiry says what caused it: the timer, armed by CredentialInserted.
    h.get_by_label("Commands").click();
    settle(&mut h);
    // The second: the first was issued by hand on day 10 and rejected.
    h.query_all_by_label("ExpireCredentials")
        .last()
        .unwrap()
        .click();
    settle(&mut h);
    assert!(
        h.query_by_label("issued when the timer set on event #3 CredentialInserted fell due")
            .is_some()
    );
}

#[test]
fn explore_finds_the_teaching_bug_and_opens_the_failure_at_the_violating_record() {
    let (mut h, _dir) = harness(example("teaching/double-count"));
    settle(&mut h);
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label("a busy morning").click();
    settle(&mut h);
    h.get_by_label("Simulate").click();
    settle(&mut h);
    h.get_by_label("Explore…").click();
    settle(&mut h);
    h.state_mut().sim.authoring.explore.runs = 300;
    click(&mut h, "Explore");
    wait_for(&mut h, "; shrunk to 1 fault(s)");
    assert!(
        h.query_by_label_contains("caused by: event #").is_some(),
        "the causation chain, newest first"
    );
    assert!(
        h.query_by_label("fault: StockView gets 50% duplicates")
            .is_some()
    );
    click(&mut h, "Open");
    let run = last_run(&h);
    assert!(
        run.scenario
            .starts_with("a busy morning — explored: invariant `the shop never shows"),
        "{}",
        run.scenario
    );
    assert!(
        run.verdicts
            .iter()
            .any(|v| !v.passed && v.reason.contains("broken by StockView row")),
        "{:?}",
        run.verdicts
    );
    // The cursor is on the violating record: the duplicate's reservation.
    let cursor = h.state().sim.time.cursor();
    assert!(cursor > 0 && cursor < run.engine.records().len() as u64 + 1);
    let record = run.engine.record(cursor as usize - 1).unwrap();
    assert_eq!(run.engine.event_of(record).unwrap().name, "ItemReserved");
    let name = run.scenario.clone();
    let scenarios = |h: &Harness<'static, Studio>| h.state().doc.model.scenarios.len();
    assert_eq!(scenarios(&h), 3);
    click(&mut h, "Save as Scenario");
    assert_eq!(scenarios(&h), 4);
    assert_eq!(h.state().doc.model.scenarios[3].name, name);
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    settle(&mut h);
    assert_eq!(scenarios(&h), 3, "saving is one undoable step");
}

#[test]
fn an_invariant_is_added_in_the_inspector_checked_as_typed_and_undone() {
    let (mut h, _dir) = harness(example("teaching/double-count-fixed"));
    settle(&mut h);
    h.get_by_label("aggregate Item").click();
    settle(&mut h);
    assert!(
        h.query_by_label_contains("Invariants (1)").is_some(),
        "the file's invariant is listed"
    );
    click(&mut h, "+ Invariant");
    let item = |h: &Harness<'static, Studio>| h.state().doc.model.contexts[1].aggregates[0].clone();
    assert_eq!(item(&h).invariants.len(), 2);
    assert_eq!(item(&h).invariants[1].always.as_deref(), Some("true"));
    // A condition over the instance's names, checked as it is typed.
    retype(
        &mut h,
        "Invariant 2: condition",
        "state.reserved >= 0 && status == 'Stocked'",
    );
    assert_eq!(
        item(&h).invariants[1].always.as_deref(),
        Some("state.reserved >= 0 && status == 'Stocked'")
    );
    assert_eq!(h.query_all_by_label_contains("⚠").count(), 0);
    retype(&mut h, "Invariant 2: condition", "row.reserved");
    assert!(
        h.query_all_by_label_contains("⚠").count() >= 1,
        "`row` is a read model's name, not an aggregate's"
    );
    // Removing the focus ends the typing step; undo takes the invariant away again.
    h.key_press(Key::Escape);
    settle(&mut h);
    for _ in 0..3 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        settle(&mut h);
    }
    assert_eq!(item(&h).invariants.len(), 1);
}

#[test]
fn system_invariants_are_edited_from_the_model_menu() {
    let (mut h, _dir) = harness(example("teaching/double-count"));
    settle(&mut h);
    h.get_by_label("Model").click();
    settle(&mut h);
    h.get_by_label("System Invariants…").click();
    settle(&mut h);
    click(&mut h, "+ Invariant");
    retype(&mut h, "Invariant 1: condition", "parked == 0");
    click(&mut h, "eventually");
    let invariants = |h: &Harness<'static, Studio>| h.state().doc.model.invariants.clone();
    assert_eq!(invariants(&h).len(), 1);
    assert_eq!(invariants(&h)[0].eventually.as_deref(), Some("parked == 0"));
    assert_eq!(invariants(&h)[0].always, None);
    assert_eq!(h.query_all_by_label_contains("⚠").count(), 0);
    // A name the system does not have is refused as it is typed.
    retype(&mut h, "Invariant 1: condition", "row.reserved > 0");
    assert!(
        h.query_all_by_label_contains("⚠").count() >= 1,
        "the system has no `row`"
    );
    h.key_press(Key::Escape);
    settle(&mut h);
    for _ in 0..4 {
        h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
        settle(&mut h);
    }
    assert_eq!(invariants(&h).len(), 0);
}

#[test]
fn the_context_map_and_flow_tabs_copy_their_mermaid_text() {
    let (mut h, _dir) = harness(example("autoservice"));
    settle(&mut h);
    h.get_by_label("Context map").click();
    settle(&mut h);
    h.get_by_label("Copy Mermaid").click();
    h.step();
    let map = copied_text(&h).expect("the context map is copied");
    assert!(map.contains("flowchart LR"), "{map}");
    assert!(map.contains("c0 -->|\"Published Language\"| c1"), "{map}");
    settle(&mut h);
    // The flow tab copies what it shows: the whole model's flow while nothing is selected.
    h.get_by_label("Flow").click();
    settle(&mut h);
    h.get_by_label("Copy Mermaid").click();
    h.step();
    let flow = copied_text(&h).expect("the flow is copied");
    assert!(flow.contains("subgraph c0[\"Booking\"]"), "{flow}");
    assert!(
        flow.contains("command_0_0[\"BookService\"]:::command"),
        "{flow}"
    );
    assert!(flow.contains("actor_0_0 --> command_0_0"), "{flow}");
    settle(&mut h);
    assert!(h.query_by_label("Copied ✔").is_some());
}

#[test]
fn importing_a_context_mapper_file_opens_it_as_a_new_board_with_its_notes() {
    use stormlab::app::shell::dialogs::ImportFormat;
    let (mut h, dir) = harness(Model::new("Mine"));
    // The File menu offers it.
    h.get_by_label("File").click();
    h.run_steps(2);
    assert!(h.query_by_label("Import Context Mapper (CML)…").is_some());
    assert!(h.query_by_label("Import Event Modeling (JSON)…").is_some());
    h.key_press(Key::Escape);
    settle(&mut h);
    // A broken file: the board stays, the error says where.
    let broken = dir.path().join("broken.cml");
    std::fs::write(&broken, "BoundedContext A {\n  Aggregate B {\n").unwrap();
    h.state_mut().import_file(&broken, ImportFormat::Cml);
    settle(&mut h);
    assert_eq!(h.state().doc.model.name, "Mine");
    assert!(
        h.query_by_label_contains("broken.cml:2:15: not CML")
            .is_some()
    );
    // A Context Mapper file: a new, unsaved board with its contexts, and the notes window.
    let cml = dir.path().join("quotes.cml");
    std::fs::write(
        &cml,
        "BoundedContext Quotes {\n  Aggregate Quote {\n    Entity Quote { aggregateRoot\n      \
         String text\n      def void close();\n    }\n    DomainEvent QuoteIssued\n  }\n}\n\
         Domain Insurance\n",
    )
    .unwrap();
    h.state_mut().import_file(&cml, ImportFormat::Cml);
    settle(&mut h);
    let studio = h.state();
    assert_eq!(studio.doc.model.contexts[0].name, "Quotes");
    assert_eq!(studio.doc.model.contexts[0].aggregates[0].name, "Quote");
    assert!(studio.doc.path.is_none(), "Save asks where");
    assert!(h.query_by_label_contains("Import notes").is_some());
    assert!(
        h.query_by_label_contains(":16: operation close of Quote")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("10:1: `Domain Insurance` is not mapped")
            .is_some()
    );
}

#[test]
fn importing_an_event_model_opens_a_board_whose_specifications_are_scenarios() {
    use stormlab::app::shell::dialogs::ImportFormat;
    let (mut h, dir) = harness(Model::new("Mine"));
    let json = dir.path().join("cart.json");
    std::fs::write(
        &json,
        r#"{"slices": [{"title": "Add Item", "context": "Shop", "sliceType": "STATE_CHANGE",
            "commands": [{"id": "c", "title": "Add Item", "fields": [{"name": "cartId", "type": "UUID"}]}],
            "events": [{"id": "e", "title": "Item Added", "fields": [{"name": "cartId", "type": "UUID"}]}],
            "screens": [{"id": "s", "title": "Cart"}],
            "specifications": [{"title": "spec: adds an item", "given": [],
                "when": [{"title": "Add Item", "type": "SPEC_COMMAND"}],
                "then": [{"title": "Item Added", "type": "SPEC_EVENT"}]}]}]}"#,
    )
    .unwrap();
    h.state_mut()
        .import_file(&json, ImportFormat::EventModeling);
    settle(&mut h);
    let model = &h.state().doc.model;
    assert_eq!(model.contexts[0].name, "Shop");
    assert_eq!(model.scenarios[0].name, "adds an item");
    assert!(h.query_by_label_contains("1 scenario(s) to run").is_some());
    assert!(
        h.query_by_label_contains("1 screen(s) not imported")
            .is_some()
    );
    // Not an event model: the board stays, the error says where.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\n  \"slices\": 7\n}").unwrap();
    h.state_mut().import_file(&bad, ImportFormat::EventModeling);
    settle(&mut h);
    assert_eq!(h.state().doc.model.scenarios[0].name, "adds an item");
    assert!(h.query_by_label_contains("bad.json:2:").is_some());
}
