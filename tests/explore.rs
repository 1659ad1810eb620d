//! Invariants and exploration: invariants are checked (and placed errors given for bad ones),
//! exploration finds a planted bug in a bounded number of runs, its results do not depend on
//! the number of threads or on partitioning, and a shrunk failure replays.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use stormlab::model::Model;
use stormlab::model::diagnostic::Code;
use stormlab::model::file::from_str;
use stormlab::sim::Program;
use stormlab::sim::explore::{Explorer, FaultKind, Options, Report};
use stormlab::sim::scenario::{check, prepare_in, setup, until_of};

const STOCK: &str = include_str!("fixtures/stock.ron");
const BUG: &str = include_str!("../models/teaching/double-count.ron");
const FIXED: &str = include_str!("../models/teaching/double-count-fixed.ron");
const BUSY: &str = "a busy morning";
const SHOP_SEES_BUG: &str =
    "invariant `the shop never shows more reserved than the warehouse holds`";
const STALE: &str = "a stale read lets a second order through; the aggregate still holds the line";
const SHOP_SEES: &str = "invariant `the shop never sees more reserved than in stock`";

fn model(text: &str) -> Model {
    from_str(text, "stock.ron").unwrap_or_else(|e| panic!("{e}"))
}

fn explore(m: &Model, opts: &Options) -> Report {
    let x = Explorer::new(m, STALE).unwrap();
    x.explore(opts, &|_| {}, &AtomicBool::new(false))
}

fn options(runs: u64, jobs: usize) -> Options {
    Options {
        runs,
        jobs,
        seed: 7,
        ..Options::default()
    }
}

#[test]
fn invariants_that_hold_pass_and_a_broken_one_names_the_instance_and_the_record() {
    let m = model(STOCK);
    let program = Arc::new(Program::new(&m).unwrap());
    for s in &m.scenarios {
        let verdicts = check(&m, program.clone(), s).unwrap();
        let invariants: Vec<_> = verdicts
            .iter()
            .filter(|v| v.expectation.starts_with("invariant"))
            .collect();
        assert_eq!(invariants.len(), 3, "{}", s.name);
        assert!(
            verdicts.iter().all(|v| v.passed),
            "{}: {verdicts:?}",
            s.name
        );
    }
    // At most 5 reserved: the third nut line (6 more) breaks it, after the 4th event.
    let text = STOCK.replace("state.reserved <= 10 &&", "state.reserved <= 5 &&");
    let m = model(&text);
    let program = Arc::new(Program::new(&m).unwrap());
    let s = &m.scenarios[0];
    let verdicts = check(&m, program.clone(), s).unwrap();
    let broken: Vec<_> = verdicts.iter().filter(|v| !v.passed).collect();
    assert_eq!(broken.len(), 1, "{verdicts:?}");
    assert_eq!(
        broken[0].expectation,
        "invariant `never more reserved than in stock` of Item holds"
    );
    assert_eq!(
        broken[0].reason,
        "invariant `never more reserved than in stock` broken by Item nut (after event #4): \
         always `state.reserved <= 5 && status == 'Stocked'` is false"
    );
    let mut e = setup(&m, program, &s.name, None).unwrap();
    e.run(until_of(s)).unwrap();
    let v = &e.violations()[0];
    assert_eq!((v.position, v.about.as_str()), (4, "Item nut"));
    assert_eq!(v.record, Some(3), "the 4th event broke it");
    let record = e.record(3).unwrap();
    assert_eq!(e.event_of(record).unwrap().name, "ItemReserved");
}

#[test]
fn an_eventually_invariant_is_checked_once_the_run_is_healed_and_settled() {
    let text = STOCK.replace(
        "eventually: \"parked == 0\"",
        "eventually: \"rejected == 0\"",
    );
    let m = model(&text);
    let program = Arc::new(Program::new(&m).unwrap());
    let s = &m.scenarios[0];
    let verdicts = check(&m, program, s).unwrap();
    let broken: Vec<_> = verdicts.iter().filter(|v| !v.passed).collect();
    assert_eq!(broken.len(), 1, "{verdicts:?}");
    assert!(
        broken[0]
            .reason
            .contains("(once healed and settled, event #4): eventually `rejected == 0` is false"),
        "{}",
        broken[0].reason
    );
    // Every delivery to the stock view fails: its messages are parked. Healing redrives
    // them, so nothing stays parked; the scenario's own run still shows them parked.
    let text = STOCK.replacen(
        "            then: [\n                Emitted(event: \"ItemReserved\", count: 3),",
        "            faults: [(subscriber: \"StockLevels\", failure_rate: 1.0)],\n            then: [\n                Emitted(event: \"ItemReserved\", count: 3),",
        1,
    );
    let m = model(&text);
    let program = Arc::new(Program::new(&m).unwrap());
    let s = &m.scenarios[0];
    assert_eq!(s.faults.len(), 1);
    let mut e = setup(&m, program.clone(), &s.name, None).unwrap();
    e.run(until_of(s)).unwrap();
    e.check_eventually();
    assert_eq!(e.parked().len(), 3, "the run itself is left as it was");
    assert_eq!(e.violations(), &[]);
    // Without healing the invariant would not hold: an `always` says so at once.
    let text = text.replace("eventually: \"parked == 0\"", "always: \"parked == 0\"");
    let m = model(&text);
    let verdicts = check(&m, Arc::new(Program::new(&m).unwrap()), &m.scenarios[0]).unwrap();
    assert!(
        verdicts
            .iter()
            .any(|v| !v.passed && v.expectation.contains("nothing is parked"))
    );
}

#[test]
fn bad_invariants_are_placed_errors() {
    let text = STOCK
        .replace("always: \"row.reserved <= 10\"", "always: \"row.reserved\", within: \"1h\"")
        .replace(
            "(name: \"nothing is parked\", eventually: \"parked == 0\")",
            "(name: \"nothing is parked\", eventually: \"parked == 0\"), \
             (name: \"both\", always: \"true\", eventually: \"true\"), (name: \"nothing is parked\", always: \"events < 1000\")",
        );
    let m = model(&text);
    let diags = stormlab::model::check::check(&m);
    let mut places = stormlab::model::locate::Places::new(&text);
    let found: Vec<(Code, usize, String)> = diags
        .iter()
        .filter(|d| matches!(d.code, Code::BadInvariant | Code::ExpressionError))
        .map(|d| {
            let at = places.locate(&d.path);
            let line = text[..at].matches('\n').count() + 1;
            (d.code, line, d.message.clone())
        })
        .collect();
    let messages: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
    assert_eq!(found.len(), 4, "{messages:#?}");
    assert!(messages.contains(
        &"read model Warehouse/StockLevels: invariant `the shop never sees more reserved than in stock`: expected `bool`, found `int` (in `row.reserved`)"
    ));
    assert!(
        messages
            .iter()
            .any(|m| m.contains("has `within`, which only a saga's `eventually` has"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("invariant `both` must say either") && m.ends_with("it says both"))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("two invariants are named `nothing is parked`"))
    );
    // The type error points at the expression, on the read model's line.
    let typed = found.iter().find(|f| f.0 == Code::ExpressionError).unwrap();
    assert!(
        text.lines()
            .nth(typed.1 - 1)
            .unwrap()
            .contains("name: \"StockLevels\"")
    );
}

#[test]
fn exploration_finds_the_teaching_bug_and_shrinks_it_the_same_way_every_time() {
    // The shop's stock view is not idempotent: a duplicate delivery counts a reservation
    // twice. Every scenario passes; exploration finds it.
    let m = model(BUG);
    assert!(
        check(&m, Arc::new(Program::new(&m).unwrap()), &m.scenarios[2])
            .unwrap()
            .iter()
            .all(|v| v.passed)
    );
    let x = Explorer::new(&m, BUSY).unwrap();
    let report = x.explore(&options(300, 1), &|_| {}, &AtomicBool::new(false));
    assert_eq!(report.runs, 300);
    assert_eq!(report.found.len(), 1, "{report:#?}");
    let found = &report.found[0];
    assert_eq!(found.failure.what, SHOP_SEES_BUG);
    assert_eq!(found.commands, 40);
    let shrunk = found.shrunk.as_ref().expect("shrunk");
    assert_eq!(shrunk.pieces.len(), 1, "{:?}", shrunk.pieces);
    assert_eq!(shrunk.pieces[0].subscriber, "StockView");
    assert!(
        matches!(shrunk.pieces[0].kind, FaultKind::Duplicates(_)),
        "{}",
        shrunk.pieces[0]
    );
    assert!(shrunk.commands < found.commands, "{}", shrunk.commands);
    assert_eq!(
        shrunk.scenario.then,
        vec![],
        "the reproducer expects nothing but the invariant"
    );
    let again = x.explore(&options(300, 1), &|_| {}, &AtomicBool::new(false));
    assert_eq!(
        report.found, again.found,
        "the same seed gives the same failures and shrinks"
    );
    // The fixed version: the same exploration finds nothing.
    let fixed = model(FIXED);
    for s in &fixed.scenarios {
        let x = Explorer::new(&fixed, &s.name).unwrap();
        let report = x.explore(&options(300, 2), &|_| {}, &AtomicBool::new(false));
        assert_eq!(
            (report.runs, report.failed),
            (300, 0),
            "{}: {:#?}",
            s.name,
            report.found
        );
    }
}

#[test]
fn the_shrunk_scenario_replays_the_violation() {
    let mut m = model(STOCK);
    let report = explore(&m, &options(300, 1));
    let found = report
        .found
        .iter()
        .find(|f| f.failure.what == SHOP_SEES)
        .unwrap();
    let shrunk = found.shrunk.clone().unwrap();
    m.scenarios.push(shrunk.scenario.clone());
    let program = Arc::new(Program::new(&m).unwrap());
    let s = m.scenarios.last().unwrap();
    // As `stormlab test` runs it: the invariant fails, at the same record.
    let verdicts = check(&m, program.clone(), s).unwrap();
    let failed: Vec<_> = verdicts.iter().filter(|v| !v.passed).collect();
    assert_eq!(failed.len(), 1, "{verdicts:?}");
    assert_eq!(failed[0].reason, shrunk.failure.detail);
    // Twice, the same log.
    let log = || {
        let mut e = setup(&m, program.clone(), &s.name, None).unwrap();
        e.run(until_of(s)).unwrap();
        stormlab::sim::log::jsonl(&e)
    };
    assert_eq!(log(), log());
}

#[test]
fn results_do_not_depend_on_threads_and_partitions_add_up_to_the_whole() {
    let m = model(STOCK);
    let no_shrink = |runs, jobs| Options {
        shrink: false,
        ..options(runs, jobs)
    };
    let one = explore(&m, &no_shrink(240, 1));
    let two = explore(&m, &no_shrink(240, 2));
    assert!(one.failed > 0);
    assert_eq!(
        (one.runs, &one.failing, &one.found),
        (two.runs, &two.failing, &two.found)
    );
    assert_eq!(one.coverage, two.coverage);
    let mut union = Vec::new();
    let mut runs = 0;
    for k in 1..=3 {
        let part = explore(
            &m,
            &Options {
                partition: (k, 3),
                ..no_shrink(240, 2)
            },
        );
        runs += part.runs;
        union.extend(part.failing);
    }
    union.sort_unstable();
    assert_eq!(runs, 240);
    assert_eq!(union, one.failing);
}

#[test]
fn a_scenario_declares_where_and_how_hard_exploration_may_hit() {
    let at = BUG.find("name: \"a busy morning\"").unwrap();
    let then = at + BUG[at..].find("then: [").unwrap();
    let text = format!(
        "{}explore: (subscribers: [\"ReserveTheItem\"], max_faults: 1, max_rate: 0.2),\n            {}",
        &BUG[..then],
        &BUG[then..]
    );
    let m = model(&text);
    assert_eq!(stormlab::model::check::check(&m), vec![]);
    let x = Explorer::new(&m, BUSY).unwrap();
    let bounds = x.bounds(None);
    assert_eq!((bounds.max_faults, bounds.failure_rate), (1, 0.2));
    let mut drawn = 0;
    for i in 0..200 {
        let (_, pieces) = x.plan(7, i, bounds);
        assert!(pieces.len() <= 1);
        for p in pieces {
            drawn += 1;
            assert_eq!(p.subscriber, "ReserveTheItem", "{p}");
        }
    }
    assert!(drawn > 50, "{drawn}");
    // The stock view is never hit, so its bug is not found.
    let report = x.explore(&options(300, 2), &|_| {}, &AtomicBool::new(false));
    assert!(report.found.iter().all(|f| f.failure.what != SHOP_SEES_BUG));
    // The command's bounds replace the scenario's.
    let given = stormlab::sim::explore::Bounds::default();
    assert_eq!(x.bounds(Some(&given)).max_faults, 3);
    // A subscriber that does not exist, and a rate above 1, are placed errors.
    let bad = text
        .replace("[\"ReserveTheItem\"]", "[\"ReserveTheItm\"]")
        .replace("max_rate: 0.2", "max_rate: 2.0");
    let codes: Vec<Code> = stormlab::model::check::check(&model(&bad))
        .iter()
        .map(|d| d.code)
        .collect();
    assert!(codes.contains(&Code::DanglingReference), "{codes:?}");
    assert!(codes.contains(&Code::BadRate), "{codes:?}");
}

#[test]
fn an_exploration_stops_when_its_time_is_up_or_it_is_cancelled() {
    let m = model(BUG);
    let x = Explorer::new(&m, BUSY).unwrap();
    let timed = Options {
        time: Some(std::time::Duration::ZERO),
        ..options(1_000_000, 2)
    };
    let report = x.explore(&timed, &|_| {}, &AtomicBool::new(false));
    assert_eq!(report.runs, 0);
    let report = x.explore(&options(1_000_000, 2), &|_| {}, &AtomicBool::new(true));
    assert_eq!((report.runs, report.found.len()), (0, 0));
}

#[test]
fn with_expectations_a_failed_expectation_counts_and_an_invariant_is_not_one() {
    let m = model(STOCK);
    let name = &m.scenarios[0].name;
    let x = Explorer::new(&m, name).unwrap();
    let opts = Options {
        expectations: true,
        shrink: false,
        ..options(200, 2)
    };
    let report = x.explore(&opts, &|_| {}, &AtomicBool::new(false));
    let whats: Vec<&str> = report
        .found
        .iter()
        .map(|f| f.failure.what.as_str())
        .collect();
    assert!(
        whats.iter().any(|w| w.starts_with("expectation ")),
        "{whats:?}"
    );
    assert!(
        whats
            .iter()
            .all(|w| !w.starts_with("expectation invariant")),
        "an invariant's verdict is not an expectation: {whats:?}"
    );
}

#[test]
fn coverage_tells_a_policy_that_issued_from_one_whose_condition_did_not_hold() {
    // A declined card cancels the booking with nothing paid: the refund policy's condition
    // (`event.refund > 0`) does not hold, and the coverage says so instead of only "handled".
    let m = model(include_str!("../models/autoservice.ron"));
    let x = Explorer::new(&m, "declined card cancels the booking").unwrap();
    let report = x.explore(
        &Options {
            shrink: false,
            ..options(20, 1)
        },
        &|_| {},
        &AtomicBool::new(false),
    );
    let count = |item: &str| {
        report
            .coverage
            .counts
            .iter()
            .find(|((_, i), _)| i == item)
            .map(|(_, n)| *n)
    };
    assert!(count("ReimburseCancellation's condition did not hold").unwrap() > 0);
    assert_eq!(count("ReimburseCancellation issued its command"), Some(0));
    // A policy without a condition has no "did not hold" line.
    assert_eq!(count("ReimburseNoShow's condition did not hold"), None);
}

#[test]
fn a_run_made_in_the_memory_of_another_is_the_run_a_fresh_engine_makes() {
    // Explorations make each run in the memory of the previous one (Engine::renew): the
    // log, the instances, the rows and the saga states must be exactly a fresh engine's.
    let m = model(include_str!("../models/accounts.ron"));
    let program = Arc::new(Program::new(&m).unwrap());
    let s = m
        .scenarios
        .iter()
        .find(|s| s.name == "flaky saga delivery is remediated")
        .unwrap();
    let run = |spare, seed| {
        let mut e = prepare_in(spare, program.clone(), s, Some(seed), (None, false)).unwrap();
        e.run(until_of(s)).unwrap();
        e
    };
    let fresh = run(None, 2);
    let renewed = run(Some(run(None, 1)), 2);
    assert_eq!(
        stormlab::sim::log::jsonl(&renewed),
        stormlab::sim::log::jsonl(&fresh)
    );
    assert_eq!(renewed.saga_instances(), fresh.saga_instances());
    assert_eq!(renewed.tables(), fresh.tables());
    assert_eq!(renewed.aggregate_instances(), fresh.aggregate_instances());
    assert_eq!(renewed.parked(), fresh.parked());
}
