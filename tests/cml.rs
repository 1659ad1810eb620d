//! `stormlab import cml` on Context Mapper's own example models (tests/fixtures/cml, Apache
//! 2.0): each imports deterministically into a model that checks without errors, with the
//! notes on what it cannot hold pinned as golden files; the context map's patterns and
//! roles, aggregates, flows and teams land where a modeller expects them; broken files get
//! an error with their place, and no input makes the importer panic.

use std::collections::BTreeSet;
use std::process::Command;

use stormlab::interop::cml::{Imported, import};
use stormlab::model::check::check;
use stormlab::model::diagnostic::Severity;
use stormlab::model::locate::line_col;
use stormlab::model::{Model, Pattern, Type};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/cml/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

fn fixtures() -> Vec<String> {
    let dir = format!("{}/tests/fixtures/cml", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".cml"))
        .collect();
    names.sort();
    names
}

fn imported(name: &str) -> Imported {
    import(&fixture(name), name.trim_end_matches(".cml")).unwrap()
}

/// The notes as `line:col: message`, then what was imported: contexts with their teams and
/// aggregates, relations with their patterns.
fn report(src: &str, i: &Imported) -> String {
    let mut out = String::new();
    for n in &i.notes {
        let at = line_col(src, n.span.start);
        out.push_str(&format!("{}:{}: {}\n", at.line, at.col, n.message));
    }
    out.push('\n');
    for c in &i.model.contexts {
        out.push_str(&format!("context {} (team {:?})\n", c.name, c.team));
        for a in &c.aggregates {
            let state: Vec<String> = a
                .state
                .iter()
                .map(|f| format!("{}: {}", f.name, f.ty))
                .collect();
            out.push_str(&format!(
                "  aggregate {} id {} state [{}] lifecycle [{}]\n",
                a.name,
                a.id,
                state.join(", "),
                a.lifecycle.join(", ")
            ));
        }
        let names = |v: Vec<&str>| v.join(", ");
        out.push_str(&format!(
            "  values [{}]\n  enums [{}]\n  commands [{}]\n  events [{}]\n  policies [{}]\n",
            names(c.values.iter().map(|x| x.name.as_str()).collect()),
            names(c.enums.iter().map(|x| x.name.as_str()).collect()),
            names(c.commands.iter().map(|x| x.name.as_str()).collect()),
            names(c.events.iter().map(|x| x.name.as_str()).collect()),
            names(c.policies.iter().map(|x| x.name.as_str()).collect()),
        ));
    }
    for r in &i.model.relations {
        out.push_str(&format!(
            "relation {} -> {}: {}\n",
            r.upstream,
            r.downstream,
            r.label()
        ));
    }
    out
}

fn errors(model: &Model) -> Vec<String> {
    check(model)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect()
}

#[test]
fn every_example_imports_deterministically_checks_clean_and_matches_its_golden_notes() {
    // One insta snapshot per example (tests/golden/cml): review changes with `cargo insta
    // review` (or accept with INSTA_UPDATE=always).
    let names = fixtures();
    assert!(names.len() >= 13, "{names:?}");
    insta::with_settings!({snapshot_path => "golden/cml", prepend_module_to_snapshot => false}, {
        for name in names {
            let src = fixture(&name);
            let i = imported(&name);
            let again = imported(&name);
            assert_eq!(
                stormlab::model::file::to_string(&i.model),
                stormlab::model::file::to_string(&again.model),
                "{name}: not deterministic"
            );
            assert_eq!(errors(&i.model), Vec::<String>::new(), "{name}");
            // The written model reads back as it was.
            let text = stormlab::model::file::to_string(&i.model);
            let back = stormlab::model::file::from_str(&text, &name).unwrap();
            assert_eq!(back, i.model, "{name}");
            insta::assert_snapshot!(name.trim_end_matches(".cml"), report(&src, &i));
        }
    });
}

fn relations(model: &Model) -> BTreeSet<(String, String, Vec<Pattern>)> {
    model
        .relations
        .iter()
        .map(|r| {
            let mut p: Vec<Pattern> = r.patterns().collect();
            p.sort();
            (r.upstream.to_string(), r.downstream.to_string(), p)
        })
        .collect()
}

#[test]
fn the_context_map_keeps_both_sides_roles_in_either_syntax() {
    let model = imported("Insurance-Example-Stage-5.cml").model;
    let rels = relations(&model);
    use Pattern::*;
    let expect = |up: &str, down: &str, mut p: Vec<Pattern>| {
        p.sort();
        assert!(
            rels.contains(&(up.into(), down.into(), p.clone())),
            "{up} -> {down} {p:?} not in {rels:#?}"
        );
    };
    // CustomerSelfServiceContext [D,C]<-[U,S] CustomerManagementContext
    expect(
        "CustomerManagementContext",
        "CustomerSelfServiceContext",
        vec![CustomerSupplier],
    );
    // CustomerManagementContext [D,ACL]<-[U,OHS,PL] PrintingContext
    expect(
        "PrintingContext",
        "CustomerManagementContext",
        vec![OpenHostService, PublishedLanguage, AnticorruptionLayer],
    );
    // PolicyManagementContext [D,CF]<-[U,OHS,PL] CustomerManagementContext
    expect(
        "CustomerManagementContext",
        "PolicyManagementContext",
        vec![OpenHostService, PublishedLanguage, Conformist],
    );
    expect(
        "RiskManagementContext",
        "PolicyManagementContext",
        vec![Partnership],
    );
    expect(
        "PolicyManagementContext",
        "DebtCollection",
        vec![SharedKernel],
    );
    assert_eq!(rels.len(), 7);
    // The same map in the keyword syntax (`Upstream-Downstream`, `Customer-Supplier`, …).
    let alternative = imported("Insurance-Example_Alternative-Relationship-Syntax.cml").model;
    assert_eq!(relations(&alternative), rels);
    // Teams (`type = TEAM`) are not contexts; an aggregate's owner is its context's team.
    let names: Vec<&str> = model.contexts.iter().map(|c| c.name.as_str()).collect();
    assert!(!names.iter().any(|n| n.ends_with("Team")), "{names:?}");
    let ctx = |n: &str| model.contexts.iter().find(|c| c.name == n).unwrap();
    assert_eq!(ctx("DebtCollection").team, "FinancesTeam");
    // The upstream's exposed aggregates publish their events (Printing exposes Printing).
    assert!(ctx("PrintingContext").doc.contains("Document Printing"));
}

#[test]
fn aggregates_keep_their_root_state_ids_references_and_value_objects() {
    let model = imported("Insurance-Example-Stage-5.cml").model;
    let ctx = |n: &str| model.contexts.iter().find(|c| c.name == n).unwrap();
    let policy = ctx("PolicyManagementContext");
    let offers = policy
        .aggregates
        .iter()
        .find(|a| a.name == "Offers")
        .unwrap();
    // `int offerId` names the aggregate's id; `- Customer client` refers to another
    // aggregate's root, so by id; `- List<Product> products` to a list of ids.
    assert_eq!(offers.id, "offer_id");
    let ty = |n: &str| {
        offers
            .state
            .iter()
            .find(|f| f.name == n)
            .map(|f| f.ty.clone())
    };
    assert_eq!(ty("client"), Some(Type::Id));
    assert_eq!(ty("products"), Some(Type::List(Box::new(Type::Id))));
    assert_eq!(ty("price"), Some(Type::Decimal));
    assert_eq!(ty("offer_id"), None, "the id is not state");
    // A value object and a non-root entity of an aggregate are value objects of the context.
    let values: Vec<&str> = policy.values.iter().map(|v| v.name.as_str()).collect();
    assert!(
        values.contains(&"ContractId") && values.contains(&"Policy"),
        "{values:?}"
    );
    // `- ContractId identifier` keeps the value object's type.
    let contract = policy
        .aggregates
        .iter()
        .find(|a| a.name == "Contract")
        .unwrap();
    assert!(
        contract
            .state
            .iter()
            .any(|f| f.name == "identifier" && f.ty == Type::Named("ContractId".into())),
        "{:?}",
        contract.state
    );
}

#[test]
fn a_flow_becomes_handlers_appliers_and_policies_that_run() {
    let i = imported("InsuranceQuoteRequest.cml");
    let ctx = &i.model.contexts[0];
    let agg = &ctx.aggregates[0];
    assert_eq!(agg.name, "QuoteRequest");
    // The lifecycle enum is the aggregate's lifecycle, after the state before creation.
    assert_eq!(
        agg.lifecycle,
        [
            "New",
            "Submitted",
            "Received",
            "Rejected",
            "Accepted",
            "Expired",
            "PolicyCreated"
        ]
    );
    // command SubmitRequest delegates to QuoteRequest[-> SUBMITTED] emits event RequestSubmitted
    let submit = agg
        .handlers
        .iter()
        .find(|h| h.on == "SubmitRequest")
        .unwrap();
    assert_eq!(submit.states, ["New"]);
    assert_eq!(submit.emit[0].event, "RequestSubmitted");
    let applier = agg
        .appliers
        .iter()
        .find(|a| a.on == "RequestSubmitted")
        .unwrap();
    assert_eq!(applier.to.as_deref(), Some("Submitted"));
    // operation checkRequest … [SUBMITTED -> RECEIVED X REJECTED] emits QuoteReceived X
    // RequestRejected: a command CheckRequest whose outcomes are branches, each event
    // moving to its own state.
    let check_request = agg
        .handlers
        .iter()
        .find(|h| h.on == "CheckRequest")
        .unwrap();
    assert_eq!(check_request.states, ["Submitted"]);
    let outcomes: Vec<(Option<&str>, &str)> = check_request
        .branches
        .iter()
        .map(|b| (b.when.as_deref(), b.emit[0].event.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [(Some("false"), "RequestRejected"), (None, "QuoteReceived")]
    );
    let to = |e: &str| {
        agg.appliers
            .iter()
            .find(|a| a.on == e)
            .and_then(|a| a.to.clone())
    };
    assert_eq!(to("RequestRejected").as_deref(), Some("Rejected"));
    assert_eq!(to("QuoteReceived").as_deref(), Some("Received"));
    // event RequestSubmitted triggers operation checkRequest
    let policy = ctx
        .policies
        .iter()
        .find(|p| p.on == "RequestSubmitted")
        .unwrap();
    assert_eq!(policy.then, "CheckRequest");
    // Commands and events carry the aggregate's id, so the model runs.
    assert!(
        ctx.commands
            .iter()
            .all(|c| c.fields.iter().any(|f| f.name == agg.id))
    );
    let note = i
        .notes
        .iter()
        .any(|n| n.message.contains("QuoteReceived X RequestRejected"));
    assert!(note, "{:#?}", i.notes);
}

#[test]
fn a_broken_file_is_an_error_at_its_place() {
    let cases = [
        (
            "BoundedContext A {\n  Aggregate B {\n",
            "never closed",
            2,
            15,
        ),
        (
            "ContextMap {\n  A -> \n}\n",
            "expected a bounded context, found `}`",
            3,
            1,
        ),
        ("ContextMap {\n  A => B\n}\n", "expected `->`", 2, 5),
        (
            "BoundedContext A { domainVisionStatement = \"open }",
            "never closed",
            1,
            44,
        ),
        ("}\n", "closes no block", 1, 1),
    ];
    for (src, says, line, col) in cases {
        let e = import(src, "broken").unwrap_err();
        assert!(e.message.contains(says), "{src:?}: {}", e.message);
        let at = line_col(src, e.span.start);
        assert_eq!((at.line, at.col), (line, col), "{src:?}: {}", e.message);
    }
}

#[test]
fn what_it_cannot_map_is_noted_with_its_line_and_skipped() {
    let src = "Domain Insurance { Subdomain Claims }\n\
               UserStory US1 { As a \"clerk\" I want to \"create\" a \"Claim\" so that \"paid\" }\n\
               BoundedContext Claims {\n  Aggregate Claim {\n    Entity Claim { aggregateRoot\n      \
               String text\n      def void close();\n      Repository ClaimRepo { findAll; }\n    }\n  }\n  \
               Frobnicate X { deep { nesting } }\n}\n";
    let i = import(src, "notes").unwrap();
    let lines: Vec<(usize, &str)> = i
        .notes
        .iter()
        .map(|n| (line_col(src, n.span.start).line, n.message.as_str()))
        .collect();
    let has = |line: usize, says: &str| lines.iter().any(|(l, m)| *l == line && m.contains(says));
    assert!(has(1, "Domain Insurance"), "{lines:#?}");
    assert!(has(2, "UserStory US1"), "{lines:#?}");
    assert!(has(7, "operation close"), "{lines:#?}");
    assert!(has(8, "repository ClaimRepo"), "{lines:#?}");
    assert!(has(11, "Frobnicate X"), "{lines:#?}");
    // The rest imports: the aggregate with its state.
    let claim = &i.model.contexts[0].aggregates[0];
    assert_eq!(claim.state[0].name, "text");
}

#[test]
fn no_prefix_of_any_example_makes_the_importer_panic() {
    // Every file cut at many places: an error or a model, never a panic (bounded: at most
    // 300 cuts per file).
    for name in fixtures() {
        let src = fixture(&name);
        let step = (src.len() / 300).max(1);
        let mut at = 0;
        while at < src.len() {
            if src.is_char_boundary(at) {
                let _ = import(&src[..at], "cut");
            }
            at += step;
        }
    }
}

fn stormlab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_stormlab"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_command_writes_the_model_lists_the_notes_and_never_overwrites_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("quotes.ron");
    let out_s = out.to_str().unwrap();
    let cml = format!(
        "{}/tests/fixtures/cml/InsuranceQuoteRequest.cml",
        env!("CARGO_MANIFEST_DIR")
    );
    let run = stormlab(&["import", "cml", &cml, "-o", out_s]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(err.contains("InsuranceQuoteRequest.cml:74:5:"), "{err}");
    assert!(
        err.contains("warning: `QuoteReceived X RequestRejected`"),
        "{err}"
    );
    assert!(err.contains("0 errors"), "{err}");
    // The written model checks clean and runs through `stormlab check`.
    let checked = stormlab(&["check", out_s]);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    // An existing file is kept unless --force.
    std::fs::write(&out, "mine").unwrap();
    let again = stormlab(&["import", "cml", &cml, "-o", out_s]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    let forced = stormlab(&["import", "cml", &cml, "-o", out_s, "--force"]);
    assert!(forced.status.success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("QuoteRequest")
    );
    // A broken file: exit 1, the error with its place; a missing file: exit 2.
    let broken = dir.path().join("broken.cml");
    std::fs::write(&broken, "BoundedContext A {\n  Aggregate B {\n").unwrap();
    let bad = stormlab(&["import", "cml", broken.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("broken.cml:2:15") && err.contains("never closed"),
        "{err}"
    );
    let missing = stormlab(&["import", "cml", "/nonexistent/x.cml"]);
    assert_eq!(missing.status.code(), Some(2));
}
