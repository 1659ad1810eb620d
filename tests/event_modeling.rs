//! `stormlab import event-modeling`: an Event Modeling export (the Nebulit toolkit's JSON)
//! becomes a model that checks clean, whose specifications are scenarios that run — those
//! the model already satisfies pass, one that needs a rule the drawing does not state fails
//! until the rule is written; bad input gets an error with its place.

use std::process::Command;

use stormlab::interop::event_modeling::import;
use stormlab::model::check::check;
use stormlab::model::diagnostic::Severity;
use stormlab::model::{Expect, Guard, Type};

fn cart() -> String {
    let path = format!(
        "{}/tests/fixtures/event-modeling/cart.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn slices_become_commands_events_aggregates_projections_and_policies() {
    let i = import(&cart(), "cart").unwrap();
    let again = import(&cart(), "cart").unwrap();
    let text = stormlab::model::file::to_string(&i.model);
    assert_eq!(
        text,
        stormlab::model::file::to_string(&again.model),
        "deterministic"
    );
    let errors: Vec<String> = check(&i.model)
        .into_iter()
        .filter(|d| d.severity != Severity::Info)
        .map(|d| d.message)
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    let shop = &i.model.contexts[0];
    assert_eq!(shop.name, "Shop");
    // One aggregate (named by the elements and the slice), its id the field marked as the id.
    let cart = &shop.aggregates[0];
    assert_eq!((cart.name.as_str(), cart.id.as_str()), ("Cart", "cart_id"));
    // Arrows say which command emits which event; a slice without arrows, its one command.
    let emits = |c: &str| -> Vec<String> {
        let h = cart.handlers.iter().find(|h| h.on == c).unwrap();
        h.emit.iter().map(|e| e.event.to_string()).collect()
    };
    assert_eq!(emits("AddItem"), ["ItemAdded"]);
    assert_eq!(emits("SubmitCart"), ["CartSubmitted"]);
    assert_eq!(emits("PublishOrder"), ["OrderPublished"]);
    // Field types, a Custom type as a value object, a list.
    let add = shop.commands.iter().find(|c| c.name == "AddItem").unwrap();
    let ty = |n: &str| add.fields.iter().find(|f| f.name == n).unwrap().ty.clone();
    assert_eq!(ty("cart_id"), Type::Id);
    assert_eq!(ty("quantity"), Type::Int);
    assert_eq!(ty("price"), Type::Named("Price".into()));
    assert_eq!(add.actors, ["Shopper"]);
    let submitted = shop
        .events
        .iter()
        .find(|e| e.name == "CartSubmitted")
        .unwrap();
    assert_eq!(submitted.fields[1].ty, Type::List(Box::new(Type::String)));
    // The read model is projected from the event that feeds it, keyed by its id field.
    let items = &shop.read_models[0];
    assert_eq!(
        (items.name.as_str(), items.key.as_str()),
        ("CartItems", "cart_id")
    );
    assert_eq!(items.rules[0].on, "ItemAdded");
    // The automation is a policy from the event into it to the command out of it.
    let p = &shop.policies[0];
    assert_eq!(
        (p.on.as_str(), p.then.as_str()),
        ("CartSubmitted", "PublishOrder")
    );
    // Screens have no place in the model: noted, as is an example the run cannot use.
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("1 screen(s) not imported")),
        "{:#?}",
        i.notes
    );
    assert!(
        i.notes.iter().any(|n| n.contains("2024-05-01T10:00:00Z")),
        "{:#?}",
        i.notes
    );
    // A specification per scenario, with the example's values.
    let names: Vec<&str> = i.model.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "adds an item to an empty cart",
            "a quantity of zero is refused",
            "a cart with an item is submitted",
            "the cart shows what was added",
            "a submitted cart is published"
        ]
    );
    let first = &i.model.scenarios[0];
    match &first.then[0] {
        Expect::Emitted { event, filter, .. } => {
            assert_eq!(event, "ItemAdded");
            let f = filter.as_deref().unwrap();
            assert!(
                f.contains("event.product_id == 'p-1'") && f.contains("event.quantity == 2"),
                "{f}"
            );
        }
        other => panic!("{other:?}"),
    }
}

fn stormlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stormlab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_specifications_run_and_the_one_that_needs_an_unwritten_rule_fails_until_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("cart.json");
    std::fs::write(&json, cart()).unwrap();
    let out = dir.path().join("cart.ron");
    let (json_s, out_s) = (json.to_str().unwrap(), out.to_str().unwrap());
    let run = stormlab(&["import", "event-modeling", json_s, "-o", out_s]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(
        err.contains("5 scenarios") && err.contains("0 errors"),
        "{err}"
    );
    // `stormlab test`: four pass; the error case fails, as the drawing states no rule for it.
    let test = stormlab(&["test", out_s]);
    let stdout = String::from_utf8_lossy(&test.stdout);
    assert_eq!(test.status.code(), Some(1), "{stdout}");
    assert_eq!(stdout.matches("PASS ").count(), 4, "{stdout}");
    assert!(
        stdout.contains("FAIL") && stdout.contains("a quantity of zero is refused"),
        "{stdout}"
    );
    // The modeller writes the rule: every specification passes.
    let mut model = stormlab::model::file::load(&out).unwrap();
    let cart = &mut model.contexts[0].aggregates[0];
    let add = cart
        .handlers
        .iter_mut()
        .find(|h| h.on == "AddItem")
        .unwrap();
    add.guards.push(Guard {
        expr: "cmd.quantity > 0".into(),
        reject: "Quantity must be positive".into(),
    });
    stormlab::model::file::save(&out, &model).unwrap();
    let test = stormlab(&["test", out_s]);
    let stdout = String::from_utf8_lossy(&test.stdout);
    assert!(test.status.success(), "{stdout}");
    assert_eq!(stdout.matches("PASS ").count(), 5, "{stdout}");
}

#[test]
fn input_that_is_no_event_model_gets_an_error_with_its_place_and_never_a_panic() {
    let e = import("{\n  \"slices\": [ { \"title\": 3 } ]\n}", "x").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("invalid type"), "{e}");
    let e = import("{ \"nodes\": [] }", "x").unwrap_err();
    assert!(e.message.contains("no `slices`"), "{e}");
    assert!(import("[1, 2]", "x").is_err());
    assert!(import("", "x").is_err());
    // Nesting far past any export's is refused by the JSON reader's depth limit.
    let deep = format!(
        "{{\"slices\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(import(&deep, "x").is_err());
    // Arrows to nowhere, commands without events, names that are no identifiers: a model
    // that checks, with notes.
    let odd = r#"{"slices": [{"title": "1st", "context": "3 Shop!",
        "commands": [{"id": "c", "title": "42", "fields": [{"name": "", "type": "Weird"}],
                      "dependencies": [{"id": "zz", "type": "OUTBOUND", "title": "Nothing", "elementType": "EVENT"}]}],
        "processors": [{"id": "p", "title": "Lonely", "dependencies": []}],
        "readmodels": [{"id": "r", "title": "View", "fields": [{"name": "k", "type": "String"}]}]}]}"#;
    let i = import(odd, "odd").unwrap();
    let errors: Vec<String> = check(&i.model)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message)
        .collect();
    assert_eq!(errors, Vec::<String>::new(), "{:#?}", i.notes);
    assert!(
        i.notes
            .iter()
            .any(|n| n.contains("\"Nothing\", which is no event")),
        "{:#?}",
        i.notes
    );
    assert!(
        i.notes.iter().any(|n| n.contains("automation \"Lonely\"")),
        "{:#?}",
        i.notes
    );
    assert!(
        i.notes.iter().any(|n| n.contains("no event feeds it")),
        "{:#?}",
        i.notes
    );
}

#[test]
fn two_automations_of_one_title_are_two_policies() {
    let json = r#"{"slices": [{"title": "a", "context": "Shop",
        "commands": [
          {"id": "c1", "title": "Do One", "fields": [{"name": "shopId", "type": "UUID"}],
           "dependencies": [{"id": "e1", "type": "OUTBOUND", "title": "One Done", "elementType": "EVENT"}]},
          {"id": "c2", "title": "Do Two", "fields": [{"name": "shopId", "type": "UUID"}]},
          {"id": "c3", "title": "Do Three", "fields": [{"name": "shopId", "type": "UUID"}]}],
        "events": [{"id": "e1", "title": "One Done", "fields": [{"name": "shopId", "type": "UUID"}]}],
        "processors": [
          {"id": "p1", "title": "automation", "dependencies": [
            {"id": "e1", "type": "INBOUND", "title": "One Done", "elementType": "EVENT"},
            {"id": "c2", "type": "OUTBOUND", "title": "Do Two", "elementType": "COMMAND"}]},
          {"id": "p2", "title": "automation", "dependencies": [
            {"id": "e1", "type": "INBOUND", "title": "One Done", "elementType": "EVENT"},
            {"id": "c3", "type": "OUTBOUND", "title": "Do Three", "elementType": "COMMAND"}]}]}]}"#;
    let i = import(json, "two").unwrap();
    let policies: Vec<(&str, &str)> = i.model.contexts[0]
        .policies
        .iter()
        .map(|p| (p.name.as_str(), p.then.as_str()))
        .collect();
    assert_eq!(
        policies,
        [("Automation", "DoTwo"), ("Automation2", "DoThree")]
    );
}
