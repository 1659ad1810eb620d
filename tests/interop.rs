//! Stormlab's formats for other tools, on the example models: the Mermaid export (its pages
//! pinned as golden files; Mermaid's own parser checks them in CI, `tests/mermaid.sh`).

use stormlab::interop::mermaid;
use stormlab::model::Model;
use stormlab::model::file::from_str;
use stormlab::sim::sequence::{self, Sequence};

const MODELS: [&str; 6] = [
    "models/accounts.ron",
    "models/autoservice.ron",
    "models/conference.ron",
    "models/devportal.ron",
    "models/teaching/double-count.ron",
    "models/teaching/double-count-fixed.ron",
];

fn load(path: &str) -> Model {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap();
    from_str(&text, path).unwrap()
}

fn run(model: &Model, scenario: &str, limit: usize) -> Sequence {
    sequence::of_scenario(model, scenario, None, limit).unwrap()
}

fn page(model: &Model) -> String {
    let runs: Vec<_> = model
        .scenarios
        .iter()
        .map(|s| {
            let seq = sequence::of_scenario(model, &s.name, None, 200);
            (s.name.clone(), seq.map_err(|e| e.to_string()))
        })
        .collect();
    mermaid::document(model, &runs)
}

#[test]
fn every_example_page_is_deterministic_and_matches_its_golden_file() {
    // One insta snapshot per model (tests/golden/mermaid): after an intended change, review
    // the new text with `cargo insta review` (or accept with INSTA_UPDATE=always).
    insta::with_settings!({snapshot_path => "golden/mermaid", prepend_module_to_snapshot => false}, {
        for path in MODELS {
            let model = load(path);
            let text = page(&model);
            assert_eq!(text, page(&model.clone()), "{path}: not deterministic");
            let name = path.rsplit('/').next().unwrap().trim_end_matches(".ron");
            insta::assert_snapshot!(name, text);
        }
    });
}

#[test]
fn the_context_map_draws_every_context_and_relation_with_its_patterns() {
    let model = load("models/devportal.ron");
    let text = mermaid::context_map(&model);
    assert!(text.starts_with("---\ntitle: "), "{text}");
    for (i, c) in model.contexts.iter().enumerate() {
        assert!(
            text.contains(&format!("c{i}[\"{}", c.name)),
            "{} missing",
            c.name
        );
    }
    let arrows = text.lines().filter(|l| l.contains("|\"")).count();
    assert_eq!(arrows, model.relations.len(), "{text}");
    for r in &model.relations {
        assert!(
            text.contains(&format!("|\"{}\"|", r.label())),
            "{}",
            r.label()
        );
    }
}

#[test]
fn the_flow_of_one_context_keeps_only_its_stickies() {
    let model = load("models/accounts.ron");
    let whole = mermaid::flow(&model, None);
    let one = mermaid::flow(&model, Some(0));
    assert_eq!(one.matches("subgraph").count(), 1, "{one}");
    assert!(whole.matches("subgraph").count() > 1);
    let name = &model.contexts[0].name;
    assert!(one.contains(&format!("subgraph c0[\"{name}\"]")));
    // Every arrow joins two nodes the diagram declares.
    for line in one
        .lines()
        .filter(|l| l.contains("-->") || l.contains("-.->"))
    {
        for id in line.split_whitespace().filter(|w| w.contains('_')) {
            assert!(
                one.contains(&format!("    {id}")),
                "{id} is not declared: {line}"
            );
        }
    }
}

#[test]
fn a_sequence_marks_rejections_compensations_and_status() {
    let model = load("models/accounts.ron");
    let text = mermaid::sequence(&run(&model, "payment over the limit is compensated", 200));
    // The failing step is a rejection (a cross), not a compensation; what follows is.
    assert!(
        text.contains("-xL2: 08:00:00 ChargePayment o-2 rejected: over the card limit"),
        "{text}"
    );
    assert!(
        text.contains("->>L2: 08:00:00 ↺ ReleaseStock o-2"),
        "{text}"
    );
    assert!(text.contains("->>L1: 08:00:00 ↺ CancelOrder o-2"), "{text}");
    assert!(text.contains("Note over L0: 08:00:00 OrderFulfilment o-2: Compensated"));
}

#[test]
fn a_sequence_notes_parked_deliveries_and_counts_what_it_leaves_out() {
    let model = load("models/autoservice.ron");
    let full = run(&model, "CRM outage parks booking events", usize::MAX);
    let cut = run(&model, "CRM outage parks booking events", 30);
    assert_eq!(cut.rows.len(), 30);
    assert_eq!(cut.rows[..], full.rows[..30]);
    assert_eq!(cut.omitted, full.rows.len() - 30);
    let text = mermaid::sequence(&cut);
    assert!(
        text.contains("Note right of L1: parked by Crm: unavailable (outage)"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with(&format!("… {} more messages not shown", cut.omitted)),
        "{text}"
    );
    // Only lanes some kept message uses are participants.
    for (i, _) in cut.lanes.iter().enumerate().skip(1) {
        assert!(text.contains(&format!("L{i}:")) || text.contains(&format!("L{i}-")));
    }
}

/// The AsyncAPI document at `path` among `docs`, parsed.
fn asyncapi_doc(docs: &[stormlab::export::Generated], path: &str) -> serde_json::Value {
    let d = docs
        .iter()
        .find(|d| d.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    serde_json::from_str(&d.text).unwrap()
}

/// The message ids an operation lists.
fn operation_messages(doc: &serde_json::Value, op: &str) -> Vec<String> {
    doc["operations"][op]["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("no operation {op}"))
        .iter()
        .map(|m| {
            m["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn every_context_has_an_asyncapi_document_beside_its_proto_and_the_system_one_holds_all() {
    use stormlab::interop::asyncapi::{Scope, documents};
    let model = load("models/accounts.ron");
    let docs = documents(&model, Scope::Contexts);
    let protos: Vec<String> = stormlab::export::protos(&model)
        .into_iter()
        .map(|p| p.path.replace(".proto", ".asyncapi.json"))
        .collect();
    assert_eq!(
        docs.iter().map(|d| d.path.clone()).collect::<Vec<_>>(),
        protos
    );
    // Orders publishes its events, takes CancelOrder from Fulfilment's saga and consumes
    // Fulfilment's OrderShipped; Fulfilment receives only the Orders event it consumes.
    let orders = asyncapi_doc(&docs, "example/orders/v1/orders.asyncapi.json");
    assert_eq!(orders["asyncapi"], "3.0.0");
    assert_eq!(orders["info"]["contact"]["name"], "Order team");
    assert_eq!(
        operation_messages(&orders, "ordersSendsOrdersEvents"),
        ["OrderPlaced", "OrderCompleted", "OrderCancelled"]
    );
    assert_eq!(
        operation_messages(&orders, "ordersReceivesOrdersCommands"),
        ["CancelOrder"]
    );
    assert_eq!(
        operation_messages(&orders, "ordersReceivesFulfilmentEvents"),
        ["OrderShipped"]
    );
    assert_eq!(
        orders["channels"]["ordersEvents"]["address"],
        "example.orders.v1.events"
    );
    let fulfilment = asyncapi_doc(&docs, "example/fulfilment/v1/fulfilment.asyncapi.json");
    assert_eq!(
        operation_messages(&fulfilment, "fulfilmentReceivesOrdersEvents"),
        ["OrderPlaced"]
    );
    assert_eq!(
        operation_messages(&fulfilment, "fulfilmentSendsOrdersCommands"),
        ["CancelOrder"]
    );
    // A channel of another context lists only the messages this document uses.
    let channel = &fulfilment["channels"]["ordersEvents"]["messages"];
    assert_eq!(
        channel.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["OrderPlaced"]
    );
    // The system document: every operation of every context.
    let system = documents(&model, Scope::System);
    assert_eq!(system.len(), 1);
    let all = asyncapi_doc(&system, "asyncapi.json");
    let ops = all["operations"].as_object().unwrap();
    for d in &docs {
        let one: serde_json::Value = serde_json::from_str(&d.text).unwrap();
        for op in one["operations"].as_object().unwrap().keys() {
            assert!(
                ops.contains_key(op),
                "{op} missing from the system document"
            );
        }
    }
    assert_eq!(all["info"]["title"], model.name.as_str());
}

#[test]
fn asyncapi_payloads_follow_the_protobuf_json_mapping_of_the_exported_messages() {
    use stormlab::interop::asyncapi::{Scope, documents};
    let model = load("models/accounts.ron");
    let docs = documents(&model, Scope::System);
    let all = asyncapi_doc(&docs, "asyncapi.json");
    let schemas = &all["components"]["schemas"];
    let placed = &schemas["example.orders.v1.OrderPlaced"];
    assert_eq!(placed["properties"]["orderId"]["type"], "string");
    assert_eq!(placed["properties"]["lines"]["type"], "array");
    assert_eq!(
        placed["properties"]["lines"]["items"]["$ref"],
        "#/components/schemas/example.orders.v1.OrderLine"
    );
    assert_eq!(
        placed["properties"]["total"]["pattern"],
        "^-?[0-9]+(\\.[0-9]+)?$"
    );
    // The value object it refers to is there too, and the event header with its correlation id.
    assert_eq!(schemas["example.orders.v1.OrderLine"]["type"], "object");
    assert_eq!(
        schemas["stormlab.EventHeader"]["properties"]["occurredAt"]["format"],
        "date-time"
    );
    let message = &all["components"]["messages"]["orders.OrderPlaced"];
    assert_eq!(
        message["correlationId"]["$ref"],
        "#/components/correlationIds/correlationId"
    );
    assert_eq!(
        message["x-protobuf"]["file"],
        "example/orders/v1/orders.proto"
    );
    assert_eq!(
        message["x-protobuf"]["message"],
        "example.orders.v1.OrderPlaced"
    );
    // Every field of the exported proto message is a property, under its JSON name.
    let schema = stormlab::export::schema::schema(&model);
    let proto = schema
        .files
        .iter()
        .flat_map(|f| &f.messages)
        .find(|m| m.name == "OrderPlaced")
        .unwrap();
    let props = placed["properties"].as_object().unwrap();
    assert_eq!(props.len(), proto.fields.len());
    for f in &proto.fields {
        assert!(props.contains_key(&stormlab::export::json::json_name(&f.name)));
    }
}

#[test]
fn a_withdrawn_event_leaves_the_asyncapi_channel_and_an_internal_one_never_enters_it() {
    use stormlab::interop::asyncapi::{Scope, documents};
    let mut model = load("models/autoservice.ron");
    let booking = &model.contexts[0];
    let published: Vec<String> = booking
        .events
        .iter()
        .filter(|e| e.published)
        .map(|e| e.name.clone())
        .collect();
    let internal: Vec<String> = booking
        .events
        .iter()
        .filter(|e| !e.published)
        .map(|e| e.name.clone())
        .collect();
    assert!(!internal.is_empty());
    let doc = |model: &Model| {
        let docs = documents(model, Scope::Contexts);
        asyncapi_doc(&docs, "huk/booking/v1/booking.asyncapi.json")
    };
    let before = operation_messages(&doc(&model), "bookingSendsBookingEvents");
    assert_eq!(before, published);
    // An event no other context consumes (a consumed one still flows to its consumers).
    let system = asyncapi_doc(&documents(&model, Scope::System), "asyncapi.json");
    let consumed: Vec<String> = system["operations"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|op| op.contains("Receives"))
        .flat_map(|op| operation_messages(&system, op))
        .collect();
    let withdrawn = published
        .iter()
        .find(|e| !consumed.contains(e))
        .expect("an event only Booking reads")
        .clone();
    let e = model.contexts[0]
        .events
        .iter_mut()
        .find(|e| e.name == withdrawn)
        .unwrap();
    e.withdrawn = true;
    let after = operation_messages(&doc(&model), "bookingSendsBookingEvents");
    let expected: Vec<&String> = published.iter().filter(|e| **e != withdrawn).collect();
    assert_eq!(after.iter().collect::<Vec<_>>(), expected);
    for e in &internal {
        assert!(!after.contains(e), "{e} is internal");
    }
}

#[test]
fn the_asyncapi_documents_of_the_examples_match_their_golden_files() {
    use stormlab::interop::asyncapi::{Scope, documents};
    insta::with_settings!({snapshot_path => "golden/asyncapi", prepend_module_to_snapshot => false}, {
        for path in ["models/autoservice.ron", "models/accounts.ron"] {
            let model = load(path);
            let name = path.rsplit('/').next().unwrap().trim_end_matches(".ron");
            let docs = documents(&model, Scope::System);
            assert_eq!(docs, documents(&model.clone(), Scope::System));
            insta::assert_snapshot!(format!("{name}-system"), docs[0].text);
        }
    });
}

#[test]
fn the_eventcatalog_has_a_domain_and_service_per_context_and_a_flow_per_scenario() {
    // EventCatalog's own linter checks every example's catalog in CI (tests/interop.sh); here:
    // its shape, its references, its schemas, and two pinned pages.
    let model = load("models/accounts.ron");
    let files = stormlab::interop::eventcatalog::catalog(&model);
    assert_eq!(
        files,
        stormlab::interop::eventcatalog::catalog(&model),
        "deterministic"
    );
    let text = |path: &str| -> &str {
        &files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .text
    };
    for c in &model.contexts {
        let domain = stormlab::interop::eventcatalog::kebab(&c.name);
        assert!(text(&format!("domains/{domain}/index.mdx")).contains("```mermaid"));
        text(&format!(
            "domains/{domain}/services/{domain}-service/index.mdx"
        ));
    }
    // Every message page has its schema: JSON whose $ref is among its $defs.
    let pages: Vec<&str> = files
        .iter()
        .filter(|f| f.path.contains("/events/") || f.path.contains("/commands/"))
        .filter(|f| f.path.ends_with("index.mdx"))
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        pages.len(),
        model
            .contexts
            .iter()
            .map(|c| c.events.len() + c.commands.len())
            .sum::<usize>()
    );
    for p in &pages {
        let schema = text(&p.replace("index.mdx", "schema.json"));
        let json: serde_json::Value = serde_json::from_str(schema).unwrap();
        let target = json["$ref"]
            .as_str()
            .unwrap()
            .trim_start_matches("#/$defs/");
        assert!(json["$defs"].get(target).is_some(), "{p}");
        assert!(!schema.contains("#/components/"), "{p}");
    }
    // Every flow step refers to a message page; one flow per scenario.
    let ids: Vec<String> = pages
        .iter()
        .map(|p| {
            p.trim_end_matches("/index.mdx")
                .rsplit('/')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    let flows: Vec<&stormlab::export::Generated> = files
        .iter()
        .filter(|f| f.path.starts_with("flows/"))
        .collect();
    assert_eq!(flows.len(), model.scenarios.len());
    for f in &flows {
        for line in f
            .text
            .lines()
            .filter(|l| l.trim_start().starts_with("id: \"") && l.starts_with("      "))
        {
            let id = line
                .trim()
                .trim_start_matches("id: \"")
                .trim_end_matches('"');
            assert!(ids.iter().any(|x| x == id), "{}: {id}", f.path);
        }
    }
    insta::with_settings!({snapshot_path => "golden/eventcatalog", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("orders_service", text("domains/orders/services/orders-service/index.mdx"));
        insta::assert_snapshot!("account_lifecycle_flow", text("flows/account-lifecycle/index.mdx"));
    });
}

#[test]
fn every_example_catalog_matches_its_golden_file() {
    // Per example: the catalog's files, then its services' and flows' pages (the message
    // pages and schemas follow from the contracts, pinned by the AsyncAPI goldens).
    insta::with_settings!({snapshot_path => "golden/eventcatalog", prepend_module_to_snapshot => false}, {
        for path in MODELS {
            let model = load(path);
            let files = stormlab::interop::eventcatalog::catalog(&model);
            let mut text: String = files.iter().map(|f| format!("{}\n", f.path)).collect();
            for f in files.iter().filter(|f| {
                f.path.starts_with("flows/")
                    || (f.path.contains("/services/") && f.path.matches('/').count() == 4)
            }) {
                text.push_str(&format!("\n== {}\n{}", f.path, f.text));
            }
            let name = path.rsplit('/').next().unwrap().trim_end_matches(".ron");
            insta::assert_snapshot!(name, text);
        }
    });
}
