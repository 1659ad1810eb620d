//! Stormlab: an EventStorming studio that runs what the team draws.
//!
//! - [`model`]: the vocabulary, the RON file format, expressions and checks.
//! - [`sim`]: the deterministic simulation engine.
//! - [`export`]: Protocol Buffers contracts, compatibility reports, protobuf logs.
//! - [`interop`]: formats of the tools around Stormlab (Mermaid).
//! - [`mcp`]: the MCP server for AI assistants (`stormlab mcp`).
//! - [`cli`]: the command-line subcommands.
//! - [`collab`]: the board shared by a team (a Loro document).
//! - `app` (feature `studio`): the desktop studio.

pub mod cli;
pub mod collab;
pub mod export;
pub mod interop;
pub mod mcp;
pub mod model;
pub mod sim;

#[cfg(feature = "studio")]
pub mod app;
