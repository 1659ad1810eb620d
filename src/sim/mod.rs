//! The deterministic simulation: a model run as an event-sourced system on a virtual clock.
//!
//! - [`program`]: the model compiled for running.
//! - [`store`]: the event store (log, streams, expected versions, idempotent append).
//! - [`engine`]: commands, subscribers with faults, retries and dead letters, sagas.
//! - [`saga`]: saga instances (steps taken, deadlines armed, compensations run).
//! - [`fold`]: events applied to state (live and rebuilt from the log).
//! - [`rebuild`]: state rebuilt from the log alone, compared with the live state.
//! - [`run`]: the read side of a run (records, payloads, commands, journal, parked
//!   messages, state now), the only way views, encoders and the CLI read a run.
//! - [`scenario`]: scenarios of the model file and their expectations; [`load`]: a
//!   scenario's load generator, compiled once and issued lazily.
//! - [`sequence`]: a run (or one saga instance) as messages between lanes.
//! - [`timeline`]: time travel to any log position; causation chains.
//! - [`clock`], [`rng`], [`hash`]: virtual time, seeded randomness, fixed hashing.
//! - [`log`]: the event log as JSON Lines.

pub mod cases;
pub mod causation;
pub mod chunked;
pub mod clock;
pub mod engine;
pub mod explore;
pub mod fold;
pub mod hash;
pub mod invariant;
pub mod load;
pub mod log;
pub mod program;
pub mod rebuild;
pub mod rng;
pub mod run;
pub mod saga;
pub mod scenario;
pub mod sequence;
pub mod store;
pub mod timeline;

pub use engine::Engine;
pub use program::{Program, SimError};
