//! The command line, run as a user would: exit codes and what is printed.

use std::process::Command;

fn stormlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_stormlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_model(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The clean fixture with a field misspelt in a guard (SL005), written as `b.ron` in `dir`,
/// and the line of the misspelling.
fn misspelt(dir: &tempfile::TempDir) -> (String, usize) {
    let clean = include_str!("fixtures/clean.ron");
    let path = temp_model(
        dir,
        "b.ron",
        &clean.replacen("cmd.price.amount > 0", "cmd.price.amout > 0", 1),
    );
    let line = line_of(clean, "cmd.price.amount > 0");
    (path, line)
}

/// The 1-based line of `text` that first contains `marker`.
fn line_of(text: &str, marker: &str) -> usize {
    text.lines().position(|l| l.contains(marker)).unwrap() + 1
}

const MODELS: [&str; 4] = [
    "models/autoservice.ron",
    "models/conference.ron",
    "models/devportal.ron",
    "models/accounts.ron",
];

#[test]
fn check_passes_on_the_examples_and_places_errors_in_broken_files() {
    let (code, out, _) = stormlab(&[&["check"][..], &MODELS[..]].concat());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("models/accounts.ron: 0 error(s)"));
    let dir = tempfile::tempdir().unwrap();
    let clean = include_str!("fixtures/clean.ron");
    let (broken, line) = misspelt(&dir);
    let (code, out, _) = stormlab(&["check", &broken]);
    assert_eq!(code, 1);
    assert!(out.contains(&format!("b.ron:{line}:")), "{out}");
    assert!(
        out.contains("error[SL005]") && out.contains("did you mean `amount`?"),
        "{out}"
    );
    let truncated = temp_model(&dir, "t.ron", &clean[..clean.len() / 3]);
    let (code, out, _) = stormlab(&["check", &truncated]);
    assert_eq!(code, 1);
    assert!(
        out.contains("t.ron:") && out.contains("error[SL038]"),
        "{out}"
    );
}

#[test]
fn check_shows_a_snippet_with_the_place_underlined_or_one_line_with_format_short() {
    let dir = tempfile::tempdir().unwrap();
    let (broken, line) = misspelt(&dir);
    let (code, out, _) = stormlab(&["check", &broken]);
    assert_eq!(code, 1);
    // The source line, and carets under the misspelt name only.
    let source = out
        .lines()
        .find(|l| l.contains("│") && l.contains("cmd.price.amout > 0"))
        .unwrap_or_else(|| panic!("the line is shown: {out}"));
    let carets = out
        .lines()
        .find(|l| l.contains('^'))
        .unwrap_or_else(|| panic!("a caret line: {out}"));
    let col = source.find("amout").unwrap();
    assert_eq!(carets.find('^'), Some(col), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "no colour codes when not a terminal: {out}"
    );
    let (code, out, _) = stormlab(&["check", "--format", "short", &broken]);
    assert_eq!(code, 1);
    let first = out.lines().next().unwrap();
    assert!(
        first.contains(&format!("b.ron:{line}:")) && first.contains(": error[SL005]: "),
        "{out}"
    );
}

#[test]
fn a_missing_field_points_at_the_element_that_lacks_it_with_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let model = temp_model(
        &dir,
        "m.ron",
        "(format: 2, name: \"x\", contexts: [(name: \"A\",\n  commands: [(name: \"C\",\n    doc: \"\")]\n)])",
    );
    let (code, out, _) = stormlab(&["check", "--format", "short", &model]);
    assert_eq!(code, 1);
    assert!(
        out.contains(
            "m.ron:2:14: error[SL038]: this `Command` (up to 3:12) lacks the field `target`"
        ),
        "{out}"
    );
    // Commands that refuse the file print it on stderr.
    let (code, _, err) = stormlab(&["test", &model]);
    assert_eq!(code, 1);
    assert!(
        err.contains("error[SL038]") && err.contains("m.ron:2:14"),
        "{err}"
    );
}

#[test]
fn check_prints_json_and_sarif_that_tools_can_read() {
    let dir = tempfile::tempdir().unwrap();
    let (broken, line) = misspelt(&dir);
    let missing = dir.path().join("missing.ron").display().to_string();
    let (code, out, _) = stormlab(&["check", "--format", "json", &broken, MODELS[0], &missing]);
    assert_eq!(code, 2, "the unreadable file is the worst");
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["schema"], 1);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 3);
    let finding = &files[0]["findings"][0];
    assert_eq!(finding["code"], "SL005");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["line"], line);
    assert_eq!(
        finding["end_column"].as_u64().unwrap() - finding["column"].as_u64().unwrap(),
        5,
        "`amout`"
    );
    assert_eq!(finding["element"]["kind"], "aggregate");
    assert_eq!(files[1]["errors"], 0);
    assert!(files[1]["elements"].as_u64().unwrap() > 10);
    assert!(
        files[2]["unreadable"]
            .as_str()
            .unwrap()
            .contains("cannot read")
    );
    assert_eq!(doc["errors"], 1);

    let (code, out, _) = stormlab(&["check", "--format", "sarif", &broken, &missing]);
    assert_eq!(code, 2);
    let log: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let result = &run["results"][0];
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
        result["ruleId"]
    );
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], line);
    assert!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("b.ron")
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

#[test]
fn test_diff_and_simulate_print_json_summaries() {
    let (code, out, _) = stormlab(&["test", "--format", "json", MODELS[3]]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    let scenarios = doc["files"][0]["scenarios"].as_array().unwrap();
    assert!(!scenarios.is_empty());
    assert!(scenarios.iter().all(|s| s["passed"] == true));
    assert_eq!(doc["passed"].as_u64().unwrap() as usize, scenarios.len());

    let dir = tempfile::tempdir().unwrap();
    let (broken, _) = misspelt(&dir);
    let (code, out, err) = stormlab(&["test", "--format", "json", &broken]);
    assert_eq!(code, 1);
    assert!(err.is_empty(), "JSON mode keeps stderr quiet: {err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["files"][0]["refused"]["findings"][0]["code"], "SL005");

    let (code, out, _) = stormlab(&["diff", "--format", "json", MODELS[0], MODELS[0]]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["compatible"], true);
    assert_eq!(doc["buf_category"], "WIRE_JSON");

    let (code, out, _) = stormlab(&[
        "simulate",
        "--format",
        "json",
        "models/autoservice.ron",
        "--scenario",
        "CRM outage parks booking events",
        // Before the redrive that ends the scenario.
        "--until",
        "10:14",
    ]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["faults"][0]["outages"][0]["from"], "10:00");
    let parked = doc["parked"].as_array().unwrap();
    assert_eq!(doc["dead_letters"].as_u64().unwrap() as usize, parked.len());
    assert!(!parked.is_empty());
    assert!(
        parked[0]["position"].as_u64().unwrap() >= 1,
        "positions count from 1"
    );
    let by_type: u64 = doc["events_by_type"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(by_type, doc["events"].as_u64().unwrap());
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::io::Read as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_stormlab"))
        .args(["check", "--format", "sarif"])
        .args(MODELS)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read nothing: close the pipe at once, as `| head -0` does.
    drop(child.stdout.take());
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(status.code(), Some(0 | 141)), "{status:?}: {err}");
}

#[test]
fn fmt_check_is_clean_on_the_examples() {
    let (code, out, err) = stormlab(&[&["fmt", "--check"][..], &MODELS[..]].concat());
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn every_example_scenario_passes_its_expectations() {
    let (code, out, err) = stormlab(&[&["test"][..], &MODELS[..]].concat());
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.trim_end().ends_with("0 failed"), "{out}");
    assert!(out.matches("PASS").count() >= 12);
}

#[test]
fn a_failing_expectation_fails_the_test_run_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string("models/conference.ron")
        .unwrap()
        .replacen("\"complimentary\": \"5\"", "\"complimentary\": \"6\"", 1);
    let path = temp_model(&dir, "c.ron", &text);
    let (code, out, _) = stormlab(&["test", &path]);
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL")
            && out.contains("TicketSales[conf-2024].complimentary = 6, but it is 5"),
        "{out}"
    );
    assert!(out.trim_end().ends_with("1 failed"), "{out}");
}

#[test]
fn the_same_seed_gives_the_same_log_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let logs: Vec<Vec<u8>> = (0..2)
        .map(|i| {
            let log = dir.path().join(format!("run{i}.jsonl"));
            let (code, _, err) = stormlab(&[
                "simulate",
                "models/accounts.ron",
                "--scenario",
                "flaky saga delivery is remediated",
                "--log",
                log.to_str().unwrap(),
            ]);
            assert_eq!(code, 0, "{err}");
            std::fs::read(log).unwrap()
        })
        .collect();
    assert!(!logs[0].is_empty());
    assert_eq!(logs[0], logs[1]);
    let other = dir.path().join("other.jsonl");
    stormlab(&[
        "simulate",
        "models/accounts.ron",
        "--scenario",
        "flaky saga delivery is remediated",
        "--seed",
        "99",
        "--log",
        other.to_str().unwrap(),
    ]);
    assert_ne!(
        std::fs::read(other).unwrap(),
        logs[0],
        "another seed, another run"
    );
}

#[test]
fn simulate_lists_scenarios_and_explains_bad_arguments() {
    let (code, out, _) = stormlab(&["simulate", "models/conference.ron", "--list-scenarios"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().next(), Some("gold sponsor gets five tickets"));
    let (code, _, err) = stormlab(&["simulate", "models/conference.ron", "--scenario", "golden"]);
    assert_eq!(code, 2, "bad usage");
    assert!(
        err.contains("no scenario is called `golden`; scenarios: gold sponsor gets five tickets"),
        "{err}"
    );
    let (code, _, err) = stormlab(&[
        "simulate",
        "models/conference.ron",
        "--scenario",
        "public sales",
        "--seed=18446744073709551616",
    ]);
    assert_eq!(code, 2, "bad usage");
    assert!(
        err.contains("a seed is a whole number from 0 to 18446744073709551615"),
        "{err}"
    );
}

#[test]
fn bad_scenario_values_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let clean = include_str!("fixtures/clean.ron");
    let div = temp_model(
        &dir,
        "d.ron",
        &clean.replacen(
            "\"booking_id\": \"'b-1'\"",
            "\"booking_id\": \"str(1 / (1 - 1))\"",
            1,
        ),
    );
    let (code, out, _) = stormlab(&["test", &div]);
    assert_eq!(code, 1);
    assert!(out.contains("division by zero"), "{out}");
    let zero_rate = temp_model(&dir, "z.ron", &clean.replacen("when: [Command(", "when: [Load(at: \"0s\", command: \"ConfirmPayment\", count: 3, every: \"0s\"), Command(", 1));
    let (code, _, err) = stormlab(&["simulate", &zero_rate, "--scenario", "happy path"]);
    assert_eq!(code, 1);
    let line = line_of(clean, "when: [Command(");
    assert!(
        err.contains(&format!("z.ron:{line}:"))
            && err.contains("SL023")
            && err.contains("not simulated"),
        "{err}"
    );
}

#[test]
fn a_field_type_nested_thousands_deep_is_an_error_in_every_command_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let clean = include_str!("fixtures/clean.ron");
    let deep = format!("{}int{}", "list<".repeat(15_000), ">".repeat(15_000));
    let model = temp_model(
        &dir,
        "deep.ron",
        &clean.replacen(r#"ty: "decimal""#, &format!(r#"ty: "{deep}""#), 1),
    );
    let out = dir.path().join("out");
    let out = out.display().to_string();
    for args in [
        vec!["check", &model],
        vec!["test", &model],
        vec!["simulate", &model, "--scenario", "any"],
        vec!["export", "proto", &model, "-o", &out],
        vec!["diff", &model, &model],
    ] {
        let (code, stdout, err) = stormlab(&args);
        assert_eq!(code, 1, "{args:?}: {stdout}{err}");
        // `check` prints findings on stdout, the others print what stops them on stderr.
        let err = if args[0] == "check" { stdout } else { err };
        assert!(
            err.contains("deep.ron:10:") && err.contains("nest at most 16 deep"),
            "{args:?}: {err}"
        );
        assert!(
            err.len() < 400,
            "the error does not repeat the whole type: {err}"
        );
    }
}

#[test]
fn simulate_and_test_refuse_a_model_with_errors_by_printing_them_with_their_places() {
    let dir = tempfile::tempdir().unwrap();
    let (broken, line) = misspelt(&dir);
    for (args, what) in [
        (
            vec!["simulate", &broken, "--scenario", "happy path"],
            "not simulated",
        ),
        (vec!["test", &broken], "not tested"),
    ] {
        let (code, _, err) = stormlab(&args);
        assert_eq!(code, 1, "{args:?}");
        assert!(
            err.contains(&format!("b.ron:{line}:")) && err.contains("error[SL005]"),
            "{args:?}: {err}"
        );
        assert!(err.contains(what), "{err}");
    }
}

#[test]
fn exit_codes_say_findings_1_and_usage_or_io_2_and_a_typo_gets_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let (broken, _) = misspelt(&dir);
    let missing = dir.path().join("missing.ron").display().to_string();
    assert_eq!(stormlab(&["check", &broken]).0, 1, "findings");
    assert_eq!(
        stormlab(&["check", &missing]).0,
        2,
        "a file that cannot be read"
    );
    assert_eq!(
        stormlab(&["check", &broken, &missing]).0,
        2,
        "the worst of both"
    );
    assert_eq!(stormlab(&["test", &missing]).0, 2);
    assert_eq!(stormlab(&["diff", &missing, &broken]).0, 2);
    assert_eq!(stormlab(&["check", "--no-such-flag"]).0, 2, "bad usage");
    let (code, _, err) = stormlab(&["simulate", "models/accounts.ron", "--scenario", "nope"]);
    assert_eq!(code, 2, "an unknown scenario is bad usage: {err}");
    let (code, _, err) = stormlab(&["chek", "models/accounts.ron"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `check`?"), "{err}");
    let (code, _, err) = stormlab(&["tset"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown command `tset`; did you mean `test`?"),
        "{err}"
    );
    // The size limit applies while reading: an endless file is refused, not read whole.
    if std::path::Path::new("/dev/zero").exists() {
        let (code, _, err) = stormlab(&["check", "/dev/zero"]);
        assert_eq!(code, 2);
        assert!(err.contains("larger than 64 MiB"), "{err}");
    }
}

#[test]
fn a_simulated_outage_scenario_says_which_faults_it_injects() {
    let (code, out, _) = stormlab(&[
        "simulate",
        "models/autoservice.ron",
        "--scenario",
        "CRM outage parks booking events",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("outage:   Crm from 10:00 until 10:15"),
        "{out}"
    );
    let (_, out, _) = stormlab(&[
        "simulate",
        "models/accounts.ron",
        "--scenario",
        "flaky saga delivery is remediated",
    ]);
    assert!(
        out.contains("faults:   OrderFulfilment fails 30 % of deliveries"),
        "{out}"
    );
}

#[test]
fn explore_finds_the_teaching_bug_writes_a_reproducer_and_refuses_bad_options() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("repro.ron").display().to_string();
    let bug = "models/teaching/double-count.ron";
    let busy = [
        "--scenario",
        "a busy morning",
        "--runs",
        "200",
        "--jobs",
        "2",
    ];
    let mut args = vec!["explore", bug];
    args.extend(busy);
    args.extend(["-o", &out]);
    let (code, stdout, _) = stormlab(&args);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with("FAIL “a busy morning”: 200 run(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("fault: StockView gets"), "{stdout}");
    assert!(
        stdout.contains("led there: command PlaceOrder to"),
        "{stdout}"
    );
    // The reproducer fails `stormlab test` on the invariant; the model's own scenarios pass.
    let (code, stdout, _) = stormlab(&["test", &out]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("3 passed, 1 failed"), "{stdout}");
    assert!(stdout.contains("broken by StockView row"), "{stdout}");
    // The fixed version: nothing found, exit 0; the report as JSON.
    let mut args = vec![
        "explore",
        "models/teaching/double-count-fixed.ron",
        "--format",
        "json",
    ];
    args.extend(busy);
    let (code, stdout, _) = stormlab(&args);
    assert_eq!(code, 0, "{stdout}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["scenarios"][0]["runs"], 200);
    assert_eq!(doc["scenarios"][0]["failed"], 0);
    assert!(doc["scenarios"][0]["coverage"]["share"].as_f64().unwrap() > 0.5);
    for (bad, says) in [
        (
            ["--partition", "3/2"],
            "--partition 3/2: write K/N with 1 ≤ K ≤ N",
        ),
        (["--time", "soon"], "--time soon: write a duration"),
        (["--max-rate", "2"], "--max-rate 2: a rate is from 0 to 1"),
    ] {
        let mut args = vec!["explore", bug];
        args.extend(bad);
        let (code, _, stderr) = stormlab(&args);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }
    let (code, _, stderr) = stormlab(&["explore", bug, "--scenario", "nope"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no scenario is called `nope`"), "{stderr}");
    let text = std::fs::read_to_string(bug).unwrap();
    let none = text[..text.find("    scenarios: [").unwrap()].to_owned() + ")\n";
    let none = temp_model(&dir, "none.ron", &none);
    let (code, stdout, stderr) = stormlab(&["explore", &none]);
    assert_eq!((code, stdout.as_str()), (0, ""));
    assert!(
        stderr.contains("none.ron: no scenario to explore"),
        "{stderr}"
    );
}

#[test]
fn export_mermaid_writes_the_context_map_a_flow_or_a_run() {
    let (code, out, _) = stormlab(&["export", "mermaid", "models/autoservice.ron"]);
    assert_eq!(code, 0);
    assert!(out.contains("flowchart LR") && out.contains("c0 -->|\"Published Language\"| c1"));
    let (code, out, _) = stormlab(&[
        "export",
        "mermaid",
        "models/autoservice.ron",
        "--scenario",
        "declined card cancels the booking",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("sequenceDiagram") && out.contains("PaymentDeclined"),
        "{out}"
    );
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("docs").join("autoservice.md");
    std::fs::create_dir_all(page.parent().unwrap()).unwrap();
    let p = page.display().to_string();
    let (code, out, _) = stormlab(&[
        "export",
        "mermaid",
        "models/autoservice.ron",
        "--diagram",
        "all",
        "-o",
        &p,
    ]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.trim(), format!("wrote {p}"));
    let text = std::fs::read_to_string(&page).unwrap();
    assert_eq!(text.matches("```mermaid").count(), 2 + 4, "{text}");
}

#[test]
fn export_mermaid_says_what_is_wrong_with_its_arguments() {
    let (code, _, err) = stormlab(&[
        "export",
        "mermaid",
        "models/autoservice.ron",
        "--diagram",
        "flow",
        "--context",
        "Bookings",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--context Bookings: no such bounded context (the model has: Booking, Support, Analytics)"),
        "{err}"
    );
    let (code, _, err) = stormlab(&[
        "export",
        "mermaid",
        "models/autoservice.ron",
        "--diagram",
        "sequence",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("name the scenario with --scenario"), "{err}");
    let (code, _, err) = stormlab(&[
        "export",
        "mermaid",
        "models/autoservice.ron",
        "--scenario",
        "no such story",
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no such story") && err.contains("declined card cancels the booking"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let (bad, _) = misspelt(&dir);
    let (code, _, err) = stormlab(&["export", "mermaid", &bad]);
    assert_eq!(code, 1);
    assert!(
        err.contains("SL005") && err.contains("not exported"),
        "{err}"
    );
}

#[test]
fn export_asyncapi_writes_a_document_per_context_or_one_for_the_system() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    let (code, listed, _) = stormlab(&[
        "export",
        "asyncapi",
        "models/autoservice.ron",
        "-o",
        &out,
        "--dry-run",
    ]);
    assert_eq!(code, 0);
    assert_eq!(listed.lines().count(), 3, "{listed}");
    assert!(
        listed.contains("huk/booking/v1/booking.asyncapi.json"),
        "{listed}"
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "a dry run writes nothing"
    );
    let (code, wrote, _) = stormlab(&[
        "export",
        "asyncapi",
        "models/autoservice.ron",
        "-o",
        &out,
        "--system",
    ]);
    assert_eq!(code, 0, "{wrote}");
    let text = std::fs::read_to_string(dir.path().join("asyncapi.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["asyncapi"], "3.0.0");
    assert!(
        doc["operations"]["supportReceivesBookingEvents"].is_object(),
        "{text}"
    );
}
