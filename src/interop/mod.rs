//! Stormlab among the tools around it: formats other tools read, written from the model or
//! from a run.
//!
//! - [`asyncapi`]: AsyncAPI 3.0 documents of what crosses the context map.
//! - [`cml`]: Context Mapper's CML read into a model.
//! - [`cqrs_es`]: cqrs-es tests generated from the scenarios' runs, with aggregate skeletons.
//! - [`eventcatalog`]: an EventCatalog folder: domains, services, messages with schemas,
//!   teams, and a flow per scenario's run.
//! - [`event_modeling`]: an Event Modeling export (Miro toolkit JSON) read into a model whose
//!   specifications are scenarios.
//! - [`imported`]: what the importers build, and the id fields and event numbers an imported
//!   model needs to run.
//! - [`mermaid`]: the context map and the flow graph as flowcharts, a run (or one saga
//!   instance) as a sequence diagram.
//! - [`ordered_json`]: JSON whose objects keep the order they were written in.

pub mod asyncapi;
pub mod cml;
pub mod cqrs_es;
pub mod event_modeling;
pub mod eventcatalog;
pub mod imported;
pub mod mermaid;
pub mod ordered_json;
