//! Every diagnostic code, each from a minimal change to a clean model: the finding has the
//! code and points at the line where the problem is.

use stormlab::export::findings as check;
use stormlab::model::diagnostic::{Code, Severity, render};
use stormlab::model::file::from_str;

const CLEAN: &str = include_str!("fixtures/clean.ron");

/// `CLEAN` with `from` replaced by `to` (exactly one occurrence must exist).
fn with(from: &str, to: &str) -> String {
    assert_eq!(
        CLEAN.matches(from).count(),
        1,
        "`{from}` must occur once in the fixture"
    );
    CLEAN.replacen(from, to, 1)
}

/// Asserts that checking `text` finds `code` on the (first) line containing `marker`.
fn finds(text: &str, code: Code, marker: &str) {
    let model = from_str(text, "m.ron").unwrap_or_else(|e| panic!("{e}"));
    let diags = check(&model);
    let line = text
        .lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("marker `{marker}` not in the text"))
        + 1;
    let rendered: Vec<String> = diags.iter().map(|d| render(d, text, "m.ron")).collect();
    let hit = diags
        .iter()
        .any(|d| d.code == code && d.place(text).line == line);
    assert!(
        hit,
        "expected {} on line {line}; found:\n{}",
        code.as_str(),
        rendered.join("\n")
    );
    for d in &diags {
        assert_eq!(d.severity, d.code.severity());
    }
}

#[test]
fn the_clean_model_has_no_findings() {
    let model = from_str(CLEAN, "clean.ron").unwrap();
    let diags = check(&model);
    let rendered: Vec<String> = diags
        .iter()
        .map(|d| render(d, CLEAN, "clean.ron"))
        .collect();
    assert!(diags.is_empty(), "{}", rendered.join("\n"));
}

#[test]
fn sl001_dangling_reference() {
    finds(
        &with(r#"actors: ["Customer"]"#, r#"actors: ["Custmer"]"#),
        Code::DanglingReference,
        "Custmer",
    );
    finds(
        &with(
            r#"(n: 1, name: "kind", ty: "ServiceKind")"#,
            r#"(n: 1, name: "kind", ty: "ServiceKnd")"#,
        ),
        Code::DanglingReference,
        "ServiceKnd",
    );
}

#[test]
fn sl002_ambiguous_reference() {
    let text = with(
        r#"events: [(name: "InvoiceOpened""#,
        r#"events: [(name: "BookingPaid", owner: "Invoice", fields: [(n: 1, name: "booking_id", ty: "id")], at: (450.0, 750.0)), (name: "InvoiceOpened""#,
    );
    finds(
        &text,
        Code::AmbiguousReference,
        "Emitted(event: \"BookingPaid\"",
    );
}

#[test]
fn sl003_duplicate_name() {
    let text = with(
        r#"(name: "ConfirmPayment", target"#,
        r#"(name: "BookService", target"#,
    );
    finds(
        &text,
        Code::DuplicateName,
        r#"(name: "BookService", target: "Booking", fields"#,
    );
}

#[test]
fn sl004_duplicate_member() {
    finds(
        &with(
            r#"lifecycle: ["New", "Created", "Paid"]"#,
            r#"lifecycle: ["New", "Created", "Paid", "Paid"]"#,
        ),
        Code::DuplicateMember,
        "\"Paid\", \"Paid\"",
    );
}

#[test]
fn sl005_expression_error_points_into_the_expression() {
    let text = with("cmd.price.amount > 0", "cmd.price.amount > 'x'");
    finds(&text, Code::ExpressionError, "cmd.price.amount > 'x'");
    let model = from_str(&text, "m.ron").unwrap();
    let d = check(&model)
        .into_iter()
        .find(|d| d.code == Code::ExpressionError)
        .unwrap();
    let line = text.lines().find(|l| l.contains("> 'x'")).unwrap();
    let col = line
        .chars()
        .take_while(|_| true)
        .collect::<String>()
        .find("> 'x'")
        .unwrap()
        + 1;
    assert_eq!(
        d.place(&text).col,
        col,
        "the column of the operator inside the expression"
    );
    assert!(render(&d, &text, "m.ron").contains(
        "error[SL005]: aggregate Booking/Booking: cannot compare `decimal` and `string`"
    ));
}

#[test]
fn sl006_emits_foreign_event() {
    finds(
        &with(
            r#"emit: [(event: "InvoiceOpened")]"#,
            r#"emit: [(event: "Booking.BookingPaid")]"#,
        ),
        Code::EmitsForeignEvent,
        "Booking.BookingPaid\")]",
    );
}

#[test]
fn sl007_handles_foreign_command() {
    let text = with(
        r#"(name: "ConfirmPayment", target: "Booking""#,
        r#"(name: "ConfirmPayment", target: "PaymentGateway""#,
    );
    finds(
        &text,
        Code::HandlesForeignCommand,
        r#"(on: "ConfirmPayment", states"#,
    );
}

#[test]
fn sl008_unreachable_state() {
    finds(
        &with(
            r#"lifecycle: ["New", "Created", "Paid"]"#,
            r#"lifecycle: ["New", "Created", "Paid", "Archived"]"#,
        ),
        Code::UnreachableState,
        "Archived",
    );
}

#[test]
fn sl009_unknown_state() {
    finds(
        &with(r#"states: ["Created"]"#, r#"states: ["Craeted"]"#),
        Code::UnknownState,
        "Craeted",
    );
}

#[test]
fn sl010_event_never_emitted() {
    let text = with(
        r#"events: [(name: "InvoiceOpened""#,
        r#"events: [(name: "InvoiceVoided", owner: "Invoice", fields: [(n: 1, name: "booking_id", ty: "id")], at: (450.0, 750.0)), (name: "InvoiceOpened""#,
    );
    finds(&text, Code::EventNeverEmitted, "InvoiceVoided");
}

#[test]
fn sl011_command_not_handled() {
    let text = with(
        r#"commands: [(name: "OpenInvoice""#,
        r#"commands: [(name: "VoidInvoice", target: "Invoice", fields: [(n: 1, name: "booking_id", ty: "id")], at: (150.0, 750.0)), (name: "OpenInvoice""#,
    );
    finds(&text, Code::CommandNotHandled, "VoidInvoice");
}

#[test]
fn sl012_policy_issues_unknown_command() {
    finds(
        &with(r#"then: "OpenInvoice""#, r#"then: "OpenInvoce""#),
        Code::UnknownIssuedCommand,
        "OpenInvoce",
    );
}

/// The model `text` has no SL013 (every message crosses a declared relation).
fn no_missing_relation(text: &str) {
    let found = check(&from_str(text, "m.ron").unwrap());
    assert!(
        !found.iter().any(|d| d.code == Code::MissingRelation),
        "{found:?}"
    );
}

#[test]
fn sl013_cross_context_consumption_needs_a_relation() {
    let text = with(
        r#"relations: [(upstream: "Booking", downstream: "Billing", pattern: CustomerSupplier)],"#,
        "",
    );
    finds(&text, Code::MissingRelation, r#"(name: "InvoiceOnPayment""#);
    let text = with("pattern: CustomerSupplier", "pattern: SeparateWays");
    finds(&text, Code::MissingRelation, r#"(name: "InvoiceOnPayment""#);
}

#[test]
fn sl013_says_why_a_message_cannot_cross_between_two_contexts() {
    let message = |text: &str, marker: &str| {
        finds(text, Code::MissingRelation, marker);
        let model = from_str(text, "m.ron").unwrap();
        check(&model)
            .into_iter()
            .filter(|d| d.code == Code::MissingRelation)
            .map(|d| d.message)
            .collect::<Vec<_>>()
            .join("\n")
    };
    // Billing directs Booking (confirms its payment) with no relation at all: a command, so
    // said as one, crossing either way.
    let issuing = r#"policies: [(name: "InvoiceOnPayment", on: "Booking.BookingPaid", then: "OpenInvoice", at: (50.0, 650.0)), (name: "Confirmed", on: "InvoiceOpened", then: "Booking.ConfirmPayment", at: (60.0, 650.0))],"#;
    let text = with(
        r#"policies: [(name: "InvoiceOnPayment", on: "Booking.BookingPaid", then: "OpenInvoice", at: (50.0, 650.0))],"#,
        issuing,
    )
    .replacen(
        r#"relations: [(upstream: "Booking", downstream: "Billing", pattern: CustomerSupplier)],"#,
        "",
        1,
    );
    let said = message(&text, r#"(name: "Confirmed""#);
    assert!(
        said.contains(
            "policy Billing/Confirmed issues command Booking.ConfirmPayment to context Booking, \
             but the context map has no relation between Billing and Booking"
        ),
        "{said}"
    );
    // With the relation declared, the downstream may direct its upstream.
    let related = with(
        r#"policies: [(name: "InvoiceOnPayment", on: "Booking.BookingPaid", then: "OpenInvoice", at: (50.0, 650.0))],"#,
        issuing,
    );
    no_missing_relation(&related);
    // Separate Ways: said so.
    let apart = with("pattern: CustomerSupplier", "pattern: SeparateWays");
    let said = message(&apart, r#"(name: "InvoiceOnPayment""#);
    assert!(said.contains("go Separate Ways"), "{said}");
    // The relation runs the other way: events flow downstream only.
    let turned = with(
        r#"(upstream: "Booking", downstream: "Billing""#,
        r#"(upstream: "Billing", downstream: "Booking""#,
    );
    let said = message(&turned, r#"(name: "InvoiceOnPayment""#);
    assert!(
        said.contains("Booking is downstream of Billing: events flow from upstream to downstream"),
        "{said}"
    );
}

#[test]
fn sl014_bypassing_the_anticorruption_layer() {
    let text = with(
        "pattern: CustomerSupplier)",
        r#"pattern: AnticorruptionLayer, translations: [(from: "BookingPaid", into: "InvoiceRequested")])"#,
    )
    .replacen(
        r#"events: [(name: "InvoiceOpened""#,
        r#"events: [(name: "InvoiceRequested", fields: [(n: 1, name: "booking_id", ty: "id")], at: (450.0, 750.0)), (name: "InvoiceOpened""#,
        1,
    );
    finds(
        &text,
        Code::BypassesTranslation,
        r#"(name: "InvoiceOnPayment""#,
    );
}

#[test]
fn sl015_consuming_an_internal_event() {
    let text = with(
        r#"(name: "BookingPaid", owner: "Booking", published: true"#,
        r#"(name: "BookingPaid", owner: "Booking""#,
    );
    finds(
        &text,
        Code::ConsumesInternalEvent,
        r#"(name: "InvoiceOnPayment""#,
    );
}

#[test]
fn sl016_proto_name_clash() {
    let text = with(
        r#"(name: "ConfirmPayment", target"#,
        r#"(name: "book_service", target: "Booking", fields: [(n: 1, name: "booking_id", ty: "id")], at: (150.0, 300.0)), (name: "ConfirmPayment", target"#,
    );
    finds(&text, Code::ProtoNameClash, "book_service");
    let text = with(
        r#"(n: 2, name: "paid", ty: "bool")"#,
        r#"(n: 2, name: "Price", ty: "bool")"#,
    );
    finds(&text, Code::ProtoNameClash, r#"name: "Price""#);
}

#[test]
fn sl017_field_number_reuse_and_range() {
    finds(
        &with(
            r#"(n: 2, name: "amount", ty: "decimal")]"#,
            r#"(n: 1, name: "amount", ty: "decimal")]"#,
        ),
        Code::BadFieldNumber,
        r#"(n: 1, name: "amount", ty: "decimal")]"#,
    );
    finds(
        &with(
            r#"(n: 2, name: "amount", ty: "decimal")]"#,
            r#"(n: 19500, name: "amount", ty: "decimal")]"#,
        ),
        Code::BadFieldNumber,
        "19500",
    );
    finds(
        &with(
            r#"(n: 2, name: "amount", ty: "decimal")]"#,
            r#"(n: 0, name: "amount", ty: "decimal")]"#,
        ),
        Code::BadFieldNumber,
        r#"(n: 0, name: "amount""#,
    );
}

#[test]
fn sl018_reusing_reserved_numbers_and_names() {
    let text = with(
        r#"(name: "BookingPaid", owner: "Booking", published: true, fields: [(n: 1, name: "booking_id", ty: "id")]"#,
        r#"(name: "BookingPaid", owner: "Booking", published: true, fields: [(n: 1, name: "booking_id", ty: "id")], reserved: [(n: 1, name: "old_id")]"#,
    );
    finds(&text, Code::ReusesReserved, "old_id");
}

#[test]
fn sl019_unguarded_policy_cycle() {
    let text = with(r#"handlers: [(on: "OpenInvoice", states: ["New"],"#, r#"handlers: [(on: "OpenInvoice","#).replacen(
        r#"policies: [(name: "InvoiceOnPayment""#,
        r#"policies: [(name: "Reopen", on: "InvoiceOpened", then: "OpenInvoice", at: (50.0, 800.0)), (name: "InvoiceOnPayment""#,
        1,
    );
    finds(&text, Code::UnguardedPolicyCycle, r#"(name: "Reopen""#);
    // A condition on the policy makes the cycle stoppable.
    let guarded = text.replacen(
        r#"then: "OpenInvoice", at: (50.0, 800.0)"#,
        r#"when: "false", then: "OpenInvoice", at: (50.0, 800.0)"#,
        1,
    );
    let diags = check(&from_str(&guarded, "m.ron").unwrap());
    assert!(!diags.iter().any(|d| d.code == Code::UnguardedPolicyCycle));
    // Conditions that cannot stop it do not count: a `when` that is always true, a guard
    // that always holds, a state list with every state the loop can be in.
    let vacuous = [
        (
            r#"then: "OpenInvoice", at: (50.0, 800.0)"#,
            r#"when: "true", then: "OpenInvoice", at: (50.0, 800.0)"#,
        ),
        (
            r#"(on: "OpenInvoice","#,
            r#"(on: "OpenInvoice", guards: [(expr: "1 < 2", reject: "never")],"#,
        ),
        (
            r#"(on: "OpenInvoice","#,
            r#"(on: "OpenInvoice", states: ["New", "Open"],"#,
        ),
    ];
    for (from, to) in vacuous {
        let loops = text.replacen(from, to, 1);
        assert_ne!(loops, text);
        finds(&loops, Code::UnguardedPolicyCycle, r#"(name: "Reopen""#);
    }
    // A guard that reads the command, or states the loop leaves, can stop it.
    let stoppable = [
        (
            r#"(on: "OpenInvoice","#,
            r#"(on: "OpenInvoice", guards: [(expr: "cmd.booking_id != \"x\"", reject: "no")],"#,
        ),
        (
            r#"(on: "OpenInvoice","#,
            r#"(on: "OpenInvoice", states: ["New"],"#,
        ),
    ];
    for (from, to) in stoppable {
        let stops = text.replacen(from, to, 1);
        assert_ne!(stops, text);
        let diags = check(&from_str(&stops, "m.ron").unwrap());
        assert!(
            !diags.iter().any(|d| d.code == Code::UnguardedPolicyCycle),
            "{to}: {diags:?}"
        );
    }
}

#[test]
fn sl020_saga_correlation_missing() {
    finds(
        &with(r#"correlation: "booking_id""#, r#"correlation: "order_id""#),
        Code::MissingCorrelation,
        "order_id",
    );
}

#[test]
fn sl021_outcome_probabilities() {
    finds(
        &with("probability: 1.0", "probability: 0.9"),
        Code::BadProbabilities,
        "probability: 0.9",
    );
}

#[test]
fn sl022_unreadable_time() {
    finds(
        &with(r#"after: "200ms""#, r#"after: "200 millis""#),
        Code::BadTime,
        "200 millis",
    );
    finds(
        &with(r#"seed: 1,"#, r#"seed: 1, start: "yesterday","#),
        Code::BadTime,
        "yesterday",
    );
}

#[test]
fn sl023_bad_load_generator() {
    let text = with(
        r#"when: [Command("#,
        r#"when: [Load(at: "0s", command: "BookService", count: 0, every: "1s"), Command("#,
    );
    finds(&text, Code::BadLoad, "count: 0");
    let text = with(
        r#"when: [Command("#,
        r#"when: [Load(at: "0s", command: "BookService", count: 5, every: "-1s"), Command("#,
    );
    finds(&text, Code::BadLoad, "every: \"-1s\"");
    // Over the engine's maximum: refused by check, not after minutes of running.
    let text = with(
        r#"when: [Command("#,
        r#"when: [Load(at: "0s", command: "BookService", count: 1000000000, every: "1s"), Command("#,
    );
    finds(&text, Code::BadLoad, "count: 1000000000");
    // A field picked from no values (it used to run with an empty string).
    let text = with(
        r#"when: [Command("#,
        r#"when: [Load(at: "0s", command: "BookService", count: 2, every: "1s", fields: {"booking_id": OneOf([])}), Command("#,
    );
    finds(&text, Code::BadLoad, "OneOf([])");
}

#[test]
fn sl024_fault_rate_out_of_range() {
    let text = with(
        r#"seed: 1,"#,
        r#"seed: 1, faults: [(subscriber: "PayOnBooking", failure_rate: 1.5)],"#,
    );
    finds(&text, Code::BadRate, "failure_rate: 1.5");
}

#[test]
fn sl025_names_must_be_identifiers() {
    finds(
        &with(r#"(name: "Customer", at"#, r#"(name: "Our Customer", at"#),
        Code::NotAnIdentifier,
        "Our Customer\", at",
    );
}

#[test]
fn sl026_hot_spots_are_warnings() {
    let text = with(
        r#"actors: [(name: "Customer", at: (10.0, 60.0))],"#,
        r#"actors: [(name: "Customer", at: (10.0, 60.0))], hotspots: [(text: "Who refunds no-shows?", at: (10.0, 400.0))],"#,
    );
    finds(&text, Code::HotSpot, "Who refunds");
    let diags = check(&from_str(&text, "m.ron").unwrap());
    assert!(
        diags.iter().all(|d| d.severity != Severity::Error),
        "a hot spot is not an error"
    );
}

#[test]
fn sl027_empty_context() {
    let text = with(
        "        (\n            name: \"Billing\",",
        "        (name: \"Shipping\", frame: (0.0, 1000.0, 400.0, 300.0)),\n        (\n            name: \"Billing\",",
    );
    finds(&text, Code::Empty, r#"name: "Shipping""#);
}

#[test]
fn sl028_positions_must_be_numbers() {
    finds(
        &with(
            r#"(name: "Customer", at: (10.0, 60.0))"#,
            r#"(name: "Customer", at: (NaN, 60.0))"#,
        ),
        Code::BadPosition,
        "NaN",
    );
}

#[test]
fn sl029_messages_carry_their_target_id() {
    let text = with(
        r#"(name: "ConfirmPayment", target: "Booking", fields: [(n: 1, name: "booking_id", ty: "id")]"#,
        r#"(name: "ConfirmPayment", target: "Booking", fields: [(n: 1, name: "ref", ty: "id")]"#,
    );
    finds(&text, Code::MissingIdField, r#"name: "ref""#);
}

#[test]
fn sl030_inconsistent_relation() {
    finds(
        &with(
            "pattern: CustomerSupplier)",
            r#"pattern: CustomerSupplier, translations: [(from: "BookingPaid", into: "InvoiceOpened")])"#,
        ),
        Code::BadRelation,
        "translations",
    );
}

#[test]
fn sl031_read_model_key_is_a_column() {
    finds(
        &with(r#"key: "kind", rules"#, r#"key: "kinds", rules"#),
        Code::BadKey,
        r#"key: "kinds""#,
    );
}

#[test]
fn sl032_assignment_to_an_unknown_field() {
    finds(
        &with(
            r#"set: {"amount": "cmd.price.amount"}"#,
            r#"set: {"amunt": "cmd.price.amount"}"#,
        ),
        Code::UnknownTargetField,
        "amunt",
    );
}

#[test]
fn sl033_envelope_numbers_are_unique_and_never_reused() {
    let text = with(
        r#"(name: "BookingPaid", owner: "Booking","#,
        r#"(name: "BookingPaid", n: 16, owner: "Booking","#,
    )
    .replacen(
        r#"(name: "ServiceBooked", owner"#,
        r#"(name: "ServiceBooked", n: 16, owner"#,
        1,
    );
    finds(
        &text,
        Code::BadEventNumber,
        r#"(name: "BookingPaid", n: 16"#,
    );
    finds(
        &with(
            r#"(name: "BookingPaid", owner: "Booking","#,
            r#"(name: "BookingPaid", n: 7, owner: "Booking","#,
        ),
        Code::BadEventNumber,
        r#"n: 7"#,
    );
    // A removed event's number and name stay retired.
    let text = with(
        "            name: \"Billing\",\n",
        "            name: \"Billing\",\n            retired: [(n: 16, name: \"InvoiceSent\")],\n",
    );
    let text = text.replacen(
        r#"(name: "InvoiceOpened", owner"#,
        r#"(name: "InvoiceOpened", n: 16, owner"#,
        1,
    );
    finds(
        &text,
        Code::BadEventNumber,
        r#"(name: "InvoiceOpened", n: 16"#,
    );
}

/// Billing gets a value object Booking uses, while Billing already uses Booking's Money.
fn import_cycle() -> String {
    with(
        r#"(n: 2, name: "paid", ty: "bool")"#,
        r#"(n: 2, name: "paid", ty: "bool"), (n: 3, name: "invoice", ty: "Billing.InvoiceRef")"#,
    )
    .replacen(
        "            name: \"Billing\",\n",
        "            name: \"Billing\",\n            values: [(name: \"InvoiceRef\", fields: [(n: 1, name: \"total\", ty: \"Booking.Money\")])],\n",
        1,
    )
    .replacen(
        r#"fields: [(n: 1, name: "booking_id", ty: "id")], at: (150.0, 200.0)),"#,
        r#"fields: [(n: 1, name: "booking_id", ty: "id"), (n: 2, name: "invoice", ty: "Billing.InvoiceRef")], at: (150.0, 200.0)),"#,
        1,
    )
}

#[test]
fn sl034_contracts_must_not_import_each_other() {
    finds(&import_cycle(), Code::ImportCycle, r#"name: "Booking","#);
}

#[test]
fn a_contract_finding_blocks_the_export_but_not_the_simulation() {
    let model = from_str(&import_cycle(), "m.ron").unwrap();
    assert!(
        check(&model).iter().any(|d| d.code == Code::ImportCycle),
        "stormlab check and Problems show it"
    );
    assert!(
        !stormlab::model::check::check(&model)
            .iter()
            .any(|d| d.code == Code::ImportCycle),
        "it is not a finding of the model itself"
    );
    assert!(
        stormlab::sim::Program::new(&model).is_ok(),
        "the model is simulated all the same"
    );
}

#[test]
fn every_code_has_a_test_here() {
    let src = include_str!("checks.rs");
    for code in Code::ALL {
        let n = code.as_str().to_lowercase();
        assert!(
            src.contains(&format!("fn {n}_")),
            "no test for {}",
            code.as_str()
        );
    }
}

#[test]
fn sl035_a_sticky_still_named_by_its_placeholder_is_a_warning() {
    let text = with(
        r#"(name: "ConfirmPayment", target"#,
        r#"(name: "DoSomething2", target"#,
    );
    finds(
        &text,
        Code::PlaceholderName,
        r#"(name: "DoSomething2", target"#,
    );
    // A name that only begins like a placeholder is a name.
    let named = with(
        r#"(name: "ConfirmPayment", target"#,
        r#"(name: "DoSomethingUseful", target"#,
    );
    let model = from_str(&named, "m.ron").unwrap();
    assert!(
        !check(&model)
            .iter()
            .any(|d| d.code == Code::PlaceholderName)
    );
}

#[test]
fn sl019_a_cycle_broken_at_a_handler_that_emits_nothing_on_it_is_not_reported() {
    use stormlab::model::access::Sticky;
    use stormlab::model::connect::connect;
    use stormlab::model::{Kind, Model, Pos};
    let mut m = Model::new("t");
    let mut add = |k, n| {
        m.insert_sticky(0, Sticky::new_of(k, n, Pos::default()).unwrap())
            .unwrap()
    };
    let place = add(Kind::Command, "PlaceOrder");
    let order = add(Kind::Aggregate, "Order");
    let placed = add(Kind::Event, "OrderPlaced");
    let policy = add(Kind::Policy, "ConfirmPlacedOrders");
    let confirm = add(Kind::Command, "ConfirmOrder");
    for (from, to) in [
        (place, order),
        (order, placed),
        (placed, policy),
        (policy, confirm),
        (confirm, order),
    ] {
        connect(&mut m, from, to).unwrap();
    }
    let cycle = |m: &Model| {
        check(m)
            .iter()
            .any(|d| d.code == Code::UnguardedPolicyCycle)
    };
    assert!(!cycle(&m), "ConfirmOrder's handler emits nothing: no loop");
    // Once ConfirmOrder's handler emits OrderPlaced too, the loop is real.
    connect(&mut m, confirm, placed).unwrap();
    assert!(cycle(&m));
}

#[test]
fn sl036_names_that_cannot_become_a_package_or_file_are_errors() {
    finds(
        &with(r#"org: "acme","#, r#"org: "acme shop","#),
        Code::BadContractName,
        "org:",
    );
    finds(
        &with(
            r#"org: "acme","#,
            &format!(r#"org: "{}","#, "a".repeat(600)),
        ),
        Code::BadContractName,
        "org:",
    );
    // A context named 300 characters long checked clean, then the export failed with "File
    // name too long".
    let long = "Booking".repeat(43);
    finds(
        &with(
            "name: \"Booking\",\n            frame",
            &format!("name: \"{long}\",\n            frame"),
        ),
        Code::BadContractName,
        &long,
    );
    // A hundred characters are fine.
    let ok = with(
        "name: \"Booking\",\n            frame",
        &format!("name: \"B{}\",\n            frame", "o".repeat(99)),
    );
    let model = from_str(&ok, "m.ron").unwrap();
    assert!(
        !check(&model)
            .iter()
            .any(|d| d.code == Code::BadContractName)
    );
}

#[test]
fn sl037_a_scenario_name_must_pick_one_scenario() {
    finds(
        &with(r#"name: "happy path","#, r#"name: "happy\npath","#),
        Code::BadScenarioName,
        r#"name: "happy\npath","#,
    );
    finds(
        &with(r#"name: "happy path","#, r#"name: " ","#),
        Code::BadScenarioName,
        r#"name: " ","#,
    );
    // Two scenarios of one name: the second is reported.
    let model = from_str(CLEAN, "m.ron").unwrap();
    let mut twice = model.clone();
    twice.scenarios.push(model.scenarios[0].clone());
    let found: Vec<_> = check(&twice)
        .into_iter()
        .filter(|d| d.code == Code::BadScenarioName)
        .collect();
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("both named `happy path`"),
        "{}",
        found[0].message
    );
    assert_eq!(
        found[0].element.map(|l| l.index),
        Some(model.scenarios.len())
    );
}

#[test]
fn sl038_a_file_that_is_not_a_model_has_the_code_and_the_place() {
    // A value of the wrong type: placed at the value.
    let text = with(
        r#"name: "amount", ty: "decimal"), (n: 2, name: "currency""#,
        r#"name: "amount", ty: 3), (n: 2, name: "currency""#,
    );
    let e = from_str(&text, "m.ron").unwrap_err();
    let line = text.lines().position(|l| l.contains("ty: 3)")).unwrap() + 1;
    let rendered = e.to_string();
    assert!(
        rendered.starts_with(&format!("m.ron:{line}:")) && rendered.contains("error[SL038]"),
        "{rendered}"
    );
    // A missing field: placed where the element lacking it starts, not where it ends.
    let text = with(
        r#"(name: "ConfirmPayment", target: "Booking""#,
        r#"(name: "ConfirmPayment""#,
    );
    let e = from_str(&text, "m.ron").unwrap_err();
    let start = text.find(r#"(name: "ConfirmPayment""#).unwrap();
    let at = e.at.unwrap();
    assert_eq!(
        (at.line, at.col),
        {
            let before = &text[..start];
            (
                before.matches('\n').count() + 1,
                start - before.rfind('\n').map_or(0, |i| i + 1) + 1,
            )
        },
        "{e}"
    );
    assert!(e.message.contains("lacks the field `target`"), "{e}");
    assert_eq!(Code::FileFormat.as_str(), "SL038");
}

#[test]
fn sl039_a_second_handler_for_one_command_is_an_error_at_both() {
    // Before: it checked clean and the second handler silently replaced the first.
    let text = with(
        r#"(on: "ConfirmPayment", states: ["Created"], emit: [(event: "BookingPaid")]),"#,
        "(on: \"ConfirmPayment\", states: [\"Created\"], emit: [(event: \"BookingPaid\")]),\n\
         (on: \"ConfirmPayment\", states: [\"Paid\"], emit: []), // second",
    );
    finds(
        &text,
        Code::DuplicateHandler,
        r#"(on: "ConfirmPayment", states: ["Created"]"#,
    );
    finds(&text, Code::DuplicateHandler, "// second");
    let model = from_str(&text, "m.ron").unwrap();
    let msg = check(&model)
        .into_iter()
        .find(|d| d.code == Code::DuplicateHandler)
        .unwrap()
        .message;
    assert_eq!(
        msg,
        "aggregate Booking/Booking handles ConfirmPayment in handler 2 and again in handler 3: only one \
         would ever decide; merge them, with `branches` for different outcomes"
    );
}

#[test]
fn sl040_an_otherwise_branch_must_come_last() {
    let text = with(
        r#"emit: [(event: "BookingPaid")]),"#,
        "emit: [], branches: [\n(emit: [(event: \"BookingPaid\")]), // otherwise first\n\
         (when: \"true\", emit: [])]),",
    );
    finds(&text, Code::MisplacedOtherwise, "// otherwise first");
    // Last, it is fine; a branch's condition is type-checked at its place.
    let text = with(
        r#"emit: [(event: "BookingPaid")]),"#,
        "emit: [], branches: [\n(when: \"cmd.booking_id + 1\", emit: []), // bad\n\
         (emit: [(event: \"BookingPaid\", set: {\"booking_id\": \"cmd.nope\"})])]),",
    );
    finds(&text, Code::ExpressionError, "// bad");
    finds(&text, Code::ExpressionError, "cmd.nope");
    let model = from_str(&text, "m.ron").unwrap();
    assert!(
        !check(&model)
            .iter()
            .any(|d| d.code == Code::MisplacedOtherwise)
    );
}

#[test]
fn sl041_a_same_named_copy_must_fit_the_field_type() {
    // Before: both checked clean and the run carried a Money into a decimal and a decimal
    // into a string.
    let text = with(
        r#"(name: "BookingPaid", owner: "Booking", published: true, fields: [(n: 1, name: "booking_id", ty: "id")]"#,
        r#"(name: "BookingPaid", owner: "Booking", published: true, fields: [(n: 1, name: "booking_id", ty: "id"), (n: 2, name: "price", ty: "decimal")]"#,
    );
    finds(&text, Code::CopiedFieldType, r#"(on: "ConfirmPayment""#);
    let model = from_str(&text, "m.ron").unwrap();
    let msg = check(&model)
        .into_iter()
        .find(|d| d.code == Code::CopiedFieldType)
        .unwrap()
        .message;
    assert_eq!(
        msg,
        "event BookingPaid: field `price` is a `decimal`, but it would be copied from the \
         state's `price`, a `Money`; set it with an expression or rename one of them"
    );
    let text = with(
        r#"(n: 2, name: "amount", ty: "decimal")], at: (900.0, 200.0))"#,
        r#"(n: 2, name: "amount", ty: "string")], at: (900.0, 200.0))"#,
    );
    finds(&text, Code::CopiedFieldType, r#"name: "PayOnBooking""#);
    // An int into a decimal is a copy that fits; an assignment makes any copy unneeded.
    let text = with(
        r#"emit: [(event: "BookingPaid")]"#,
        r#"emit: [(event: "BookingPaid", set: {"booking_id": "cmd.booking_id"})]"#,
    );
    let model = from_str(&text, "m.ron").unwrap();
    assert!(
        !check(&model)
            .iter()
            .any(|d| d.code == Code::CopiedFieldType)
    );
}

#[test]
fn sl012_a_sagas_on_failure_command_is_checked_and_follows_renames() {
    // Before: an on_failure naming no command checked clean and simulate refused the model.
    let text = with(
        r#"ends: [(on: "InvoiceOpened", status: "Completed")]"#,
        r#"ends: [(on: "InvoiceOpened", status: "Completed")], on_failure: (command: "CancelInvoce")"#,
    );
    finds(&text, Code::UnknownIssuedCommand, "CancelInvoce");
    // Renaming the command it names renames the reference.
    let text = with(
        r#"ends: [(on: "InvoiceOpened", status: "Completed")]"#,
        r#"ends: [(on: "InvoiceOpened", status: "Completed")], on_failure: (command: "OpenInvoice")"#,
    );
    let mut model = from_str(&text, "m.ron").unwrap();
    let old = model.clone();
    model.contexts[1].commands[0].name = "StartInvoice".into();
    let ops = stormlab::model::op::diff(&old, &model);
    let mut renamed = old.clone();
    stormlab::model::op::apply_all(&mut renamed, ops).unwrap();
    let saga = &renamed.contexts[1].sagas[0];
    assert_eq!(saga.on_failure.as_ref().unwrap().command, "StartInvoice");
}

#[test]
fn sl042_a_lookup_of_another_contexts_read_model_needs_a_relation() {
    let looked_up = with(
        r#"policies: [(name: "InvoiceOnPayment", on: "Booking.BookingPaid", then: "OpenInvoice""#,
        r#"policies: [(name: "InvoiceOnPayment", on: "Booking.BookingPaid", when: "is_some(lookup(BookingsPerKind, ServiceKind.OilChange))", then: "OpenInvoice""#,
    );
    let model = from_str(&looked_up, "m.ron").unwrap();
    assert!(
        !check(&model)
            .iter()
            .any(|d| d.code == Code::LookupAcrossContexts)
    );
    let unrelated = looked_up.replacen(
        r#"relations: [(upstream: "Booking", downstream: "Billing", pattern: CustomerSupplier)],"#,
        "relations: [],",
        1,
    );
    finds(
        &unrelated,
        Code::LookupAcrossContexts,
        "lookup(BookingsPerKind",
    );
}

#[test]
fn sl043_an_invariant_says_always_or_eventually_and_within_only_for_a_saga() {
    let saga = r#"ends: [(on: "InvoiceOpened", status: "Completed")], at: (600.0, 650.0))],"#;
    // A saga's `eventually … within` over its own names checks clean.
    let clean = with(
        saga,
        r#"ends: [(on: "InvoiceOpened", status: "Completed")], invariants: [(name: "ends within a day", eventually: "status == 'Completed' && now >= started", within: "1d")], at: (600.0, 650.0))],"#,
    );
    let model = from_str(&clean, "m.ron").unwrap();
    assert_eq!(check(&model), vec![]);
    let both = with(
        saga,
        r#"ends: [(on: "InvoiceOpened", status: "Completed")], invariants: [(name: "x", always: "true", eventually: "true")], at: (600.0, 650.0))],"#,
    );
    finds(&both, Code::BadInvariant, "name: \"Fulfilment\"");
    let within = with(
        r#"key: "kind", rules:"#,
        r#"key: "kind", invariants: [(name: "counted", always: "row.count > 0", within: "1h")], rules:"#,
    );
    finds(&within, Code::BadInvariant, "name: \"BookingsPerKind\"");
    // An aggregate's names are not a saga's: `started` is unknown there.
    let names = with(
        r#"appliers: [(on: "InvoiceOpened", to: "Open")], at: (300.0, 650.0))],"#,
        r#"appliers: [(on: "InvoiceOpened", to: "Open")], invariants: [(name: "n", always: "started < now")], at: (300.0, 650.0))],"#,
    );
    finds(&names, Code::ExpressionError, "name: \"Invoice\"");
    // The system's: counts of the run and the read models.
    let system = with(
        "    org: \"acme\",",
        "    org: \"acme\",\n    invariants: [(name: \"few\", always: \"parked + rejected < 10 && !is_some(lookup(BookingsPerKind, ServiceKind.OilChange)) || events > 0\")],",
    );
    let model = from_str(&system, "m.ron").unwrap();
    assert_eq!(check(&model), vec![]);
}

#[test]
fn sl030_a_relation_with_several_patterns_is_read_as_all_of_them() {
    let relation =
        r#"relations: [(upstream: "Booking", downstream: "Billing", pattern: CustomerSupplier)],"#;
    // Billing's policy reacts to a Booking event: allowed by the relation either way.
    let clean = |text: &str| {
        let model = from_str(text, "m.ron").unwrap();
        check(&model)
            .into_iter()
            .filter(|d| d.severity == Severity::Error || d.code == Code::BadRelation)
            .map(|d| d.message)
            .collect::<Vec<_>>()
    };
    let several = with(
        relation,
        r#"relations: [(upstream: "Booking", downstream: "Billing", pattern: OpenHostService, also: [PublishedLanguage, Conformist])],"#,
    );
    assert!(clean(&several).is_empty(), "{:?}", clean(&several));
    let separate = with(
        relation,
        "relations: [(upstream: \"Booking\", downstream: \"Billing\", pattern: CustomerSupplier,\n also: [SeparateWays])], // apart",
    );
    finds(&separate, Code::BadRelation, "// apart");
    // The consumer is cut off too: Separate Ways lets nothing through.
    finds(&separate, Code::MissingRelation, "InvoiceOnPayment");
    // Upstream of Booking, Billing's events reach Booking only if the relation runs both
    // ways: a Partnership among its patterns does.
    let back = r#"(name: "PayOnBooking", on: "ServiceBooked", then: "RequestPayment", at: (600.0, 60.0)),"#;
    let reacting = r#"(name: "PayOnBooking", on: "ServiceBooked", then: "RequestPayment", at: (600.0, 60.0)), (name: "Noted", on: "Billing.InvoiceOpened", then: "ConfirmPayment", at: (700.0, 60.0)),"#;
    let one_way = with(back, reacting);
    let one_way = one_way.replacen(
        r#"(upstream: "Booking", downstream: "Billing", pattern: CustomerSupplier)"#,
        r#"(upstream: "Booking", downstream: "Billing", pattern: CustomerSupplier, also: [Conformist])"#,
        1,
    );
    finds(&one_way, Code::MissingRelation, "Billing.InvoiceOpened");
    let two_way = one_way.replacen("also: [Conformist]", "also: [Partnership]", 1);
    no_missing_relation(&two_way);
}

const SHIPPING: &str = include_str!("fixtures/shipping.ron");

/// The shipping fixture (a saga with state and a join) with `from` replaced by `to`.
fn shipping(from: &str, to: &str) -> String {
    assert_eq!(SHIPPING.matches(from).count(), 1, "`{from}` once");
    SHIPPING.replacen(from, to, 1)
}

#[test]
fn sl044_a_join_waits_for_each_event_once() {
    let join = r#"(on: "PaymentReceived", and: ["StockReserved"], when"#;
    let text = shipping(
        join,
        "(on: \"PaymentReceived\", and: [\"StockReserved\",\n\"PaymentReceived\"], when",
    );
    finds(&text, Code::BadJoin, "\"PaymentReceived\"], when");
    // The join's expressions read only what its events share; the error says so.
    let text = shipping(r#"when: "state.paid > 0""#, r#"when: "event.amount > 0""#);
    finds(&text, Code::ExpressionError, "event.amount > 0");
    let model = from_str(&text, "m.ron").unwrap();
    let msg = check(&model)
        .into_iter()
        .find(|d| d.code == Code::ExpressionError)
        .unwrap()
        .message;
    assert!(
        msg.contains("a join reads only the fields all its events have"),
        "{msg}"
    );
    // `set` names state fields, typed as declared.
    let set = r#""payment_id": "event.payment_id"}"#;
    finds(
        &shipping(set, r#""payment": "event.payment_id"}"#),
        Code::UnknownTargetField,
        "\"payment\":",
    );
    finds(
        &shipping(set, r#""payment_id": "event.amount"}"#),
        Code::ExpressionError,
        "\"payment_id\": \"event.amount\"",
    );
    // The fixture itself is clean.
    let model = from_str(SHIPPING, "m.ron").unwrap();
    assert!(check(&model).is_empty(), "{:?}", check(&model));
}

#[test]
fn sl045_a_saga_step_that_does_nothing_is_a_warning() {
    let text = shipping(
        r#"(on: "StockReserved", set: {"warehouse": "event.warehouse"}),"#,
        "(on: \"StockReserved\"), // idle",
    );
    finds(&text, Code::IdleStep, "// idle");
}
