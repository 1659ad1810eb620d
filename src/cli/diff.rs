//! `stormlab diff OLD NEW`: the compatibility report between the contracts of two model
//! files (e.g. the last release from git and the working copy); exit 1 when a change
//! breaks consumers at the chosen level.

use super::Exit;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::export::diff::{Level, breaking, diff};
use crate::export::schema::schema;

/// Arguments of `stormlab diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old model file.
    pub old: PathBuf,
    /// The new model file.
    pub new: PathBuf,
    /// What must not break: `wire` (binary consumers), `wire-json` (binary and proto-JSON,
    /// buf's recommended minimum) or `package` (also generated code).
    #[arg(long, value_enum, default_value_t = LevelArg::WireJson)]
    pub level: LevelArg,
    /// Print only the breaking changes.
    #[arg(long)]
    pub breaking_only: bool,
    /// `text`, or `json` (one document on stdout; see the README).
    #[arg(long, value_enum, default_value_t)]
    pub format: super::report::Format,
}

/// `--level` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    /// buf WIRE.
    Wire,
    /// buf WIRE_JSON.
    WireJson,
    /// buf PACKAGE.
    Package,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Self {
        match l {
            LevelArg::Wire => Level::Wire,
            LevelArg::WireJson => Level::WireJson,
            LevelArg::Package => Level::Package,
        }
    }
}

/// One change as JSON: `file`, `message`, `breaks_at` (the most lenient level it breaks, or
/// null) and `breaking` at `level` (an element of `stormlab diff --format json`'s `changes`).
pub fn change_json(c: &crate::export::diff::Change, level: Level) -> serde_json::Value {
    serde_json::json!({
        "file": c.file,
        "message": c.message,
        "breaks_at": c.breaks.map(|l| l.to_string()),
        "breaking": c.breaks_at(level),
    })
}

/// Runs `stormlab diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<ExitCode> {
    let (old, new) = match (super::read_model(&args.old), super::read_model(&args.new)) {
        (Ok((_, old)), Ok((_, new))) => (old, new),
        (a, b) => {
            let worst = [a.err(), b.err()].into_iter().flatten().max();
            return Ok(worst.unwrap_or(Exit::Trouble).into());
        }
    };
    let level = Level::from(args.level);
    let changes = diff(&schema(&old), &schema(&new));
    let shown = changes
        .iter()
        .filter(|c| !args.breaking_only || c.breaks_at(level));
    let n = breaking(&changes, level);
    if args.format == super::report::Format::Json {
        let listed: Vec<serde_json::Value> = shown.map(|c| change_json(c, level)).collect();
        outln!(
            "{:#}",
            serde_json::json!({
                "schema": super::report::JSON_SCHEMA,
                "old": args.old.display().to_string(),
                "new": args.new.display().to_string(),
                "level": level.to_string(),
                "buf_category": level.buf_category(),
                "changes": listed,
                "total_changes": changes.len(),
                "breaking": n,
                "compatible": n == 0,
            })
        );
    } else {
        for c in shown {
            match c.breaks {
                // A change that breaks only at a stricter level is compatible at this one.
                Some(l) if !c.breaks_at(level) => outln!(
                    "compatible at {level} (breaks at {l}): {}: {}",
                    c.file,
                    c.message
                ),
                _ => outln!("{c}"),
            }
        }
        outln!(
            "{} change(s); {n} breaking at {level} (buf {}); {}",
            changes.len(),
            level.buf_category(),
            if n == 0 {
                "compatible"
            } else {
                "NOT compatible"
            }
        );
    }
    Ok(if n == 0 { Exit::Clean } else { Exit::Findings }.into())
}
