//! The tools `stormlab mcp` offers: each a name, a description, a JSON Schema of its
//! arguments, and a function from arguments to a JSON answer. They read the model file
//! afresh on every call (the studio or an editor may have changed it), write only the model
//! file (`apply_ops`) and files under the output folder (`export_*`), and print nothing:
//! stdout is the protocol's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};

use crate::cli::report;
use crate::model::Model;
use crate::model::locate::Places;
use crate::model::op::Op;
use crate::model::uid::Uid;
use crate::sim::Program;

/// What the server works on: one model file, and where exports go.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The model file (read on every call; written by `apply_ops`).
    pub model: PathBuf,
    /// The folder exports are written under; None: exports are refused.
    pub out: Option<PathBuf>,
}

/// Why a call failed: the arguments (a protocol error), or the model or the work (an
/// answer marked as an error, so the assistant reads why).
#[derive(Debug)]
pub enum Failure {
    /// The arguments do not fit the tool's schema, or the tool does not exist.
    BadRequest(String),
    /// The tool ran and could not do its work: why, with the details as JSON.
    Failed(Value),
}

fn bad(msg: impl Into<String>) -> Failure {
    Failure::BadRequest(msg.into())
}

fn failed(msg: impl Into<String>) -> Failure {
    Failure::Failed(json!({ "error": msg.into() }))
}

/// A tool: name, description, input schema.
pub struct ToolDef {
    /// Its name.
    pub name: &'static str,
    /// What it does, for the assistant.
    pub description: &'static str,
    /// The JSON Schema of its arguments.
    pub schema: fn() -> Value,
}

fn no_args() -> Value {
    json!({"type": "object", "properties": {}, "additionalProperties": false})
}

/// Every tool, in the order `tools/list` gives them.
pub const TOOLS: &[ToolDef] = &[
    ToolDef {
        name: "list_elements",
        description: "List the model's bounded contexts with their elements (kind, name, id), its relations and its scenarios. Ids address elements in apply_ops and get_element.",
        schema: || {
            json!({"type": "object", "properties": {
                "context": {"type": "string", "description": "Only this bounded context."}
            }, "additionalProperties": false})
        },
    },
    ToolDef {
        name: "get_element",
        description: "The full value of one element (a sticky, a context's own properties, a relation or a scenario) by id, as JSON: the form apply_ops's SetSticky, SetRelation and SetScenario take.",
        schema: || {
            json!({"type": "object", "properties": {
                "id": {"type": "string", "description": "The element's id (16 hex digits)."}
            }, "required": ["id"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "check",
        description: "Check the model: every diagnostic with its code (SL…), severity, message, element and place in the file (line, column).",
        schema: no_args,
    },
    ToolDef {
        name: "run_scenario",
        description: "Run one scenario deterministically and summarise it: commands, rejections with reasons, events by type, dead letters, saga outcomes, read-model sizes, and the first lines of the event log (JSON Lines).",
        schema: || {
            json!({"type": "object", "properties": {
                "scenario": {"type": "string", "description": "The scenario's name."},
                "seed": {"type": "integer", "minimum": 0, "description": "Override the scenario's seed."},
                "log_lines": {"type": "integer", "minimum": 0, "maximum": 1000, "description": "How many log lines to include (default 40)."}
            }, "required": ["scenario"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "run_tests",
        description: "Run every scenario's expectations and invariants: each scenario passed or not, with what was found for each failed expectation.",
        schema: no_args,
    },
    ToolDef {
        name: "export_protos",
        description: "Export the model's contracts as Protocol Buffers (one .proto per bounded context) under the output folder; refused while the model has errors.",
        schema: no_args,
    },
    ToolDef {
        name: "export_asyncapi",
        description: "Export AsyncAPI 3.0 documents (one per bounded context, or one for the system) under the output folder; refused while the model has errors.",
        schema: || {
            json!({"type": "object", "properties": {
                "system": {"type": "boolean", "description": "One document for the whole system."}
            }, "additionalProperties": false})
        },
    },
    ToolDef {
        name: "export_eventcatalog",
        description: "Export an EventCatalog folder (a domain and a service per bounded context, a page and JSON Schema per event and command, teams, a flow per scenario's run) under `eventcatalog/` in the output folder; refused while the model has errors.",
        schema: no_args,
    },
    ToolDef {
        name: "export_tests",
        description: "Write cqrs-es tests generated from the scenarios' runs, with a skeleton per aggregate, as a crate under `cqrs-es/` in the output folder; refused while the model has errors.",
        schema: no_args,
    },
    ToolDef {
        name: "mermaid",
        description: "A Mermaid diagram of the model as text: the context map, the flow graph (of one context), or a scenario's run as a sequence diagram.",
        schema: || {
            json!({"type": "object", "properties": {
                "diagram": {"type": "string", "enum": ["context-map", "flow", "sequence"]},
                "context": {"type": "string", "description": "flow: only this bounded context."},
                "scenario": {"type": "string", "description": "sequence: the scenario to run."},
                "max_messages": {"type": "integer", "minimum": 1, "maximum": 2000}
            }, "required": ["diagram"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "diff",
        description: "Compare the contracts of an older version of the model (its RON text) with the model file, as buf breaking does: each change and the most lenient level it breaks (wire, wire-json, package).",
        schema: || {
            json!({"type": "object", "properties": {
                "old_text": {"type": "string", "description": "The older model file's text."},
                "level": {"type": "string", "enum": ["wire", "wire-json", "package"], "description": "Default wire-json."}
            }, "required": ["old_text"], "additionalProperties": false})
        },
    },
    ToolDef {
        name: "apply_ops",
        description: "Apply a batch of the studio's operations to the model file, all or none, and answer the diagnostics after. Each op is JSON addressed by element id, e.g. {\"SetPos\": {\"uid\": ID, \"at\": [x, y]}}, {\"RemoveSticky\": {\"uid\": ID}}, {\"SetSticky\": {\"uid\": ID, \"sticky\": VALUE}} with a VALUE as get_element gives it. The file is rewritten atomically in canonical form; dry_run only reports.",
        schema: || {
            json!({"type": "object", "properties": {
                "ops": {"type": "array", "items": {"type": "object"}, "maxItems": 10000},
                "dry_run": {"type": "boolean"}
            }, "required": ["ops"], "additionalProperties": false})
        },
    },
];

/// Calls tool `name` with `args`.
pub fn call(
    ws: &Workspace,
    name: &str,
    args: &serde_json::Map<String, Value>,
) -> Result<Value, Failure> {
    let def = TOOLS
        .iter()
        .find(|t| t.name == name)
        .ok_or_else(|| bad(format!("no tool `{name}`; tools/list lists them")))?;
    check_args(def, args)?;
    match name {
        "list_elements" => list_elements(ws, opt_str(args, "context")?),
        "get_element" => get_element(ws, req_str(args, "id")?),
        "check" => check(ws),
        "run_scenario" => run_scenario(
            ws,
            req_str(args, "scenario")?,
            opt_u64(args, "seed")?,
            opt_u64(args, "log_lines")?.unwrap_or(40).min(1000) as usize,
        ),
        "run_tests" => run_tests(ws),
        "export_protos" => export(ws, Export::Protos),
        "export_asyncapi" => {
            let system = match args.get("system") {
                None => false,
                Some(Value::Bool(b)) => *b,
                Some(_) => return Err(bad("`system` is a boolean")),
            };
            export(ws, Export::Asyncapi(system))
        }
        "export_eventcatalog" => export(ws, Export::EventCatalog),
        "export_tests" => export(ws, Export::CqrsEs),
        "mermaid" => mermaid(ws, args),
        "diff" => diff(ws, req_str(args, "old_text")?, opt_str(args, "level")?),
        "apply_ops" => apply_ops(ws, args),
        _ => Err(bad(format!("no tool `{name}`"))),
    }
}

/// Unknown arguments are refused (a misspelt option should not be ignored silently).
fn check_args(def: &ToolDef, args: &serde_json::Map<String, Value>) -> Result<(), Failure> {
    let schema = (def.schema)();
    let known = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    if let Some(k) = args.keys().find(|k| !known.contains_key(*k)) {
        let names: Vec<&String> = known.keys().collect();
        return Err(bad(format!(
            "{}: unknown argument `{k}` (it takes: {names:?})",
            def.name
        )));
    }
    for r in schema["required"].as_array().into_iter().flatten() {
        if let Some(r) = r.as_str()
            && !args.contains_key(r)
        {
            return Err(bad(format!("{}: missing argument `{r}`", def.name)));
        }
    }
    Ok(())
}

fn req_str<'a>(args: &'a serde_json::Map<String, Value>, key: &str) -> Result<&'a str, Failure> {
    opt_str(args, key)?.ok_or_else(|| bad(format!("missing argument `{key}`")))
}

fn opt_str<'a>(
    args: &'a serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<&'a str>, Failure> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("`{key}` is a string"))),
    }
}

fn opt_u64(args: &serde_json::Map<String, Value>, key: &str) -> Result<Option<u64>, Failure> {
    match args.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad(format!("`{key}` is a whole number from 0"))),
    }
}

/// The model file's text and model, or why not (a file error placed in it).
fn load(ws: &Workspace) -> Result<(String, Model), Failure> {
    crate::cli::load(&ws.model).map_err(|u| {
        let finding = u.finding().map(|f| report::json(&f));
        Failure::Failed(json!({
            "error": u.error.to_string(),
            "findings": finding.into_iter().collect::<Vec<_>>(),
        }))
    })
}

/// Every finding of `model` (model checks and contract lint), placed in `text`.
fn findings(model: &Model, text: &str) -> Vec<report::Finding> {
    let mut places = Places::new(text);
    crate::export::findings(model)
        .iter()
        .map(|d| report::Finding::of(d, &mut places, model))
        .collect()
}

fn findings_json(found: &[report::Finding]) -> Value {
    use crate::model::diagnostic::Severity;
    let count = |s: Severity| found.iter().filter(|f| f.severity == s).count();
    json!({
        "errors": count(Severity::Error),
        "warnings": count(Severity::Warning),
        "diagnostics": found.iter().map(report::json).collect::<Vec<_>>(),
    })
}

/// Refuses a model with errors, answering them placed: the model's own checks, and with
/// `contracts` the contract lint too (which blocks an export, not a run).
fn refuse_errors(model: &Model, text: &str, contracts: bool, what: &str) -> Result<(), Failure> {
    let diags = match contracts {
        true => crate::export::findings(model),
        false => crate::model::check::check(model),
    };
    let errors = crate::cli::placed_errors(&diags, model, text);
    if errors.is_empty() {
        return Ok(());
    }
    Err(Failure::Failed(json!({
        "error": format!("the model has {} error(s): {what}; fix them first", errors.len()),
        "diagnostics": errors.iter().map(report::json).collect::<Vec<_>>(),
    })))
}

fn list_elements(ws: &Workspace, context: Option<&str>) -> Result<Value, Failure> {
    let (_, model) = load(ws)?;
    if let Some(c) = context
        && !model.contexts.iter().any(|x| x.name == c)
    {
        return Err(failed(format!("no bounded context `{c}`")));
    }
    let elements = model.elements();
    let contexts: Vec<Value> = model
        .contexts
        .iter()
        .enumerate()
        .filter(|(_, c)| context.is_none_or(|n| n == c.name))
        .map(|(ci, c)| {
            let inside: Vec<Value> = elements
                .iter()
                .filter(|e| e.loc.context == Some(ci))
                .map(|e| json!({"kind": e.loc.kind.label(), "name": e.name, "id": e.uid.to_string()}))
                .collect();
            json!({"name": c.name, "id": c.uid.to_string(), "team": c.team, "elements": inside})
        })
        .collect();
    Ok(json!({
        "model": model.name,
        "contexts": contexts,
        "relations": model.relations.iter().map(|r| json!({
            "id": r.uid.to_string(),
            "upstream": r.upstream.as_str(),
            "downstream": r.downstream.as_str(),
            "patterns": r.label(),
        })).collect::<Vec<_>>(),
        "scenarios": model.scenarios.iter().map(|s| json!({"name": s.name, "id": s.uid.to_string()})).collect::<Vec<_>>(),
    }))
}

fn get_element(ws: &Workspace, id: &str) -> Result<Value, Failure> {
    let uid = Uid::parse(id).ok_or_else(|| bad(format!("`{id}` is not an id (16 hex digits)")))?;
    let (_, model) = load(ws)?;
    let loc = model
        .locate(uid)
        .ok_or_else(|| failed(format!("no element has id {id}")))?;
    use crate::model::Kind;
    let value = match loc.kind {
        Kind::Context => serde_json::to_value(crate::model::op::ContextProps::of(
            &model.contexts[loc.index],
        )),
        Kind::Relation => serde_json::to_value(&model.relations[loc.index]),
        Kind::Scenario => serde_json::to_value(&model.scenarios[loc.index]),
        _ => match model.sticky(loc) {
            Some(s) => serde_json::to_value(&s),
            None => return Err(failed(format!("no element has id {id}"))),
        },
    }
    .map_err(|e| failed(format!("cannot write the element as JSON: {e}")))?;
    Ok(json!({"kind": loc.kind.label(), "name": model.display_name(loc), "value": value}))
}

fn check(ws: &Workspace) -> Result<Value, Failure> {
    let (text, model) = load(ws)?;
    let mut out = findings_json(&findings(&model, &text));
    out["file"] = json!(ws.model.display().to_string());
    Ok(out)
}

fn program(model: &Model) -> Result<Arc<Program>, Failure> {
    Program::new(model)
        .map(Arc::new)
        .map_err(|e| failed(e.to_string()))
}

fn run_scenario(
    ws: &Workspace,
    name: &str,
    seed: Option<u64>,
    log_lines: usize,
) -> Result<Value, Failure> {
    let (text, model) = load(ws)?;
    refuse_errors(&model, &text, false, "not simulated")?;
    let program = program(&model)?;
    let mut engine = crate::sim::scenario::setup(&model, program.clone(), name, seed)
        .map_err(|e| failed(e.to_string()))?;
    let scenario = model.scenarios.iter().find(|s| s.name == name);
    engine
        .run(scenario.and_then(crate::sim::scenario::until_of))
        .map_err(|e| failed(format!("scenario `{name}`: {e}")))?;
    let faults = scenario.map_or(&[][..], |s| &s.faults);
    let mut out = crate::cli::simulate::summary_json(&engine, &program, faults, name);
    let log = crate::sim::log::jsonl_head(&engine, log_lines);
    out["log"] = json!(log.lines().collect::<Vec<_>>());
    out["log_lines_left_out"] = json!(engine.records().len().saturating_sub(log_lines));
    Ok(out)
}

fn run_tests(ws: &Workspace) -> Result<Value, Failure> {
    let (text, model) = load(ws)?;
    refuse_errors(&model, &text, false, "not tested")?;
    let program = program(&model)?;
    let scenarios: Vec<Value> = model
        .scenarios
        .iter()
        .map(|s| {
            let outcome = crate::sim::scenario::check(&model, program.clone(), s);
            crate::cli::test::scenario_json(&s.name, &outcome)
        })
        .collect();
    let passed = scenarios.iter().filter(|s| s["passed"] == true).count();
    Ok(json!({
        "passed": passed,
        "failed": scenarios.len() - passed,
        "scenarios": scenarios,
    }))
}

enum Export {
    Protos,
    Asyncapi(bool),
    EventCatalog,
    CqrsEs,
}

fn export(ws: &Workspace, what: Export) -> Result<Value, Failure> {
    let out = ws.out.as_deref().ok_or_else(|| {
        failed("no output folder: start the server with `stormlab mcp MODEL --out DIR`")
    })?;
    let (text, model) = load(ws)?;
    refuse_errors(&model, &text, true, "not exported")?;
    let (files, under) = match what {
        Export::Protos => (crate::export::protos(&model), out.to_owned()),
        Export::Asyncapi(system) => {
            let scope = crate::interop::asyncapi::Scope::of(system);
            (
                crate::interop::asyncapi::documents(&model, scope),
                out.to_owned(),
            )
        }
        Export::EventCatalog => (
            crate::interop::eventcatalog::catalog(&model),
            out.join("eventcatalog"),
        ),
        Export::CqrsEs => {
            let crate_files = crate::interop::cqrs_es::crate_files(&model).map_err(failed)?;
            (crate_files.files, out.join("cqrs-es"))
        }
    };
    let written = crate::export::write(&under, &files).map_err(|e| failed(e.to_string()))?;
    Ok(json!({
        "written": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
    }))
}

fn mermaid(ws: &Workspace, args: &serde_json::Map<String, Value>) -> Result<Value, Failure> {
    let (text, model) = load(ws)?;
    refuse_errors(&model, &text, false, "not drawn")?;
    let limit = opt_u64(args, "max_messages")?.unwrap_or(200).clamp(1, 2000) as usize;
    let text = match req_str(args, "diagram")? {
        "context-map" => crate::interop::mermaid::context_map(&model),
        "flow" => {
            let context = match opt_str(args, "context")? {
                Some(c) => Some(
                    model
                        .contexts
                        .iter()
                        .position(|x| x.name == c)
                        .ok_or_else(|| failed(format!("no bounded context `{c}`")))?,
                ),
                None => None,
            };
            crate::interop::mermaid::flow(&model, context)
        }
        "sequence" => {
            let name = opt_str(args, "scenario")?
                .ok_or_else(|| bad("a sequence diagram needs `scenario`"))?;
            let seq = crate::sim::sequence::of_scenario(&model, name, None, limit)
                .map_err(|e| failed(e.to_string()))?;
            crate::interop::mermaid::sequence(&seq)
        }
        other => {
            return Err(bad(format!(
                "`diagram` is context-map, flow or sequence, not `{other}`"
            )));
        }
    };
    Ok(json!({ "mermaid": text }))
}

fn diff(ws: &Workspace, old_text: &str, level: Option<&str>) -> Result<Value, Failure> {
    use crate::export::diff::{Level, breaking, diff};
    use crate::export::schema::schema;
    let level = match level.unwrap_or("wire-json") {
        "wire" => Level::Wire,
        "wire-json" => Level::WireJson,
        "package" => Level::Package,
        other => {
            return Err(bad(format!(
                "`level` is wire, wire-json or package, not `{other}`"
            )));
        }
    };
    let old = crate::model::file::from_str(old_text, "old_text").map_err(|e| {
        let finding = report::Finding::of_load(&e, Some(old_text)).map(|f| report::json(&f));
        Failure::Failed(json!({
            "error": format!("old_text is not a model: {e}"),
            "findings": finding.into_iter().collect::<Vec<_>>(),
        }))
    })?;
    let (_, new) = load(ws)?;
    let changes = diff(&schema(&old), &schema(&new));
    let n = breaking(&changes, level);
    Ok(json!({
        "level": level.to_string(),
        "buf_category": level.buf_category(),
        "changes": changes.iter().map(|c| crate::cli::diff::change_json(c, level)).collect::<Vec<_>>(),
        "breaking": n,
        "compatible": n == 0,
    }))
}

fn apply_ops(ws: &Workspace, args: &serde_json::Map<String, Value>) -> Result<Value, Failure> {
    let Some(Value::Array(raw)) = args.get("ops") else {
        return Err(bad("`ops` is an array of operations"));
    };
    if raw.len() > 10_000 {
        return Err(bad("at most 10000 operations per call"));
    }
    let dry_run = match args.get("dry_run") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("`dry_run` is a boolean")),
    };
    let mut ops = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        let op: Op = serde_json::from_value(v.clone())
            .map_err(|e| bad(format!("ops[{i}] is not an operation: {e}")))?;
        ops.push(op);
    }
    let (_, mut model) = load(ws)?;
    let count = ops.len();
    crate::model::op::apply_all(&mut model, ops)
        .map_err(|e| failed(format!("nothing applied: {e}")))?;
    let text = crate::model::file::to_string(&model);
    // What the file will say, checked as it will be read back.
    let reread =
        crate::model::file::from_str(&text, &ws.model.display().to_string()).map_err(|e| {
            failed(format!(
                "nothing applied: the result would not read back: {e}"
            ))
        })?;
    let found = findings(&reread, &text);
    if !dry_run {
        write_model(&ws.model, &text)?;
    }
    let mut out = findings_json(&found);
    out["applied"] = json!(if dry_run { 0 } else { count });
    out["dry_run"] = json!(dry_run);
    Ok(out)
}

fn write_model(path: &Path, text: &str) -> Result<(), Failure> {
    crate::model::file::write_atomic(path, text.as_bytes())
        .map_err(|e| failed(format!("cannot write the model: {e}")))
}
