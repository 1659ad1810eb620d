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
