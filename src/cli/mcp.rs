//! `stormlab mcp MODEL [--out DIR]`: the MCP server for AI assistants, on stdio (see
//! [`crate::mcp`]).

use std::path::PathBuf;
use std::process::ExitCode;

use super::Exit;

/// Arguments of `stormlab mcp`.
#[derive(Debug, clap::Args)]
pub struct McpArgs {
    /// The model file the assistant works on (read on every call; `apply_ops` rewrites it).
    pub model: PathBuf,
    /// The folder exports are written under (without it, export tools are refused).
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs the server until the client closes stdin; exit 2 when the model file is missing.
pub fn run(args: &McpArgs) -> anyhow::Result<ExitCode> {
    if !args.model.is_file() {
        eprintln!("{}: no such model file", args.model.display());
        return Ok(Exit::Trouble.into());
    }
    crate::mcp::serve(crate::mcp::Workspace {
        model: args.model.clone(),
        out: args.out.clone(),
    })?;
    Ok(ExitCode::SUCCESS)
}
