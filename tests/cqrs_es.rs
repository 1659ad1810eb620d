//! `stormlab export tests --for cqrs-es`: tests generated from what the scenarios did, with
//! a skeleton per aggregate (CI compiles every example's crate: tests/cqrs-es.sh). Here: the
//! cases are the runs' own (given events of the instance, the command, what it appended or
//! why it was rejected), the output is deterministic, and one aggregate's tests are pinned.

use stormlab::interop::cqrs_es::crate_files;
use stormlab::model::Model;

fn load(path: &str) -> Model {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&full).unwrap();
    stormlab::model::file::from_str(&text, path).unwrap()
}

fn file<'a>(files: &'a [stormlab::export::Generated], path: &str) -> &'a str {
    &files.iter().find(|f| f.path == path).unwrap().text
}

#[test]
fn the_tests_say_what_the_runs_did_and_match_their_golden_file() {
    let model = load("models/accounts.ron");
    let out = crate_files(&model).unwrap();
    let again = crate_files(&model).unwrap();
    assert_eq!(out.files, again.files, "deterministic");
    let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
    for p in [
        "Cargo.toml",
        "src/lib.rs",
        "src/accounts_account.rs",
        "tests/accounts_account.rs",
    ] {
        assert!(paths.contains(&p), "{paths:?}");
    }
    let tests = file(&out.files, "tests/accounts_account.rs");
    // The scenario "account lifecycle" forges a confirmation token: that command's test
    // expects the model's reason, after the instance's two earlier events.
    let forged = tests
        .split("#[test]")
        .find(|t| t.contains("String::from(\"forged\")"))
        .expect("the forged confirmation is a test");
    assert!(forged.contains("AccountEvent::AccountCreated"), "{forged}");
    assert!(forged.contains("AccountEvent::AccountPending"), "{forged}");
    assert!(
        forged.contains(".then_expect_error_message(\"the confirmation link is not valid\")"),
        "{forged}"
    );
    // A first command has no history; what it appended is expected with its fields.
    let first = tests.split("#[test]").nth(1).unwrap();
    assert!(first.contains(".given_no_previous_events()"), "{first}");
    assert!(first.contains(".then_expect_events("), "{first}");
    // The skeleton declares what the tests use and leaves the decisions to write.
    let skeleton = file(&out.files, "src/accounts_account.rs");
    assert!(skeleton.contains("pub enum AccountCommand"), "{skeleton}");
    assert!(skeleton.contains("CreateAccount { account_id: ::std::string::String"));
    assert!(skeleton.contains("todo!(\"decide as the model's handlers of Account do\")"));
    assert!(
        skeleton.contains("reject \"an e-mail address has an @\""),
        "{skeleton}"
    );
    insta::with_settings!({snapshot_path => "golden/cqrs_es", prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("accounts_account_tests", tests);
        insta::assert_snapshot!("accounts_account_skeleton", skeleton);
    });
}

#[test]
fn a_load_gives_a_bounded_number_of_distinct_tests_per_command() {
    // The autoservice outage scenario issues a load of bookings: the tests stay few, and no
    // two are the same.
    let model = load("models/autoservice.ron");
    let out = crate_files(&model).unwrap();
    let tests = file(&out.files, "tests/booking_booking.rs");
    let bodies: Vec<&str> = tests
        .split("#[test]")
        .skip(1)
        .map(|t| t.split_once('{').unwrap().1)
        .collect();
    let distinct: std::collections::BTreeSet<&str> = bodies.iter().copied().collect();
    assert_eq!(distinct.len(), bodies.len(), "no duplicates");
    let commands = model.contexts[0].commands.len();
    assert!(
        bodies.len() <= commands * stormlab::interop::cqrs_es::PER_COMMAND,
        "{}",
        bodies.len()
    );
}

#[test]
fn every_example_crate_matches_its_golden_outline() {
    // Per example: each file, and for each test its name and the command it sends (the
    // whole of one aggregate's tests is pinned above; CI compiles them all).
    let models = [
        "models/accounts.ron",
        "models/autoservice.ron",
        "models/conference.ron",
        "models/devportal.ron",
        "models/teaching/double-count.ron",
        "models/teaching/double-count-fixed.ron",
    ];
    insta::with_settings!({snapshot_path => "golden/cqrs_es", prepend_module_to_snapshot => false}, {
        for path in models {
            let out = crate_files(&load(path)).unwrap();
            let mut text = String::new();
            for f in &out.files {
                text.push_str(&format!("{}\n", f.path));
                let mut name = None;
                for line in f.text.lines() {
                    if let Some(n) = line.strip_prefix("fn ") {
                        name = n.split('(').next().map(str::to_owned);
                    }
                    if let (Some(n), Some(cmd)) = (&name, line.trim().strip_prefix(".when(")) {
                        let cmd = cmd.split(" {").next().unwrap_or(cmd);
                        text.push_str(&format!("  {n}: {cmd}\n"));
                        name = None;
                    }
                }
            }
            for n in &out.notes {
                text.push_str(&format!("note: {n}\n"));
            }
            let name = path.rsplit('/').next().unwrap().trim_end_matches(".ron");
            insta::assert_snapshot!(name, text);
        }
    });
}

#[test]
fn a_skeleton_says_which_commands_a_handler_schedules() {
    let model = load("models/conference.ron");
    let out = crate_files(&model).unwrap();
    let skeleton = file(&out.files, "src/sponsorship_sponsor.rs");
    assert!(
        skeleton.contains(
            "emits `ContractSigned`; schedules `ChaseInvoice` after `days(cmd.payment_days)` \
             unless InvoicePaid"
        ),
        "{skeleton}"
    );
}
