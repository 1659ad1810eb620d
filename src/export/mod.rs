//! Contracts out of the model: Protocol Buffers files per bounded context, a compatibility
//! report between two versions of a model, and simulated events as protobuf (DESIGN.md §3).
//!
//! - [`schema`]: the model as proto declarations (the one description everything reads).
//! - [`names`]: sanitized, unique proto identifiers.
//! - [`render`]: `.proto` text.
//! - [`lint`]: buf STANDARD rules as Stormlab diagnostics, before anything is written.
//! - [`diff`]: what changed between two models' contracts and whether it breaks consumers.
//! - [`encode`]: the simulation's log as length-delimited binary protobuf envelopes.
//! - [`json`]: the same envelopes as proto-JSON lines.

pub mod diff;
pub mod encode;
pub mod json;
pub mod lint;
pub mod names;
pub mod render;
pub mod schema;

use std::path::{Component, Path, PathBuf};

use crate::model::Model;
use crate::model::file::write_atomic;

/// Every finding about `model`: its own (`model::check`) and its contracts' (`lint`), in
/// the order they are shown. Contract findings block an export, never a simulation.
pub fn findings(model: &Model) -> Vec<crate::model::diagnostic::Diagnostic> {
    let mut out = crate::model::check::check(model);
    out.extend(lint::lint(model));
    crate::model::check::sort(&mut out);
    out
}

/// One generated file: its path relative to the output folder and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    /// `<org>/<context>/v<N>/<context>.proto`.
    pub path: String,
    /// The file's text.
    pub text: String,
}

/// The `.proto` files of `model`, one per bounded context, in model order.
pub fn protos(model: &Model) -> Vec<Generated> {
    schema::schema(model)
        .files
        .iter()
        .map(|f| Generated {
            path: f.path.clone(),
            text: render::render(f),
        })
        .collect()
}

/// Why files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A generated path would leave the output folder (never happens with sanitized names;
    /// checked anyway).
    #[error("refusing to write {0}: the path leaves the output folder")]
    Escapes(String),
    /// A folder or file on the way to a generated file is a symbolic link: writing through it
    /// could land outside the output folder.
    #[error("refusing to write {path}: {link} is a symbolic link")]
    Link {
        /// The generated file.
        path: PathBuf,
        /// The link on its way.
        link: PathBuf,
    },
    /// The file system said no.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The reason.
        source: std::io::Error,
    },
}

/// The place of `rel` inside `dir`, if `rel` is a plain relative path (no `..`, no root).
pub fn inside(dir: &Path, rel: &str) -> Option<PathBuf> {
    let p = Path::new(rel);
    let plain = p.components().all(|c| matches!(c, Component::Normal(_)));
    (plain && !rel.is_empty()).then(|| dir.join(p))
}

/// Writes `files` under `dir`, each atomically (temporary file, fsync, rename). Returns the
/// paths written. Nothing is written through a symbolic link found inside `dir`.
pub fn write(dir: &Path, files: &[Generated]) -> Result<Vec<PathBuf>, WriteError> {
    let mut written = Vec::new();
    for f in files {
        let path = inside(dir, &f.path).ok_or_else(|| WriteError::Escapes(f.path.clone()))?;
        refuse_links(dir, &f.path, &path)?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WriteError::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        write_atomic(&path, f.text.as_bytes()).map_err(|e| WriteError::Io {
            path: path.clone(),
            source: e.source,
        })?;
        written.push(path);
    }
    Ok(written)
}

/// Fails when a folder or the file on the way from `dir` to `rel` exists as a symbolic link.
fn refuse_links(dir: &Path, rel: &str, path: &Path) -> Result<(), WriteError> {
    let mut at = dir.to_owned();
    for part in Path::new(rel).components() {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(WriteError::Link {
                    path: path.to_owned(),
                    link: at,
                });
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}
