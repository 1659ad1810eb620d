//! `stormlab serve [--bind 127.0.0.1:7420] [--data DIR]`: the relay for boards edited
//! together (one room per board). `--export ROOM` writes a stored room's canonical RON
//! instead of serving.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use crate::collab::relay::{self, RelayConfig};

/// Arguments of `stormlab serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Where to listen. Loopback by default: to host a workshop on a network, bind its
    /// address (e.g. 0.0.0.0:7420) on purpose.
    #[arg(long, default_value = "127.0.0.1:7420")]
    pub bind: SocketAddr,
    /// A folder to keep the rooms in (without it, rooms live only as long as the relay).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Write the canonical RON of this stored room (needs --data) and exit.
    #[arg(long, value_name = "ROOM", requires = "data")]
    pub export: Option<String>,
    /// Where --export writes (default: standard output).
    #[arg(short = 'o', long, requires = "export")]
    pub output: Option<PathBuf>,
}

/// Runs `stormlab serve`.
pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if let (Some(room), Some(data)) = (&args.export, &args.data) {
        let ron = relay::export_room(data, room).map_err(anyhow::Error::msg)?;
        match &args.output {
            Some(path) => crate::model::file::write_atomic(path, ron.as_bytes())?,
            None => print!("{ron}"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(data) = &args.data {
        std::fs::create_dir_all(data)
            .with_context(|| format!("cannot make the data folder {}", data.display()))?;
    }
    let config = RelayConfig {
        data: args.data.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        // The address, as bound (port 0 picks one): scripts and tests read this line.
        outln!(
            "stormlab relay listening on ws://{}",
            listener.local_addr()?
        );
        tokio::select! {
            _ = relay::serve(listener, config) => {}
            _ = tokio::signal::ctrl_c() => eprintln!("stopped"),
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
