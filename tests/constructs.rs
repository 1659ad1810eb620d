//! Real-system constructs: a handler's data-dependent outcomes (branches) and expressions over
//! lists (order lines read, totalled, counted), on a stock reservation model.

use std::sync::Arc;

use stormlab::export::findings;
use stormlab::model::Model;
use stormlab::model::diagnostic::Severity;
use stormlab::model::file::from_str;
use stormlab::sim::Program;
use stormlab::sim::engine::Engine;
use stormlab::sim::rebuild::fold_stream;
use stormlab::sim::scenario::{setup, until_of, verdicts};

const STOCK: &str = include_str!("fixtures/stock.ron");

fn model(text: &str) -> Model {
    from_str(text, "stock.ron").unwrap_or_else(|e| panic!("{e}"))
}

fn run(model: &Model, scenario: &str) -> Engine {
    let program = Arc::new(Program::new(model).unwrap());
    let mut e = setup(model, program, scenario, None).unwrap();
    let s = model.scenarios.iter().find(|s| s.name == scenario).unwrap();
    e.run(until_of(s)).unwrap();
    e
}

/// The error in the model `text` (named `file`) whose message says `says`, placed on the line
/// that holds `marker`.
fn error_at(
    text: &str,
    file: &str,
    says: &str,
    marker: &str,
) -> stormlab::model::diagnostic::Diagnostic {
    let found = findings(&model(text));
    let d = found
        .iter()
        .find(|d| d.message.contains(says))
        .unwrap_or_else(|| panic!("{says}: {found:#?}"))
        .clone();
    assert_eq!(d.severity, Severity::Error, "{d:?}");
    let rendered = stormlab::model::diagnostic::render(&d, text, file);
    let line = text.lines().position(|l| l.contains(marker)).unwrap() + 1;
    assert!(
        rendered.starts_with(&format!("{file}:{line}:")),
        "{rendered}"
    );
    d
}

#[test]
fn a_handler_emits_the_events_of_the_first_branch_that_applies() {
    let m = model(STOCK);
    let errors: Vec<String> = findings(&m)
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for s in &m.scenarios {
        let e = run(&m, &s.name);
        for v in verdicts(&e, s).unwrap() {
            assert!(v.passed, "{}: {} — {}", s.name, v.expectation, v.reason);
        }
        // Whichever branch ran, the stream folds to the live state.
        for (a, instances) in e.aggregate_instances().iter().enumerate() {
            for (key, live) in instances {
                let folded = fold_stream(&e, a, key).expect("a stream").expect("folds");
                assert_eq!(&folded, live, "{}: {key}", s.name);
            }
        }
    }
    // Exactly one outcome per accepted command: never the events of two branches.
    let e = run(&m, "the first matching branch wins");
    assert_eq!(e.records().len(), 1);
}

#[test]
fn a_branch_condition_that_fails_rejects_the_command_and_names_the_expression() {
    let text = STOCK.replacen(
        "cmd.lines[0].quantity > 1000",
        "cmd.lines[5].quantity > 1000",
        1,
    );
    let m = model(&text);
    let e = run(
        &m,
        "a large order is refused with the count of lines in stock",
    );
    let reason = e
        .commands()
        .iter()
        .find_map(|c| c.rejection.as_deref())
        .expect("the command is rejected");
    assert_eq!(
        reason,
        "cannot choose the outcome of ReserveStock: index 5 is outside the list, which has 2 \
         elements in `cmd.lines[5].quantity > 1000`"
    );
    assert_eq!(e.records().len(), 0, "a rejected command appends nothing");
}

#[test]
fn no_branch_applying_emits_only_the_handlers_own_events() {
    // Without the otherwise, a large order matches no branch: accepted, nothing emitted.
    let start = STOCK
        .find("(emit: [(event: \"StockRefused\", set: {\"reason\": \"'only '")
        .unwrap();
    let end = start + STOCK[start..].find("\n").unwrap();
    let text = format!("{}{}", &STOCK[..start], &STOCK[end..]);
    let m = model(&text);
    let e = run(
        &m,
        "a large order is refused with the count of lines in stock",
    );
    assert_eq!(e.records().len(), 0);
    assert!(e.commands().iter().all(|c| c.rejection.is_none()));
}

#[test]
fn equal_decimals_are_written_the_same_in_the_log() {
    // Before: `1.00 + 1.00` was logged as "2.00", `2` as "2", `2.0` as "2.0".
    let m = model(STOCK);
    let e = run(&m, "a small order is reserved and totalled");
    let log = stormlab::sim::log::jsonl(&e);
    assert!(log.contains("\"total\":\"2\""), "{log}");
    for (a, b) in [("2.00", "2"), ("0.0", "0.000"), ("-0.10", "-0.1")] {
        let (a, b): (rust_decimal::Decimal, rust_decimal::Decimal) =
            (a.parse().unwrap(), b.parse().unwrap());
        use stormlab::model::expr::Value;
        assert_eq!(Value::Dec(a).to_string(), Value::Dec(b).to_string());
    }
}

#[test]
fn a_fan_out_issues_one_command_per_element_in_order_and_a_rejection_stops_none() {
    use stormlab::sim::store::Cause;
    let m = model(STOCK);
    let e = run(
        &m,
        "an order fans out into one reservation per line; one refused does not stop the rest",
    );
    let placed = Cause::Event(0);
    assert_eq!(
        commands(&e),
        [
            ("PlaceOrder", "o-9", false),
            ("ReserveItem", "bolt", false),
            ("ReserveItem", "nut", false),
            ("ReserveItem", "nut", true),
            ("ReserveItem", "washer", false),
        ]
        .map(|(c, t, r)| (c.to_owned(), t.to_owned(), r))
    );
    let causes: Vec<Cause> = e.commands().iter().map(|c| c.cause()).collect();
    assert_eq!(causes, [Cause::Scenario, placed, placed, placed, placed]);
    // Per element: its own fields, and the event's same-named ones.
    let log = stormlab::sim::log::jsonl(&e);
    let washer = log
        .lines()
        .find(|l| l.contains("\"type\":\"ItemReserved\"") && l.contains("washer"))
        .unwrap();
    assert!(
        washer.contains("\"quantity\":1") && washer.contains("\"order_id\":\"o-9\""),
        "{washer}"
    );
}

#[test]
fn a_fan_out_over_what_is_not_a_list_is_an_error_at_its_place() {
    for (for_each, says) in [
        (
            "line in event.order_id",
            "a fan-out runs over a list, found `id`",
        ),
        ("event.lines", "write `ITEM in LIST`"),
        ("now in event.lines", "`now` is taken here"),
        ("line in event.lnes", "unknown name `event.lnes`"),
    ] {
        let text = STOCK.replacen(
            "for_each: \"line in event.lines\"",
            &format!("for_each: \"{for_each}\""),
            1,
        );
        let d = error_at(&text, "stock.ron", says, "ReserveEachLine");
        assert_eq!(d.code, stormlab::model::diagnostic::Code::ExpressionError);
    }
}

#[test]
fn a_lookup_reads_the_read_model_as_projected_so_far() {
    let scenario = "a stale read lets a second order through; the aggregate still holds the line";
    let outcomes = |text: &str| -> Vec<(String, Option<String>)> {
        let m = model(text);
        let e = run(&m, scenario);
        e.commands()
            .iter()
            .filter(|c| e.program().commands[c.command()].name == "PlaceOrder")
            .map(|c| {
                (
                    c.target.to_string(),
                    c.rejection.as_deref().map(str::to_owned),
                )
            })
            .collect()
    };
    let refused = Some("out of stock, as the shop sees it".to_owned());
    // The read model is a second behind: the second order reads no bolts reserved yet.
    assert_eq!(
        outcomes(STOCK),
        [
            ("o-a".into(), None),
            ("o-b".into(), None),
            ("o-c".into(), refused.clone())
        ]
    );
    // Projected at once, the same read refuses it.
    let fresh = STOCK.replacen(
        "delivery: (latency: \"1s\")",
        "delivery: (latency: \"0ms\")",
        1,
    );
    assert_eq!(
        outcomes(&fresh),
        [
            ("o-a".into(), None),
            ("o-b".into(), refused.clone()),
            ("o-c".into(), refused)
        ]
    );
}

#[test]
fn a_lookup_is_typed_and_only_decisions_may_read() {
    for (from, to, says) in [
        (
            "(lookup(StockLevels, l.product).reserved ?? 0)",
            "(lookup(StockLevels, 1).reserved ?? 0)",
            "the key of StockLevels is a `id`, found `int`",
        ),
        (
            "(lookup(StockLevels, l.product).reserved ?? 0)",
            "(lookup(StockLevel, l.product).reserved ?? 0)",
            "names a read model or an aggregate, such as lookup(StockLevels, cmd.product); did \
             you mean `StockLevels`?",
        ),
        (
            "(lookup(StockLevels, l.product).reserved ?? 0)",
            "lookup(StockLevels, l.product).reserved",
            "cannot add `optional<int>` and `int`",
        ),
        (
            "\"reserved\": \"state.reserved + event.quantity\"",
            "\"reserved\": \"lookup(StockLevels, event.product).reserved ?? 0\"",
            "`lookup` is for decisions",
        ),
    ] {
        let text = STOCK.replacen(from, to, 1);
        assert_ne!(text, STOCK, "{from}");
        let found = findings(&model(&text));
        assert!(
            found.iter().any(|d| d.message.contains(says)),
            "{says}: {found:#?}"
        );
    }
}

const QUOTE: &str = include_str!("fixtures/quote.ron");

#[test]
fn a_saga_deadline_from_the_data_ends_the_instance_normally_when_it_fires() {
    let m = model(QUOTE);
    assert!(findings(&m).is_empty(), "{:#?}", findings(&m));
    every_scenario_passes(&m);
    // It fires on the quote's own date, one calendar month on, and compensates nothing.
    let e = run(&m, "an unaccepted quote expires on its own date");
    assert_eq!(
        stormlab::model::expr::time::format_timestamp(e.now()),
        "2024-02-01T00:00:00Z"
    );
    let names: Vec<&str> = e
        .commands()
        .iter()
        .map(|c| e.program().commands[c.command()].name.as_str())
        .collect();
    assert_eq!(
        names,
        ["IssueQuote", "SendReminder"],
        "no compensation, no failure command"
    );
    // Without `ends_as`, the same firing is a failure.
    let failing = QUOTE.replacen(", ends_as: \"Expired\"", "", 1);
    let m = model(&failing);
    let s = &m.scenarios[0];
    let e = run(&m, &s.name);
    let v = verdicts(&e, s).unwrap();
    assert!(!v[0].passed && v[0].reason.contains("TimedOut"), "{v:?}");
}

#[test]
fn a_deadline_has_a_duration_or_a_time_from_the_data() {
    use stormlab::model::diagnostic::Code;
    let both = QUOTE.replacen(
        "at: \"event.valid_until\"",
        "after: \"1h\", at: \"event.valid_until\"",
        1,
    );
    assert!(
        findings(&model(&both))
            .iter()
            .any(|d| d.code == Code::BadTime)
    );
    let wrong = QUOTE.replacen("at: \"event.valid_until\"", "at: \"event.quote_id\"", 1);
    let found = findings(&model(&wrong));
    assert!(
        found
            .iter()
            .any(|d| d.code == Code::ExpressionError && d.message.contains("expected `timestamp`")),
        "{found:#?}"
    );
}

#[test]
fn a_policy_timer_fires_when_due_unless_an_event_on_its_target_cancels_it() {
    use stormlab::sim::store::Cause;
    let m = model(QUOTE);
    let e = run(&m, "an unaccepted quote expires on its own date");
    let reminder = e
        .commands()
        .iter()
        .find(|c| e.program().commands[c.command()].name == "SendReminder")
        .expect("the timer fired");
    assert_eq!(
        stormlab::model::expr::time::format_timestamp(reminder.time),
        "2024-01-25T00:00:00Z",
        "a week before the quote's date"
    );
    assert_eq!(reminder.cause(), Cause::Deadline(0), "armed by QuoteIssued");
    assert!(e.pending_timers().is_empty());
    assert!(matches!(e.timers(), [t] if t.ended.is_some_and(|(_, fired)| fired)));
    // Accepted on day 20: the timer due on day 24 is cancelled and never fires; neither it
    // nor the saga's deadline (ended by the acceptance) keeps the run going past day 20.
    let e = run(&m, "an accepted quote does not expire");
    assert!(matches!(e.timers(), [t] if t.ended.is_some_and(|(_, fired)| !fired)));
    assert_eq!(
        stormlab::model::expr::time::format_timestamp(e.now()),
        "2024-01-21T00:00:00Z"
    );
    assert!(
        e.commands()
            .iter()
            .all(|c| e.program().commands[c.command()].name != "SendReminder")
    );
    // Stopped on day 10, it is pending, with its due time.
    let program = Arc::new(Program::new(&m).unwrap());
    let mut e = setup(&m, program, "an accepted quote does not expire", None).unwrap();
    e.run(Some(
        stormlab::model::expr::time::parse_timestamp("2024-01-11T00:00:00Z").unwrap(),
    ))
    .unwrap();
    let pending = e.pending_timers();
    assert_eq!(pending.len(), 1);
    assert_eq!(&*pending[0].target, "q-2");
    assert_eq!(
        stormlab::model::expr::time::format_timestamp(pending[0].due),
        "2024-01-25T00:00:00Z"
    );
}

#[test]
fn a_timer_is_checked_like_the_rest() {
    use stormlab::model::diagnostic::Code;
    let text = QUOTE.replacen(
        "after: \"event.valid_until - days(7) - now\"",
        "after: \"event.valid_until\"",
        1,
    );
    let found = findings(&model(&text));
    assert!(
        found
            .iter()
            .any(|d| d.code == Code::ExpressionError && d.message.contains("expected `duration`")),
        "{found:#?}"
    );
    let text = QUOTE.replacen(
        "unless: [\"QuoteAccepted\"]",
        "unless: [\"QuoteAcepted\"]",
        1,
    );
    let found = findings(&model(&text));
    assert!(
        found.iter().any(|d| d.code == Code::DanglingReference),
        "{found:#?}"
    );
}

#[test]
fn a_projection_fans_out_per_element_and_rebuilds_to_the_live_table() {
    use stormlab::sim::rebuild::{compare, rebuild_all};
    let m = model(STOCK);
    for s in &m.scenarios {
        let e = run(&m, &s.name);
        for (r, (live, rebuilt)) in e.tables().iter().zip(rebuild_all(&e)).enumerate() {
            let rebuilt = rebuilt.unwrap();
            assert!(
                compare(live, &rebuilt).is_empty(),
                "{}: read model {r}",
                s.name
            );
        }
    }
}

#[test]
fn a_projection_fan_out_that_fails_on_one_element_changes_no_row() {
    // The third line (nut 6) divides by zero: the lines before it are not counted either,
    // and the delivery fails (retried, then parked) instead of counting them twice.
    let text = STOCK.replacen(
        "\"orders\": \"row.orders + 1\"",
        "\"orders\": \"row.orders + 1 + 6 / (line.quantity - 6) * 0\"",
        1,
    );
    let m = model(&text);
    let e = run(
        &m,
        "an order fans out into one reservation per line; one refused does not stop the rest",
    );
    // Read models are numbered in file order: Ordered is the first.
    let ordered = 0;
    assert_eq!(m.contexts[0].read_models[ordered].name, "Ordered");
    assert!(e.tables()[ordered].is_empty(), "{:?}", e.tables()[ordered]);
    assert_eq!(e.parked().len(), 1);
}

#[test]
fn an_event_carries_its_stream_key_under_a_name_of_its_own() {
    use stormlab::model::diagnostic::Code;
    let m = model(QUOTE);
    let e = run(&m, "an unaccepted quote expires on its own date");
    let log = stormlab::sim::log::jsonl(&e);
    let reminder = log
        .lines()
        .find(|l| l.contains("\"type\":\"ReminderSent\""))
        .unwrap();
    assert!(
        reminder.contains("\"stream\":\"Quote/q-1\"")
            && reminder.contains("\"quote_request_id\":\"q-1\""),
        "{reminder}"
    );
    // Folded from its stream, the quote is what it is live.
    for (a, instances) in e.aggregate_instances().iter().enumerate() {
        for (key, live) in instances {
            let folded = fold_stream(&e, a, key).expect("a stream").expect("folds");
            assert_eq!(&folded, live);
        }
    }
    // A stream key that is not a field is placed at `stream_key`.
    let wrong = QUOTE.replacen(
        "stream_key: \"quote_request_id\"",
        "stream_key: \"request_id\"",
        1,
    );
    let found = findings(&model(&wrong));
    assert!(
        found.iter().any(
            |d| d.code == Code::MissingIdField && d.message.contains("stream key `request_id`")
        ),
        "{found:#?}"
    );
}

const SHIPPING: &str = include_str!("fixtures/shipping.ron");

/// The shipping scenario `name`'s run, with `from` replaced by `to` in the fixture first.
fn shipping_run(from: &str, to: &str, name: &str) -> (Model, Engine) {
    assert_eq!(SHIPPING.matches(from).count(), 1, "`{from}` once");
    let m = model(&SHIPPING.replacen(from, to, 1));
    let e = run(&m, name);
    (m, e)
}

/// Scenario `name`'s verdicts that failed, as `expectation: reason`.
fn broken_verdicts(m: &Model, name: &str) -> Vec<String> {
    let s = m.scenarios.iter().find(|s| s.name == name).unwrap();
    let e = run(m, name);
    verdicts(&e, s)
        .unwrap()
        .into_iter()
        .filter(|v| !v.passed)
        .map(|v| format!("{}: {}", v.expectation, v.reason))
        .collect()
}

/// The commands of a run, in order: name, target, and whether it was rejected.
fn commands(e: &Engine) -> Vec<(String, String, bool)> {
    e.commands()
        .iter()
        .map(|c| {
            (
                e.program().commands[c.command()].name.clone(),
                c.target.to_string(),
                c.rejection.is_some(),
            )
        })
        .collect()
}

/// Every scenario of `m` meets all its expectations.
fn every_scenario_passes(m: &Model) {
    for s in &m.scenarios {
        let e = run(m, &s.name);
        for v in verdicts(&e, s).unwrap() {
            assert!(v.passed, "{}: {} — {}", s.name, v.expectation, v.reason);
        }
    }
}

/// The Fulfilment saga's instance of `order`: its status and state fields.
fn fulfilment(e: &Engine, order: &str) -> (String, Vec<String>) {
    let inst = e.saga_instances()[0]
        .get(&stormlab::model::expr::Value::str(order))
        .expect("an instance");
    let state = inst.state().iter().map(|v| v.to_string()).collect();
    (inst.status.to_string(), state)
}

#[test]
fn a_saga_join_waits_for_every_event_in_any_order_and_reads_its_state() {
    let m = model(SHIPPING);
    every_scenario_passes(&m);
    // Paid, reserved: the state holds what the steps set.
    let e = run(&m, "paid first, then reserved");
    let (status, state) = fulfilment(&e, "o-1");
    assert_eq!(status, "Shipped");
    assert_eq!(state, ["30.5", "north", "p-1"]);
    // Waiting for the payment: nothing shipped, the warehouse kept.
    let e = run(&m, "reserved but never paid waits");
    assert_eq!(
        fulfilment(&e, "o-3"),
        ("Running".into(), vec!["0".into(), "east".into(), "".into()])
    );
}

#[test]
fn a_join_is_taken_once_even_when_its_events_come_twice() {
    // Every delivery to the saga comes twice and it does not deduplicate: the payment is
    // counted twice (the step that sets state runs again), the join still ships once.
    let then = r#"then: [
                Saga(saga: "Fulfilment", correlation: "'o-1'""#;
    let faults =
        "faults: [(subscriber: \"Fulfilment\", duplicate_rate: 1.0, idempotent: Some(false))],\n";
    assert_eq!(SHIPPING.matches(then).count(), 1);
    let twice = SHIPPING.replacen(then, &format!("{faults}{then}"), 1);
    let name = "paid first, then reserved";
    let e = run(&model(&twice), name);
    let (status, state) = fulfilment(&e, "o-1");
    assert_eq!(status, "Shipped");
    assert_eq!(state[0], "61", "the payment counted twice");
    let ships = e
        .commands()
        .iter()
        .filter(|c| e.program().commands[c.command()].name == "ShipOrder")
        .count();
    assert_eq!(ships, 1);
    // The saga's invariant reads its state: 60 paid twice is over 100 and breaks it.
    let pay = r#""amount": "30.5", "payment_id": "'p-1'""#;
    let m = model(&twice.replacen(pay, r#""amount": "60", "payment_id": "'p-1'""#, 1));
    let broken = broken_verdicts(&m, name);
    assert!(
        broken
            .iter()
            .any(|b| b.contains("never paid twice") && b.contains("o-1")),
        "{broken:?}"
    );
}

#[test]
fn a_saga_set_that_cannot_be_worked_out_fails_the_delivery_and_changes_nothing() {
    let (_, e) = shipping_run(
        r#""paid": "state.paid + event.amount""#,
        r#""paid": "event.amount / (state.paid - state.paid)""#,
        "paid first, then reserved",
    );
    let parked: Vec<&str> = e.parked().iter().map(|p| p.error.as_str()).collect();
    assert!(
        parked.iter().any(|p| p.contains("step 1: set")),
        "the payment is parked with the reason: {parked:?}"
    );
    // Nothing of that event was done: not paid, not shipped.
    let (status, state) = fulfilment(&e, "o-1");
    assert_eq!((status.as_str(), state[0].as_str()), ("Running", "0"));
}

#[test]
fn a_saga_instances_state_at_an_earlier_moment_is_what_was_set_by_then() {
    let m = model(SHIPPING);
    let e = run(&m, "paid first, then reserved");
    let inst = e.saga_instances()[0]
        .get(&stormlab::model::expr::Value::str("o-1"))
        .unwrap();
    let zero = &e.program().sagas[0].zero_state;
    // After the payment (records: placed, paid) but before the reservation.
    let seen: Vec<String> = inst
        .state_seen(zero, |stamp, _| stamp <= 2)
        .iter()
        .map(|v| v.to_string())
        .collect();
    assert_eq!(seen, ["30.5", "", "p-1"]);
}

#[test]
fn a_contexts_invariant_is_about_the_system_and_says_whose_it_is() {
    let frame = "frame: (0.0, 0.0, 1500.0, 600.0),";
    let with = |always: &str| {
        SHIPPING.replacen(
            frame,
            &format!("{frame}\ninvariants: [(name: \"few events\", always: \"{always}\")],"),
            1,
        )
    };
    let m = model(&with("events < 3"));
    let errors: Vec<String> = findings(&m)
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let name = "paid first, then reserved";
    let broken = broken_verdicts(&m, name);
    assert!(
        broken
            .iter()
            .any(|b| b.contains("few events") && b.contains("the system (context Fulfilment)")),
        "{broken:?}"
    );
    // Typed like the model's own: a wrong one is an error placed in the context.
    let text = with("events < 'x'");
    let m = model(&text);
    let d = findings(&m)
        .into_iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert!(d.message.starts_with("context Fulfilment"), "{}", d.message);
    let line = text.lines().position(|l| l.contains("few events")).unwrap() + 1;
    assert_eq!(d.place(&text).line, line, "{}", d.message);
}

#[test]
fn renaming_a_read_model_rewrites_the_lookups_that_read_it_and_undo_restores_them() {
    renaming_rewrites_lookups(STOCK, "StockLevels", "Shelves");
    // An aggregate's lookups too.
    let guarded = ALLOCATION.replacen(
        r#"(on: "PlaceOrder", states: ["New"], emit"#,
        r#"(on: "PlaceOrder", states: ["New"], guards: [(expr: "(lookup(Item, 'bolt').reserved ?? 0) < 10", reject: "no")], emit"#,
        1,
    );
    renaming_rewrites_lookups(&guarded, "Item", "Shelf");
}

/// Renaming element `name` of the model `text` to `new` rewrites every lookup of it, leaves
/// no error, keeps the board's lookup arrows, and its undo gives the model back.
fn renaming_rewrites_lookups(text: &str, name: &str, new: &str) {
    use stormlab::model::file::to_string;
    let mut m = model(text);
    let before = m.clone();
    let loc = m
        .elements()
        .into_iter()
        .find(|e| e.name == name)
        .map(|e| e.loc)
        .unwrap();
    let count = |m: &Model, name: &str| to_string(m).matches(&format!("lookup({name},")).count();
    let reads = count(&m, name);
    assert!(reads > 0);
    let renamed = stormlab::model::refs::rename(&mut m, loc, new);
    assert_eq!(count(&m, name), 0);
    assert_eq!(count(&m, new), reads);
    let errors: Vec<String> = findings(&m)
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    // The board's dashed arrows: the element looked up to each sticky that reads it.
    assert!(
        stormlab::model::lookups::readers(&m)
            .iter()
            .any(|(read, _)| *read == loc),
        "{name}"
    );
    stormlab::model::op::apply_all(&mut m, renamed.inverse).unwrap();
    assert_eq!(to_string(&m), to_string(&before));
}

#[test]
fn a_run_noting_lookups_tells_what_each_decision_read_as_projected_then() {
    let scenario = "a stale read lets a second order through; the aggregate still holds the line";
    let m = model(STOCK);
    let program = Arc::new(Program::new(&m).unwrap());
    let mut e = setup(&m, program, scenario, None).unwrap();
    e.record_lookups();
    let s = m.scenarios.iter().find(|s| s.name == scenario).unwrap();
    e.run(until_of(s)).unwrap();
    let orders: Vec<u32> = e
        .commands()
        .iter()
        .enumerate()
        .filter(|(_, c)| e.program().commands[c.command()].name == "PlaceOrder")
        .map(|(i, _)| i as u32)
        .collect();
    // The second order read the bolts' row before the first reservation was projected: no
    // row yet (the stale read that let it through); the third read it projected.
    let read = |i: usize| e.lookups_of(orders[i]);
    assert!(!read(1).is_empty());
    assert!(read(1).iter().all(|l| l.row.is_none()), "{:?}", read(1));
    assert!(read(2).iter().any(|l| l.row.is_some()), "{:?}", read(2));
    // Off by default: a run that did not ask notes nothing.
    let plain = run(&m, scenario);
    assert!(plain.lookups_of(orders[1]).is_empty());
}

const ALLOCATION: &str = include_str!("fixtures/allocation.ron");

#[test]
fn a_saga_step_fans_out_and_a_refusal_releases_each_reserved_line_in_reverse() {
    let m = model(ALLOCATION);
    every_scenario_passes(&m);
    let e = run(&m, "a line refused releases the lines reserved before it");
    let log = stormlab::sim::log::jsonl(&e);
    // One reservation per line until the refused one (the line after it is never asked
    // for); then each reserved line released with its own quantity, the last first.
    let expected: Vec<(String, String, bool)> = [
        ("PlaceOrder", "o-2", false),
        ("ReserveItem", "bolt", false),
        ("ReserveItem", "nut", false),
        ("ReserveItem", "washer", true),
        ("ReleaseItem", "nut", false),
        ("ReleaseItem", "bolt", false),
        ("CancelOrder", "o-2", false),
    ]
    .map(|(c, t, r)| (c.to_owned(), t.to_owned(), r))
    .into();
    assert_eq!(commands(&e), expected, "{log}");
    let released: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("\"type\":\"ItemReleased\""))
        .collect();
    assert!(released[0].contains("\"quantity\":6"), "{released:?}");
    assert!(released[1].contains("\"quantity\":4"), "{released:?}");
    // The saga failed once, and its instance took a step per reserved element.
    let inst = e.saga_instances()[0]
        .get(&stormlab::model::expr::Value::str("o-2"))
        .unwrap();
    assert_eq!(&*inst.status, "Compensated");
    assert_eq!(inst.taken.len(), 2);
    assert_eq!(inst.compensations().len(), 2);
}

#[test]
fn a_saga_fan_out_is_checked_at_its_place() {
    for (from, to, says) in [
        (
            "for_each: \"line in event.lines\"",
            "for_each: \"line in event.order_id\"",
            "a fan-out runs over a list, found `id`",
        ),
        (
            "for_each: \"line in event.lines\"",
            "for_each: \"state in event.lines\"",
            "`state` is taken here",
        ),
        (
            "with: {\"product\": \"line.product\", \"quantity\": \"line.quantity\"}),\n                            compensate",
            "with: {\"product\": \"line.product\", \"quantity\": \"line.qty\"}),\n                            compensate",
            "`OrderLine` has no field `qty`",
        ),
        (
            "issue: (command: \"ReserveItem\", target: \"line.product\", with: {\"product\": \"line.product\", \"quantity\": \"line.quantity\"}),",
            "",
            "a fan-out issues one command per element",
        ),
    ] {
        assert_eq!(ALLOCATION.matches(from).count(), 1, "{from}");
        let text = ALLOCATION.replacen(from, to, 1);
        let marker = if says.contains("qty") {
            "line.qty"
        } else {
            "for_each"
        };
        error_at(&text, "allocation.ron", says, marker);
    }
}

#[test]
fn a_decision_reads_another_aggregates_state_as_it_is_now() {
    // The order is refused when an item could not hold its line — read from the items
    // themselves (no read model, so nothing stale).
    let guarded = r#"(on: "PlaceOrder", states: ["New"], guards: [(expr: "all(cmd.lines, l -> (lookup(Item, l.product).reserved ?? 0) + l.quantity <= 10)", reject: "out of stock")], emit: [(event: "OrderPlaced")]),"#;
    let text = ALLOCATION.replacen(
        r#"(on: "PlaceOrder", states: ["New"], emit: [(event: "OrderPlaced")]),"#,
        guarded,
        1,
    );
    assert_ne!(text, ALLOCATION);
    let text = text.replacen(
        r#"when: [Command(at: "0s", command: "PlaceOrder", fields: {"order_id": "'o-1'", "lines": "[OrderLine('bolt', 4), OrderLine('nut', 6), OrderLine('washer', 1)]"})],"#,
        r#"when: [
            Command(at: "0s", command: "PlaceOrder", fields: {"order_id": "'o-1'", "lines": "[OrderLine('bolt', 4), OrderLine('nut', 6), OrderLine('washer', 1)]"}),
            Command(at: "1ms", command: "PlaceOrder", fields: {"order_id": "'o-4'", "lines": "[OrderLine('nut', 5)]"}),
            Command(at: "2ms", command: "PlaceOrder", fields: {"order_id": "'o-5'", "lines": "[OrderLine('nut', 4), OrderLine('cog', 10)]"}),
        ],"#,
        1,
    );
    let m = model(&text);
    let errors: Vec<_> = findings(&m)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut e = {
        let program = Arc::new(Program::new(&m).unwrap());
        setup(&m, program, "every line reserved", None).unwrap()
    };
    e.record_lookups();
    e.run(None).unwrap();
    let outcomes: Vec<(String, Option<String>)> = e
        .commands()
        .iter()
        .filter(|c| e.program().commands[c.command()].name == "PlaceOrder")
        .map(|c| {
            (
                c.target.to_string(),
                c.rejection.as_deref().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("o-1".to_owned(), None),
            ("o-4".to_owned(), Some("out of stock".to_owned())),
            ("o-5".to_owned(), None),
        ]
    );
    // What the refused order's decision read: the nut item's state, 6 reserved.
    let refused = e
        .commands()
        .iter()
        .position(|c| c.target.to_string() == "o-4")
        .unwrap();
    let read = e.lookups_of(refused as u32);
    assert_eq!(read.len(), 1, "{read:?}");
    assert_eq!(read[0].key.to_string(), "nut");
    assert_eq!(
        read[0].row.as_deref().map(|r| r[0].to_string()),
        Some("6".to_owned())
    );
    // An unknown item reads as none (`?? 0`): the cog line of o-5 passed.
    let cog = e.lookups_of(
        e.commands()
            .iter()
            .position(|c| c.target.to_string() == "o-5")
            .unwrap() as u32,
    );
    assert!(
        cog.iter()
            .any(|l| l.key.to_string() == "cog" && l.row.is_none()),
        "{cog:?}"
    );
}

#[test]
fn an_aggregate_lookup_is_checked_like_a_read_models() {
    for (guard, says) in [
        (
            "(lookup(Order, cmd.order_id) ?? none) == none",
            "aggregate Warehouse/Order: a decision reads its own instance as `state`; another \
             Order cannot be looked up while one decides",
        ),
        (
            "(lookup(Item, 1).reserved ?? 0) < 10",
            "the key of Item is a `id`, found `int`",
        ),
        (
            "(lookup(Item, 'bolt').reservd ?? 0) < 10",
            "has no field `reservd`",
        ),
    ] {
        let text = ALLOCATION.replacen(
            r#"(on: "PlaceOrder", states: ["New"], emit"#,
            &format!(
                r#"(on: "PlaceOrder", states: ["New"], guards: [(expr: "{guard}", reject: "no")], emit"#
            ),
            1,
        );
        assert_ne!(text, ALLOCATION);
        error_at(&text, "allocation.ron", says, guard);
    }
}

#[test]
fn a_timed_saga_step_fires_unless_its_event_comes_first() {
    let m = model(SHIPPING);
    // Paid within the half hour: the reminder is cancelled by the payment, never issued.
    let e = run(&m, "paid first, then reserved");
    let ended: Vec<(String, Option<bool>)> = e
        .timers()
        .iter()
        .map(|t| (t.target.to_string(), t.ended.map(|(_, fired)| fired)))
        .collect();
    assert_eq!(ended, [("o-1".to_owned(), Some(false))]);
    assert!(
        !e.commands()
            .iter()
            .any(|c| e.program().commands[c.command()].name == "RemindCustomer")
    );
    // Never paid: it fires half an hour after the order, caused by the order's event.
    let e = run(&m, "reserved but never paid waits");
    let t = &e.timers()[0];
    assert_eq!(
        (t.target.as_ref(), t.ended.map(|(_, f)| f)),
        ("o-3", Some(true))
    );
    let reminded = e
        .commands()
        .iter()
        .find(|c| e.program().commands[c.command()].name == "RemindCustomer")
        .expect("the reminder");
    assert_eq!(reminded.time - e.commands()[0].time, 30 * 60 * 1000);
    assert!(reminded.rejection.is_none());
}

#[test]
fn a_timed_saga_step_is_checked_at_its_place() {
    let step = r#"(on: "OrderPlaced", after: "minutes(30)", unless: ["PaymentReceived"], issue: (command: "RemindCustomer")),"#;
    for (to, says, marker) in [
        (
            r#"(on: "OrderPlaced", after: "30", unless: ["PaymentReceived"], issue: (command: "RemindCustomer")),"#,
            "duration",
            r#"after: "30""#,
        ),
        (
            r#"(on: "OrderPlaced", after: "minutes(30)", unless: ["PaymentReceived"], issue: (command: "RemindCustomer"), compensate: (command: "ShipOrder")),"#,
            "a timed step cannot be compensated",
            "compensate: (command: \"ShipOrder\")",
        ),
        (
            r#"(on: "OrderPlaced", unless: ["PaymentReceived"], issue: (command: "RemindCustomer")),"#,
            "`unless` cancels a timer: give the step an `after`",
            r#"unless: ["PaymentReceived"], issue"#,
        ),
        (
            r#"(on: "OrderPlaced", after: "minutes(30)", unless: ["PaymentRecieved"], issue: (command: "RemindCustomer")),"#,
            "PaymentRecieved",
            "PaymentRecieved",
        ),
    ] {
        assert_eq!(SHIPPING.matches(step).count(), 1);
        let text = SHIPPING.replacen(step, to, 1);
        error_at(&text, "shipping.ron", says, marker);
    }
}

const INVOICES: &str = include_str!("fixtures/invoices.ron");

/// Each timer of a run: its target, its command, when it is due (RFC 3339), and whether it
/// fired (Some(true)), was cancelled (Some(false)) or is pending (None).
fn timers(e: &Engine) -> Vec<(String, String, String, Option<bool>)> {
    e.timers()
        .iter()
        .map(|t| {
            (
                t.target.to_string(),
                e.program().commands[t.command].name.clone(),
                stormlab::model::expr::time::format_timestamp(t.due),
                t.ended.map(|(_, fired)| fired),
            )
        })
        .collect()
}

#[test]
fn a_handler_schedules_a_command_at_a_moment_from_the_data() {
    use stormlab::sim::store::Cause;
    let m = model(INVOICES);
    every_scenario_passes(&m);
    // Unpaid: MarkOverdue is issued on the invoice's own due date, caused by its issue.
    let e = run(&m, "unpaid falls due on its date");
    let due = "2024-03-31T00:00:00Z".to_owned();
    let mark = ("i-2".to_owned(), "MarkOverdue".to_owned());
    assert_eq!(timers(&e), [(mark.0, mark.1, due.clone(), Some(true))]);
    let overdue = e
        .commands()
        .iter()
        .find(|c| e.program().commands[c.command()].name == "MarkOverdue")
        .expect("the schedule fired");
    assert_eq!(
        stormlab::model::expr::time::format_timestamp(overdue.time),
        due
    );
    assert_eq!(
        overdue.cause(),
        Cause::Deadline(0),
        "armed by InvoiceIssued"
    );
    assert!(e.armed_a_timer(0));
    assert_eq!(
        e.program().timer_owner(e.timers()[0].owner),
        "Invoice on IssueInvoice"
    );
    // Paid on day 10: the payment cancels it, and the run does not wait for its date.
    let e = run(&m, "paid before it falls due");
    assert!(matches!(&timers(&e)[..], [(_, _, _, Some(false))]));
    assert!(e.pending_timers().is_empty());
    assert_eq!(
        stormlab::model::expr::time::format_timestamp(e.now()),
        "2024-03-11T00:00:00Z"
    );
}

#[test]
fn an_event_of_the_scheduling_command_cancels_what_was_pending_but_not_its_own_schedule() {
    let m = model(INVOICES);
    let e = run(&m, "moving the due date twice");
    let fired: Vec<(String, Option<bool>)> = timers(&e)
        .into_iter()
        .map(|(_, _, due, ended)| (due, ended))
        .collect();
    assert_eq!(
        fired,
        [
            ("2024-03-31T00:00:00Z".to_owned(), Some(false)),
            ("2024-04-10T00:00:00Z".to_owned(), Some(false)),
            ("2024-04-15T00:00:00Z".to_owned(), Some(true)),
        ],
        "each move cancels the date before it; the last one fires"
    );
    assert_eq!(
        e.program().timer_owner(e.timers()[2].owner),
        "Invoice on ExtendInvoice"
    );
}

#[test]
fn a_schedule_that_cannot_be_worked_out_rejects_the_command_and_names_it() {
    // `i-2` has three characters: a division by zero when the command is decided.
    let text = INVOICES.replacen(
        r#"schedule: [(at: "cmd.due","#,
        r#"schedule: [(at: "cmd.due + days(10 / (len(cmd.invoice_id) - 3))","#,
        1,
    );
    let m = model(&text);
    let e = run(&m, "unpaid falls due on its date");
    let issued = &e.commands()[0];
    let why = issued.rejection.as_deref().expect("rejected");
    assert!(why.contains("cannot schedule MarkOverdue"), "{why}");
    assert!(e.timers().is_empty());
    assert_eq!(e.records().len(), 0, "nothing appended");
}

#[test]
fn a_schedule_is_checked_at_its_place() {
    let schedule = r#"schedule: [(at: "cmd.due", unless: ["InvoicePaid", "DueDateMoved"], issue: (command: "MarkOverdue"))],"#;
    for (to, says, marker) in [
        (
            r#"schedule: [(at: "days(3)", unless: ["InvoicePaid", "DueDateMoved"], issue: (command: "MarkOverdue"))],"#,
            "expected `timestamp`",
            r#"at: "days(3)""#,
        ),
        (
            r#"schedule: [(after: "days(3)", at: "cmd.due", issue: (command: "MarkOverdue"))],"#,
            "either `after` a duration or `at` a moment",
            r#"after: "days(3)", at"#,
        ),
        (
            r#"schedule: [(unless: ["InvoicePaid"], issue: (command: "MarkOverdue"))],"#,
            "needs `after` (a duration",
            r#"schedule: [(unless"#,
        ),
        (
            r#"schedule: [(at: "cmd.due", unless: ["InvoicePayed"], issue: (command: "MarkOverdue"))],"#,
            "InvoicePayed",
            "InvoicePayed",
        ),
        (
            r#"schedule: [(at: "cmd.due", issue: (command: "MarkOverdu"))],"#,
            "MarkOverdu",
            "MarkOverdu\"",
        ),
        (
            r#"schedule: [(at: "cmd.due", issue: (command: "MarkOverdue", with: {"reason": "'late'"}))],"#,
            "has no field `reason`",
            "\"reason\"",
        ),
        (
            r#"schedule: [(at: "lookup(Invoice, cmd.invoice_id).due ?? now", issue: (command: "MarkOverdue"))],"#,
            "cannot be looked up while one decides",
            "lookup(Invoice",
        ),
    ] {
        assert_eq!(INVOICES.matches(schedule).count(), 1);
        let text = INVOICES.replacen(schedule, to, 1);
        error_at(&text, "invoices.ron", says, marker);
    }
    // A handler that emits nothing never arms its schedule.
    let text = INVOICES.replacen(
        r#"emit: [(event: "InvoiceIssued")],
                            schedule"#,
        r#"emit: [],
                            schedule"#,
        1,
    );
    error_at(
        &text,
        "invoices.ron",
        "a schedule is armed by the events its handler emits",
        "MarkOverdue\"))],",
    );
}
