//! The model checks: every finding is a coded [`Diagnostic`] pointing at an element and a
//! place in the file. `check` never panics, whatever the model holds.

mod behaviour;
mod board;
mod context_map;
mod copies;
mod expressions;
mod invariants;
mod names;
mod references;
mod timing;

use super::diagnostic::{Code, Diagnostic};
use super::document::Model;
use super::element::{Loc, PathSeg};
use super::resolve::NameIndex;
use super::scopes::ModelTypes;

/// Shared state of one check run.
pub(crate) struct Checker<'m> {
    pub model: &'m Model,
    pub index: NameIndex,
    pub types: ModelTypes,
    pub out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// Records a finding about `element` at `path` (relative to the element when `rel`).
    pub fn push(&mut self, code: Code, element: Option<Loc>, path: Vec<PathSeg>, message: String) {
        self.out.push(Diagnostic::new(code, element, path, message));
    }

    /// The path of `id` extended by `rest`.
    pub fn at(&self, id: Loc, rest: &[PathSeg]) -> Vec<PathSeg> {
        let mut p = id.path();
        p.extend_from_slice(rest);
        p
    }

    /// `Context/Name` of an element, for messages.
    pub fn name(&self, id: Loc) -> String {
        self.model.display_name(id)
    }
}

/// Checks `model` and returns its findings, errors first, then in file order.
///
/// These are the model's own findings: what would stop it from being simulated. The
/// findings about its exported contracts (buf's rules) are `export::lint`; both together,
/// as `stormlab check` and the Problems panel show them, are `export::findings`.
pub fn check(model: &Model) -> Vec<Diagnostic> {
    let mut c = Checker {
        model,
        index: NameIndex::new(model),
        types: ModelTypes::new(model),
        out: Vec::new(),
    };
    board::check(&mut c);
    names::check(&mut c);
    references::check(&mut c);
    behaviour::check(&mut c);
    copies::check(&mut c);
    context_map::check(&mut c);
    expressions::check(&mut c);
    timing::check(&mut c);
    invariants::check(&mut c);
    let mut out = c.out;
    sort(&mut out);
    out
}

/// Puts findings in their shown order (errors first, then by element) without repeats.
pub fn sort(out: &mut Vec<Diagnostic>) {
    out.sort_by(|a, b| {
        (a.severity, &a.element, a.code, &a.message)
            .cmp(&(b.severity, &b.element, b.code, &b.message))
    });
    out.dedup();
}

/// True if any finding is an error.
pub fn has_errors(diags: &[Diagnostic]) -> bool {
    diags
        .iter()
        .any(|d| d.severity == super::diagnostic::Severity::Error)
}
