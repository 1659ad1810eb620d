//! The `stormlab` binary: the studio, or a CLI subcommand.

use std::process::ExitCode;

use clap::Parser as _;
use stormlab::cli::{Cli, Command};

fn main() -> ExitCode {
    if let Some(message) = std::env::args_os()
        .nth(1)
        .and_then(|a| unknown_command(std::path::Path::new(&a)))
    {
        eprintln!("error: {message}");
        return stormlab::cli::Exit::Trouble.into();
    }
    let cli = Cli::parse();
    // Warnings of every library (eframe, wgpu, winit…) reach stderr; the relay also says who
    // comes and goes. RUST_LOG overrides (e.g. RUST_LOG=debug).
    let default = match &cli.command {
        Some(Command::Serve(_)) => "warn,stormlab=info",
        _ => "warn",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default)).init();
    let result = match &cli.command {
        Some(Command::Check(args)) => stormlab::cli::check::run(args),
        Some(Command::Diff(args)) => stormlab::cli::diff::run(args),
        Some(Command::Explore(args)) => stormlab::cli::explore::run(args),
        Some(Command::Export(args)) => stormlab::cli::export::run(args),
        Some(Command::Fmt(args)) => stormlab::cli::fmt::run(args),
        Some(Command::Import(args)) => stormlab::cli::import::run(args),
        Some(Command::Mcp(args)) => stormlab::cli::mcp::run(args),
        Some(Command::Serve(args)) => stormlab::cli::serve::run(args),
        Some(Command::Simulate(args)) => stormlab::cli::simulate::run(args),
        Some(Command::Test(args)) => stormlab::cli::test::run(args),
        None => open_studio(cli.file),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            stormlab::cli::Exit::Trouble.into()
        }
    }
}

/// What to say when `stormlab WORD` names neither a file nor a subcommand (`stormlab chek`
/// would otherwise open the studio on a file that does not exist).
fn unknown_command(path: &std::path::Path) -> Option<String> {
    let word = path.to_str()?;
    let commands: Vec<String> = <Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .chain(["help".to_owned()])
        .collect();
    if path.exists()
        || word.starts_with('-')
        || word.contains(['/', '\\', '.'])
        || commands.iter().any(|c| c == word)
    {
        return None;
    }
    let closest = commands
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        // Close enough to be a slip of the keyboard, not a different word.
        .filter(|(d, _)| *d <= 2 && d * 2 < word.len())
        .min();
    Some(match closest {
        Some((_, c)) => format!("unknown command `{word}`; did you mean `{c}`?"),
        None => format!(
            "`{word}` is neither a command nor a file; commands: {}",
            commands.join(", ")
        ),
    })
}

#[cfg(feature = "studio")]
fn open_studio(file: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    stormlab::app::run(file)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "studio"))]
fn open_studio(_file: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    anyhow::bail!(
        "this build has no studio (built without the `studio` feature); see `stormlab --help`"
    )
}
