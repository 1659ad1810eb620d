//! Event Modeling (<https://eventmodeling.org>) exports read into a Stormlab model whose
//! specifications are scenarios: a team that drew its event model with the Nebulit toolkit
//! for Miro runs its given/when/then examples with `stormlab test`.
//!
//! - [`schema`]: the export's JSON, read leniently.
//! - [`elements`]: contexts, commands, events, aggregates, read models, automations, actors.
//! - [`specs`]: specifications as scenarios.

mod elements;
mod schema;
mod specs;

use crate::model::Model;
use crate::model::naming::pascal_case;

/// What the model does not hold as the export wrote it, each naming its place
/// (`slices[2] command "Submit Cart": …`).
pub type Notes = Vec<String>;

/// Why a text is not an Event Modeling export, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ImportError {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// A model read from an Event Modeling export, and the notes on what it could not hold.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The model, laid out on the board, with a scenario per specification.
    pub model: Model,
    /// Notes, in the order of the export.
    pub notes: Notes,
}

/// Reads the Event Modeling JSON `text` into a model named `name`. The same text always
/// gives the same model, ids included.
pub fn import(text: &str, name: &str) -> Result<Imported, ImportError> {
    let doc: schema::Document = serde_json::from_str(text).map_err(|e| ImportError {
        line: e.line(),
        column: e.column(),
        message: format!("not Event Modeling JSON: {e}"),
    })?;
    let Some(slices) = doc.slices else {
        return Err(ImportError {
            line: 1,
            column: 1,
            message: "no `slices`: not an Event Modeling export".into(),
        });
    };
    let mut model = Model::new(name);
    model.contexts.clear();
    model.doc =
        "Imported from an Event Modeling export; its specifications are the scenarios.".into();
    let mut notes = Notes::new();
    let ids = elements::add_elements(&mut model, &slices, &mut notes);
    elements::add_behaviour(&mut model, &slices, &ids, &mut notes);
    super::imported::add_id_fields(&mut model);
    specs::add(&mut model, &slices, &mut notes);
    model.assign_ids();
    let model = crate::model::autolayout::auto_layout(&model, None);
    Ok(Imported { model, notes })
}

/// An element's name from its title: `slice: Submit Cart` is `SubmitCart`; a title that
/// starts with no letter gets an `X` in front.
pub fn name_of(title: &str) -> String {
    let t = title.trim();
    let t = ["spec:", "slice:"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    let name = pascal_case(t);
    if name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        name
    } else {
        format!("X{name}")
    }
}
