//! Stormlab among the tools around it: formats other tools read, written from the model or
//! from a run.
//!
//! - [`mermaid`]: the context map and the flow graph as flowcharts, a run (or one saga
//!   instance) as a sequence diagram.

pub mod mermaid;
