//! The exported contracts: every example model's protos compile (protox), every simulated
//! event encodes and decodes field for field (prost-reflect) in its context's envelope, the
//! export is deterministic and matches the golden files, names are sanitized, and the
//! compatibility report classifies each kind of change as buf does.

use std::path::Path;
use std::sync::Arc;

use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor, Value as Pb};
use stormlab::export::diff::{Level, breaking, diff};
use stormlab::export::encode::Encoder;
use stormlab::export::schema::schema;
use stormlab::export::{protos, write};
use stormlab::model::element::{Kind, Loc};
use stormlab::model::expr::Value;
use stormlab::model::field::remove_field;
use stormlab::model::file::from_str;
use stormlab::model::refs::rename;
use stormlab::model::{Model, Type};
use stormlab::sim::Program;
use stormlab::sim::scenario::{setup, until_of};

const MODELS: [&str; 4] = ["autoservice", "conference", "devportal", "accounts"];

fn load(path: &str) -> Model {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap();
    from_str(&text, path).unwrap()
}

/// Compiles the export of `model` with protox into a descriptor pool.
fn pool(model: &Model) -> DescriptorPool {
    let dir = tempfile::tempdir().unwrap();
    let files = protos(model);
    write(dir.path(), &files).unwrap();
    let mut c = protox::Compiler::new([dir.path()]).unwrap();
    c.include_imports(true);
    c.open_files(files.iter().map(|f| f.path.clone()))
        .unwrap_or_else(|e| panic!("{}: the export does not compile: {e}", model.name));
    c.descriptor_pool()
}

/// Asserts that the decoded protobuf value holds the model value of type `ty`.
fn same(model: &Model, pb: &Pb, v: &Value, ty: &Type, what: &str) {
    match (ty, v) {
        (Type::Optional(t), v) => same(model, pb, v, t, what),
        (Type::List(t), Value::List(items)) => {
            let Pb::List(got) = pb else {
                panic!("{what}: expected a list, got {pb:?}")
            };
            assert_eq!(got.len(), items.len(), "{what}: list length");
            for (g, i) in got.iter().zip(items.iter()) {
                same(model, g, i, t, what);
            }
        }
        (_, Value::Str(s)) if !matches!(pb, Pb::EnumNumber(_)) => {
            assert_eq!(pb.as_str(), Some(&**s), "{what}")
        }
        (_, Value::Str(s)) => {
            let Type::Named(n) = ty else {
                panic!("{what}: enum without a named type")
            };
            let e = model
                .contexts
                .iter()
                .flat_map(|c| &c.enums)
                .find(|e| n.ends_with(&e.name))
                .unwrap();
            let index = e.values.iter().position(|x| **x == **s).unwrap() as i32;
            assert_eq!(pb.as_enum_number(), Some(index + 1), "{what}");
        }
        (_, Value::Int(i)) => assert_eq!(pb.as_i64(), Some(*i), "{what}"),
        (_, Value::Bool(b)) => assert_eq!(pb.as_bool(), Some(*b), "{what}"),
        (_, Value::Dec(_)) => assert_eq!(pb.as_str(), Some(v.to_string().as_str()), "{what}"),
        (_, Value::Ts(ms)) | (_, Value::Dur(ms)) => {
            let m = pb.as_message().unwrap();
            let secs = m.get_field_by_name("seconds").unwrap().as_i64().unwrap();
            let nanos = m.get_field_by_name("nanos").unwrap().as_i32().unwrap();
            assert_eq!(secs * 1000 + i64::from(nanos) / 1_000_000, *ms, "{what}");
        }
        (Type::Named(n), Value::Record(fields)) => {
            let vo = model
                .contexts
                .iter()
                .flat_map(|c| &c.values)
                .find(|x| n.ends_with(&x.name))
                .unwrap();
            let m = pb.as_message().unwrap();
            for (f, v) in vo.fields.iter().zip(fields.iter()) {
                let got = m.get_field_by_number(f.n).unwrap();
                same(model, &got, v, &f.ty, &format!("{what}.{}", f.name));
            }
        }
        (_, Value::None) => {}
        (t, v) => panic!("{what}: unexpected {t} value {v:?}"),
    }
}

#[test]
fn every_example_models_protos_compile_and_every_simulated_event_round_trips() {
    for name in MODELS {
        let model = load(&format!("models/{name}.ron"));
        let pool = pool(&model);
        let s = schema(&model);
        let enc = Encoder::new(&s);
        let program = Arc::new(Program::new(&model).unwrap());
        let mut checked = std::collections::BTreeSet::new();
        for sc in &model.scenarios {
            let mut e = setup(&model, program.clone(), &sc.name, None).unwrap();
            e.run(until_of(sc)).unwrap();
            for (pos, r) in e.records().iter().enumerate() {
                let def = &program.events[r.event as usize];
                let file = &s.files[def.id.context.unwrap()];
                let env_name = format!(
                    "{}.{}Envelope",
                    file.package,
                    stormlab::export::names::pascal(&def.context)
                );
                let env: MessageDescriptor = pool.get_message_by_name(&env_name).unwrap();
                let bytes = enc.envelope(&e, pos).unwrap();
                let decoded = DynamicMessage::decode(env.clone(), bytes.as_slice()).unwrap();
                // The proto-JSON form decodes to the same message.
                let json = enc.json_envelope(&e, pos).unwrap();
                let mut de = serde_json::Deserializer::from_str(&json);
                let from_json = DynamicMessage::deserialize(env, &mut de)
                    .unwrap_or_else(|err| panic!("{name}: {err} in {json}"));
                assert_eq!(from_json, decoded, "{name}: {json}");
                let header = decoded.get_field_by_name("position").unwrap();
                assert_eq!(
                    header.as_u64(),
                    Some(pos as u64 + 1),
                    "positions count from 1"
                );
                let version = decoded.get_field_by_name("version").unwrap();
                assert_eq!(version.as_u64(), Some(u64::from(r.version)));
                // The oneof case is the event's own message, its fields the payload.
                let ev = &model.contexts[def.id.context.unwrap()].events[def.id.index];
                let case = decoded
                    .fields()
                    .find(|(f, _)| f.number() == ev.n)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("{name}: {} is not in its envelope", def.name));
                let msg = case.as_message().unwrap();
                for (f, v) in ev.fields.iter().zip(e.payload(r)) {
                    let got = msg.get_field_by_number(f.n).unwrap();
                    same(
                        &model,
                        &got,
                        v,
                        &f.ty,
                        &format!("{name}: {}.{}", def.name, f.name),
                    );
                }
                checked.insert(def.name.clone());
            }
        }
        assert!(!checked.is_empty(), "{name}: no event was simulated");
        // The length-delimited log holds one envelope per record, in log order.
        let sc = &model.scenarios[0];
        let mut e = setup(&model, program.clone(), &sc.name, None).unwrap();
        e.run(until_of(sc)).unwrap();
        let log = enc.delimited_log(&e);
        let mut buf = log.as_slice();
        let mut n = 0;
        while !buf.is_empty() {
            let (mut len, mut shift) = (0usize, 0);
            while let Some((&b, rest)) = buf.split_first() {
                buf = rest;
                len |= usize::from(b & 0x7f) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
            let (msg, rest) = buf.split_at(len);
            buf = rest;
            let def = &program.events[e.records()[n].event as usize];
            let ci = def.id.context.unwrap();
            let env = format!(
                "{}.{}Envelope",
                s.files[ci].package,
                stormlab::export::names::pascal(&def.context)
            );
            let decoded =
                DynamicMessage::decode(pool.get_message_by_name(&env).unwrap(), msg).unwrap();
            assert_eq!(
                decoded.get_field_by_name("position").unwrap().as_u64(),
                Some(n as u64 + 1)
            );
            n += 1;
        }
        assert_eq!(n, e.records().len(), "{name}: one envelope per record");
    }
}

/// A sample value of `ty`: non-zero, so that a dropped field cannot pass for a default.
fn sample(model: &Model, ty: &Type, depth: u32) -> Value {
    match ty {
        Type::String | Type::Id => Value::str("s-1"),
        Type::Int => Value::Int(-42),
        Type::Decimal => Value::Dec("12.50".parse().unwrap()),
        Type::Bool => Value::Bool(true),
        Type::Timestamp => Value::Ts(1_711_702_800_250),
        Type::Duration => Value::Dur(90_500),
        Type::Optional(t) => sample(model, t, depth),
        Type::List(t) => Value::List(Arc::from(vec![
            sample(model, t, depth),
            sample(model, t, depth),
        ])),
        Type::Named(n) => {
            let bare = n.rsplit('.').next().unwrap_or(n);
            let all = || model.contexts.iter();
            if let Some(e) = all().flat_map(|c| &c.enums).find(|e| e.name == bare) {
                return Value::str(e.values.last().map_or("", String::as_str));
            }
            match all().flat_map(|c| &c.values).find(|v| v.name == bare) {
                Some(vo) if depth < 4 => Value::Record(
                    vo.fields
                        .iter()
                        .map(|f| sample(model, &f.ty, depth + 1))
                        .collect(),
                ),
                _ => Value::None,
            }
        }
    }
}

#[test]
fn every_event_type_of_every_example_encodes_and_decodes_field_for_field() {
    for name in MODELS {
        let model = load(&format!("models/{name}.ron"));
        let pool = pool(&model);
        let s = schema(&model);
        let enc = Encoder::new(&s);
        for (ci, c) in model.contexts.iter().enumerate() {
            for (i, ev) in c.events.iter().enumerate() {
                let id = Loc {
                    kind: Kind::Event,
                    context: Some(ci),
                    index: i,
                };
                let payload: Vec<Value> =
                    ev.fields.iter().map(|f| sample(&model, &f.ty, 0)).collect();
                let bytes = enc.message(id, &payload).unwrap();
                let msg_name = s.files[ci]
                    .messages
                    .iter()
                    .find(|m| m.element == Some(id))
                    .map(|m| format!("{}.{}", s.files[ci].package, m.name))
                    .unwrap();
                let desc = pool.get_message_by_name(&msg_name).unwrap();
                let decoded = DynamicMessage::decode(desc, bytes.as_slice()).unwrap();
                for (f, v) in ev.fields.iter().zip(&payload) {
                    let got = decoded.get_field_by_number(f.n).unwrap();
                    same(
                        &model,
                        &got,
                        v,
                        &f.ty,
                        &format!("{name}: {}.{}", ev.name, f.name),
                    );
                }
            }
        }
    }
}

#[test]
fn the_export_is_deterministic_and_matches_the_golden_files() {
    let model = load("models/autoservice.ron");
    let files = protos(&model);
    assert_eq!(files, protos(&model.clone()));
    // One insta snapshot per file (tests/golden/protos): after an intended change, review the
    // new text with `cargo insta review` (or accept with INSTA_UPDATE=always).
    insta::with_settings!({snapshot_path => "golden/protos", prepend_module_to_snapshot => false}, {
        for f in &files {
            insta::assert_snapshot!(f.path.replace('/', "__"), f.text);
        }
    });
}

#[test]
fn hostile_sticky_text_cannot_inject_syntax_or_escape_the_folder() {
    let mut model = load("tests/fixtures/contracts/base.ron");
    model.org = "../../etc".into();
    model.contexts[0].package = "x/../../y; option".into();
    model.contexts[0].events[0].name = "Booked\"; } message Evil { string x = 1; } //".into();
    model.contexts[0].events[0].fields[3].name = "1 = 2; //".into();
    model.contexts[0].events[0].doc = "line\n*/ } \u{0} syntax = \"proto2\";".into();
    let files = protos(&model);
    let dir = tempfile::tempdir().unwrap();
    let written = write(dir.path(), &files).unwrap();
    for p in &written {
        assert!(
            p.starts_with(dir.path()),
            "{} escapes the folder",
            p.display()
        );
    }
    assert!(!files[0].text.contains("Evil {"), "{}", files[0].text);
    assert!(!files[0].text.contains("\u{0}"));
    // And the result still compiles.
    let mut c = protox::Compiler::new([dir.path()]).unwrap();
    c.open_files(files.iter().map(|f| f.path.clone()))
        .unwrap_or_else(|e| panic!("{e}\n{}", files[0].text));
}

#[cfg(unix)]
#[test]
fn export_does_not_write_through_a_link_planted_in_the_output_folder() {
    let model = load("tests/fixtures/contracts/base.ron");
    let files = protos(&model);
    let out = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    // The first folder of the first generated file is a link to somewhere else.
    let first = Path::new(&files[0].path).components().next().unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), out.path().join(first)).unwrap();
    let err = write(out.path(), &files).unwrap_err().to_string();
    assert!(err.contains("is a symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    // A link where the file itself goes is refused as well.
    std::fs::remove_file(out.path().join(first)).unwrap();
    let target = out.path().join(&files[0].path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, "mine").unwrap();
    std::os::unix::fs::symlink(&victim, &target).unwrap();
    let err = write(out.path(), &files).unwrap_err().to_string();
    assert!(err.contains("is a symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "mine");
}

fn event(model: &Model, i: usize) -> Loc {
    let _ = model;
    Loc {
        kind: Kind::Event,
        context: Some(0),
        index: i,
    }
}

/// Applies `change` to the contracts fixture and returns the report.
fn report(change: impl FnOnce(&mut Model)) -> Vec<stormlab::export::diff::Change> {
    let old = load("tests/fixtures/contracts/base.ron");
    let mut new = old.clone();
    change(&mut new);
    diff(&schema(&old), &schema(&new))
}

fn verdict(changes: &[stormlab::export::diff::Change]) -> (usize, usize, usize) {
    (
        breaking(changes, Level::Wire),
        breaking(changes, Level::WireJson),
        breaking(changes, Level::Package),
    )
}

#[test]
fn renaming_an_event_keeps_the_contract() {
    let changes = report(|m| {
        rename(m, event(m, 0), "ServiceScheduled");
    });
    assert_eq!(verdict(&changes), (0, 0, 0), "{changes:#?}");
    assert!(changes.is_empty(), "{changes:#?}");
}

#[test]
fn renaming_a_field_breaks_json_only() {
    let changes = report(|m| m.contexts[0].events[0].fields[3].name = "odometer".into());
    assert_eq!(verdict(&changes), (0, 1, 1), "{changes:#?}");
}

#[test]
fn deleting_a_field_reserves_it_and_keeps_old_data_readable() {
    let changes = report(|m| {
        let e = &mut m.contexts[0].events[0];
        remove_field(&mut e.fields, &mut e.reserved, 3);
    });
    // Binary and JSON consumers read old data; generated code that used it breaks (buf's
    // FIELD_NO_DELETE at PACKAGE).
    assert_eq!(verdict(&changes), (0, 0, 1), "{changes:#?}");
    assert_eq!(changes.len(), 1);
}

#[test]
fn gaining_optional_breaks_generated_code_only() {
    let changes = report(|m| {
        let f = &mut m.contexts[0].events[0].fields[3];
        f.ty = Type::Optional(Box::new(f.ty.clone()));
    });
    assert_eq!(verdict(&changes), (0, 0, 1), "{changes:#?}");
}

#[test]
fn publishing_an_internal_event_and_withdrawing_a_published_one_are_compatible() {
    let internal = |m: &Model| {
        m.contexts[0]
            .events
            .iter()
            .position(|e| !e.published)
            .expect("the fixture has an internal event")
    };
    let changes = report(|m| {
        let i = internal(m);
        m.contexts[0].events[i].published = true;
    });
    assert_eq!(verdict(&changes), (0, 0, 0), "{changes:#?}");
    assert_eq!(changes.len(), 1, "one case added: {changes:#?}");
    // Withdrawn: the case stays, deprecated.
    let changes = report(|m| {
        let e = &mut m.contexts[0].events[0];
        e.published = false;
        e.withdrawn = true;
    });
    assert_eq!(verdict(&changes), (0, 0, 0), "{changes:#?}");
    let text = protos(&{
        let mut m = load("tests/fixtures/contracts/base.ron");
        m.contexts[0].events[0].published = false;
        m.contexts[0].events[0].withdrawn = true;
        m
    })[0]
        .text
        .clone();
    assert!(
        text.contains("service_booked = 16 [deprecated = true];"),
        "{text}"
    );
    // Dropped from the envelope (published switched off by hand, not withdrawn), while
    // another event stays published: old data no longer decodes, and the report says how to
    // keep it.
    let changes = report(|m| {
        let i = internal(m);
        m.contexts[0].events[i].published = true;
        m.contexts[0].events[0].published = false;
    });
    assert_eq!(verdict(&changes).0, 1, "{changes:#?}");
    assert!(
        changes
            .iter()
            .any(|c| c.message.contains("withdrawn: true")),
        "{changes:#?}"
    );
}

#[test]
fn changing_a_fields_type_breaks_the_wire() {
    let changes = report(|m| m.contexts[0].events[0].fields[3].ty = Type::String);
    assert_eq!(verdict(&changes).0, 1, "{changes:#?}");
    // int → bool keeps the varint encoding: only JSON consumers break.
    let changes = report(|m| m.contexts[0].events[0].fields[3].ty = Type::Bool);
    assert_eq!(verdict(&changes), (0, 1, 1), "{changes:#?}");
}

#[test]
fn reusing_a_number_breaks_the_wire() {
    let changes = report(|m| {
        let f = &mut m.contexts[0].events[0].fields[3];
        f.name = "note".into();
        f.ty = Type::String;
    });
    assert!(verdict(&changes).0 >= 1, "{changes:#?}");
    // Reusing a reserved number: the reservation disappears.
    let old = {
        let mut m = load("tests/fixtures/contracts/base.ron");
        let e = &mut m.contexts[0].events[0];
        remove_field(&mut e.fields, &mut e.reserved, 3);
        m
    };
    let mut new = old.clone();
    let e = &mut new.contexts[0].events[0];
    e.reserved.clear();
    e.fields.push(stormlab::model::Field {
        uid: stormlab::model::Uid::NONE,
        n: 4,
        name: "note".into(),
        ty: Type::String,
        doc: String::new(),
    });
    let changes = diff(&schema(&old), &schema(&new));
    assert!(breaking(&changes, Level::Wire) >= 1, "{changes:#?}");
}

#[test]
fn removing_an_enum_value_breaks_and_adding_one_does_not() {
    let changes = report(|m| {
        m.contexts[0].enums[0].values.remove(1);
    });
    assert!(verdict(&changes).0 >= 1, "{changes:#?}");
    let changes = report(|m| m.contexts[0].enums[0].values.push("Wash".into()));
    assert_eq!(verdict(&changes), (0, 0, 0), "{changes:#?}");
}

#[test]
fn adding_fields_and_events_is_compatible() {
    let changes = report(|m| {
        let e = &mut m.contexts[0].events[0];
        e.fields.push(stormlab::model::Field {
            uid: stormlab::model::Uid::NONE,
            n: 5,
            name: "note".into(),
            ty: Type::Optional(Box::new(Type::String)),
            doc: String::new(),
        });
        let mut other = e.clone();
        other.name = "ServiceCancelled".into();
        other.n = 0;
        m.contexts[0].events.push(other);
        m.contexts[0].number_events();
    });
    assert_eq!(verdict(&changes), (0, 0, 0), "{changes:#?}");
}

#[test]
fn deleting_an_event_retires_its_envelope_number() {
    let changes = report(|m| m.remove_elements(&[event(m, 0)]));
    // The message is gone (generated code breaks), the envelope case is reserved (data does not).
    assert_eq!(verdict(&changes).1, 0, "{changes:#?}");
    assert!(verdict(&changes).2 >= 1, "{changes:#?}");
}

#[test]
fn moving_the_package_breaks_generated_code_only() {
    let changes = report(|m| m.org = "other".into());
    assert_eq!(verdict(&changes).1, 0, "{changes:#?}");
    assert!(verdict(&changes).2 >= 1, "{changes:#?}");
}

/// Compiles the export of `model` with protox (as protoc would), or says why not.
fn compiles(model: &Model) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let files = protos(model);
    write(dir.path(), &files).map_err(|e| e.to_string())?;
    let mut c = protox::Compiler::new([dir.path()]).unwrap();
    c.include_imports(true);
    c.open_files(files.iter().map(|f| f.path.clone()))
        .map(|_| ())
        .map_err(|e| format!("{e}\n{}", files[0].text))
}

#[test]
fn models_that_check_clean_export_protos_that_compile() {
    let base = load("tests/fixtures/contracts/base.ron");
    let field = |n: u32, name: &str, ty: &str| stormlab::model::Field {
        uid: stormlab::model::Uid::NONE,
        n,
        name: name.into(),
        ty: Type::parse(ty).unwrap(),
        doc: String::new(),
    };
    // Lists of lists four deep, beside a field named like a wrapper.
    let mut nested = base.clone();
    nested.contexts[0].events[0].fields.extend([
        field(5, "grid", "list<list<list<list<int>>>>"),
        field(6, "grid_items", "list<list<int>>"),
        field(7, "when", "list<optional<list<timestamp>>>"),
    ]);
    // A context whose package segment shadows `google.protobuf`.
    let mut google = base.clone();
    google.contexts[0].name = "Google".into();
    google.contexts[0].events[0]
        .fields
        .push(field(5, "at", "timestamp"));
    for (what, model) in [
        ("nested lists", &nested),
        ("a context named Google", &google),
    ] {
        let found = stormlab::model::check::check(model);
        assert!(
            !stormlab::model::check::has_errors(&found),
            "{what}: {found:?}"
        );
        if let Err(e) = compiles(model) {
            panic!("{what}: checks clean but does not compile: {e}");
        }
    }
}
