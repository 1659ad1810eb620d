//! Workloads shared by the benchmarks: the counter model (one aggregate, up to three read
//! models) and a run of it, command by command, as the engine benchmark's peer runs it.

#![allow(dead_code, reason = "each benchmark uses part of it")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use stormlab::model::expr::Value;
use stormlab::model::file::from_str;
use stormlab::sim::Program;
use stormlab::sim::engine::Engine;
use stormlab::sim::store::Cause;

/// The counter model with the first `read_models` of Totals, Counts and Largest.
pub fn counter_model(read_models: usize) -> String {
    let rms: Vec<&str> = COUNTER_READ_MODELS.lines().take(read_models).collect();
    format!("{COUNTER}\n{}\n    ])])", rms.join("\n"))
}

pub const COUNTER: &str = r#"(format: 1, name: "Bench", contexts: [(name: "Core", frame: (0.0, 0.0, 900.0, 400.0),
    commands: [(name: "Increment", target: "Counter", fields: [(n: 1, name: "id", ty: "id"), (n: 2, name: "amount", ty: "int")], at: (0.0, 0.0))],
    aggregates: [(name: "Counter", id: "id", state: [(n: 1, name: "total", ty: "int")], lifecycle: ["Active"],
        handlers: [(on: "Increment", emit: [(event: "Incremented")])],
        appliers: [(on: "Incremented", set: {"total": "state.total + event.amount"})], at: (200.0, 0.0))],
    events: [(name: "Incremented", owner: "Counter", fields: [(n: 1, name: "id", ty: "id"), (n: 2, name: "amount", ty: "int")], at: (400.0, 0.0))],
    read_models: ["#;

const COUNTER_READ_MODELS: &str = r#"        (name: "Totals", columns: [(n: 1, name: "id", ty: "id"), (n: 2, name: "total", ty: "int")], key: "id", rules: [(on: "Incremented", key: "event.id", action: Upsert({"total": "row.total + event.amount"}))], at: (600.0, 0.0)),
        (name: "Counts", columns: [(n: 1, name: "id", ty: "id"), (n: 2, name: "count", ty: "int")], key: "id", rules: [(on: "Incremented", key: "event.id", action: Upsert({"count": "row.count + 1"}))], at: (600.0, 150.0)),
        (name: "Largest", columns: [(n: 1, name: "id", ty: "id"), (n: 2, name: "largest", ty: "int")], key: "id", rules: [(on: "Incremented", key: "event.id", action: Upsert({"largest": "max(row.largest, event.amount)"}))], at: (600.0, 300.0)),"#;

pub fn program(text: &str) -> Arc<Program> {
    let model = from_str(text, "bench.ron").expect("the bench model parses");
    Arc::new(Program::new(&model).expect("the bench model is valid"))
}

/// Runs the counter workload on Stormlab; returns the time and the finished engine.
pub fn stormlab(p: &Arc<Program>, aggregates: usize, per: usize) -> (Duration, Engine) {
    let mut e = Engine::new(p.clone(), 1, 0);
    let ids: Vec<Value> = (0..aggregates)
        .map(|i| Value::str(&format!("c-{i}")))
        .collect();
    let corr = e.intern("bench");
    let t = Instant::now();
    for round in 0..per {
        for id in &ids {
            let _ = e.execute(
                0,
                &[id.clone(), Value::Int((round % 7) as i64)],
                corr,
                Cause::Scenario,
            );
        }
        // Deliver to the read model as we go, as the peer's queries run on each execute.
        let _ = e.run(None);
    }
    (t.elapsed(), e)
}

/// An example model's heaviest scenario (the one whose loads issue the most commands), with
/// every load's count set to `count`: the workload users run, scaled. None for a model whose
/// scenarios have no load.
pub fn scaled_example(name: &str, count: i64) -> Option<(stormlab::model::Model, String)> {
    use stormlab::model::scenario::Step;
    let path = format!("{}/models/{name}.ron", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the example model is readable");
    let mut model = from_str(&text, &path).expect("the example model parses");
    let load_of = |s: &stormlab::model::scenario::Scenario| -> i64 {
        s.when
            .iter()
            .map(|step| match step {
                Step::Load { count, .. } => *count,
                _ => 0,
            })
            .sum()
    };
    let heaviest = model
        .scenarios
        .iter_mut()
        .filter(|s| load_of(s) > 0)
        .reduce(|a, b| if load_of(b) > load_of(a) { b } else { a })?;
    for step in &mut heaviest.when {
        if let Step::Load { count: c, .. } = step {
            *c = count;
        }
    }
    // The whole load runs, whatever end time the story had.
    heaviest.until = None;
    let scenario = heaviest.name.clone();
    Some((model, scenario))
}

/// Sets up and runs `scenario` of `model` to the end; returns the time and the engine, or
/// why the run stopped (a load too big for the engine's step limit).
pub fn run_scenario(
    model: &stormlab::model::Model,
    scenario: &str,
) -> Result<(Duration, Engine), stormlab::sim::SimError> {
    let program = Arc::new(Program::new(model).expect("the example model is valid"));
    let t = Instant::now();
    let mut e = stormlab::sim::scenario::setup(model, program, scenario, None)
        .expect("the scaled scenario sets up");
    e.run(None)?;
    Ok((t.elapsed(), e))
}

/// Issue 19's workload: orders of five lines, each order's total summed from its lines, a
/// read-model lookup per line in the guard, a fan-out of five reservations, and a reminder
/// timer per order. Seven commands (and events) per order.
pub const ORDERS: &str = r#"(format: 1, name: "Orders", contexts: [(name: "Shop", frame: (0.0, 0.0, 1400.0, 600.0),
    values: [(name: "Line", fields: [(n: 1, name: "product", ty: "id"), (n: 2, name: "quantity", ty: "int"), (n: 3, name: "price", ty: "decimal")])],
    commands: [
        (name: "PlaceOrder", target: "Order", fields: [(n: 1, name: "order_id", ty: "id"), (n: 2, name: "lines", ty: "list<Line>")], at: (0.0, 0.0)),
        (name: "Reserve", target: "Stock", fields: [(n: 1, name: "product", ty: "id"), (n: 2, name: "quantity", ty: "int"), (n: 3, name: "order_id", ty: "id")], at: (0.0, 150.0)),
        (name: "Remind", target: "Order", fields: [(n: 1, name: "order_id", ty: "id")], at: (0.0, 300.0)),
    ],
    aggregates: [
        (name: "Order", id: "order_id", state: [(n: 1, name: "total", ty: "decimal")], lifecycle: ["New", "Placed", "Reminded"],
            handlers: [
                (on: "PlaceOrder", states: ["New"], guards: [(expr: "all(cmd.lines, l -> (lookup(Levels, l.product).held ?? 0) < 1000000000)", reject: "sold out")],
                    emit: [(event: "OrderPlaced", set: {"total": "sum(cmd.lines, l -> l.price * l.quantity)"})]),
                (on: "Remind", states: ["Placed"], emit: [(event: "Reminded")]),
            ],
            appliers: [(on: "OrderPlaced", to: "Placed"), (on: "Reminded", to: "Reminded")], at: (200.0, 0.0)),
        (name: "Stock", id: "product", state: [(n: 1, name: "held", ty: "int")], lifecycle: ["Stocked"],
            handlers: [(on: "Reserve", emit: [(event: "Reserved")])],
            appliers: [(on: "Reserved", set: {"held": "state.held + event.quantity"})], at: (200.0, 150.0)),
    ],
    events: [
        (name: "OrderPlaced", owner: "Order", fields: [(n: 1, name: "order_id", ty: "id"), (n: 2, name: "lines", ty: "list<Line>"), (n: 3, name: "total", ty: "decimal")], at: (400.0, 0.0)),
        (name: "Reserved", owner: "Stock", fields: [(n: 1, name: "product", ty: "id"), (n: 2, name: "quantity", ty: "int"), (n: 3, name: "order_id", ty: "id")], at: (400.0, 150.0)),
        (name: "Reminded", owner: "Order", fields: [(n: 1, name: "order_id", ty: "id")], at: (400.0, 300.0)),
    ],
    policies: [
        (name: "ReserveEachLine", on: "OrderPlaced", for_each: "l in event.lines", then: "Reserve", target: "l.product", with: {"product": "l.product", "quantity": "l.quantity"}, at: (600.0, 0.0)),
        (name: "RemindInAnHour", on: "OrderPlaced", after: "hours(1)", then: "Remind", at: (600.0, 300.0)),
    ],
    read_models: [(name: "Levels", columns: [(n: 1, name: "product", ty: "id"), (n: 2, name: "held", ty: "int")], key: "product",
        rules: [(on: "Reserved", key: "event.product", action: Upsert({"held": "row.held + event.quantity"}))], at: (800.0, 150.0))],
    )])"#;

/// Runs `orders` orders of the ORDERS model (their lines made before the clock starts);
/// returns the time and the finished engine.
pub fn orders(p: &Arc<Program>, orders: usize) -> (Duration, Engine) {
    let mut e = Engine::new(p.clone(), 11, 0);
    let corr = e.intern("bench");
    let line = |i: usize, j: usize| {
        Value::Record(
            vec![
                Value::str(&format!("p-{}", (i * 5 + j) % 100)),
                Value::Int((j + 1) as i64),
                Value::Dec(rust_decimal::Decimal::new(250 + j as i64, 2)),
            ]
            .into(),
        )
    };
    let commands: Vec<[Value; 2]> = (0..orders)
        .map(|i| {
            let lines: Vec<Value> = (0..5).map(|j| line(i, j)).collect();
            [Value::str(&format!("o-{i}")), Value::List(lines.into())]
        })
        .collect();
    let t = Instant::now();
    for (i, fields) in commands.iter().enumerate() {
        let _ = e.execute(0, fields, corr, Cause::Scenario);
        if i % 1000 == 999 {
            let _ = e.run(None);
        }
    }
    let _ = e.run(None);
    (t.elapsed(), e)
}
