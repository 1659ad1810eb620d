//! `stormlab serve` as its own process (so that a test can kill it with SIGKILL, and a
//! benchmark can read the CPU time it used); shared by the relay tests and the collaboration
//! benchmark.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The relay's process and the address it listens at (`ws://127.0.0.1:PORT`).
pub struct Served(pub Child, pub String);

/// Starts `stormlab serve` on a free loopback port, keeping its rooms in `data` if given.
pub fn serve(data: Option<&Path>) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_stormlab"));
    cmd.args(["serve", "--bind", "127.0.0.1:0"]);
    if let Some(d) = data {
        cmd.arg("--data").arg(d);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .expect("the relay says where it listens")
        .to_owned();
    Served(child, url)
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
