//! Autosave and crash recovery: while there are unsaved changes, the model is written every
//! few seconds to a recovery file; a clean save or exit removes it; on the next start after a
//! crash the studio offers to restore it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::{Model, file};

/// How long after a change the recovery file is written.
pub const AUTOSAVE_DELAY: Duration = Duration::from_secs(3);

/// The recovery folder: `$STORMLAB_RECOVERY_DIR`, else `recovery` in the studio's data folder
/// as eframe keeps it per platform (Linux: `$XDG_DATA_HOME/stormlab` or
/// `~/.local/share/stormlab`; macOS: `~/Library/Application Support/Stormlab`; Windows:
/// `%APPDATA%\Stormlab\data`), else a temp folder.
pub fn recovery_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("STORMLAB_RECOVERY_DIR") {
        return PathBuf::from(d);
    }
    eframe::storage_dir(crate::app::APP_ID)
        .unwrap_or_else(|| std::env::temp_dir().join("stormlab"))
        .join("recovery")
}

/// The recovery file for a document stored at `path` (or an untitled one).
pub fn recovery_file(dir: &Path, path: Option<&Path>) -> PathBuf {
    let key = match path {
        Some(p) => {
            let full = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_owned());
            // FNV-1a: a stable short name for the document's path.
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in full.to_string_lossy().bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("{stem}-{h:016x}.ron")
        }
        None => "untitled.ron".into(),
    };
    dir.join(key)
}

/// A recovered board found at start-up.
#[derive(Clone, Debug)]
pub struct Recovered {
    /// The recovery file.
    pub file: PathBuf,
    /// The model in it.
    pub model: Model,
}

/// Looks for a recovery file for `path` that is newer than the document itself.
pub fn find(dir: &Path, path: Option<&Path>) -> Option<Recovered> {
    let file = recovery_file(dir, path);
    let rec_time = std::fs::metadata(&file).ok()?.modified().ok()?;
    if let Some(p) = path
        && let Ok(doc_time) = std::fs::metadata(p).and_then(|m| m.modified())
        && doc_time > rec_time
    {
        return None;
    }
    let model = file::load(&file).ok()?;
    Some(Recovered { file, model })
}

/// Writes the recovery file at most every [`AUTOSAVE_DELAY`] while there are changes.
#[derive(Debug)]
pub struct Autosave {
    dir: PathBuf,
    saved_revision: u64,
    changed_at: Option<Instant>,
    /// The last error, shown in the status bar.
    pub error: Option<String>,
}

impl Autosave {
    /// Autosave into `dir`.
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            saved_revision: 0,
            changed_at: None,
            error: None,
        }
    }

    /// Call every frame. Returns how long until the next write is due, if one is pending.
    pub fn tick(
        &mut self,
        model: &Model,
        path: Option<&Path>,
        revision: u64,
        dirty: bool,
    ) -> Option<Duration> {
        if !dirty {
            self.changed_at = None;
            self.saved_revision = revision;
            return None;
        }
        if revision == self.saved_revision {
            return None;
        }
        let since = *self.changed_at.get_or_insert_with(Instant::now);
        let elapsed = since.elapsed();
        if elapsed < AUTOSAVE_DELAY {
            return Some(AUTOSAVE_DELAY - elapsed);
        }
        let target = recovery_file(&self.dir, path);
        let result = std::fs::create_dir_all(&self.dir)
            .map_err(|e| e.to_string())
            .and_then(|_| file::save(&target, model).map_err(|e| e.to_string()));
        if let Err(e) = &result {
            log::warn!("autosave to {}: {e}", target.display());
        }
        self.error = result.err();
        self.saved_revision = revision;
        self.changed_at = None;
        None
    }

    /// Removes the recovery file (after a save, or a deliberate discard).
    pub fn clear(&mut self, path: Option<&Path>) {
        let _ = std::fs::remove_file(recovery_file(&self.dir, path));
        self.changed_at = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autosave_writes_after_the_delay_and_find_recovers_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Autosave::new(dir.path().to_owned());
        let mut m = Model::new("work in progress");
        m.doc = "unsaved".into();
        assert!(
            a.tick(&m, None, 1, true).is_some(),
            "not yet: the delay runs"
        );
        a.changed_at = Some(Instant::now() - AUTOSAVE_DELAY);
        assert!(a.tick(&m, None, 1, true).is_none());
        let rec = find(dir.path(), None).expect("a recovery file");
        assert_eq!(rec.model, m);
        a.clear(None);
        assert!(find(dir.path(), None).is_none());
    }
}
