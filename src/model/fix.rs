//! Quick fixes: for the common findings, the change that makes them go away, offered next to
//! the finding in Problems and applied as one undoable edit. A fix is plain data addressed by
//! the element's id, so it still means the same after other edits.

use super::diagnostic::{Code, Diagnostic};
use super::document::Model;
use super::element::{Kind, Loc};
use super::ty::Type;
use super::uid::Uid;

/// One quick fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Name the element (rename it in place on the board).
    Rename {
        /// The element.
        element: Uid,
    },
    /// Give a command or event the id field of the aggregate or external system it goes to.
    AddIdField {
        /// The command or event.
        element: Uid,
        /// The field's name.
        field: String,
    },
    /// Give the aggregate a handler for the command (allowed in every state, no guard).
    AddHandler {
        /// The aggregate.
        aggregate: Uid,
        /// The command's name.
        command: String,
    },
}

impl Fix {
    /// What it does, as a button says it.
    pub fn label(&self) -> String {
        match self {
            Fix::Rename { .. } => "Name it…".into(),
            Fix::AddIdField { field, .. } => format!("Add field `{field}`"),
            Fix::AddHandler { command, .. } => format!("Add a handler for {command}"),
        }
    }
}

/// The element of `kind` that `name` refers to from context `from`.
fn resolve(model: &Model, name: &str, kind: Kind, from: Option<usize>) -> Option<Loc> {
    let bare = name.split_once('.').map_or(name, |(_, n)| n);
    super::resolve::NameIndex::of_name(model, bare)
        .resolve(name, &[kind], from)
        .found()
}

/// The quick fixes for finding `d` of `model` (none for most findings).
pub fn fixes(model: &Model, d: &Diagnostic) -> Vec<Fix> {
    let Some(loc) = d.element else {
        return vec![];
    };
    let Some(element) = model.uid_at(loc) else {
        return vec![];
    };
    let Some(c) = loc.context.and_then(|ci| model.contexts.get(ci)) else {
        return vec![];
    };
    match (d.code, loc.kind) {
        (Code::PlaceholderName, _) => vec![Fix::Rename { element }],
        (Code::MissingIdField, Kind::Command) => {
            let target = c
                .commands
                .get(loc.index)
                .and_then(|cmd| resolve(model, &cmd.target, Kind::Aggregate, loc.context));
            target
                .and_then(|t| super::connect::handler_id(model, t))
                .map(|field| Fix::AddIdField { element, field })
                .into_iter()
                .collect()
        }
        (Code::MissingIdField, Kind::Event) => {
            let owner = c.events.get(loc.index).and_then(|ev| {
                resolve(model, &ev.owner, Kind::Aggregate, loc.context)
                    .or_else(|| resolve(model, &ev.owner, Kind::External, loc.context))
            });
            owner
                .and_then(|o| super::connect::handler_id(model, o))
                .map(|field| Fix::AddIdField { element, field })
                .into_iter()
                .collect()
        }
        (Code::CommandNotHandled, Kind::Command) => {
            let Some(cmd) = c.commands.get(loc.index) else {
                return vec![];
            };
            resolve(model, &cmd.target, Kind::Aggregate, loc.context)
                .and_then(|t| model.uid_at(t))
                .map(|aggregate| Fix::AddHandler {
                    aggregate,
                    command: cmd.name.clone(),
                })
                .into_iter()
                .collect()
        }
        _ => vec![],
    }
}

/// Applies `fix` to `model` (a `Rename` is the board's to do: it changes nothing here).
/// Returns what was done, or why it could not be.
pub fn apply(model: &mut Model, fix: &Fix) -> Result<String, String> {
    const GONE: &str = "that element no longer exists";
    match fix {
        Fix::Rename { .. } => Ok(String::new()),
        Fix::AddIdField { element, field } => {
            let loc = model.locate(*element).ok_or(GONE)?;
            let c = loc
                .context
                .and_then(|ci| model.contexts.get_mut(ci))
                .ok_or(GONE)?;
            match loc.kind {
                Kind::Command => {
                    let cmd = c.commands.get_mut(loc.index).ok_or(GONE)?;
                    super::connect::ensure_field(&mut cmd.fields, &cmd.reserved, field, &Type::Id);
                    Ok(format!("Added field {field} to {}", cmd.name))
                }
                Kind::Event => {
                    let ev = c.events.get_mut(loc.index).ok_or(GONE)?;
                    super::connect::ensure_field(&mut ev.fields, &ev.reserved, field, &Type::Id);
                    Ok(format!("Added field {field} to {}", ev.name))
                }
                _ => Err("only commands and events get id fields".into()),
            }
        }
        Fix::AddHandler { aggregate, command } => {
            let loc = model.locate(*aggregate).ok_or(GONE)?;
            let a = loc
                .context
                .and_then(|ci| model.contexts.get_mut(ci))
                .and_then(|c| c.aggregates.get_mut(loc.index))
                .ok_or(GONE)?;
            super::connect::handler_for(a, command);
            Ok(format!("{} handles {command}", a.name))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::access::Sticky;
    use crate::model::layout::Pos;

    fn findings(m: &Model, code: Code) -> Vec<Diagnostic> {
        crate::model::check::check(m)
            .into_iter()
            .filter(|d| d.code == code)
            .collect()
    }

    #[test]
    fn each_quick_fix_makes_its_finding_go_away() {
        let mut m = Model::new("t");
        let mut add = |k, n| {
            m.insert_sticky(0, Sticky::new_of(k, n, Pos::default()).unwrap())
                .unwrap()
        };
        let cmd = add(Kind::Command, "PlaceOrder");
        let agg = add(Kind::Aggregate, "Order");
        let ev = add(Kind::Event, "OrderPlaced");
        // Linked by hand, as a file might be: target and owner set, nothing else.
        m.contexts[0].commands[cmd.index].target = "Order".into();
        m.contexts[0].events[ev.index].owner = "Order".into();
        let _ = agg;
        for code in [Code::MissingIdField, Code::CommandNotHandled] {
            let found = findings(&m, code);
            assert!(!found.is_empty(), "{code:?}");
            for d in found {
                let fixes = fixes(&m, &d);
                assert_eq!(fixes.len(), 1, "{}", d.message);
                apply(&mut m, &fixes[0]).unwrap();
            }
            assert!(findings(&m, code).is_empty(), "{code:?} fixed");
        }
        assert_eq!(m.contexts[0].commands[0].fields[0].name, "id");
        assert_eq!(m.contexts[0].events[0].fields[0].name, "id");
        assert_eq!(m.contexts[0].aggregates[0].handlers[0].on, "PlaceOrder");
        // A placeholder's fix is the board's rename.
        let mut m = Model::new("t");
        let loc = m
            .insert_sticky(
                0,
                Sticky::new_of(Kind::Event, "SomethingHappened", Pos::default()).unwrap(),
            )
            .unwrap();
        let d = &findings(&m, Code::PlaceholderName)[0];
        assert_eq!(
            fixes(&m, d),
            [Fix::Rename {
                element: m.uid_at(loc).unwrap()
            }]
        );
    }
}
