//! The model: the vocabulary a workshop draws, its file format, expressions and checks.
//!
//! The model is plain data (serde, no egui types). Everything else — the simulation, the
//! exporter, the studio — reads it.

pub mod access;
pub mod actor;
pub mod aggregate;
pub mod autolayout;
pub mod check;
pub mod command;
pub mod connect;
pub mod context;
pub mod delivery;
pub mod diagnostic;
pub mod disconnect;
pub mod document;
pub mod element;
pub mod event;
pub mod expr;
pub mod external;
pub mod field;
pub mod file;
pub mod fix;
pub mod flow;
pub mod hotspot;
pub mod identity;
pub mod layout;
pub mod locate;
pub mod named_type;
pub mod naming;
pub mod op;
pub mod policy;
pub mod read_model;
pub mod reference;
pub mod refs;
pub mod relation;
pub mod resolve;
pub mod saga;
pub mod scenario;
pub mod scopes;
pub mod synthetic;
pub mod template;
pub mod ty;
pub mod uid;

pub use access::Sticky;
pub use actor::Actor;
pub use aggregate::{Aggregate, Applier, Assignments, Emit, Guard, Handler};
pub use command::Command;
pub use context::BoundedContext;
pub use delivery::Delivery;
pub use document::{FORMAT_VERSION, Model};
pub use element::{ElementInfo, Kind, Loc, PathSeg};
pub use event::Event;
pub use external::{ExternalSystem, Outcome, Reaction};
pub use field::{Field, Reserved};
pub use hotspot::HotSpot;
pub use layout::{Pos, Rect};
pub use named_type::{EnumDef, ValueObject};
pub use policy::Policy;
pub use read_model::{ReadModel, Rule, RuleAction};
pub use reference::Ref;
pub use relation::{Pattern, Relation, Translation};
pub use resolve::{NameIndex, Resolved};
pub use saga::{Deadline, Issue, Saga, SagaEnd, SagaStep};
pub use scenario::{Expect, Fault, Gen, Given, Scenario, Step};
pub use ty::Type;
pub use uid::Uid;
