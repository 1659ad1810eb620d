//! What a CML file says, as the parser reads it: the context map, bounded contexts with their
//! aggregates, domain objects, services and application flows. Every name keeps its span so
//! that the mapping can point at it.

use std::ops::Range;

/// A name and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The identifier (a leading `^` escape removed).
    pub text: String,
    /// Its bytes in the source.
    pub span: Range<usize>,
}

/// A setting such as `domainVisionStatement = "…"` or `owner ContractsTeam`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// Its key.
    pub key: Name,
    /// Its values (strings unquoted), in order.
    pub values: Vec<String>,
}

/// A whole file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// The context map, if the file has one.
    pub map: Option<ContextMap>,
    /// Bounded contexts (teams too: `type = TEAM`).
    pub contexts: Vec<Context>,
}

/// `ContextMap Name { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct ContextMap {
    /// Its name, if given.
    pub name: Option<Name>,
    /// `type` and `state`.
    pub settings: Vec<Setting>,
    /// The relationships.
    pub relationships: Vec<Relationship>,
}

/// How a relationship is written between its two contexts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrow {
    /// `->`: the left side is upstream.
    Right,
    /// `<-`: the left side is downstream.
    Left,
    /// `<->`: symmetric (a Shared Kernel unless the roles say Partnership).
    Both,
    /// `Partnership`.
    Partnership,
    /// `Shared-Kernel`.
    SharedKernel,
    /// `Customer-Supplier`: the left side is the (downstream) customer.
    CustomerSupplier,
    /// `Supplier-Customer`: the left side is the (upstream) supplier.
    SupplierCustomer,
    /// `Upstream-Downstream`.
    UpstreamDownstream,
    /// `Downstream-Upstream`.
    DownstreamUpstream,
}

/// One relationship of the context map, as written: its sides in writing order with the
/// roles written next to each.
#[derive(Clone, Debug, PartialEq)]
pub struct Relationship {
    /// The left context.
    pub left: Name,
    /// Roles written at the left context (`[D,ACL]`).
    pub left_roles: Vec<Name>,
    /// The arrow or keyword between them.
    pub arrow: Arrow,
    /// The right context.
    pub right: Name,
    /// Roles written at the right context.
    pub right_roles: Vec<Name>,
    /// `: Name`.
    pub name: Option<Name>,
    /// `implementationTechnology`, `exposedAggregates`, `downstreamRights`.
    pub settings: Vec<Setting>,
    /// The whole relationship's bytes.
    pub span: Range<usize>,
}

/// `BoundedContext Name implements … { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    /// Its name.
    pub name: Name,
    /// `implements`, `realizes` and `refines` with what they name.
    pub links: Vec<(Name, Vec<Name>)>,
    /// `domainVisionStatement`, `type`, `responsibilities`, …
    pub settings: Vec<Setting>,
    /// Aggregates, those inside modules included.
    pub aggregates: Vec<Aggregate>,
    /// Domain objects and services of modules outside any aggregate.
    pub loose: Aggregate,
    /// The application layer's commands, events, services and flows.
    pub application: Option<Application>,
}

/// `Aggregate Name { … }` (also the loose objects of a module).
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// Its name.
    pub name: Name,
    /// Its doc string.
    pub doc: String,
    /// `owner`, `responsibilities`, …
    pub settings: Vec<Setting>,
    /// Entities, value objects, events, commands, enums…
    pub objects: Vec<DomainObject>,
    /// Services and their operations.
    pub services: Vec<Service>,
}

/// What kind of domain object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// `Entity`.
    Entity,
    /// `ValueObject`, `BasicType`, `DataTransferObject` or `Trait`.
    Value,
    /// `DomainEvent` / `Event`.
    Event,
    /// `Command` / `CommandEvent`.
    Command,
    /// `enum`.
    Enum,
}

/// An entity, value object, event, command or enum.
#[derive(Clone, Debug, PartialEq)]
pub struct DomainObject {
    /// Its kind.
    pub kind: ObjectKind,
    /// The keyword it was written with (`DomainEvent`, `BasicType`, …).
    pub keyword: Name,
    /// Its name.
    pub name: Name,
    /// Its doc string.
    pub doc: String,
    /// `aggregateRoot` was written.
    pub root: bool,
    /// Written `abstract`: only a base for others' `extends`.
    pub is_abstract: bool,
    /// An enum with `aggregateLifecycle`.
    pub lifecycle: bool,
    /// `extends X`.
    pub extends: Option<Name>,
    /// Attributes and references.
    pub properties: Vec<Property>,
    /// Enum values.
    pub values: Vec<Name>,
    /// Operations (`def …;`).
    pub operations: Vec<Operation>,
    /// A repository declared inside it.
    pub repository: Option<Name>,
}

/// An attribute (`String name key`) or reference (`- List<Address> addresses`).
#[derive(Clone, Debug, PartialEq)]
pub struct Property {
    /// Written with `-` or `reference`.
    pub reference: bool,
    /// `List`, `Set`, `Bag`, `Collection` or `Map`, if a collection.
    pub collection: Option<Name>,
    /// The element type (for a map, the value type).
    pub ty: Name,
    /// The name.
    pub name: Name,
    /// Marked `key`.
    pub key: bool,
    /// `nullable` was written.
    pub nullable: bool,
    /// Its doc string.
    pub doc: String,
}

/// `Service Name { operations }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// Its name.
    pub name: Name,
    /// Its operations.
    pub operations: Vec<Operation>,
}

/// An operation of a service or entity: `@Returned name(@Param p, …)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// Its name.
    pub name: Name,
    /// The type it returns (none for `void` or when not written).
    pub returns: Option<Name>,
    /// Its parameters' types (a collection's element type).
    pub params: Vec<Name>,
}

/// `Application { … }`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Application {
    /// Commands, events and services declared in it.
    pub objects: Vec<DomainObject>,
    /// Services.
    pub services: Vec<Service>,
    /// Flows.
    pub flows: Vec<Flow>,
}

/// `Flow Name { steps }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Its name, if given.
    pub name: Option<Name>,
    /// Its steps, in order.
    pub steps: Vec<Step>,
}

/// How several names of a step go together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// One name.
    Single,
    /// `A + B`: all of them.
    All,
    /// `A X B`: exactly one of them.
    OneOf,
    /// `A O B`: one or more of them.
    AnyOf,
}

/// Whether a step names a command or a service operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// `command`.
    Command,
    /// `operation`.
    Operation,
}

/// One step of a flow.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// `command C [triggered by "actor"] delegates to Agg[A -> B] emits event E`.
    Produce {
        /// Command or operation.
        kind: ActionKind,
        /// Its name.
        action: Name,
        /// `triggered by "…"`.
        actor: Option<String>,
        /// `delegates to Agg`.
        aggregate: Option<Name>,
        /// `[A, B -> C X D]`: the states it starts from and the states it may end in.
        transition: Option<(Vec<Name>, Vec<Name>)>,
        /// The events emitted.
        events: Vec<Name>,
        /// How the events go together.
        join: Join,
        /// The step's bytes.
        span: Range<usize>,
    },
    /// `event E [+ F] triggers command C [X D]`.
    Trigger {
        /// The events.
        events: Vec<Name>,
        /// Command or operation.
        kind: ActionKind,
        /// What they trigger.
        actions: Vec<Name>,
        /// How the actions go together.
        join: Join,
        /// The step's bytes.
        span: Range<usize>,
    },
}
