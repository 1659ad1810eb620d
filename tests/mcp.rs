//! `stormlab mcp`, driven as an assistant drives it: JSON-RPC lines on the binary's stdin,
//! answers read from its stdout — initialize, tools/list, every tool, and malformed requests.
//! Each server ends when its stdin closes; every wait is bounded.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Mcp {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    next_id: u64,
}

impl Mcp {
    /// Starts `stormlab mcp model [--out out]` and initializes the session.
    fn start(model: &std::path::Path, out: Option<&std::path::Path>) -> Mcp {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_stormlab"));
        cmd.arg("mcp").arg(model);
        if let Some(o) = out {
            cmd.arg("--out").arg(o);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut mcp = Mcp {
            child,
            stdin,
            lines,
            next_id: 1,
        };
        let init = mcp.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "stormlab", "{init}");
        assert!(
            init["result"]["capabilities"]["tools"].is_object(),
            "{init}"
        );
        mcp.send_line(
            &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string(),
        );
        mcp
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next answer line (within 60 s).
    fn answer(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(60))
            .expect("an answer within 60 s");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {e}: {line}"))
    }

    /// Sends a request and waits for the answer with its id.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send_line(
            &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string(),
        );
        loop {
            let a = self.answer();
            if a["id"] == json!(id) {
                return a;
            }
        }
    }

    /// Calls a tool: its structured answer and whether it is marked as an error; panics on a
    /// protocol error.
    fn call(&mut self, tool: &str, args: Value) -> (Value, bool) {
        let a = self.request("tools/call", json!({"name": tool, "arguments": args}));
        let result = a
            .get("result")
            .unwrap_or_else(|| panic!("{tool}: a protocol error: {a}"));
        let text = result["content"][0]["text"].as_str().unwrap();
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(result["structuredContent"], value);
        (value, result["isError"] == json!(true))
    }

    /// Calls a tool that must succeed.
    fn ok(&mut self, tool: &str, args: Value) -> Value {
        let (v, error) = self.call(tool, args);
        assert!(!error, "{tool} failed: {v}");
        v
    }

    /// Calls a tool expecting a protocol error; its code and message.
    fn protocol_error(&mut self, tool: &str, args: Value) -> (i64, String) {
        let a = self.request("tools/call", json!({"name": tool, "arguments": args}));
        let e = a
            .get("error")
            .unwrap_or_else(|| panic!("{tool}: expected a protocol error: {a}"));
        (
            e["code"].as_i64().unwrap(),
            e["message"].as_str().unwrap().to_owned(),
        )
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        // Closing stdin ends the server; it must go by itself within the bound.
        drop(self.stdin.take());
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("the server did not end when its stdin closed");
    }
}

fn copy_model(dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    let path = dir.path().join(format!("{name}.ron"));
    let text = std::fs::read_to_string(format!("{}/models/{name}.ron", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// The files under `dir`, relative, sorted.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_tools_list_and_the_reading_tools_answer() {
    let dir = tempfile::tempdir().unwrap();
    let model = copy_model(&dir, "accounts");
    let mut mcp = Mcp::start(&model, None);
    let list = mcp.request("tools/list", json!({}));
    let names: Vec<&str> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "list_elements",
            "get_element",
            "check",
            "run_scenario",
            "run_tests",
            "export_protos",
            "export_asyncapi",
            "export_eventcatalog",
            "export_tests",
            "mermaid",
            "diff",
            "apply_ops"
        ]
    );
    for t in list["result"]["tools"].as_array().unwrap() {
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
        assert!(!t["description"].as_str().unwrap().is_empty());
    }
    let elements = mcp.ok("list_elements", json!({}));
    assert_eq!(elements["contexts"].as_array().unwrap().len(), 3);
    let orders = mcp.ok("list_elements", json!({"context": "Orders"}));
    let place = orders["contexts"][0]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "PlaceOrder")
        .unwrap()
        .clone();
    assert_eq!(place["kind"], "command");
    let got = mcp.ok("get_element", json!({"id": place["id"]}));
    assert_eq!(got["kind"], "command");
    assert_eq!(got["value"]["Command"]["name"], "PlaceOrder", "{got}");
    let checked = mcp.ok("check", json!({}));
    assert_eq!(checked["errors"], 0, "{checked}");
    let run = mcp.ok(
        "run_scenario",
        json!({"scenario": "payment over the limit is compensated", "log_lines": 2}),
    );
    assert_eq!(run["rejected"], 1, "{run}");
    assert_eq!(run["rejections"][0]["reason"], "over the card limit");
    assert_eq!(run["log"].as_array().unwrap().len(), 2);
    assert!(run["log_lines_left_out"].as_u64().unwrap() > 0);
    let tests = mcp.ok("run_tests", json!({}));
    assert_eq!(tests["failed"], 0, "{tests}");
    assert_eq!(tests["passed"], 5);
    let map = mcp.ok("mermaid", json!({"diagram": "context-map"}));
    assert!(map["mermaid"].as_str().unwrap().contains("flowchart LR"));
    let seq = mcp.ok(
        "mermaid",
        json!({"diagram": "sequence", "scenario": "payment over the limit is compensated"}),
    );
    assert!(
        seq["mermaid"]
            .as_str()
            .unwrap()
            .contains("rejected: over the card limit")
    );
    // Without an output folder, exports are refused with the reason (the server goes on).
    let (refused, error) = mcp.call("export_protos", json!({}));
    assert!(error);
    assert!(
        refused["error"].as_str().unwrap().contains("--out"),
        "{refused}"
    );
    // A scenario that does not exist: an error answer naming the known ones.
    let (missing, error) = mcp.call("run_scenario", json!({"scenario": "nope"}));
    assert!(error);
    assert!(
        missing["error"]
            .as_str()
            .unwrap()
            .contains("order is fulfilled"),
        "{missing}"
    );
}

#[test]
fn exports_write_only_under_the_output_folder_and_diff_compares_an_older_text() {
    let dir = tempfile::tempdir().unwrap();
    let model = copy_model(&dir, "autoservice");
    let before: Vec<String> = files_under(dir.path());
    let out = tempfile::tempdir().unwrap();
    let mut mcp = Mcp::start(&model, Some(out.path()));
    let protos = mcp.ok("export_protos", json!({}));
    assert_eq!(protos["written"].as_array().unwrap().len(), 3, "{protos}");
    let docs = mcp.ok("export_asyncapi", json!({"system": true}));
    assert_eq!(docs["written"].as_array().unwrap().len(), 1);
    assert_eq!(
        files_under(out.path()),
        [
            "asyncapi.json",
            "huk/analytics/v1/analytics.proto",
            "huk/booking/v1/booking.proto",
            "huk/support/v1/support.proto"
        ]
    );
    // The catalog and the cqrs-es crate each go to their own folder inside it.
    let catalog = mcp.ok("export_eventcatalog", json!({}));
    let written = catalog["written"].as_array().unwrap();
    assert!(
        written
            .iter()
            .all(|p| p.as_str().unwrap().contains("/eventcatalog/")),
        "{catalog}"
    );
    let tests = mcp.ok("export_tests", json!({}));
    let written = tests["written"].as_array().unwrap();
    assert!(
        written
            .iter()
            .any(|p| p.as_str().unwrap().ends_with("cqrs-es/Cargo.toml")),
        "{tests}"
    );
    assert_eq!(files_under(dir.path()), before, "nothing else was written");
    // The contracts of the same text are compatible; of a version with a field retyped, not.
    let text = std::fs::read_to_string(&model).unwrap();
    let same = mcp.ok("diff", json!({"old_text": text}));
    assert_eq!(same["compatible"], true, "{same}");
    let older = text.replacen("ty: \"timestamp\"", "ty: \"string\"", 1);
    assert_ne!(older, text);
    let changed = mcp.ok("diff", json!({"old_text": older, "level": "wire"}));
    assert_eq!(changed["compatible"], false, "{changed}");
    let (bad, error) = mcp.call("diff", json!({"old_text": "(name: "}));
    assert!(error);
    assert!(
        bad["error"].as_str().unwrap().contains("not a model"),
        "{bad}"
    );
}

#[test]
fn apply_ops_changes_the_file_all_or_nothing_and_answers_the_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let model = copy_model(&dir, "autoservice");
    let mut mcp = Mcp::start(&model, None);
    let booking = mcp.ok("list_elements", json!({"context": "Booking"}));
    let find = |name: &str| {
        booking["contexts"][0]["elements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == name)
            .unwrap()["id"]
            .clone()
    };
    let (customer, hotspot) = (find("Customer"), find("Do garages get paid for no-shows?"));
    let original = std::fs::read_to_string(&model).unwrap();
    // A dry run reports and leaves the file alone.
    let dry = mcp.ok(
        "apply_ops",
        json!({"ops": [{"RemoveSticky": {"uid": hotspot}}], "dry_run": true}),
    );
    assert_eq!(dry["applied"], 0);
    assert_eq!(
        dry["warnings"], 0,
        "the open question's warning is gone: {dry}"
    );
    assert_eq!(std::fs::read_to_string(&model).unwrap(), original);
    // Applied: the file changes, in canonical form, and reads back.
    let done = mcp.ok(
        "apply_ops",
        json!({"ops": [
            {"SetPos": {"uid": customer, "at": [12.0, 34.0]}},
            {"RemoveSticky": {"uid": hotspot}},
        ]}),
    );
    assert_eq!(done["applied"], 2, "{done}");
    assert_eq!(done["errors"], 0);
    let now = stormlab::model::file::load(&model).unwrap();
    let text = std::fs::read_to_string(&model).unwrap();
    assert_eq!(text, stormlab::model::file::to_string(&now));
    let c = &now.contexts[0];
    assert_eq!(c.hotspots.len(), 0);
    let moved = c.actors.iter().find(|a| a.name == "Customer").unwrap();
    assert_eq!((moved.at.x, moved.at.y), (12.0, 34.0));
    // A batch with one op whose target is gone applies nothing.
    let (failed, error) = mcp.call(
        "apply_ops",
        json!({"ops": [
            {"SetPos": {"uid": customer, "at": [1.0, 1.0]}},
            {"RemoveSticky": {"uid": hotspot}},
        ]}),
    );
    assert!(error, "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .starts_with("nothing applied")
    );
    assert_eq!(std::fs::read_to_string(&model).unwrap(), text);
    // An edit that breaks the model is applied and its errors answered, placed in the file.
    let mut cmd = mcp.ok("get_element", json!({"id": find("BookService")}))["value"].clone();
    cmd["Command"]["target"] = json!("NoSuchAggregate");
    let broken = mcp.ok(
        "apply_ops",
        json!({"ops": [{"SetSticky": {"uid": find("BookService"), "sticky": cmd}}]}),
    );
    assert!(broken["errors"].as_u64().unwrap() > 0, "{broken}");
    let d = &broken["diagnostics"][0];
    assert!(d["line"].as_u64().unwrap() > 0 && d["code"].as_str().unwrap().starts_with("SL"));
    // A file that is not a model: every tool says so, the server goes on.
    std::fs::write(&model, "(name: \"x\", contexts: [").unwrap();
    let (unreadable, error) = mcp.call("check", json!({}));
    assert!(error);
    assert_eq!(unreadable["findings"][0]["code"], "SL038", "{unreadable}");
    let ping = mcp.request("ping", json!({}));
    assert!(ping.get("result").is_some());
}

#[test]
fn malformed_requests_get_protocol_errors_and_the_server_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let model = copy_model(&dir, "autoservice");
    let mut mcp = Mcp::start(&model, None);
    // Not JSON: a parse error, id null.
    mcp.send_line("this is not json {");
    let a = mcp.answer();
    assert_eq!(a["error"]["code"], -32700, "{a}");
    assert_eq!(a["id"], Value::Null);
    // An unknown method, an unknown tool, arguments of the wrong type or name.
    let a = mcp.request("no/such/method", json!({}));
    assert_eq!(a["error"]["code"], -32601, "{a}");
    let (code, msg) = mcp.protocol_error("no_such_tool", json!({}));
    assert_eq!(code, -32602);
    assert!(msg.contains("no tool `no_such_tool`"), "{msg}");
    let (code, msg) = mcp.protocol_error("run_scenario", json!({"scenario": 5}));
    assert_eq!(code, -32602);
    assert!(msg.contains("`scenario` is a string"), "{msg}");
    let (code, msg) = mcp.protocol_error("check", json!({"verbose": true}));
    assert_eq!(code, -32602);
    assert!(msg.contains("unknown argument `verbose`"), "{msg}");
    let (code, msg) = mcp.protocol_error("get_element", json!({}));
    assert_eq!(code, -32602);
    assert!(msg.contains("missing argument `id`"), "{msg}");
    let (code, msg) = mcp.protocol_error("apply_ops", json!({"ops": [{"Explode": {}}]}));
    assert_eq!(code, -32602);
    assert!(msg.contains("ops[0] is not an operation"), "{msg}");
    let (code, _) = mcp.protocol_error("get_element", json!({"id": "../../etc/passwd"}));
    assert_eq!(code, -32602);
    // Still answering.
    let ok = mcp.ok("check", json!({}));
    assert_eq!(ok["errors"], 0);
}
