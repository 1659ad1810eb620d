//! Specifications as scenarios, so that a team can run what it drew: `given` events are the
//! scenario's given events, `when` commands its steps (one second apart), `then` events
//! expectations that they were emitted with the example's values, an error that the command
//! was rejected, a read model that its row holds the example's values (or that it is empty).
//! Example values become expressions of the field's type; an id left empty is `'id-1'`, so
//! that every step of an example speaks of the same instance.

use super::schema::{FieldDef, Slice, Specification};
use super::{Notes, name_of};
use crate::model::field::Field;
use crate::model::naming::snake_case;
use crate::model::scenario::Values;
use crate::model::{Expect, Given, Model, Scenario, Step, Type};

/// The id every example's empty id fields get.
pub const DEFAULT_ID: &str = "'id-1'";

/// Adds a scenario per specification of every slice.
pub fn add(model: &mut Model, slices: &[Slice], notes: &mut Notes) {
    for (si, slice) in slices.iter().enumerate() {
        for (pi, spec) in slice.specifications.iter().enumerate() {
            let at = format!("slices[{si}].specifications[{pi}] \"{}\"", spec.title);
            let title = strip(&spec.title);
            let base = if title.is_empty() {
                strip(&slice.title)
            } else {
                title
            };
            let mut name = base.clone();
            let mut k = 2;
            while model.scenarios.iter().any(|s| s.name == name) {
                name = format!("{base} ({k})");
                k += 1;
            }
            let scenario = scenario(model, name, slice, spec, &at, notes);
            model.scenarios.push(scenario);
        }
    }
}

/// A title without the toolkit's `spec:` / `slice:` prefix, on one line.
fn strip(title: &str) -> String {
    let t = title.trim();
    let t = ["spec:", "slice:"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn scenario(
    model: &Model,
    name: String,
    slice: &Slice,
    spec: &Specification,
    at: &str,
    notes: &mut Notes,
) -> Scenario {
    let (given, when, then) = (&spec.given, &spec.when, &spec.then);
    let mut s = Scenario::named(name);
    s.doc = format!("From the Event Modeling slice \"{}\".", strip(&slice.title));
    for step in given {
        match find(model, Find::Event, &step.title) {
            Some((event, fields)) => s.given.push(Given {
                event: event.into(),
                fields: values(&step.fields, fields, at, notes),
            }),
            None => notes.push(format!(
                "{at}: given \"{}\" is no event: left out",
                step.title
            )),
        }
    }
    let mut last_command = None;
    for (i, step) in when.iter().enumerate() {
        match find(model, Find::Command, &step.title) {
            Some((command, fields)) => {
                s.when.push(Step::Command {
                    at: format!("{i}s"),
                    command: command.as_str().into(),
                    fields: values(&step.fields, fields, at, notes),
                });
                last_command = Some(command);
            }
            None => notes.push(format!(
                "{at}: when \"{}\" is no command: left out",
                step.title
            )),
        }
    }
    for step in then {
        let expect = match step.kind.as_str() {
            "SPEC_ERROR" => match &last_command {
                Some(c) => {
                    s.doc
                        .push_str(&format!(" Expected error: {}.", step.title.trim()));
                    Some(Expect::Rejected {
                        command: c.as_str().into(),
                        reason: None,
                    })
                }
                None => {
                    notes.push(format!(
                        "{at}: an error is expected but no command is issued"
                    ));
                    None
                }
            },
            "SPEC_READMODEL" => find(model, Find::ReadModel, &step.title).map(|(rm, columns)| {
                if step.expect_empty_list {
                    return Expect::Rows {
                        read_model: rm.as_str().into(),
                        count: 0,
                    };
                }
                let key = key_of(model, &rm);
                let mut values = values(&step.fields, columns, at, notes);
                let key_value = values.remove(&key).unwrap_or_else(|| DEFAULT_ID.into());
                Expect::Row {
                    read_model: rm.as_str().into(),
                    key: key_value,
                    columns: values,
                    absent: false,
                }
            }),
            _ => find(model, Find::Event, &step.title).map(|(event, fields)| {
                let values = values(&step.fields, fields, at, notes);
                let filter: Vec<String> = values
                    .iter()
                    .map(|(f, v)| format!("event.{f} == {v}"))
                    .collect();
                Expect::Emitted {
                    event: event.as_str().into(),
                    count: None,
                    filter: (!filter.is_empty()).then(|| filter.join(" && ")),
                }
            }),
        };
        match expect {
            Some(e) => s.then.push(e),
            None if step.kind != "SPEC_ERROR" => notes.push(format!(
                "{at}: then \"{}\" names nothing in the model: left out",
                step.title
            )),
            None => {}
        }
    }
    s
}

#[derive(Clone, Copy)]
enum Find {
    Event,
    Command,
    ReadModel,
}

/// The element a step's title names (by name, in any context; qualified `Context.Name` when
/// several contexts have one) and its fields.
fn find<'a>(model: &'a Model, kind: Find, title: &str) -> Option<(String, &'a [Field])> {
    let name = name_of(title);
    let mut found = model.contexts.iter().filter_map(|c| {
        let fields = match kind {
            Find::Event => c
                .events
                .iter()
                .find(|e| e.name == name)
                .map(|e| &e.fields[..]),
            Find::Command => c
                .commands
                .iter()
                .find(|e| e.name == name)
                .map(|e| &e.fields[..]),
            Find::ReadModel => c
                .read_models
                .iter()
                .find(|e| e.name == name)
                .map(|e| &e.columns[..]),
        };
        fields.map(|f| (c.name.as_str(), f))
    });
    let (ctx, fields) = found.next()?;
    let qualified = found.next().is_some();
    let shown = if qualified {
        format!("{ctx}.{name}")
    } else {
        name
    };
    Some((shown, fields))
}

fn key_of(model: &Model, read_model: &str) -> String {
    let name = read_model.rsplit('.').next().unwrap_or(read_model);
    model
        .contexts
        .iter()
        .flat_map(|c| &c.read_models)
        .find(|r| r.name == name)
        .map(|r| r.key.clone())
        .unwrap_or_default()
}

/// The example's values as expressions of the fields' types: text quoted, numbers and
/// booleans as written, an empty id `'id-1'`; others are left to the run (with a note).
fn values(examples: &[FieldDef], fields: &[Field], at: &str, notes: &mut Notes) -> Values {
    let mut out = Values::new();
    for f in fields {
        let example = examples
            .iter()
            .find(|d| snake_case(&d.name) == f.name)
            .map(|d| match &d.example {
                serde_json::Value::String(s) => s.trim().to_owned(),
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => String::new(),
            })
            .unwrap_or_default();
        let expr = match (&f.ty, example.as_str()) {
            (Type::Id, "") => Some(DEFAULT_ID.to_owned()),
            (_, "") => None,
            (Type::String | Type::Id, s) => Some(quote(s)),
            (Type::Int, s) if s.parse::<i64>().is_ok() => Some(s.to_owned()),
            (Type::Decimal, s)
                if s.parse::<f64>().is_ok_and(f64::is_finite) && !s.contains(['e', 'E']) =>
            {
                Some(s.to_owned())
            }
            (Type::Bool, "true" | "false") => Some(example.clone()),
            (ty, s) => {
                notes.push(format!(
                    "{at}: example `{s}` of `{}` ({ty}) is not used: the run gives the field its \
                     default",
                    f.name
                ));
                None
            }
        };
        if let Some(e) = expr {
            out.insert(f.name.clone(), e);
        }
    }
    out
}

/// `s` as a string literal of the expression language.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}
