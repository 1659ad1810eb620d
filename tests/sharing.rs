//! Two studios editing one board through a relay on loopback, driven through their menus
//! and dialogs as two people would: Ada shares, Grace joins with the link; a sticky Ada
//! makes appears at Grace's; each sees the other's pointer and selection; Grace's undo takes
//! back only her own change.

#![cfg(feature = "studio")]

use std::time::{Duration, Instant};

use egui::Key;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use stormlab::app::shell::studio::{Prefs, Studio};
use stormlab::collab::{Relay, RelayConfig, Status};
use stormlab::model::Model;

fn example(name: &str) -> Model {
    let path = format!("{}/models/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    stormlab::model::file::from_str(&std::fs::read_to_string(path).unwrap(), name).unwrap()
}

fn studio(model: Model, dir: &std::path::Path) -> Harness<'static, Studio> {
    let studio = Studio::new(model, None, Prefs::default(), dir.to_owned());
    Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .with_step_dt(1.0 / 60.0)
        .build_ui_state(|ui, s: &mut Studio| s.ui(ui), studio)
}

fn settle(h: &mut Harness<'static, Studio>) {
    h.run_steps(3);
}

fn click(h: &mut Harness<'static, Studio>, label: &str) {
    h.get_by_label(label).click();
    settle(h);
}

fn retype(h: &mut Harness<'static, Studio>, label: &str, text: &str) {
    click(h, label);
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::A);
    h.get_by_label(label).type_text(text);
    settle(h);
}

/// The id of the element called `name`.
fn uid_named(m: &Model, name: &str) -> stormlab::model::Uid {
    let loc = m.elements().iter().find(|e| e.name == name).unwrap().loc;
    m.uid_at(loc).unwrap()
}

/// Runs both studios until `done` holds (the network works on other threads).
fn until(
    a: &mut Harness<'static, Studio>,
    b: &mut Harness<'static, Studio>,
    what: &str,
    done: impl Fn(&Studio, &Studio) -> bool,
) {
    let start = Instant::now();
    while !done(a.state(), b.state()) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "gave up waiting: {what}"
        );
        a.run_steps(1);
        b.run_steps(1);
        std::thread::sleep(Duration::from_millis(5));
    }
    settle(a);
    settle(b);
}

#[test]
fn two_studios_share_a_board_see_each_other_and_undo_only_their_own_changes() {
    let relay = Relay::start("127.0.0.1:0".parse().unwrap(), RelayConfig::default()).unwrap();
    let url = format!("ws://{}", relay.addr());
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ada = studio(example("accounts"), dir_a.path());
    let mut grace = studio(Model::new("Scratch"), dir_b.path());
    settle(&mut ada);
    settle(&mut grace);

    // Ada: File → Share Board…, publish to the relay.
    click(&mut ada, "File");
    click(&mut ada, "Share Board…");
    retype(&mut ada, "Your name", "Ada");
    click(&mut ada, "Publish to a relay (stormlab serve)");
    retype(&mut ada, "Relay address", &url);
    click(&mut ada, "Share");
    let sharing = |s: &Studio| s.sharing.as_ref().map(|x| x.session.status().clone());
    until(&mut ada, &mut grace, "Ada's room", |a, _| {
        sharing(a) == Some(Status::Connected)
    });
    let link = ada
        .state()
        .sharing
        .as_ref()
        .unwrap()
        .session
        .address()
        .link();
    assert!(ada.query_by_label_contains("Copy link").is_some());

    // Grace (her start page still open, as on a first run): File → Join Shared Board….
    grace.state_mut().windows.start.open = true;
    click(&mut grace, "File");
    click(&mut grace, "Join Shared Board…");
    retype(&mut grace, "Join link", &link);
    retype(&mut grace, "Your name", "Grace");
    click(&mut grace, "Join");
    until(&mut ada, &mut grace, "the board at Grace's", |a, g| {
        g.doc.model == a.doc.model
    });
    assert!(
        !grace.state().windows.start.open,
        "the room's board is what shows"
    );
    assert!(
        grace.query_by_label_contains("Shared · room").is_some(),
        "the status bar says the board is shared"
    );

    // Ada makes a sticky: it appears at Grace's.
    let before = ada.state().doc.model.element_count();
    let at = ada.get_by_label("board").rect().min + egui::vec2(40.0, 40.0);
    for _ in 0..2 {
        ada.hover_at(at);
        for pressed in [true, false] {
            ada.event(egui::Event::PointerButton {
                pos: at,
                button: egui::PointerButton::Primary,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
            ada.step();
        }
    }
    settle(&mut ada);
    ada.key_press(Key::Enter);
    settle(&mut ada);
    assert_eq!(ada.state().doc.model.element_count(), before + 1);
    until(&mut ada, &mut grace, "Ada's sticky at Grace's", |a, g| {
        g.doc.model == a.doc.model
    });

    // Ada selects a sticky and points at the board: Grace sees both.
    ada.get_by_label("command PlaceOrder").click();
    settle(&mut ada);
    let board = ada.get_by_label("board").rect();
    ada.hover_at(board.center());
    settle(&mut ada);
    let place_order = uid_named(&ada.state().doc.model, "PlaceOrder");
    until(&mut ada, &mut grace, "Ada's presence at Grace's", |_, g| {
        g.sharing.as_ref().is_some_and(|s| {
            s.peers()
                .iter()
                .any(|p| p.name == "Ada" && p.pointer.is_some() && p.selection == [place_order])
        })
    });
    // Grace's board draws Ada's pointer (her name by it) over the board.
    grace.hover_at(grace.get_by_label("board").rect().left_top() + egui::vec2(2.0, 2.0));
    settle(&mut grace);
    assert!(grace.query_by_label("Ada's pointer").is_some());

    // Grace renames a sticky, then undoes: her change goes, Ada's sticky stays.
    let cancel = uid_named(&grace.state().doc.model, "CancelOrder");
    grace.get_by_label("command CancelOrder").click();
    settle(&mut grace);
    grace.key_press(Key::F2);
    settle(&mut grace);
    // While she types, Ada's board marks the sticky as being edited by Grace.
    until(&mut ada, &mut grace, "Grace editing, at Ada's", |a, _| {
        a.sharing.as_ref().is_some_and(|s| {
            s.peers()
                .iter()
                .any(|p| p.name == "Grace" && p.editing == Some(cancel))
        })
    });
    grace.event(egui::Event::Text("AbandonOrder".into()));
    grace.key_press(Key::Enter);
    settle(&mut grace);
    assert!(grace.state().doc.model.locate(cancel).is_some());
    until(&mut ada, &mut grace, "Grace's rename at Ada's", |a, _| {
        a.doc
            .model
            .elements()
            .iter()
            .any(|e| e.name == "AbandonOrder")
    });
    grace.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    settle(&mut grace);
    until(&mut ada, &mut grace, "Grace's undo at Ada's", |a, g| {
        g.doc.model == a.doc.model
            && a.doc
                .model
                .elements()
                .iter()
                .any(|e| e.name == "CancelOrder")
    });
    assert_eq!(
        ada.state().doc.model.element_count(),
        before + 1,
        "Ada's sticky stays"
    );

    // Grace follows Ada: Ada's view, and the run Ada replays, cursor and all.
    click(&mut grace, "Follow Ada");
    ada.state_mut().view().zoom_by(1.5);
    let scenario = "payment over the limit is compensated";
    ada.state_mut().show_simulation();
    ada.state_mut().sim.scenario = scenario.into();
    settle(&mut ada);
    ada.key_press(Key::F5);
    until(&mut ada, &mut grace, "Ada's run", |a, _| {
        a.sim.run.as_ref().is_some_and(|r| r.scenario == scenario) && !a.sim.running()
    });
    ada.state_mut()
        .sim
        .time
        .apply(stormlab::app::simulation::time_control::TimeCommand::Seek(
            2,
        ));
    until(&mut ada, &mut grace, "Grace following Ada's run", |a, g| {
        g.sim.run.as_ref().is_some_and(|r| r.scenario == scenario)
            && g.sim.time.cursor() == 2
            && (g.view_zoom() - a.view_zoom()).abs() < 0.01
    });
    assert!(grace.query_by_label("Following Ada").is_some());

    // Leave: Grace keeps a local copy.
    click(&mut grace, "File");
    click(&mut grace, "Leave Shared Board");
    assert!(grace.state().sharing.is_none());
    assert_eq!(grace.state().doc.model.element_count(), before + 1);
}
