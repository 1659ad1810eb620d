//! The model file format: round trips, canonical form, and a loader that never panics and
//! always says where a problem is.

use proptest::prelude::*;
use stormlab::model::file::{from_str, to_string};
use stormlab::model::synthetic::synthetic;

fn sample() -> String {
    to_string(&synthetic(40, 2))
}

#[test]
fn a_generated_model_round_trips_and_is_byte_stable() {
    let text = sample();
    let model = from_str(&text, "s.ron").unwrap();
    assert_eq!(to_string(&model), text);
    assert_eq!(from_str(&to_string(&model), "s.ron").unwrap(), model);
}

#[test]
fn a_one_sticky_move_is_a_one_line_diff() {
    let mut model = synthetic(40, 2);
    let before = to_string(&model);
    model.contexts[1].events[2].at.x += 10.0;
    let after = to_string(&model);
    let changed = before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 1);
    assert_eq!(before.lines().count(), after.lines().count());
}

#[test]
fn an_unknown_element_kind_is_an_error_at_its_place() {
    let text = sample().replacen(
        "            commands: [",
        "            widgets: [],\n            commands: [",
        1,
    );
    let e = from_str(&text, "m.ron").unwrap_err();
    let line = text.lines().position(|l| l.contains("widgets")).unwrap() + 1;
    assert_eq!(e.at.map(|a| a.line), Some(line), "{e}");
    assert!(e.message.contains("widgets"), "{e}");
    assert!(
        e.message.contains("commands"),
        "the message lists what was expected: {e}"
    );
}

#[test]
fn a_wrong_type_is_an_error_at_its_place() {
    let text = sample()
        .replacen("ty: \"decimal\"", "ty: \"money\"", 1)
        .replacen("ty: \"id\"", "ty: 7", 1);
    let e = from_str(&text, "m.ron").unwrap_err();
    assert!(e.at.is_some(), "{e}");
    assert!(e.to_string().starts_with("m.ron:"), "{e}");
}

#[test]
fn a_bad_type_string_names_what_is_allowed() {
    let text = sample().replacen("ty: \"decimal\"", "ty: \"list<decimal\"", 1);
    let e = from_str(&text, "m.ron").unwrap_err();
    let line = text
        .lines()
        .position(|l| l.contains("list<decimal"))
        .unwrap()
        + 1;
    assert_eq!(e.at.map(|a| a.line), Some(line), "{e}");
    assert!(e.message.contains("missing closing `>`"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics_and_errors_have_a_place(text in ".{0,400}") {
        if let Err(e) = from_str(&text, "f.ron") {
            prop_assert!(e.at.is_some() || e.message.contains("larger"));
        }
    }

    #[test]
    fn mutated_models_never_panic(
        cuts in proptest::collection::vec((0usize..6000, 0usize..40, ".{0,8}"), 1..6)
    ) {
        let mut text = sample();
        for (at, len, insert) in cuts {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end.max(at), &insert);
        }
        match from_str(&text, "f.ron") {
            Ok(m) => {
                // Whatever loads must save and load again to the same model.
                let again = from_str(&to_string(&m), "f.ron");
                prop_assert!(again.is_ok());
            }
            Err(e) => prop_assert!(e.at.is_some()),
        }
    }
}

#[test]
fn a_file_of_random_bytes_is_a_placed_error() {
    use stormlab::model::file::load;
    let dir = tempfile::tempdir().unwrap();
    let mut state = 0x1234_5678_u32;
    for case in 0..50 {
        let bytes: Vec<u8> = (0..(64 + case * 37))
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 24) as u8
            })
            .collect();
        let path = dir.path().join(format!("r{case}.ron"));
        std::fs::write(&path, &bytes).unwrap();
        let e = load(&path).expect_err("random bytes are no model");
        assert!(e.at.is_some(), "{e}");
        assert!(
            e.to_string().starts_with(&path.display().to_string()),
            "{e}"
        );
    }
}

/// The example models as format-1 files: no ids, `format: 1`.
fn as_format_1(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("uid: "))
        .map(|l| {
            if l.trim() == "format: 2," {
                "    format: 1,"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_example_model_migrates_from_format_1_to_the_same_ids() {
    for path in [
        "models/accounts.ron",
        "models/autoservice.ron",
        "models/conference.ron",
        "models/devportal.ron",
    ] {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains("    format: 2,"), "{path} is a format-2 file");
        let old = as_format_1(&text);
        assert!(!old.contains("uid:"));
        let migrated = from_str(&old, path).unwrap();
        let current = from_str(&text, path).unwrap();
        // Derived ids are the ones the saved file carries: migrating is deterministic, and
        // `stormlab fmt` turns the old file into exactly the new one.
        assert_eq!(migrated, current, "{path}");
        assert_eq!(to_string(&migrated), text, "{path}");
        let mut ids = std::collections::BTreeSet::new();
        for e in current.elements() {
            assert!(!e.uid.is_none(), "{path}: {} has an id", e.name);
            assert!(ids.insert(e.uid), "{path}: {} has its own id", e.name);
        }
        for c in &current.contexts {
            for e in &c.events {
                for f in &e.fields {
                    assert!(ids.insert(f.uid), "{path}: field {} has its own id", f.name);
                }
            }
        }
    }
}

#[test]
fn ids_survive_rename_and_reorder_and_a_rename_is_a_one_line_diff() {
    let mut model = synthetic(40, 2);
    let before = to_string(&model);
    let id = model.contexts[1].events[2].uid;
    model.contexts[1].hotspots.push(stormlab::model::HotSpot {
        uid: stormlab::model::Uid::NONE,
        text: "why?".into(),
        at: Default::default(),
    });
    model.assign_ids();
    let with_hotspot = to_string(&model);
    model.contexts[1].hotspots[0].text = "why not?".into();
    let renamed = to_string(&model);
    let changed = with_hotspot
        .lines()
        .zip(renamed.lines())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(changed, 1, "a rename changes one line");
    model.contexts[1].events.swap(0, 2);
    let back = from_str(&to_string(&model), "m.ron").unwrap();
    assert_eq!(
        back.contexts[1].events[0].uid, id,
        "the id moved with its event"
    );
    assert_ne!(before, renamed);
}

#[test]
fn a_copied_id_in_the_file_is_replaced_and_a_malformed_one_is_a_placed_error() {
    let text = to_string(&synthetic(40, 2));
    let model = from_str(&text, "m.ron").unwrap();
    let first = model.contexts[0].events[0].uid.to_string();
    let second = model.contexts[0].events[1].uid.to_string();
    // A block copied in a text editor repeats an id: the copy gets its own.
    let copied = text.replacen(&second, &first, 1);
    let m = from_str(&copied, "m.ron").unwrap();
    assert_eq!(m.contexts[0].events[0].uid.to_string(), first);
    assert_ne!(m.contexts[0].events[1].uid.to_string(), first);
    assert_eq!(from_str(&copied, "m.ron").unwrap(), m, "deterministic");
    // Not an id at all: an error at its line, saying what an id is.
    let bad = text.replacen(&first, "not-an-id", 1);
    let e = from_str(&bad, "m.ron").unwrap_err();
    let line = bad.lines().position(|l| l.contains("not-an-id")).unwrap() + 1;
    assert_eq!(e.at.map(|a| a.line), Some(line), "{e}");
    assert!(e.message.contains("16 hexadecimal digits"), "{e}");
}

#[test]
fn a_key_given_twice_in_a_map_is_an_error_at_its_line_not_a_silent_last_wins() {
    let clean = include_str!("fixtures/clean.ron");
    let twice = clean.replacen(
        r#"fields: {"booking_id": "'b-1'","#,
        r#"fields: {"booking_id": "'b-1'", "booking_id": "'b-2'","#,
        1,
    );
    assert_ne!(twice, clean);
    let line = clean
        .lines()
        .position(|l| l.contains(r#""booking_id": "'b-1'""#))
        .unwrap()
        + 1;
    let e = from_str(&twice, "m.ron").unwrap_err();
    assert_eq!(e.at.map(|a| a.line), Some(line), "{e}");
    assert!(e.message.contains("`booking_id` is given twice"), "{e}");
    // Different keys are fine.
    assert!(from_str(clean, "m.ron").is_ok());
}
