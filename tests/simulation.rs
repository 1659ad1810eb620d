//! Simulation properties: determinism, streams fold to the live state, read models rebuild
//! to the live tables, and duplicates reaching a non-idempotent consumer are detected.

use std::sync::Arc;

use stormlab::model::Model;
use stormlab::model::file::from_str;
use stormlab::sim::Program;
use stormlab::sim::engine::Engine;
use stormlab::sim::rebuild::{compare, fold_stream, rebuild, rebuild_all};
use stormlab::sim::scenario::{setup, until_of, verdicts};

const MODELS: [&str; 4] = ["autoservice", "conference", "devportal", "accounts"];

fn load(name: &str) -> Model {
    let text = std::fs::read_to_string(format!("{}/models/{name}.ron", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    from_str(&text, name).unwrap()
}

fn run(model: &Model, scenario: &str, seed: Option<u64>) -> Engine {
    let program = Arc::new(Program::new(model).unwrap());
    let mut e = setup(model, program, scenario, seed).unwrap();
    let s = model.scenarios.iter().find(|s| s.name == scenario).unwrap();
    e.run(until_of(s)).unwrap();
    e
}

#[test]
fn every_stream_folds_to_the_live_aggregate_state() {
    for name in MODELS {
        let model = load(name);
        for s in &model.scenarios {
            let e = run(&model, &s.name, None);
            for (a, instances) in e.aggregate_instances().iter().enumerate() {
                for (key, live) in instances {
                    if live.version == 0 {
                        continue;
                    }
                    let folded = fold_stream(&e, a, key).expect("a stream").expect("folds");
                    assert_eq!(
                        &folded,
                        live,
                        "{name} / {}: {} {key}",
                        s.name,
                        e.program().aggregates[a].name
                    );
                }
            }
        }
    }
}

#[test]
fn read_models_rebuilt_from_the_log_equal_the_live_ones() {
    for name in MODELS {
        let model = load(name);
        for s in &model.scenarios {
            let e = run(&model, &s.name, None);
            // One pass over the log for all of them gives what one pass each gives.
            let all = rebuild_all(&e);
            for (r, (live, once)) in e.tables().iter().zip(&all).enumerate() {
                let rebuilt = rebuild(&e, r).unwrap();
                assert_eq!(once.as_ref().ok(), Some(&rebuilt));
                assert!(
                    compare(live, &rebuilt).is_empty(),
                    "{name} / {}: read model {r}",
                    s.name
                );
            }
        }
    }
}

#[test]
fn the_same_seed_twice_gives_the_same_log_for_every_scenario_and_seed() {
    for name in MODELS {
        let model = load(name);
        for s in &model.scenarios {
            for seed in [None, Some(1), Some(u64::MAX)] {
                let e = run(&model, &s.name, seed);
                let rejected = e
                    .commands()
                    .iter()
                    .filter(|c| c.rejection.is_some())
                    .count();
                assert_eq!(e.rejected(), rejected, "the rejection count");
                let a = stormlab::sim::log::jsonl(&e);
                let b = stormlab::sim::log::jsonl(&run(&model, &s.name, seed));
                assert_eq!(a, b, "{name} / {} / {seed:?}", s.name);
            }
        }
    }
}

/// The clean fixture with every delivery to the bookings-per-kind read model duplicated.
fn duplicated(idempotent: bool) -> Model {
    let text = include_str!("fixtures/clean.ron").replacen(
        "seed: 1,",
        &format!("seed: 1, faults: [(subscriber: \"BookingsPerKind\", duplicate_rate: 1.0, idempotent: {idempotent})],"),
        1,
    );
    from_str(&text, "dup.ron").unwrap()
}

#[test]
fn duplicates_to_a_non_idempotent_read_model_are_detected_by_a_rebuild() {
    let model = duplicated(false);
    let e = run(&model, "happy path", None);
    let diff = compare(&e.tables()[0], &rebuild(&e, 0).unwrap());
    assert_eq!(diff.len(), 1, "one row counted twice");
    let d = &diff[0];
    assert_eq!(
        d.live.as_ref().unwrap()[1],
        stormlab::model::expr::Value::Int(2)
    );
    assert_eq!(
        d.rebuilt.as_ref().unwrap()[1],
        stormlab::model::expr::Value::Int(1)
    );
    // An idempotent consumer dedupes by event id: no difference.
    let model = duplicated(true);
    let e = run(&model, "happy path", None);
    assert!(compare(&e.tables()[0], &rebuild(&e, 0).unwrap()).is_empty());
}

#[test]
fn parked_messages_can_all_be_redriven() {
    let model = load("autoservice");
    let s = model
        .scenarios
        .iter()
        .find(|s| s.name == "CRM outage parks booking events")
        .unwrap();
    let program = Arc::new(Program::new(&model).unwrap());
    let mut e = setup(&model, program, &s.name, None).unwrap();
    let start = s.start_ms().unwrap();
    e.run(Some(start + 20 * 60_000)).unwrap();
    let parked = e.parked().len();
    assert_eq!(parked, 20, "the outage parks every CRM delivery");
    e.run(None).unwrap();
    assert!(e.parked().is_empty(), "the redrive delivered all of them");
    assert!(verdicts(&e, s).unwrap().iter().all(|v| v.passed));
}

#[test]
fn one_parked_message_can_be_redriven_alone() {
    use stormlab::sim::timeline::Timeline;
    let model = load("autoservice");
    let s = &model.scenarios[3];
    let program = Arc::new(Program::new(&model).unwrap());
    let mut e = setup(&model, program, &s.name, None).unwrap();
    let start = s.start_ms().unwrap();
    e.run(Some(start + 20 * 60_000)).unwrap();
    let first = e.parked()[0].clone();
    let deliveries = e.deliveries(first.subscriber);
    // After the outage (10:00-10:15), one message is redriven; the other 19 stay parked.
    e.schedule_redrive_one(start + 21 * 60_000, first.subscriber, first.position);
    e.run(Some(start + 22 * 60_000)).unwrap();
    assert_eq!(e.parked().len(), 19);
    assert!(e.parked().iter().all(|p| p.position != first.position));
    assert_eq!(e.deliveries(first.subscriber), deliveries + 1);
    let t = Timeline::new(&e);
    assert_eq!(t.at(&e, e.records().len() as u64).dlq.len(), 19);
}

#[test]
fn no_event_is_delivered_before_it_is_appended_and_causes_come_first() {
    let model = load("accounts");
    let e = run(&model, "flaky saga delivery is remediated", None);
    for (pos, r) in e.records().iter().enumerate() {
        if let stormlab::sim::store::Cause::Event(c) = r.causation {
            assert!(
                (c as usize) < pos,
                "event {pos} caused by a later event {c}"
            );
            assert!(e.records()[c as usize].time <= r.time);
        }
    }
}

#[test]
fn the_timeline_shows_each_moment_of_a_compensation() {
    use stormlab::sim::timeline::{Link, Timeline, causation};
    let model = load("accounts");
    let e = run(&model, "payment over the limit is compensated", None);
    let t = Timeline::new(&e);
    let p = &e.program();
    let (order, reservation) = (
        p.aggregate_named("Order").unwrap(),
        p.aggregate_named("Reservation").unwrap(),
    );
    let state = |at: u64, a: usize, key: &str| {
        let s = t.at(&e, at);
        let inst = s.aggregates[a].get(key).cloned();
        inst.map(|i| p.aggregates[a].lifecycle[i.lifecycle].clone())
    };
    assert_eq!(state(0, order, "o-2"), None, "before anything happened");
    assert_eq!(state(1, order, "o-2").as_deref(), Some("Placed"));
    assert_eq!(state(2, reservation, "o-2").as_deref(), Some("Reserved"));
    assert_eq!(state(3, reservation, "o-2").as_deref(), Some("Released"));
    assert_eq!(state(4, order, "o-2").as_deref(), Some("Cancelled"));
    let saga = |at: u64| t.at(&e, at).sagas[0].values().next().cloned();
    // The saga receives OrderPlaced after its delivery latency: it shows with the first record
    // after that moment (the StockReserved it caused), not before.
    assert_eq!(saga(1).as_deref(), None);
    assert_eq!(saga(2).as_deref(), Some("Running"));
    // The payment was rejected after StockReserved; the compensation's StockReleased shows it.
    assert_eq!(saga(3).as_deref(), Some("Compensated"));
    // OrderCancelled ← CancelOrder (the saga's failure command) ← ChargePayment, rejected:
    // the failure is the cause ← StockReserved ← ReserveStock ← OrderPlaced ← PlaceOrder.
    let name = |c: u32| &p.commands[e.commands()[c as usize].command()].name;
    assert_eq!(
        causation(&e, 3),
        vec![
            Link::Command(4),
            Link::Command(2),
            Link::Event(1),
            Link::Command(1),
            Link::Event(0),
            Link::Command(0)
        ]
    );
    assert_eq!(name(2), "ChargePayment");
    assert!(e.commands()[2].rejection.is_some());
    // The compensation (StockReleased ← ReleaseStock) has the same failure for its cause.
    assert_eq!(causation(&e, 2)[..2], [Link::Command(3), Link::Command(2)]);
    assert_eq!(name(3), "ReleaseStock");
    // One compensation had run by the time StockReleased was in the log, none before.
    let inst = e.saga_instances()[0].values().next().unwrap();
    let compensations = |at: u64| {
        let s = t.at(&e, at);
        inst.compensations_seen(|stamp, time| s.shows(stamp, time))
    };
    assert_eq!((compensations(1), compensations(3)), (0, 1));
    // The end of the timeline is the live state.
    let end = t.at(&e, e.records().len() as u64);
    assert_eq!(end.aggregates, e.aggregate_instances());
    assert_eq!(end.read_models, e.tables());
}

#[test]
fn a_saga_deadline_is_pending_until_it_fires_and_causes_the_compensation() {
    use stormlab::sim::store::Cause;
    use stormlab::sim::timeline::{Link, Timeline, causation};
    let model = load("devportal");
    let e = run(&model, "unanswered survey times out and is closed", None);
    let p = &e.program();
    let event = |name: &str| {
        e.records()
            .iter()
            .position(|r| p.events[r.event as usize].name == name)
            .unwrap() as u64
    };
    let (sent, closed) = (event("SurveySent"), event("SurveyClosed"));
    let t = Timeline::new(&e);
    let inst = e.saga_instances()[0].values().next().unwrap();
    assert_eq!(&*inst.status, "TimedOut");
    let at = |position: u64| t.at(&e, position);
    let pending = |position: u64| {
        let s = at(position);
        inst.pending(|stamp, time| s.shows(stamp, time))
            .into_iter()
            .map(|d| (p.sagas[0].deadlines[d.deadline].name.clone(), d.due))
            .collect::<Vec<_>>()
    };
    // Armed by SurveySent, due 14 days later; pending while the cursor is on SurveySent (the
    // fortnight passes before the next record), fired with SurveyClosed.
    let due = e.records()[sent as usize].time + 14 * 86_400_000;
    assert!(pending(sent).is_empty(), "not yet armed");
    assert_eq!(pending(sent + 1), vec![("feedback".to_owned(), due)]);
    let status = |position: u64| at(position).sagas[0].values().next().cloned();
    assert_eq!(status(sent + 1).as_deref(), Some("Running"));
    assert!(pending(closed + 1).is_empty(), "fired");
    assert_eq!(status(closed + 1).as_deref(), Some("TimedOut"));
    // The compensation (CloseSurvey) was caused by the expired deadline, not by an event.
    let close = e.commands().len() - 1;
    assert_eq!(e.commands()[close].cause(), Cause::Deadline(sent));
    assert_eq!(
        causation(&e, closed)[..2],
        [Link::Command(close as u32), Link::Deadline(sent)]
    );
    let s = at(closed + 1);
    assert_eq!(
        inst.compensations_seen(|stamp, time| s.shows(stamp, time)),
        1
    );
}

#[test]
fn the_timeline_replays_parked_and_redriven_messages() {
    use stormlab::sim::timeline::Timeline;
    let model = load("autoservice");
    let e = run(&model, "CRM outage parks booking events", None);
    let t = Timeline::new(&e);
    let start = model.scenarios[3].start_ms().unwrap();
    assert_eq!(
        t.at_time(&e, start + 20 * 60_000).dlq.len(),
        20,
        "at 10:20 all twenty CRM deliveries are parked"
    );
    assert_eq!(
        t.at_time(&e, start + 5 * 60_000).dlq.len(),
        3,
        "at 10:05 the first three are"
    );
    assert_eq!(
        t.at(&e, e.records().len() as u64).dlq.len(),
        0,
        "and at the end none is"
    );
}

#[test]
fn a_subscriber_behind_an_outage_shows_its_delay_until_the_redrive() {
    let model = load("autoservice");
    let e = run(&model, "CRM outage parks booking events", None);
    let sub = |name: &str| {
        e.program()
            .subscribers
            .iter()
            .position(|s| s.name == name)
            .unwrap()
    };
    // The CRM was down 10:00–10:15; what it missed was redriven at 10:30: the first booking
    // (appended at 10:00) waited about half an hour.
    let crm = e.delays(sub("Crm"));
    let longest = crm.iter().map(|d| d.max_ms).max().unwrap();
    assert!((25 * 60_000..=31 * 60_000).contains(&longest), "{crm:?}");
    let redrive = crm.last().unwrap();
    assert_eq!(
        redrive.max_ms, longest,
        "the longest wait ends at the redrive: {crm:?}"
    );
    // The support read model was not affected: it never waited a second.
    let support = e.delays(sub("CustomerBookings"));
    assert!(!support.is_empty());
    assert!(support.iter().all(|d| d.max_ms < 1_000), "{support:?}");
    // One sample per minute, in time order.
    assert!(crm.windows(2).all(|w| w[0].minute < w[1].minute));
}

#[test]
fn the_causation_tree_runs_from_the_root_command_to_every_consequence() {
    use stormlab::sim::causation::{Node, tree};
    let model = load("accounts");
    let e = run(&model, "payment over the limit is compensated", None);
    let name_of = |n: &Node| match *n {
        Node::Event(p) => e.program().events[e.records()[p as usize].event as usize]
            .name
            .clone(),
        Node::Command(c) => e.program().commands[e.commands()[c as usize].command()]
            .name
            .clone(),
        Node::Parked(_) | Node::Redrive(_) => String::from("delivery"),
    };
    let cancelled = e
        .records()
        .iter()
        .position(|r| e.program().events[r.event as usize].name == "OrderCancelled")
        .unwrap() as u64;
    let t = tree(&e, cancelled, 300);
    assert!(!t.truncated);
    // The root is the scenario's command; the cancelled order and the rejected payment are
    // both in the tree, each with exactly one cause.
    assert_eq!(name_of(&t.nodes[0]), "PlaceOrder");
    let names: Vec<String> = t.nodes.iter().map(name_of).collect();
    for n in [
        "OrderPlaced",
        "ChargePayment",
        "OrderCancelled",
        "StockReleased",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    for i in 1..t.nodes.len() {
        assert_eq!(
            t.edges.iter().filter(|(_, b)| *b == i).count(),
            1,
            "{names:?}"
        );
    }
    // A tree of an event picked anywhere in it is the same tree.
    let placed = t.nodes.iter().find_map(|n| match n {
        Node::Event(p) if name_of(n) == "OrderPlaced" => Some(*p),
        _ => None,
    });
    assert_eq!(tree(&e, placed.unwrap(), 300), t);
    // Cut at a limit, and said so.
    let small = tree(&e, cancelled, 3);
    assert!(small.truncated && small.nodes.len() == 3);
    assert!(tree(&e, 10_000, 300).nodes.is_empty());
}

#[test]
fn commands_issued_by_hand_record_into_a_scenario_that_replays_the_same_log() {
    use stormlab::model::scenario::{Step, Values};
    use stormlab::sim::scenario::{issue, recorded, redrive, redrive_one};
    // The CRM outage without its redrive: the run ends with parked messages.
    let mut model = load("autoservice");
    let base = model
        .scenarios
        .iter()
        .position(|s| s.name == "CRM outage parks booking events")
        .unwrap();
    model.scenarios[base]
        .when
        .retain(|s| !matches!(s, Step::Redrive { .. }));
    let name = model.scenarios[base].name.clone();
    let mut e = run(&model, &name, None);
    assert!(!e.parked().is_empty(), "the outage parks messages");
    let parked = e.parked().len();
    let before = e.records().len();

    // By hand: redrive one of the CRM's dead letters 5 minutes later, the rest 20 minutes
    // after that, then book once more.
    let s = model.scenarios[base].clone();
    let crm = e.program().subscriber_named("Crm").unwrap();
    let first = e.parked()[0].position;
    let one = redrive_one(&mut e, &s, crm, first, 5 * 60_000).unwrap();
    assert_eq!(e.parked().len(), parked - 1, "the one message redriven");
    assert!(matches!(&one, Step::Redrive { event: Some(n), .. } if *n == first + 1));
    let mut steps = vec![one];
    steps.extend(redrive(&mut e, &s, &[crm], 20 * 60_000).unwrap());
    assert!(e.parked().is_empty(), "{parked} parked, all redriven");
    let fields: Values = [
        ("booking_id", "'b-by-hand'"),
        ("customer_id", "'c-1'"),
        ("garage_id", "'g-1'"),
        ("kind", "ServiceKind.Repair"),
        ("price", "Money(120.00, 'EUR')"),
        ("appointment", "now + days(2)"),
        ("card", "'4242-4242'"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    steps.push(issue(&mut e, &s, "BookService", &fields, 60_000).unwrap());
    assert!(e.records().len() > before);
    let booked = e
        .records()
        .iter()
        .filter(|r| e.program().events[r.event as usize].name == "ServiceBooked")
        .count();
    assert_eq!(booked, 21, "twenty from the load, one by hand");

    // Saved as a scenario, it replays the same log byte for byte.
    let saved = recorded(&s, &steps, e.seed(), "recorded".into());
    assert_eq!(saved.when.len(), s.when.len() + 3);
    let mut with = model.clone();
    with.scenarios.push(saved);
    let replay = run(&with, "recorded", None);
    assert_eq!(
        stormlab::sim::log::jsonl(&replay),
        stormlab::sim::log::jsonl(&e)
    );

    // Bad input by hand is an error naming it, and the run is left as it was.
    let len = e.records().len();
    let err = issue(&mut e, &s, "NoSuchCommand", &Values::new(), 0).unwrap_err();
    assert!(
        err.to_string().contains("no command `NoSuchCommand`"),
        "{err}"
    );
    let bad: Values = [("booking_id".to_owned(), "1 / 0 +".to_owned())].into();
    let err = issue(&mut e, &s, "BookService", &bad, 0).unwrap_err();
    assert!(err.to_string().contains("1 / 0 +"), "{err}");
    assert_eq!(e.records().len(), len);
}

/// Counters in groups; a read model keeps each group's last amount, across the counters'
/// streams.
const LAST_PER_GROUP: &str = r#"(format: 1, name: "Groups", contexts: [(name: "Core", frame: (0.0, 0.0, 900.0, 400.0),
    commands: [(name: "Add", target: "Counter", fields: [(n: 1, name: "id", ty: "id"), (n: 2, name: "amount", ty: "int"), (n: 3, name: "group", ty: "string")], at: (0.0, 0.0))],
    aggregates: [(name: "Counter", id: "id", lifecycle: ["Active"], handlers: [(on: "Add", emit: [(event: "Added")])], at: (200.0, 0.0))],
    events: [(name: "Added", owner: "Counter", fields: [(n: 1, name: "id", ty: "id"), (n: 2, name: "amount", ty: "int"), (n: 3, name: "group", ty: "string")], at: (400.0, 0.0))],
    read_models: [(name: "LastPerGroup", columns: [(n: 1, name: "group", ty: "string"), (n: 2, name: "last", ty: "int")], key: "group",
        rules: [(on: "Added", key: "event.group", action: Upsert({"last": "event.amount"}))], at: (600.0, 0.0))],
    )])"#;

#[test]
fn a_read_model_sees_the_log_in_its_order_across_streams() {
    for latency in ["", r#"delivery: (latency: "50ms"), "#] {
        let text = LAST_PER_GROUP.replacen("at: (600.0", &format!("{latency}at: (600.0"), 1);
        last_per_group(&text);
    }
}

fn last_per_group(text: &str) {
    use stormlab::model::expr::Value;
    use stormlab::sim::store::Cause;
    let model = from_str(text, "groups.ron").unwrap();
    let mut e = Engine::new(Arc::new(Program::new(&model).unwrap()), 1, 0);
    let corr = e.intern("test");
    // Two events of counter a, then one of counter b, all at the same moment: the second of
    // a's must not reach the read model after b's.
    for (id, amount) in [("a", 1), ("a", 2), ("b", 10)] {
        let fields = [Value::str(id), Value::Int(amount), Value::str("g")];
        e.execute(0, &fields, corr, Cause::Scenario).unwrap();
    }
    e.run(None).unwrap();
    let row = e.tables()[0]
        .get(&Value::str("g"))
        .expect("the group's row");
    assert_eq!(row[1], Value::Int(10), "the last amount in the log is b's");
    assert!(compare(&e.tables()[0], &rebuild(&e, 0).unwrap()).is_empty());
    assert_eq!(e.deliveries(0), 3, "each event delivered once");
}

#[test]
fn the_causation_tree_of_a_parked_event_shows_the_failed_delivery_and_its_redrive() {
    use stormlab::sim::causation::{Node, tree};
    let model = load("autoservice");
    let e = run(&model, "CRM outage parks booking events", None);
    // The first booking's event: parked at the CRM during the outage, redriven at 10:30.
    let booked = e
        .records()
        .iter()
        .position(|r| e.program().events[r.event as usize].name == "ServiceBooked")
        .unwrap() as u64;
    let t = tree(&e, booked, 300);
    let at = |n: Node| t.nodes.iter().position(|&m| m == n);
    let parked = t
        .nodes
        .iter()
        .position(|n| matches!(n, Node::Parked(_)))
        .expect("the failed delivery is in the tree");
    let redrive = t
        .nodes
        .iter()
        .position(|n| matches!(n, Node::Redrive(_)))
        .expect("so is the redrive");
    let event = at(Node::Event(booked)).unwrap();
    assert!(t.edges.contains(&(event, parked)), "parked under its event");
    assert!(
        t.edges.contains(&(parked, redrive)),
        "redrive under the parking"
    );
    // Other bookings' parkings are not in this booking's tree.
    let parkings = t
        .nodes
        .iter()
        .filter(|n| matches!(n, Node::Parked(_)))
        .count();
    assert_eq!(parkings, 1, "{:?}", t.nodes);
}

/// The autoservice model whose CRM-outage scenario books `count` services, plus (when
/// `second` is set) a second load of `second` bookings `x-i` due at the same moments.
fn bookings(count: i64, second: Option<i64>) -> (Model, String) {
    use stormlab::model::scenario::{Gen, Step};
    let mut model = load("autoservice");
    let name = "CRM outage parks booking events".to_owned();
    let s = model.scenarios.iter_mut().find(|s| s.name == name).unwrap();
    let Some(Step::Load { count: c, .. }) = s.when.first_mut() else {
        panic!("the scenario starts with a load")
    };
    *c = count;
    let mut extra = s.when[0].clone();
    if let (Some(n), Step::Load { count, fields, .. }) = (second, &mut extra) {
        *count = n;
        fields.insert("booking_id".into(), Gen::Expr("'x-' + str(i)".into()));
        s.when.insert(1, extra);
    }
    (model, name)
}

#[test]
fn a_load_compiles_its_expressions_once_however_many_commands_it_issues() {
    let (model, name) = bookings(3000, None);
    let before = stormlab::model::expr::compilations();
    let e = run(&model, &name, None);
    let compiled = stormlab::model::expr::compilations() - before;
    let booked = e
        .records()
        .iter()
        .filter(|r| e.event_of(r).is_some_and(|d| d.name == "ServiceBooked"))
        .count();
    assert_eq!(booked, 3000);
    // The program (handlers, policies, read models) and the load's 9 field expressions: a
    // fixed number, nowhere near one per generated command.
    assert!(compiled < 200, "{compiled} compilations for 3000 commands");
    let (bigger, _) = bookings(6000, None);
    let before = stormlab::model::expr::compilations();
    run(&bigger, &name, None);
    assert_eq!(stormlab::model::expr::compilations() - before, compiled);
}

#[test]
fn two_loads_due_together_interleave_in_scenario_order_and_draw_in_load_order() {
    use stormlab::model::expr::Value;
    use stormlab::sim::rng::Rng;
    let (model, name) = bookings(5, Some(5));
    let e = run(&model, &name, None);
    let booked: Vec<&[Value]> = e
        .records()
        .iter()
        .filter(|r| e.event_of(r).is_some_and(|d| d.name == "ServiceBooked"))
        .map(|r| e.payload(r))
        .collect();
    let ids: Vec<String> = booked.iter().map(|p| p[0].to_string()).collect();
    let want: Vec<String> = (0..5)
        .flat_map(|i| [format!("b-{i}"), format!("x-{i}")])
        .collect();
    assert_eq!(
        ids, want,
        "due at the same moment: the first load's command first"
    );
    // Each command draws its garage, then its kind; the first load's five commands draw
    // before the second load's, as if both loads had been queued whole at set-up.
    let mut rng = Rng::new(
        model
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .seed,
        "workload",
    );
    let mut draws: Vec<(i64, i64)> = (0..10)
        .map(|_| (rng.range(0, 1), rng.range(0, 2)))
        .collect();
    let second = draws.split_off(5);
    for (i, (g, k)) in draws.iter().chain(&second).enumerate() {
        let p = booked[(i % 5) * 2 + i / 5];
        assert_eq!(
            p[2].to_string(),
            ["g-1", "g-2"][*g as usize],
            "garage of booking {i}"
        );
        assert!(
            p[3].to_string()
                .ends_with(["OilChange", "Inspection", "Repair"][*k as usize]),
            "kind of booking {i}: {}",
            p[3]
        );
    }
}

#[test]
fn playing_forward_from_the_previous_state_gives_the_state_a_seek_gives() {
    use stormlab::sim::timeline::{StateAt, Timeline};
    fn same(a: &StateAt, b: &StateAt) -> bool {
        (a.position, a.time, a.end) == (b.position, b.time, b.end)
            && a.aggregates == b.aggregates
            && a.read_models == b.read_models
            && a.sagas == b.sagas
            && a.dlq == b.dlq
    }
    // A load of 3000 bookings gives a log longer than the snapshot spacing (1024).
    let (model, name) = bookings(3000, None);
    let mut cases: Vec<(Model, String)> = vec![(model, name)];
    for m in MODELS {
        let model = load(m);
        for s in &model.scenarios {
            cases.push((model.clone(), s.name.clone()));
        }
    }
    for (model, name) in &cases {
        let e = run(model, name, None);
        let t = Timeline::new(&e);
        let len = e.records().len() as u64;
        let mut previous = None;
        // Forward one record at a time, a jump, back to the start, forward again, the end.
        let stride = (len / 200).max(1);
        let mut path: Vec<u64> = (0..len.min(300))
            .chain((0..len).step_by(stride as usize))
            .collect();
        path.extend([len / 2, len / 2 + 1, 0, 3, len, len + 5]);
        for pos in path {
            let s = t.seek(&e, previous.take(), pos);
            assert!(same(&s, &t.at(&e, pos)), "{name}: position {pos} of {len}");
            previous = Some(s);
        }
    }
}
