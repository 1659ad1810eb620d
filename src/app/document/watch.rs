//! Noticing that the open file changed on disk: a `notify` watcher on its folder (editors
//! and `git checkout` replace files by renaming, which a watch on the file itself would miss)
//! wakes the studio, which then compares the file's modification time with the one it knows.
//! Where no watcher can be made (no inotify instances left, an unusual file system), the
//! studio compares the time on every frame instead, as it did before.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use notify::Watcher as _;

/// A watch on one file.
pub struct DiskWatch {
    path: PathBuf,
    changed: Arc<AtomicBool>,
    /// None when watching failed: then every frame counts as a possible change.
    watcher: Option<notify::RecommendedWatcher>,
}

impl DiskWatch {
    /// Watches `path`; `wake` is called (from the watcher's thread) when it may have changed.
    pub fn new(path: &Path, wake: impl Fn() + Send + 'static) -> DiskWatch {
        let changed = Arc::new(AtomicBool::new(false));
        let name = path.file_name().map(|n| n.to_owned());
        let flag = changed.clone();
        let watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if event.kind.is_access() {
                return;
            }
            if event.paths.iter().any(|p| p.file_name() == name.as_deref()) {
                flag.store(true, Ordering::Release);
                wake();
            }
        })
        .and_then(|mut w| {
            let folder = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            w.watch(folder, notify::RecursiveMode::NonRecursive)?;
            Ok(w)
        });
        if let Err(e) = &watcher {
            log::warn!(
                "cannot watch {} for changes ({e}); checking it on every frame",
                path.display()
            );
        }
        DiskWatch {
            path: path.to_owned(),
            changed,
            watcher: watcher.ok(),
        }
    }

    /// The watched file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file may have changed since the last call.
    pub fn take_changed(&self) -> bool {
        self.watcher.is_none() || self.changed.swap(false, Ordering::AcqRel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn a_file_replaced_by_rename_is_noticed_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.ron");
        std::fs::write(&path, "one").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let watch = DiskWatch::new(&path, move || {
            let _ = tx.send(());
        });
        assert!(!watch.take_changed());
        // Another file in the folder: no news.
        std::fs::write(dir.path().join("other.ron"), "x").unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(!watch.take_changed());
        // Replaced the way editors save: a new file renamed over it.
        let tmp = dir.path().join(".m.ron.tmp");
        std::fs::write(&tmp, "two").unwrap();
        std::fs::rename(&tmp, &path).unwrap();
        let start = Instant::now();
        while !watch.take_changed() {
            assert!(start.elapsed() < Duration::from_secs(5), "never noticed");
            let _ = rx.recv_timeout(Duration::from_millis(100));
        }
    }
}
