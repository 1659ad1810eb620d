//! A room kept on disk by the relay (`stormlab serve --data DIR`): `DIR/<room>/token`, the
//! room's document as of the last compaction (`snapshot`, replaced atomically), and every
//! update since, appended to `log` and flushed to the disk before the relay acknowledges it.
//! A relay killed at any moment (`kill -9`) loses nothing it acknowledged: on start the
//! snapshot is read and the log replayed; a record cut short by the kill (never
//! acknowledged) is dropped.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};

/// After this many logged updates, the room is compacted into a new snapshot.
const COMPACT_AFTER: usize = 1_000;

/// One room's files.
#[derive(Debug)]
pub struct RoomStore {
    dir: PathBuf,
    log: File,
    logged: usize,
}

/// What a room's files held.
#[derive(Debug, Default)]
pub struct Stored {
    /// The room's token.
    pub token: String,
    /// The snapshot (empty for a room never compacted).
    pub snapshot: Vec<u8>,
    /// The updates since, in order.
    pub updates: Vec<Vec<u8>>,
}

impl RoomStore {
    /// Creates the files of a new room, in a folder only the relay's user can read (the
    /// token is the room's secret).
    pub fn create(dir: &Path, token: &str) -> io::Result<RoomStore> {
        fs::create_dir_all(dir)?;
        #[cfg(unix)]
        fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
        write_atomic(&dir.join("token"), token.as_bytes())?;
        Self::open_log(dir, 0)
    }

    /// Reads a room's files, or None when there is no such room.
    pub fn load(dir: &Path) -> io::Result<Option<(RoomStore, Stored)>> {
        let token = match fs::read_to_string(dir.join("token")) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let snapshot = match fs::read(dir.join("snapshot")) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut bytes = Vec::new();
        if let Ok(mut f) = File::open(dir.join("log")) {
            f.read_to_end(&mut bytes)?;
        }
        let (updates, whole) = records(&bytes);
        if whole < bytes.len() {
            // A record cut short by a crash: it was never acknowledged. Keep the whole ones.
            let f = OpenOptions::new().write(true).open(dir.join("log"))?;
            f.set_len(whole as u64)?;
            f.sync_all()?;
        }
        let store = Self::open_log(dir, updates.len())?;
        Ok(Some((
            store,
            Stored {
                token,
                snapshot,
                updates,
            },
        )))
    }

    fn open_log(dir: &Path, logged: usize) -> io::Result<RoomStore> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("log"))?;
        Ok(RoomStore {
            dir: dir.to_owned(),
            log,
            logged,
        })
    }

    /// Appends an update and waits until the disk has it. Returns whether it is time to
    /// compact ([`RoomStore::compact`]).
    pub fn append(&mut self, update: &[u8]) -> io::Result<bool> {
        let mut record = Vec::with_capacity(update.len() + 4);
        record.extend_from_slice(&(update.len() as u32).to_le_bytes());
        record.extend_from_slice(update);
        self.log.write_all(&record)?;
        self.log.sync_data()?;
        self.logged += 1;
        Ok(self.logged >= COMPACT_AFTER)
    }

    /// Replaces snapshot and log by one snapshot (the snapshot is written whole first, so a
    /// crash in between leaves the old snapshot and a log whose updates it already holds:
    /// replaying them again changes nothing).
    pub fn compact(&mut self, snapshot: &[u8]) -> io::Result<()> {
        write_atomic(&self.dir.join("snapshot"), snapshot)?;
        self.log.set_len(0)?;
        self.log.sync_all()?;
        self.logged = 0;
        Ok(())
    }
}

/// The whole records at the front of a log, and how many bytes they take.
fn records(bytes: &[u8]) -> (Vec<Vec<u8>>, usize) {
    let mut out = Vec::new();
    let mut at = 0;
    while bytes.len() - at >= 4 {
        let n =
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        if bytes.len() - at - 4 < n {
            break;
        }
        out.push(bytes[at + 4..at + 4 + n].to_vec());
        at += 4 + n;
    }
    (out, at)
}

/// Writes a file whole or not at all (a temporary file in the same folder, flushed, renamed).
fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    crate::model::file::write_atomic(path, bytes).map_err(|e| io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_survive_reopening_and_a_torn_last_record_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let room = dir.join("workshop");
        let mut s = RoomStore::create(&room, "secret").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = room.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "other users cannot read the room's token");
        }
        s.append(b"one").unwrap();
        s.append(b"two").unwrap();
        drop(s);
        // A crash in the middle of writing a third record.
        let mut f = OpenOptions::new()
            .append(true)
            .open(room.join("log"))
            .unwrap();
        f.write_all(&[9, 0, 0, 0, b'x']).unwrap();
        drop(f);
        let (mut s, stored) = RoomStore::load(&room).unwrap().unwrap();
        assert_eq!(stored.token, "secret");
        assert_eq!(stored.updates, vec![b"one".to_vec(), b"two".to_vec()]);
        // Appending goes on after the whole records.
        s.append(b"three").unwrap();
        s.compact(b"snap").unwrap();
        s.append(b"four").unwrap();
        let (_, stored) = RoomStore::load(&room).unwrap().unwrap();
        assert_eq!(stored.snapshot, b"snap");
        assert_eq!(stored.updates, vec![b"four".to_vec()]);
        assert!(RoomStore::load(&dir.join("none")).unwrap().is_none());
    }
}
