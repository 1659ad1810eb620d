//! [`Session`]: one person's side of a shared board — the document, the connection to the
//! relay, what the relay has acknowledged, who else is there. Headless: the studio drives it
//! from its frame loop (`poll`, `record`), tests drive it directly.
//!
//! Edits made while the connection is down stay in the document and are counted as unsent;
//! on reconnecting, the relay's document is merged in and everything it lacks is sent, so no
//! edit is lost and every peer converges.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use loro::{LoroDoc, VersionVector};

use super::client::{Link, LinkEvent};
use super::document::{CollabError, SharedDoc, random_peer};
use super::packed;
use super::wire::Message;
use crate::model::Model;
use crate::model::op::Op;

/// Where the connection stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the relay's welcome.
    Connecting,
    /// In the room.
    Connected,
    /// The connection is down (edits go on and are sent on reconnecting).
    Offline(String),
    /// The relay refused to admit (a wrong token, an unknown room): reconnecting will not help.
    Refused(String),
}

/// How to reach a room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomAddress {
    /// The relay, `ws://host:port`.
    pub relay: String,
    /// The room's name.
    pub room: String,
    /// The room's token.
    pub token: String,
}

impl RoomAddress {
    /// The join link people pass around: `stormlab://host:port/room#token`.
    pub fn link(&self) -> String {
        let host = self.relay.trim_start_matches("ws://");
        format!("stormlab://{host}/{}#{}", self.room, self.token)
    }

    /// Reads a join link (or the same with `ws://`).
    pub fn parse(link: &str) -> Result<RoomAddress, String> {
        let rest = link
            .trim()
            .strip_prefix("stormlab://")
            .or_else(|| link.trim().strip_prefix("ws://"))
            .ok_or("a join link starts with stormlab://")?;
        let (place, token) = rest
            .split_once('#')
            .ok_or("the join link has no token (the part after #)")?;
        let (host, room) = place
            .split_once('/')
            .ok_or("the join link names no room (host:port/room)")?;
        if host.is_empty() || room.is_empty() || token.is_empty() {
            return Err("the join link is incomplete: stormlab://host:port/room#token".into());
        }
        Ok(RoomAddress {
            relay: format!("ws://{host}"),
            room: room.to_owned(),
            token: token.to_owned(),
        })
    }
}

/// One person's connection to a shared board.
pub struct Session {
    address: RoomAddress,
    name: String,
    create: bool,
    doc: SharedDoc,
    link: Option<Link>,
    status: Status,
    /// What the relay has (acknowledged or sent to us), as far as we know.
    relay_has: VersionVector,
    next_seq: u64,
    unacked: BTreeSet<u64>,
    /// Local commits not sent yet (made offline).
    unsent: usize,
    peers: BTreeSet<String>,
    presence: BTreeMap<String, Vec<u8>>,
    /// The document changed since the model was last taken (`take_model`).
    changed: bool,
    /// What the relay refused of ours, newest last.
    pub refusals: Vec<String>,
    /// When an update was last sent.
    last_send: Option<Instant>,
    /// Local changes wait for the next send.
    waiting: bool,
    /// Called when something arrives (the studio repaints).
    wake: Arc<dyn Fn() + Send + Sync>,
    /// When to try reconnecting, and the wait after that, while the connection is down.
    retry: Option<(Instant, Duration)>,
}

/// The longest wait between two attempts to reconnect.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The shortest time between two updates sent (a drag's moves go out 40 times a second at most).
pub const SEND_EVERY: Duration = Duration::from_millis(25);

impl Session {
    /// Shares `model` in a room of the relay (made when it does not exist).
    pub fn share(
        address: RoomAddress,
        name: &str,
        model: &Model,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Result<Session, CollabError> {
        let doc = SharedDoc::new(model, random_peer())?;
        Ok(Self::start(address, name, true, doc, wake))
    }

    /// Joins a room; the model arrives with the relay's welcome ([`Session::take_model`]).
    pub fn join(
        address: RoomAddress,
        name: &str,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Result<Session, CollabError> {
        let doc = SharedDoc::empty(random_peer())?;
        Ok(Self::start(address, name, false, doc, wake))
    }

    fn start(
        address: RoomAddress,
        name: &str,
        create: bool,
        doc: SharedDoc,
        wake: impl Fn() + Send + Sync + 'static,
    ) -> Session {
        let mut s = Session {
            address,
            name: name.to_owned(),
            create,
            doc,
            link: None,
            status: Status::Connecting,
            relay_has: VersionVector::default(),
            next_seq: 1,
            unacked: BTreeSet::new(),
            unsent: 0,
            peers: BTreeSet::new(),
            presence: BTreeMap::new(),
            changed: create,
            refusals: Vec::new(),
            last_send: None,
            waiting: false,
            wake: Arc::new(wake),
            retry: None,
        };
        s.connect();
        s
    }

    /// Connects (again): after a drop, edits made meanwhile are sent once admitted. A
    /// connection that drops by itself is retried (1 s, 2 s, 4 s… up to 30 s apart).
    pub fn connect(&mut self) {
        let hello = Message::Hello {
            room: self.address.room.clone(),
            token: self.address.token.clone(),
            name: self.name.clone(),
            create: self.create,
        };
        self.status = Status::Connecting;
        let wake = self.wake.clone();
        self.link = Some(Link::connect(&self.address.relay, hello, move || wake()));
    }

    /// Drops the connection (Leave, or a test's network cut); the document stays, and it is
    /// not retried until [`Session::connect`].
    pub fn disconnect(&mut self) {
        if let Some(l) = self.link.take() {
            l.close();
        }
        self.status = Status::Offline("disconnected".into());
        self.retry = None;
        self.peers.clear();
        self.presence.clear();
    }

    /// When the next attempt to reconnect is due, while the connection is down by itself.
    pub fn retry_at(&self) -> Option<Instant> {
        self.retry.map(|(at, _)| at)
    }

    /// Takes in what arrived and sends what waits; returns whether the board changed.
    pub fn poll(&mut self) -> bool {
        let events = self.link.as_ref().map(Link::poll).unwrap_or_default();
        let before = self.changed;
        for e in events {
            self.on(e);
        }
        if self.waiting {
            self.flush();
        }
        if let Some((at, backoff)) = self.retry
            && Instant::now() >= at
        {
            self.retry = Some((Instant::now() + backoff * 2, (backoff * 2).min(MAX_BACKOFF)));
            self.connect();
        }
        self.changed && !before
    }

    /// Local changes wait to be sent (call [`Session::poll`] again within [`SEND_EVERY`]).
    pub fn has_waiting(&self) -> bool {
        self.waiting
    }

    /// Waits up to `timeout` for something to arrive and takes it in (tests, CLI).
    pub fn wait(&mut self, timeout: Duration) -> bool {
        let timeout = if self.waiting {
            timeout.min(SEND_EVERY)
        } else {
            timeout
        };
        let Some(e) = self.link.as_ref().and_then(|l| l.wait(timeout)) else {
            self.poll();
            return false;
        };
        self.on(e);
        self.poll();
        true
    }

    fn on(&mut self, e: LinkEvent) {
        match e {
            LinkEvent::Message(Message::Welcome { snapshot, peers }) => {
                // The room's board (packed), and the version the relay holds.
                let board = packed::unpack(&snapshot).map_err(CollabError::Loro);
                let taken = board.and_then(|b| {
                    if !b.is_empty() {
                        self.doc.import(&b)?;
                    }
                    Ok(LoroDoc::decode_import_blob_meta(&b, false)
                        .map(|m| m.partial_end_vv)
                        .unwrap_or_default())
                });
                match taken {
                    Ok(has) => {
                        self.changed |= !snapshot.is_empty();
                        self.relay_has = has;
                    }
                    Err(e) => {
                        self.status = Status::Offline(format!("the room's board: {e}"));
                        return;
                    }
                }
                self.peers = peers.into_iter().collect();
                self.status = Status::Connected;
                self.retry = None;
                self.unacked.clear();
                self.flush();
            }
            LinkEvent::Message(Message::Update { bytes, .. }) => {
                let in_step = self.relay_has == self.doc.version();
                match self.doc.import(&bytes) {
                    Ok(()) => {
                        self.changed = true;
                        if in_step {
                            self.relay_has = self.doc.version();
                        }
                    }
                    Err(e) => self.refusals.push(format!("an update from the relay: {e}")),
                }
            }
            LinkEvent::Message(Message::Ack { seq }) => {
                self.unacked.remove(&seq);
            }
            LinkEvent::Message(Message::Refused { reason }) => {
                if self.status == Status::Connecting {
                    self.status = Status::Refused(reason);
                    self.link = None;
                } else {
                    self.refusals.push(reason);
                }
            }
            LinkEvent::Message(Message::Presence { from, bytes }) => match bytes.as_slice() {
                b"joined" => {
                    self.peers.insert(from);
                }
                b"left" => {
                    self.peers.remove(&from);
                    self.presence.remove(&from);
                }
                _ => {
                    self.peers.insert(from.clone());
                    self.presence.insert(from, bytes);
                }
            },
            LinkEvent::Message(Message::Hello { .. }) => {}
            LinkEvent::Closed(reason) => {
                if !matches!(self.status, Status::Refused(_)) {
                    self.status = Status::Offline(reason);
                    // Dropped by itself: try again, sooner after a connection that worked.
                    let backoff = self.retry.map_or(Duration::from_secs(1), |(_, b)| b);
                    self.retry = Some((Instant::now() + backoff, backoff));
                }
                self.link = None;
                self.peers.clear();
                self.presence.clear();
            }
        }
    }

    /// Writes local ops (applied to `model` already, or their inverses) into the document and
    /// sends them when connected.
    pub fn record(&mut self, model: &Model, ops: &[Op]) -> Result<(), CollabError> {
        self.doc.record(model, ops)?;
        self.unsent += 1;
        self.flush();
        Ok(())
    }

    /// Starts one undo step for the next commits (a drag, a typing session).
    pub fn begin_step(&mut self) -> Result<(), CollabError> {
        self.doc.begin_step()
    }

    /// Ends the step [`Session::begin_step`] started.
    pub fn end_step(&mut self) {
        self.doc.end_step();
    }

    /// Undoes this person's last step; the board changed when it returns true.
    pub fn undo(&mut self) -> Result<bool, CollabError> {
        let done = self.doc.undo()?;
        Ok(self.changed_here(done))
    }

    /// Redoes the step last undone here.
    pub fn redo(&mut self) -> Result<bool, CollabError> {
        let done = self.doc.redo()?;
        Ok(self.changed_here(done))
    }

    /// After an undo or redo that `done` something: the model changed, and it is sent.
    fn changed_here(&mut self, done: bool) -> bool {
        if done {
            self.unsent += 1;
            self.changed = true;
            self.flush();
        }
        done
    }

    /// Sends what the relay lacks, when connected — at most once per [`SEND_EVERY`] (a drag
    /// edits every frame: its moves go out together); [`Session::poll`] sends what waits.
    fn flush(&mut self) {
        if self.status != Status::Connected {
            return;
        }
        if self.last_send.is_some_and(|t| t.elapsed() < SEND_EVERY) {
            self.waiting = true;
            return;
        }
        self.waiting = false;
        let Some(link) = &self.link else { return };
        let Ok(bytes) = self.doc.updates_since(&self.relay_has) else {
            return;
        };
        let version = self.doc.version();
        if version == self.relay_has {
            self.unsent = 0;
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        link.send(Message::Update { seq, bytes });
        self.last_send = Some(Instant::now());
        self.unacked.insert(seq);
        self.relay_has = version;
        self.unsent = 0;
    }

    /// Sends where this person is and what they do (the studio's encoding).
    pub fn send_presence(&self, bytes: Vec<u8>) {
        if let (Status::Connected, Some(link)) = (&self.status, &self.link) {
            link.send(Message::Presence {
                from: String::new(),
                bytes,
            });
        }
    }

    /// The model, when the document changed since it was last taken (a remote edit, an
    /// undo, the welcome); none while the document is still empty. An invalid document
    /// (which the relay does not let through) is an error and the caller keeps its model.
    pub fn take_model(&mut self) -> Option<Result<Model, CollabError>> {
        if !std::mem::take(&mut self.changed) {
            return None;
        }
        // Joined a room just made, whose sharer's board is still on its way: nothing yet.
        if self.doc.version().is_empty() {
            return None;
        }
        Some(self.doc.model())
    }

    /// The connection's state.
    pub fn status(&self) -> &Status {
        &self.status
    }

    /// Changes not yet acknowledged by the relay (sent and waiting, or made offline).
    pub fn unsent(&self) -> usize {
        self.unsent + self.unacked.len()
    }

    /// The others in the room.
    pub fn peers(&self) -> impl Iterator<Item = &str> {
        self.peers.iter().map(String::as_str)
    }

    /// The latest presence of each other person.
    pub fn presence(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.presence
    }

    /// The room and relay.
    pub fn address(&self) -> &RoomAddress {
        &self.address
    }

    /// The document (for its undo state and exports).
    pub fn doc(&self) -> &SharedDoc {
        &self.doc
    }
}
