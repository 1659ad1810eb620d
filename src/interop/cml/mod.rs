//! Context Mapper's CML (<https://contextmapper.org>) read into a Stormlab model.
//!
//! - [`lexer`] and [`parse`]: the text into [`ast`], reading past what is not mapped.
//! - [`types`]: CML's attribute types as Stormlab field types.
//! - [`contexts`]: bounded contexts, aggregates, entities, value objects, enums, events and
//!   commands.
//! - [`flows`]: application flows as handlers, appliers, policies and actors.
//! - [`relations`]: the context map's relationships with their patterns and roles.
//!
//! What the model cannot say is listed as a [`Note`] with its place, never dropped silently.

mod ast;
mod contexts;
mod flows;
mod lexer;
mod parse;
mod relations;
mod types;

use std::ops::Range;

use crate::model::Model;

/// Something in the file the model does not hold as written: what, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The bytes it is about.
    pub span: Range<usize>,
    /// What was done with it.
    pub message: String,
}

/// Why a file could not be read as CML: what, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// The bytes it is about.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
}

impl ParseError {
    fn new(span: Range<usize>, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
        }
    }
}

/// A model read from CML, and the notes on what it could not hold.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The model, laid out on the board.
    pub model: Model,
    /// Notes in the order of their places in the file.
    pub notes: Vec<Note>,
}

/// Reads the CML text `src` into a model named `name` (when the file names no context map).
/// The same text always gives the same model, ids included.
pub fn import(src: &str, name: &str) -> Result<Imported, ParseError> {
    let (file, mut notes) = parse::parse(src)?;
    let mut model = Model::new(name);
    model.contexts.clear();
    model.doc = "Imported from Context Mapper (CML).".into();
    if let Some(map) = &file.map {
        if let Some(n) = &map.name {
            model.name = n.text.clone();
        }
        for s in &map.settings {
            model.doc.push_str(&format!(
                "\nContext map {}: {}",
                s.key.text,
                s.values.join(", ")
            ));
        }
    }
    let types = types::Types::of(&file);
    contexts::add(&mut model, &file, &types, &mut notes);
    flows::add(&mut model, &file, &mut notes);
    super::imported::add_id_fields(&mut model);
    if let Some(map) = &file.map {
        relations::add(&mut model, map, &mut notes);
    }
    model.assign_ids();
    let model = crate::model::autolayout::auto_layout(&model, None);
    notes.sort_by_key(|n| (n.span.start, n.span.end));
    Ok(Imported { model, notes })
}
