//! The relay on loopback (no display): studios' sessions share, join, edit and converge
//! through it; it refuses wrong tokens and broken updates; edits made offline merge on
//! reconnecting; a relay killed with `kill -9` loses nothing it acknowledged. Every test
//! binds port 0 on 127.0.0.1 and stops its relay and connections by itself.

mod common;
#[path = "common/served.rs"]
mod served;

use std::time::{Duration, Instant};

use stormlab::collab::wire::Message;
use stormlab::collab::{Relay, RelayConfig, RoomAddress, Session, Status};
use stormlab::model::file::{from_str, to_string};
use stormlab::model::op::{self, Op};
use stormlab::model::{Model, Pos};

use served::serve;

fn example(name: &str) -> Model {
    let path = format!("{}/models/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    from_str(&std::fs::read_to_string(path).unwrap(), name).unwrap()
}

fn relay() -> Relay {
    Relay::start("127.0.0.1:0".parse().unwrap(), RelayConfig::default()).unwrap()
}

fn address(relay: &str, room: &str, token: &str) -> RoomAddress {
    RoomAddress {
        relay: relay.to_owned(),
        room: room.into(),
        token: token.into(),
    }
}

/// A person at a studio: the session and the model the studio shows.
struct Person {
    session: Session,
    model: Option<Model>,
}

impl Person {
    fn share(at: RoomAddress, name: &str, model: &Model) -> Person {
        let session = Session::share(at, name, model, || {}).unwrap();
        let mut p = Person {
            session,
            model: None,
        };
        p.wait_until(|p| p.session.status() == &Status::Connected);
        p
    }

    fn join(at: RoomAddress, name: &str) -> Person {
        let session = Session::join(at, name, || {}).unwrap();
        let mut p = Person {
            session,
            model: None,
        };
        p.wait_until(|p| p.session.status() != &Status::Connecting);
        p
    }

    /// Takes in what arrived and refreshes the model.
    fn refresh(&mut self) {
        self.session.poll();
        if let Some(m) = self.session.take_model() {
            self.model = Some(m.unwrap());
        }
    }

    fn wait_until(&mut self, done: impl Fn(&Person) -> bool) {
        let start = Instant::now();
        loop {
            self.refresh();
            if done(self) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "gave up waiting (status {:?})",
                self.session.status()
            );
            self.session.wait(Duration::from_millis(20));
        }
    }

    fn model(&self) -> &Model {
        self.model.as_ref().expect("the board has arrived")
    }

    fn edit(&mut self, change: impl FnOnce(&mut Model)) {
        let mut next = self.model().clone();
        change(&mut next);
        let ops = op::diff(self.model(), &next);
        self.apply(ops);
    }

    fn apply(&mut self, ops: Vec<Op>) {
        let model = self.model.as_mut().unwrap();
        let inverses = op::apply_all(model, ops).unwrap();
        self.session.record(model, &inverses).unwrap();
    }

    fn ron(&self) -> String {
        to_string(self.model())
    }

    fn has(&self, name: &str) -> bool {
        self.model
            .as_ref()
            .is_some_and(|m| m.elements().iter().any(|e| e.name == name))
    }
}

fn rename(model: &mut Model, from: &str, to: &str) {
    let loc = model
        .elements()
        .iter()
        .find(|e| e.name == from)
        .unwrap()
        .loc;
    stormlab::model::refs::rename(model, loc, to);
}

/// Waits until every person holds the same board and has nothing unacknowledged.
fn converge(people: &mut [&mut Person]) -> String {
    let start = Instant::now();
    loop {
        for p in people.iter_mut() {
            p.refresh();
        }
        let first = people[0].model.as_ref().map(to_string);
        if people.iter().all(|p| p.session.unsent() == 0)
            && people
                .iter()
                .all(|p| p.model.as_ref().map(to_string) == first)
        {
            return first.unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the people did not converge"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn two_and_three_studios_converge_through_the_relay() {
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let at = address(&url, "workshop", "s3cret");
    let mut ada = Person::share(at.clone(), "Ada", &example("accounts"));
    ada.refresh();
    let mut grace = Person::join(at.clone(), "Grace");
    grace.wait_until(|p| p.model.is_some());
    assert_eq!(grace.ron(), to_string(&example("accounts")));
    // Ada sees Grace come in.
    ada.wait_until(|p| p.session.peers().any(|n| n == "Grace"));
    // Concurrent edits of every kind: rename, move, delete, a new scenario.
    ada.edit(|m| rename(m, "PlaceOrder", "SubmitOrder"));
    let uid = grace.model().contexts[0].actors[0].uid;
    grace.apply(vec![Op::SetPos {
        uid,
        at: Pos::new(-300.0, 40.0),
    }]);
    let mut linus = Person::join(at.clone(), "Linus");
    linus.wait_until(|p| p.model.is_some());
    let gone = linus.model().scenarios[0].uid;
    linus.apply(vec![Op::RemoveScenario { uid: gone }]);
    let ron = converge(&mut [&mut ada, &mut grace, &mut linus]);
    assert!(ron.contains("name: \"SubmitOrder\""));
    assert!(ron.contains("at: (-300.0, 40.0)"));
    assert!(ada.model().scenarios.iter().all(|s| s.uid != gone));
}

#[test]
fn a_wrong_token_or_an_unknown_room_is_refused_with_the_same_clear_message() {
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let _ada = Person::share(
        address(&url, "workshop", "right"),
        "Ada",
        &example("accounts"),
    );
    let wrong = Person::join(address(&url, "workshop", "wrong"), "Eve");
    let unknown = Person::join(address(&url, "nothing-here", "right"), "Eve");
    for p in [&wrong, &unknown] {
        assert_eq!(
            p.session.status(),
            &Status::Refused("no room with that name and token".into())
        );
        assert!(p.model.is_none(), "nothing of the board was revealed");
    }
}

#[test]
fn a_broken_update_is_refused_and_the_room_stays_intact() {
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let at = address(&url, "workshop", "s3cret");
    let mut ada = Person::share(at.clone(), "Ada", &example("accounts"));
    let good = converge(&mut [&mut ada]);
    // Mallory speaks the protocol but sends garbage, then a well-formed Loro update that
    // writes something that is not a sticky into the board.
    let (link, snapshot) = raw_client(&url, "Mallory");
    link.send(Message::Update {
        seq: 1,
        bytes: b"not a loro update".to_vec(),
    });
    let doc = loro::LoroDoc::new();
    doc.import(&stormlab::collab::packed::unpack(&snapshot).unwrap())
        .unwrap();
    let before = doc.oplog_vv();
    let stickies = doc.get_map("sticky");
    let key = stickies.keys().next().unwrap().to_string();
    let Some(loro::ValueOrContainer::Container(loro::Container::Map(m))) = stickies.get(&key)
    else {
        panic!("no sticky map")
    };
    m.insert("name", "{ not json").unwrap();
    doc.commit();
    link.send(Message::Update {
        seq: 2,
        bytes: doc.export(loro::ExportMode::updates(&before)).unwrap(),
    });
    let mut refused = Vec::new();
    while refused.len() < 2 {
        match link.wait(Duration::from_secs(10)) {
            Some(stormlab::collab::client::LinkEvent::Message(Message::Refused { reason })) => {
                refused.push(reason)
            }
            Some(_) => {}
            None => panic!("no refusal came: {refused:?}"),
        }
    }
    assert!(
        refused[0].contains("update 1 is not a Loro update"),
        "{refused:?}"
    );
    assert!(
        refused[1].contains("update 2 breaks the board"),
        "{refused:?}"
    );
    link.close();
    // Someone joining now gets the board as it was; Ada's board is untouched.
    let mut grace = Person::join(at, "Grace");
    grace.wait_until(|p| p.model.is_some());
    assert_eq!(grace.ron(), good);
    assert_eq!(converge(&mut [&mut ada, &mut grace]), good);
}

#[test]
fn edits_made_offline_merge_on_reconnecting() {
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let at = address(&url, "workshop", "s3cret");
    let mut ada = Person::share(at.clone(), "Ada", &example("conference"));
    let mut grace = Person::join(at, "Grace");
    grace.wait_until(|p| p.model.is_some());
    grace.session.disconnect();
    // Both go on editing: Grace offline, Ada online.
    let first = grace.model().elements()[3].name.to_owned();
    grace.edit(|m| rename(m, &first, "RenamedOffline"));
    let uid = grace.model().contexts[0].uid;
    grace.edit(|m| {
        let i = m.contexts.iter().position(|c| c.uid == uid).unwrap();
        m.contexts[i].doc = "written on the train".into();
    });
    assert_eq!(grace.session.unsent(), 2, "two changes wait to be sent");
    assert!(matches!(grace.session.status(), Status::Offline(_)));
    ada.edit(|m| m.doc = "edited while Grace was away".into());
    grace.session.connect();
    let ron = converge(&mut [&mut ada, &mut grace]);
    assert!(ron.contains("RenamedOffline"));
    assert!(ron.contains("written on the train"));
    assert!(ron.contains("edited while Grace was away"));
}

#[test]
fn undo_through_the_relay_takes_back_only_my_change() {
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let at = address(&url, "workshop", "s3cret");
    let mut ada = Person::share(at.clone(), "Ada", &example("accounts"));
    let mut grace = Person::join(at, "Grace");
    grace.wait_until(|p| p.model.is_some());
    ada.edit(|m| rename(m, "PlaceOrder", "SubmitOrder"));
    converge(&mut [&mut ada, &mut grace]);
    grace.edit(|m| rename(m, "CancelOrder", "AbandonOrder"));
    converge(&mut [&mut ada, &mut grace]);
    assert!(ada.session.undo().unwrap());
    converge(&mut [&mut ada, &mut grace]);
    assert!(grace.has("PlaceOrder") && grace.has("AbandonOrder"));
    assert!(!grace.has("SubmitOrder"));
}

/// A client speaking the protocol by hand in room "workshop" (token "s3cret"): its link and
/// the room's snapshot it was welcomed with.
fn raw_client(url: &str, name: &str) -> (stormlab::collab::client::Link, Vec<u8>) {
    use stormlab::collab::client::{Link, LinkEvent};
    let link = Link::connect(
        url,
        Message::Hello {
            room: "workshop".into(),
            token: "s3cret".into(),
            name: name.into(),
            create: false,
        },
        || {},
    );
    match link.wait(Duration::from_secs(10)) {
        Some(LinkEvent::Message(Message::Welcome { snapshot, .. })) => (link, snapshot),
        other => panic!("{name} was not welcomed: {other:?}"),
    }
}

/// Sends `count` updates by hand, each moving the first actor of context `context` to
/// (i, y) on the board `snapshot` holds; returns the actor's id.
fn send_moves(
    link: &stormlab::collab::client::Link,
    snapshot: &[u8],
    context: usize,
    count: u64,
    y: f32,
) -> stormlab::model::Uid {
    let doc = stormlab::collab::SharedDoc::from_bytes(snapshot, 77).unwrap();
    let mut model = doc.model().unwrap();
    let uid = model.contexts[context].actors[0].uid;
    for i in 0..count {
        let before = doc.version();
        let at = Pos::new(i as f32, y);
        let inv = op::apply_all(&mut model, vec![Op::SetPos { uid, at }]).unwrap();
        doc.record(&model, &inv).unwrap();
        link.send(Message::Update {
            seq: i + 1,
            bytes: doc.updates_since(&before).unwrap(),
        });
    }
    uid
}

#[test]
fn a_relay_killed_with_sigkill_loses_nothing_it_acknowledged() {
    let data = tempfile::tempdir().unwrap();
    let first = serve(Some(data.path()));
    let at = address(&first.1, "workshop", "s3cret");
    let mut ada = Person::share(at, "Ada", &example("devportal"));
    for i in 0..20 {
        let uid = ada.model().contexts[0].uid;
        ada.edit(|m| {
            let c = m.contexts.iter_mut().find(|c| c.uid == uid).unwrap();
            c.doc = format!("edit {i}");
        });
    }
    let acknowledged = converge(&mut [&mut ada]);
    assert!(acknowledged.contains("edit 19"));
    drop(first); // SIGKILL: no chance to flush or say goodbye.
    ada.wait_until(|p| matches!(p.session.status(), Status::Offline(_)));
    let second = serve(Some(data.path()));
    let mut grace = Person::join(address(&second.1, "workshop", "s3cret"), "Grace");
    grace.wait_until(|p| p.model.is_some());
    assert_eq!(grace.ron(), acknowledged);
    // And the room's canonical RON can be written by the relay from its files.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_stormlab"))
        .args(["serve", "--data"])
        .arg(data.path())
        .args(["--export", "workshop"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), acknowledged);
}

#[test]
fn a_client_sending_faster_than_the_rate_limit_is_slowed_down_and_nothing_is_dropped() {
    use stormlab::collab::client::LinkEvent;
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let at = address(&url, "workshop", "s3cret");
    let mut ada = Person::share(at.clone(), "Ada", &example("accounts"));
    converge(&mut [&mut ada]);
    let (link, snapshot) = raw_client(&url, "Hasty");
    // Fifty more than the burst the relay allows, back to back.
    let sent = stormlab::collab::relay::RATE_PER_SEC as u64 * 2 + 50;
    let uid = send_moves(&link, &snapshot, 0, sent, 0.0);
    let mut acked = 0;
    while acked < sent {
        match link.wait(Duration::from_secs(10)) {
            Some(LinkEvent::Message(Message::Ack { .. })) => acked += 1,
            Some(LinkEvent::Message(Message::Refused { reason })) => panic!("refused: {reason}"),
            Some(_) => {}
            None => panic!("only {acked} of {sent} acknowledged"),
        }
    }
    link.close();
    // Ada has the last position.
    ada.wait_until(|p| {
        p.model
            .as_ref()
            .and_then(|m| m.locate(uid).and_then(|l| m.pos_of(l)))
            == Some(Pos::new((sent - 1) as f32, 0.0))
    });
}

#[test]
fn a_studio_reconnects_by_itself_when_the_relay_comes_back_and_sends_what_it_did_meanwhile() {
    let data = tempfile::tempdir().unwrap();
    let config = RelayConfig {
        data: Some(data.path().to_owned()),
    };
    let first = Relay::start("127.0.0.1:0".parse().unwrap(), config.clone()).unwrap();
    let addr = first.addr();
    let at = address(&format!("ws://{addr}"), "workshop", "s3cret");
    let mut ada = Person::share(at, "Ada", &example("conference"));
    converge(&mut [&mut ada]);
    first.stop();
    ada.wait_until(|p| p.session.retry_at().is_some());
    // Offline: Ada goes on working.
    ada.edit(|m| m.doc = "written while the relay was down".into());
    assert!(ada.session.unsent() > 0);
    // The relay comes back on the same address; Ada's studio finds it without being asked.
    let _second = Relay::start(addr, config).unwrap();
    ada.wait_until(|p| p.session.status() == &Status::Connected && p.session.unsent() == 0);
    let mut grace = Person::join(
        address(&format!("ws://{addr}"), "workshop", "s3cret"),
        "Grace",
    );
    grace.wait_until(|p| p.model.is_some());
    assert!(grace.ron().contains("written while the relay was down"));
}

#[test]
fn an_oversized_message_closes_only_that_connection_and_a_client_gone_mid_sync_leaves_the_room_whole()
 {
    use stormlab::collab::client::LinkEvent;
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    let at = address(&url, "workshop", "s3cret");
    let mut ada = Person::share(at.clone(), "Ada", &example("accounts"));
    converge(&mut [&mut ada]);
    // A message over the limit: that connection ends, nobody else notices.
    let (big, _) = raw_client(&url, "Big");
    big.send(Message::Update {
        seq: 1,
        bytes: vec![7; stormlab::collab::wire::MAX_MESSAGE + 1024],
    });
    loop {
        match big.wait(Duration::from_secs(10)) {
            Some(LinkEvent::Closed(_)) => break,
            Some(LinkEvent::Message(Message::Ack { .. })) => {
                panic!("an oversized update was taken")
            }
            Some(_) => {}
            None => panic!("the oversized connection stayed open"),
        }
    }
    // A client that sends updates and vanishes without waiting for a single answer.
    let (gone, snapshot) = raw_client(&url, "Gone");
    send_moves(&gone, &snapshot, 1, 30, 9.0);
    drop(gone);
    // Ada goes on; a newcomer gets exactly Ada's board.
    ada.edit(|m| m.doc = "after the others left".into());
    let mut grace = Person::join(at, "Grace");
    grace.wait_until(|p| p.model.is_some());
    let ron = converge(&mut [&mut ada, &mut grace]);
    assert!(ron.contains("after the others left"));
}

/// The soak through the relay: three people make random edits while each now and then drops
/// off the network and comes back; when all are back, everyone holds the same canonical RON.
/// Seeded (`SOAK_SEED`); the seed is in the failure message.
#[test]
fn three_studios_editing_at_random_through_the_relay_with_disconnects_converge() {
    const EDITS: usize = 300;
    let seed = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let mut rng = common::Rng(seed);
    let relay = relay();
    let at = address(&format!("ws://{}", relay.addr()), "soak", "s3cret");
    let mut people = vec![Person::share(at.clone(), "Ada", &example("accounts"))];
    for name in ["Grace", "Linus"] {
        let mut p = Person::join(at.clone(), name);
        p.wait_until(|p| p.model.is_some());
        people.push(p);
    }
    for n in 0..EDITS {
        let who = rng.below(3);
        let ops = common::random_ops(people[who].model(), &mut rng, who, n);
        if !ops.is_empty() {
            people[who].apply(ops);
        }
        for p in people.iter_mut() {
            if rng.below(40) == 0 {
                match p.session.status() {
                    Status::Connected => p.session.disconnect(),
                    Status::Offline(_) => p.session.connect(),
                    _ => {}
                }
            }
            p.refresh();
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    for p in people.iter_mut() {
        if matches!(p.session.status(), Status::Offline(_)) {
            p.session.connect();
        }
    }
    let [a, b, c] = &mut people[..] else {
        unreachable!()
    };
    let start = Instant::now();
    loop {
        for p in [&mut *a, &mut *b, &mut *c] {
            p.refresh();
        }
        let ron = a.ron();
        if [&*a, &*b, &*c]
            .iter()
            .all(|p| p.session.unsent() == 0 && p.session.status() == &Status::Connected)
            && b.ron() == ron
            && c.ron() == ron
        {
            assert!(
                from_str(&ron, "merged").is_ok(),
                "seed {seed}: the merged board loads"
            );
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "seed {seed}: the three did not converge"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn joining_a_room_before_its_board_has_arrived_waits_for_the_board() {
    use stormlab::collab::client::{Link, LinkEvent};
    let relay = relay();
    let url = format!("ws://{}", relay.addr());
    // The sharer has made the room, but its board is still on the way.
    let sharer = Link::connect(
        &url,
        Message::Hello {
            room: "workshop".into(),
            token: "s3cret".into(),
            name: "Ada".into(),
            create: true,
        },
        || {},
    );
    let Some(LinkEvent::Message(Message::Welcome { .. })) = sharer.wait(Duration::from_secs(10))
    else {
        panic!("the room was not made");
    };
    let mut grace = Person::join(address(&url, "workshop", "s3cret"), "Grace");
    grace.wait_until(|p| p.session.status() == &Status::Connected);
    assert!(
        grace.model.is_none(),
        "an empty room is no board, and no error either"
    );
    // The board arrives.
    let doc = stormlab::collab::SharedDoc::new(&example("accounts"), 5).unwrap();
    sharer.send(Message::Update {
        seq: 1,
        bytes: doc.updates_since(&Default::default()).unwrap(),
    });
    grace.wait_until(|p| p.model.is_some());
    assert_eq!(grace.ron(), to_string(&example("accounts")));
}
