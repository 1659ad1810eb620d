//! Generic access to elements by [`Loc`]: name, position, removal and insertion, and
//! [`Sticky`], an owned element of any kind (the unit of copy/paste and duplication).

use serde::{Deserialize, Serialize};

use super::document::Model;
use super::element::{Kind, Loc};
use super::layout::Pos;
use super::uid::Uid;
use super::{
    Actor, Aggregate, Command, EnumDef, Event, ExternalSystem, HotSpot, Policy, ReadModel, Saga,
    ValueObject,
};

/// One element of any kind inside a context, owned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Sticky {
    /// An enum type.
    Enum(EnumDef),
    /// A value object.
    Value(ValueObject),
    /// An actor.
    Actor(Actor),
    /// A command.
    Command(Command),
    /// An aggregate.
    Aggregate(Aggregate),
    /// An event.
    Event(Event),
    /// A policy.
    Policy(Policy),
    /// A saga.
    Saga(Saga),
    /// A read model.
    ReadModel(ReadModel),
    /// An external system.
    External(ExternalSystem),
    /// A hot spot.
    HotSpot(HotSpot),
}

/// Runs `$body` with `$list` bound to the context list of `$kind` (`&` or `&mut`).
macro_rules! with_list {
    ($ctx:expr, $kind:expr, |$list:ident| $body:expr, $other:expr) => {
        match $kind {
            Kind::Enum => {
                let $list = &$ctx.enums;
                $body
            }
            Kind::Value => {
                let $list = &$ctx.values;
                $body
            }
            Kind::Actor => {
                let $list = &$ctx.actors;
                $body
            }
            Kind::Command => {
                let $list = &$ctx.commands;
                $body
            }
            Kind::Aggregate => {
                let $list = &$ctx.aggregates;
                $body
            }
            Kind::Event => {
                let $list = &$ctx.events;
                $body
            }
            Kind::Policy => {
                let $list = &$ctx.policies;
                $body
            }
            Kind::Saga => {
                let $list = &$ctx.sagas;
                $body
            }
            Kind::ReadModel => {
                let $list = &$ctx.read_models;
                $body
            }
            Kind::External => {
                let $list = &$ctx.externals;
                $body
            }
            Kind::HotSpot => {
                let $list = &$ctx.hotspots;
                $body
            }
            _ => $other,
        }
    };
}

macro_rules! with_list_mut {
    ($ctx:expr, $kind:expr, |$list:ident| $body:expr, $other:expr) => {
        match $kind {
            Kind::Enum => {
                let $list = &mut $ctx.enums;
                $body
            }
            Kind::Value => {
                let $list = &mut $ctx.values;
                $body
            }
            Kind::Actor => {
                let $list = &mut $ctx.actors;
                $body
            }
            Kind::Command => {
                let $list = &mut $ctx.commands;
                $body
            }
            Kind::Aggregate => {
                let $list = &mut $ctx.aggregates;
                $body
            }
            Kind::Event => {
                let $list = &mut $ctx.events;
                $body
            }
            Kind::Policy => {
                let $list = &mut $ctx.policies;
                $body
            }
            Kind::Saga => {
                let $list = &mut $ctx.sagas;
                $body
            }
            Kind::ReadModel => {
                let $list = &mut $ctx.read_models;
                $body
            }
            Kind::External => {
                let $list = &mut $ctx.externals;
                $body
            }
            Kind::HotSpot => {
                let $list = &mut $ctx.hotspots;
                $body
            }
            _ => $other,
        }
    };
}

/// Common accessors every sticky type has.
trait StickyFields {
    fn uid(&self) -> Uid;
    fn uid_mut(&mut self) -> &mut Uid;
    fn name_ref(&self) -> &str;
    fn name_mut(&mut self) -> &mut String;
    fn pos(&self) -> Option<Pos>;
    fn pos_mut(&mut self) -> Option<&mut Pos>;
}

macro_rules! sticky_fields {
    ($($t:ty => $name:ident, $at:tt;)*) => {$(
        impl StickyFields for $t {
            fn uid(&self) -> Uid { self.uid }
            fn uid_mut(&mut self) -> &mut Uid { &mut self.uid }
            fn name_ref(&self) -> &str { &self.$name }
            fn name_mut(&mut self) -> &mut String { &mut self.$name }
            sticky_fields!(@pos $at);
        }
    )*};
    (@pos at) => {
        fn pos(&self) -> Option<Pos> { Some(self.at) }
        fn pos_mut(&mut self) -> Option<&mut Pos> { Some(&mut self.at) }
    };
    (@pos opt) => {
        fn pos(&self) -> Option<Pos> { self.at }
        fn pos_mut(&mut self) -> Option<&mut Pos> { self.at.as_mut() }
    };
    (@pos none) => {
        fn pos(&self) -> Option<Pos> { None }
        fn pos_mut(&mut self) -> Option<&mut Pos> { None }
    };
}

sticky_fields! {
    EnumDef => name, none;
    ValueObject => name, opt;
    Actor => name, at;
    Command => name, at;
    Aggregate => name, at;
    Event => name, at;
    Policy => name, at;
    Saga => name, at;
    ReadModel => name, at;
    ExternalSystem => name, at;
    HotSpot => text, at;
}

/// The element inside a `Sticky` (by reference or by mutable reference, as `$s` is).
macro_rules! each_sticky {
    ($s:expr) => {
        match $s {
            Sticky::Enum(e) => e,
            Sticky::Value(e) => e,
            Sticky::Actor(e) => e,
            Sticky::Command(e) => e,
            Sticky::Aggregate(e) => e,
            Sticky::Event(e) => e,
            Sticky::Policy(e) => e,
            Sticky::Saga(e) => e,
            Sticky::ReadModel(e) => e,
            Sticky::External(e) => e,
            Sticky::HotSpot(e) => e,
        }
    };
}

impl Sticky {
    /// The kind of element this is.
    pub fn kind(&self) -> Kind {
        match self {
            Sticky::Enum(_) => Kind::Enum,
            Sticky::Value(_) => Kind::Value,
            Sticky::Actor(_) => Kind::Actor,
            Sticky::Command(_) => Kind::Command,
            Sticky::Aggregate(_) => Kind::Aggregate,
            Sticky::Event(_) => Kind::Event,
            Sticky::Policy(_) => Kind::Policy,
            Sticky::Saga(_) => Kind::Saga,
            Sticky::ReadModel(_) => Kind::ReadModel,
            Sticky::External(_) => Kind::External,
            Sticky::HotSpot(_) => Kind::HotSpot,
        }
    }

    fn fields_ref(&self) -> &dyn StickyFields {
        each_sticky!(self)
    }

    fn fields_mut(&mut self) -> &mut dyn StickyFields {
        each_sticky!(self)
    }

    /// The element's stable id.
    pub fn uid(&self) -> Uid {
        self.fields_ref().uid()
    }

    /// Sets the element's id (its fields keep theirs).
    pub fn set_uid(&mut self, uid: Uid) {
        *self.fields_mut().uid_mut() = uid;
    }

    /// Gives the element, and every field it has, new ids: a copy (paste, duplicate) is a
    /// new element, never the one it was copied from. Its references lose their ids: a copy
    /// is resolved by name where it lands.
    pub fn renew_ids(&mut self) {
        super::refs::unlink_sticky(self);
        *self.fields_mut().uid_mut() = Uid::fresh();
        let fields: &mut [super::Field] = match self {
            Sticky::Value(v) => &mut v.fields,
            Sticky::Command(v) => &mut v.fields,
            Sticky::Aggregate(v) => &mut v.state,
            Sticky::Event(v) => &mut v.fields,
            Sticky::ReadModel(v) => &mut v.columns,
            Sticky::Saga(v) => &mut v.state,
            _ => &mut [],
        };
        for f in fields {
            f.uid = Uid::fresh();
        }
    }

    /// The element's name (text, for hot spots).
    pub fn name_mut(&mut self) -> &mut String {
        self.fields_mut().name_mut()
    }

    /// The element's board position, if it has one.
    pub fn pos_mut(&mut self) -> Option<&mut Pos> {
        self.fields_mut().pos_mut()
    }
}

impl Model {
    /// The id of the element at `loc`, if there is one.
    pub fn uid_at(&self, loc: Loc) -> Option<Uid> {
        match loc.kind {
            Kind::Context => self.contexts.get(loc.index).map(|c| c.uid),
            Kind::Scenario => self.scenarios.get(loc.index).map(|s| s.uid),
            Kind::Relation => self.relations.get(loc.index).map(|r| r.uid),
            kind => {
                let ctx = self.contexts.get(loc.context?)?;
                with_list!(ctx, kind, |l| l.get(loc.index).map(|e| e.uid()), None)
            }
        }
    }

    /// Where the element `uid` of one of `kinds` is, looking in context `near` first (most
    /// references point into their own context: a few comparisons instead of a scan of the
    /// whole model).
    pub fn locate_near(&self, uid: Uid, kinds: &[Kind], near: Option<usize>) -> Option<Loc> {
        if let Some(ci) = near
            && let Some(ctx) = self.contexts.get(ci)
        {
            for &kind in kinds {
                let at = with_list!(ctx, kind, |l| l.iter().position(|e| e.uid() == uid), None);
                if let Some(index) = at {
                    return Some(Loc {
                        kind,
                        context: Some(ci),
                        index,
                    });
                }
            }
        }
        self.locate(uid).filter(|l| kinds.contains(&l.kind))
    }

    /// The name of an element (text, for hot spots), if it exists.
    pub fn name_of(&self, id: Loc) -> Option<&str> {
        match id.kind {
            Kind::Context => self.contexts.get(id.index).map(|c| c.name.as_str()),
            Kind::Scenario => self.scenarios.get(id.index).map(|s| s.name.as_str()),
            Kind::Relation => None,
            kind => {
                let ctx = self.contexts.get(id.context?)?;
                with_list!(ctx, kind, |l| l.get(id.index).map(|e| e.name_ref()), None)
            }
        }
    }

    /// The name of an element, for editing.
    pub fn name_mut(&mut self, id: Loc) -> Option<&mut String> {
        match id.kind {
            Kind::Context => self.contexts.get_mut(id.index).map(|c| &mut c.name),
            Kind::Scenario => self.scenarios.get_mut(id.index).map(|s| &mut s.name),
            Kind::Relation => None,
            kind => {
                let ctx = self.contexts.get_mut(id.context?)?;
                with_list_mut!(
                    ctx,
                    kind,
                    |l| l.get_mut(id.index).map(|e| e.name_mut()),
                    None
                )
            }
        }
    }

    /// The board position of an element (a context's frame corner), if it has one.
    pub fn pos_of(&self, id: Loc) -> Option<Pos> {
        match id.kind {
            Kind::Context => self
                .contexts
                .get(id.index)
                .map(|c| Pos::new(c.frame.x, c.frame.y)),
            Kind::Scenario | Kind::Relation => None,
            kind => {
                let ctx = self.contexts.get(id.context?)?;
                with_list!(ctx, kind, |l| l.get(id.index).and_then(|e| e.pos()), None)
            }
        }
    }

    /// The board position of a sticky, for editing.
    pub fn pos_mut(&mut self, id: Loc) -> Option<&mut Pos> {
        let ctx = self.contexts.get_mut(id.context?)?;
        with_list_mut!(
            ctx,
            id.kind,
            |l| l.get_mut(id.index).and_then(|e| e.pos_mut()),
            None
        )
    }

    /// A copy of a sticky (any element kind inside a context).
    pub fn sticky(&self, id: Loc) -> Option<Sticky> {
        let c = self.contexts.get(id.context?)?;
        let i = id.index;
        Some(match id.kind {
            Kind::Enum => Sticky::Enum(c.enums.get(i)?.clone()),
            Kind::Value => Sticky::Value(c.values.get(i)?.clone()),
            Kind::Actor => Sticky::Actor(c.actors.get(i)?.clone()),
            Kind::Command => Sticky::Command(c.commands.get(i)?.clone()),
            Kind::Aggregate => Sticky::Aggregate(c.aggregates.get(i)?.clone()),
            Kind::Event => Sticky::Event(c.events.get(i)?.clone()),
            Kind::Policy => Sticky::Policy(c.policies.get(i)?.clone()),
            Kind::Saga => Sticky::Saga(c.sagas.get(i)?.clone()),
            Kind::ReadModel => Sticky::ReadModel(c.read_models.get(i)?.clone()),
            Kind::External => Sticky::External(c.externals.get(i)?.clone()),
            Kind::HotSpot => Sticky::HotSpot(c.hotspots.get(i)?.clone()),
            _ => return None,
        })
    }

    /// True if the sticky at `here` equals the one at `there` in `other` (compared in place,
    /// nothing copied).
    pub fn same_sticky(&self, here: Loc, other: &Model, there: Loc) -> bool {
        if here.kind != there.kind {
            return false;
        }
        let (Some(a), Some(b)) = (
            here.context.and_then(|c| self.contexts.get(c)),
            there.context.and_then(|c| other.contexts.get(c)),
        ) else {
            return false;
        };
        let (i, j) = (here.index, there.index);
        match here.kind {
            Kind::Enum => a.enums.get(i) == b.enums.get(j),
            Kind::Value => a.values.get(i) == b.values.get(j),
            Kind::Actor => a.actors.get(i) == b.actors.get(j),
            Kind::Command => a.commands.get(i) == b.commands.get(j),
            Kind::Aggregate => a.aggregates.get(i) == b.aggregates.get(j),
            Kind::Event => a.events.get(i) == b.events.get(j),
            Kind::Policy => a.policies.get(i) == b.policies.get(j),
            Kind::Saga => a.sagas.get(i) == b.sagas.get(j),
            Kind::ReadModel => a.read_models.get(i) == b.read_models.get(j),
            Kind::External => a.externals.get(i) == b.externals.get(j),
            Kind::HotSpot => a.hotspots.get(i) == b.hotspots.get(j),
            _ => false,
        }
    }

    /// Replaces the sticky at `id` (same kind) with `sticky`. Returns false if it does not fit.
    pub fn set_sticky(&mut self, id: Loc, sticky: Sticky) -> bool {
        let Some(c) = id.context.and_then(|ci| self.contexts.get_mut(ci)) else {
            return false;
        };
        let i = id.index;
        macro_rules! put {
            ($list:expr, $v:expr) => {
                match $list.get_mut(i) {
                    Some(slot) => {
                        *slot = $v;
                        true
                    }
                    None => false,
                }
            };
        }
        match sticky {
            Sticky::Enum(v) if id.kind == Kind::Enum => put!(c.enums, v),
            Sticky::Value(v) if id.kind == Kind::Value => put!(c.values, v),
            Sticky::Actor(v) if id.kind == Kind::Actor => put!(c.actors, v),
            Sticky::Command(v) if id.kind == Kind::Command => put!(c.commands, v),
            Sticky::Aggregate(v) if id.kind == Kind::Aggregate => put!(c.aggregates, v),
            Sticky::Event(v) if id.kind == Kind::Event => put!(c.events, v),
            Sticky::Policy(v) if id.kind == Kind::Policy => put!(c.policies, v),
            Sticky::Saga(v) if id.kind == Kind::Saga => put!(c.sagas, v),
            Sticky::ReadModel(v) if id.kind == Kind::ReadModel => put!(c.read_models, v),
            Sticky::External(v) if id.kind == Kind::External => put!(c.externals, v),
            Sticky::HotSpot(v) if id.kind == Kind::HotSpot => put!(c.hotspots, v),
            _ => false,
        }
    }

    /// Appends `sticky` to context `context`; returns its id.
    pub fn insert_sticky(&mut self, context: usize, sticky: Sticky) -> Option<Loc> {
        let c = self.contexts.get_mut(context)?;
        let kind = sticky.kind();
        macro_rules! push {
            ($list:expr, $v:expr) => {{
                $list.push($v);
                $list.len() - 1
            }};
        }
        let index = match sticky {
            Sticky::Enum(v) => push!(c.enums, v),
            Sticky::Value(v) => push!(c.values, v),
            Sticky::Actor(v) => push!(c.actors, v),
            Sticky::Command(v) => push!(c.commands, v),
            Sticky::Aggregate(v) => push!(c.aggregates, v),
            Sticky::Event(v) => {
                let i = push!(c.events, v);
                c.number_events();
                i
            }
            Sticky::Policy(v) => push!(c.policies, v),
            Sticky::Saga(v) => push!(c.sagas, v),
            Sticky::ReadModel(v) => push!(c.read_models, v),
            Sticky::External(v) => push!(c.externals, v),
            Sticky::HotSpot(v) => push!(c.hotspots, v),
        };
        Some(Loc {
            kind,
            context: Some(context),
            index,
        })
    }

    /// Puts `sticky` at `index` of its list in context `context` (at the end if the list is
    /// shorter); returns where it is. Nothing else changes (no numbering, no retiring).
    pub fn insert_sticky_at(
        &mut self,
        context: usize,
        index: usize,
        sticky: Sticky,
    ) -> Option<Loc> {
        let c = self.contexts.get_mut(context)?;
        let kind = sticky.kind();
        macro_rules! put {
            ($list:expr, $v:expr) => {{
                let i = index.min($list.len());
                $list.insert(i, $v);
                i
            }};
        }
        let index = match sticky {
            Sticky::Enum(v) => put!(c.enums, v),
            Sticky::Value(v) => put!(c.values, v),
            Sticky::Actor(v) => put!(c.actors, v),
            Sticky::Command(v) => put!(c.commands, v),
            Sticky::Aggregate(v) => put!(c.aggregates, v),
            Sticky::Event(v) => put!(c.events, v),
            Sticky::Policy(v) => put!(c.policies, v),
            Sticky::Saga(v) => put!(c.sagas, v),
            Sticky::ReadModel(v) => put!(c.read_models, v),
            Sticky::External(v) => put!(c.externals, v),
            Sticky::HotSpot(v) => put!(c.hotspots, v),
        };
        Some(Loc {
            kind,
            context: Some(context),
            index,
        })
    }

    /// Takes the sticky at `loc` out of its list (nothing else changes: an event's number is
    /// not retired here).
    pub fn take_sticky(&mut self, loc: Loc) -> Option<Sticky> {
        let c = self.contexts.get_mut(loc.context?)?;
        let i = loc.index;
        macro_rules! take {
            ($list:expr, $variant:ident) => {
                (i < $list.len()).then(|| Sticky::$variant($list.remove(i)))
            };
        }
        match loc.kind {
            Kind::Enum => take!(c.enums, Enum),
            Kind::Value => take!(c.values, Value),
            Kind::Actor => take!(c.actors, Actor),
            Kind::Command => take!(c.commands, Command),
            Kind::Aggregate => take!(c.aggregates, Aggregate),
            Kind::Event => take!(c.events, Event),
            Kind::Policy => take!(c.policies, Policy),
            Kind::Saga => take!(c.sagas, Saga),
            Kind::ReadModel => take!(c.read_models, ReadModel),
            Kind::External => take!(c.externals, External),
            Kind::HotSpot => take!(c.hotspots, HotSpot),
            _ => None,
        }
    }

    /// Removes the elements `ids` (stickies; contexts with everything in them). Indices of
    /// other elements in the same lists shift down; ids are removed highest index first.
    pub fn remove_elements(&mut self, ids: &[Loc]) {
        let mut ids = ids.to_vec();
        ids.sort();
        ids.dedup();
        for id in ids.into_iter().rev() {
            match id.kind {
                Kind::Context => {
                    if id.index < self.contexts.len() {
                        self.contexts.remove(id.index);
                    }
                }
                Kind::Scenario => {
                    if id.index < self.scenarios.len() {
                        self.scenarios.remove(id.index);
                    }
                }
                Kind::Relation => {
                    if id.index < self.relations.len() {
                        self.relations.remove(id.index);
                    }
                }
                Kind::Event => {
                    if let Some(c) = id.context.and_then(|ci| self.contexts.get_mut(ci)) {
                        c.remove_event(id.index);
                    }
                }
                kind => {
                    if let Some(c) = id.context.and_then(|ci| self.contexts.get_mut(ci)) {
                        with_list_mut!(
                            c,
                            kind,
                            |l| if id.index < l.len() {
                                l.remove(id.index);
                            },
                            ()
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_rename_move_copy_and_remove_a_sticky() {
        let mut m = Model::new("t");
        let id = m
            .insert_sticky(
                0,
                Sticky::HotSpot(HotSpot {
                    uid: Uid::NONE,
                    text: "why?".into(),
                    at: Pos::new(1.0, 2.0),
                }),
            )
            .unwrap();
        assert_eq!(m.name_of(id), Some("why?"));
        *m.name_mut(id).unwrap() = "how?".into();
        m.pos_mut(id).unwrap().x = 10.0;
        assert_eq!(m.pos_of(id), Some(Pos::new(10.0, 2.0)));
        let copy = m.sticky(id).unwrap();
        assert_eq!(copy.kind(), Kind::HotSpot);
        m.remove_elements(&[id]);
        assert!(m.name_of(id).is_none());
        assert!(!m.set_sticky(id, copy));
    }
}
