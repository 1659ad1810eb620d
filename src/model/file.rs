//! The model file: RON, canonical formatting, placed load errors and atomic saves.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::diagnostic::Code;
use super::document::{FORMAT_VERSION, Model};
use super::element::PathSeg;
use super::locate::{LineCol, line_col, locate, offset_of};

/// The largest model file the loader accepts (64 MiB).
pub const MAX_FILE_BYTES: usize = 64 << 20;

/// Why a model file could not be read. Displays as `file:line:col: error[SL038]: message`
/// when the text is not a model (a format error, with its place), `file: error: message`
/// when the file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file name as given (or `<memory>`).
    pub file: String,
    /// Where, when known.
    pub at: Option<LineCol>,
    /// What went wrong and what was expected.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some(at) => write!(
                f,
                "{}:{}:{}: error[{}]: {}",
                self.file,
                at.line,
                at.col,
                Code::FileFormat.as_str(),
                self.message
            ),
            None => write!(f, "{}: error: {}", self.file, self.message),
        }
    }
}

/// Why a save failed; the previous file is untouched.
#[derive(Debug, thiserror::Error)]
#[error("could not save {path}: {source}")]
pub struct SaveError {
    /// The file that was to be written.
    pub path: PathBuf,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

/// Parses a model from RON text. `file` names the source in error messages.
///
/// Never panics: syntax errors, wrong types, unknown fields and unsupported format versions
/// come back as a [`LoadError`] with the place.
pub fn from_str(text: &str, file: &str) -> Result<Model, LoadError> {
    let err = |at: Option<LineCol>, message: String| LoadError {
        file: file.to_owned(),
        at,
        message,
    };
    if text.len() > MAX_FILE_BYTES {
        return Err(err(
            None,
            format!("file is larger than {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    if text.trim().is_empty() {
        return Err(err(
            Some(LineCol { line: 1, col: 1 }),
            "the file is empty; expected a model `(format: 2, name: \"…\", contexts: [...])`"
                .into(),
        ));
    }
    let options = ron::Options::default()
        .with_recursion_limit(128)
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let model: Model = options.from_str(text).map_err(|e| {
        let mut at = LineCol {
            line: e.span.start.line.max(1),
            col: e.span.start.col.max(1),
        };
        let mut message = describe(&e.code);
        if let ron::Error::MissingStructField { field, outer } = &e.code {
            // ron reports a missing field where the element ends; the element starts at
            // the bracket that the end closes.
            let end = offset_of(text, at);
            if let Some(start) = opening_bracket(text, end) {
                let what = outer
                    .as_deref()
                    .map_or("element".into(), |o| format!("`{o}`"));
                let ends = line_col(text, end);
                at = line_col(text, start);
                message = format!(
                    "this {what} (up to {}:{}) lacks the field `{field}`",
                    ends.line, ends.col
                );
            }
        }
        let rest = text.get(offset_of(text, at)..).unwrap_or("").trim_end();
        if !rest.contains(char::is_whitespace) && !matches!(e.code, ron::Error::Eof) {
            message = format!("the file ends too early (truncated?): {message}");
        }
        err(Some(at), message)
    })?;
    if model.format == 0 || model.format > FORMAT_VERSION {
        let at = line_col(text, locate(text, &[PathSeg::Key("format")]));
        return Err(err(
            Some(at),
            format!(
                "unsupported format version {}; this Stormlab reads versions 1 to {FORMAT_VERSION}",
                model.format
            ),
        ));
    }
    let mut model = model;
    for c in &mut model.contexts {
        c.number_events();
    }
    // Format 1 had no ids: they are derived from each element's place and name (the same
    // text always gives the same ids), and the model is from now on a format-2 model.
    model.assign_ids();
    model.format = FORMAT_VERSION;
    Ok(model)
}

/// The byte offset of the `(` or `[` that the bracket at `close` closes, skipping strings
/// and comments; None when `close` is no closing bracket or nothing opens it.
fn opening_bracket(text: &str, close: usize) -> Option<usize> {
    let b = text.as_bytes();
    if !matches!(b.get(close), Some(b')' | b']')) {
        return None;
    }
    let mut open = Vec::new();
    let mut i = 0;
    while i < close {
        match b[i] {
            b'"' => {
                i += 1;
                while i < close && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < close && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < close && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i += 1;
            }
            b'(' | b'[' | b'{' => open.push(i),
            b')' | b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

/// Rewords ron's errors where they are unclear to a modeller.
fn describe(code: &ron::Error) -> String {
    match code {
        ron::Error::Eof => {
            "unexpected end of file: the model is truncated (a bracket or quote is not closed)"
                .into()
        }
        ron::Error::ExceededRecursionLimit => "nesting is too deep".into(),
        other => other.to_string(),
    }
}

/// Reads and parses a model file. Errors name the file and the place.
pub fn load(path: &Path) -> Result<Model, LoadError> {
    let text = read_text(path)?;
    from_str(&text, &path.display().to_string())
}

/// Reads a model file as text; a file that is not UTF-8 is an error with the place.
pub fn read_text(path: &Path) -> Result<String, LoadError> {
    use std::io::Read as _;
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| LoadError {
        file: name.clone(),
        at: None,
        message: format!("cannot read: {e}"),
    };
    // Read at most one byte past the limit: `/dev/zero` or a huge file is refused without
    // being read whole first.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(LoadError {
            file: name,
            at: None,
            message: format!(
                "cannot read: the file is larger than {} MiB",
                MAX_FILE_BYTES >> 20
            ),
        });
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| LoadError {
        file: name.clone(),
        at: Some(line_col(
            &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
            e.valid_up_to(),
        )),
        message: "the file is not valid UTF-8 text".into(),
    })?;
    Ok(text.to_owned())
}

/// The canonical text of a model: stable field order, 4-space indents, one sticky's layout
/// on one line. Saving the same model twice gives the same bytes.
pub fn to_string(model: &Model) -> String {
    let config = ron::ser::PrettyConfig::new()
        .indentor("    ")
        .struct_names(false)
        .separate_tuple_members(false)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    match ron::ser::to_string_pretty(model, config) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        // Serializing plain data into a String cannot fail except for non-finite floats,
        // which ron writes anyway; keep a readable fallback rather than panicking.
        Err(e) => format!("// serialization failed: {e}\n"),
    }
}

/// Writes `model` to `path` atomically: a temporary file beside it is written and synced,
/// then renamed over the target. If anything fails, the old file is untouched.
pub fn save(path: &Path, model: &Model) -> Result<(), SaveError> {
    write_atomic(path, to_string(model).as_bytes())
}

/// Writes `bytes` to `path` atomically: a temporary file with an unguessable name, created
/// exclusively beside the target, is written and synced, then renamed over it, and the folder
/// is synced. The file keeps the permissions of the one it replaces. When `path` is a symbolic
/// link the file it points to is replaced, so the link stays.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SaveError> {
    let fail = |source| SaveError {
        path: path.to_owned(),
        source,
    };
    let target = follow_link(path);
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model.ron".into());
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    if let Ok(meta) = std::fs::metadata(&target) {
        builder.permissions(meta.permissions());
    } else {
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(&dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(&target).map_err(|e| fail(e.error))?;
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Where a chain of symbolic links starting at `path` ends (at most 40 links, as the kernel
/// allows); `path` itself when it is not a link.
fn follow_link(path: &Path) -> PathBuf {
    let mut at = path.to_owned();
    for _ in 0..40 {
        match std::fs::read_link(&at) {
            Ok(next) => {
                at = match at.parent() {
                    Some(parent) if next.is_relative() => parent.join(next),
                    _ => next,
                }
            }
            Err(_) => break,
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_model_round_trips_byte_stably() {
        let m = Model::new("Demo");
        let text = to_string(&m);
        let back = from_str(&text, "demo.ron").unwrap();
        assert_eq!(back, m);
        assert_eq!(to_string(&back), text);
        assert!(text.starts_with("#![enable(implicit_some)]"), "{text}");
    }

    #[test]
    fn truncated_file_reports_place_and_truncation() {
        let text = to_string(&Model::new("Demo"));
        let cut = &text[..text.len() / 2];
        let e = from_str(cut, "m.ron").unwrap_err();
        assert!(e.at.is_some());
        assert!(e.to_string().starts_with("m.ron:"), "{e}");
        assert!(e.message.contains("truncated"), "{e}");
        let e = from_str("(format: 1, name: \"x\", contexts: [(", "m.ron").unwrap_err();
        assert!(e.message.contains("truncated"), "{e}");
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_placed_errors() {
        let e = from_str("(format: 1, name: \"x\", colour: 3)", "m.ron").unwrap_err();
        assert_eq!(e.at, Some(LineCol { line: 1, col: 24 }));
        assert!(e.message.contains("colour"), "{e}");
        let e = from_str("(format: \"one\", name: \"x\")", "m.ron").unwrap_err();
        assert_eq!(e.at.map(|a| a.line), Some(1));
        let e = from_str("(format: 9, name: \"x\")", "m.ron").unwrap_err();
        assert!(e.message.contains("unsupported format version 9"), "{e}");
        assert_eq!(e.at, Some(LineCol { line: 1, col: 10 }));
    }

    #[test]
    fn failed_save_leaves_the_old_file_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ron");
        save(&path, &Model::new("Old")).unwrap();
        // A directory where the temp file should go makes the write fail.
        let target = dir.path().join("missing-dir").join("m.ron");
        assert!(save(&target, &Model::new("New")).is_err());
        assert_eq!(load(&path).unwrap().name, "Old");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file is left behind");
    }

    #[cfg(unix)]
    #[test]
    fn saving_through_a_link_keeps_the_link_and_the_files_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.ron");
        save(&real, &Model::new("Old")).unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.ron");
        std::os::unix::fs::symlink("real.ron", &link).unwrap();
        save(&link, &Model::new("New")).unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(load(&real).unwrap().name, "New");
        let mode = real.metadata().unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn the_temporary_file_is_not_at_a_guessable_name() {
        // A file planted where the old scheme put its temporary file (`.name.<pid>.tmp`) is
        // neither followed nor clobbered.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ron");
        let planted = dir
            .path()
            .join(format!(".m.ron.{}.tmp", std::process::id()));
        std::fs::write(&planted, "planted").unwrap();
        save(&path, &Model::new("New")).unwrap();
        assert_eq!(std::fs::read_to_string(&planted).unwrap(), "planted");
        assert_eq!(load(&path).unwrap().name, "New");
    }
}
