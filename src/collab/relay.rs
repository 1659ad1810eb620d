//! The relay (`stormlab serve`): one room per shared board. Studios connect over a
//! WebSocket, say which room and its token ([`Message::Hello`]), receive the room's document,
//! and from then on send their updates, which the relay checks, stores (when it has a data
//! folder) and forwards to everyone else in the room. Presence is forwarded, never stored.
//!
//! A room admits only clients with its token; an unknown room and a wrong token get the same
//! answer, so nothing about which rooms exist is revealed. Each client is limited in message
//! size ([`MAX_MESSAGE`]) and rate ([`RATE_PER_SEC`]: a faster client is made to wait, nothing
//! it sent is dropped); an update that is not a valid board
//! (a malformed frame, bytes Loro refuses, an element that does not parse) is refused, named
//! in the log with the sender's name, and the room stays as it was.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use loro::LoroDoc;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::derive::Derived;
use super::document::model_of;
use super::packed;
use super::store::RoomStore;
use super::wire::{MAX_MESSAGE, Message};

/// Messages a client may send per second (a burst of twice that is allowed).
pub const RATE_PER_SEC: f64 = 50.0;
/// How long a new connection has to say hello.
const HELLO_WITHIN: Duration = Duration::from_secs(10);
/// The one answer to an unknown room or a wrong token.
const NO_ROOM: &str = "no room with that name and token";

/// Where the relay keeps its rooms and what it logs.
#[derive(Clone, Debug, Default)]
pub struct RelayConfig {
    /// The folder rooms are stored in (None: in memory only).
    pub data: Option<PathBuf>,
}

/// A relay running on its own thread (the studio's "host a room", and tests).
pub struct Relay {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    /// Binds `bind` and serves on a thread of its own until [`Relay::stop`] or drop.
    pub fn start(bind: SocketAddr, config: RelayConfig) -> std::io::Result<Relay> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(TcpListener::bind(bind))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                tokio::select! {
                    _ = serve(listener, config) => {}
                    _ = stopped => {}
                }
            });
            runtime.shutdown_timeout(Duration::from_secs(1));
        });
        Ok(Relay {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving: every connection is closed.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.halt();
    }
}

/// One room: its token, its document, its files and who is in it.
struct Room {
    token: String,
    doc: LoroDoc,
    /// A copy of `doc` that takes each update first, to be checked before the room takes it
    /// (rebuilt from `doc` after a refused update), and its model.
    trial: LoroDoc,
    checked: Derived,
    store: Option<RoomStore>,
    clients: Vec<Client>,
    /// The packed snapshot joiners get, made once per version of `doc` (a workshop's
    /// participants join at about the same time).
    welcome: Option<Vec<u8>>,
}

impl Room {
    fn new(token: String, doc: LoroDoc, store: Option<RoomStore>) -> Room {
        let trial = doc.fork();
        let checked = Derived::new(&trial);
        Room {
            token,
            doc,
            trial,
            checked,
            store,
            clients: Vec::new(),
            welcome: None,
        }
    }

    /// The room's document packed for a joiner.
    fn welcome(&mut self) -> Result<Vec<u8>, String> {
        if let Some(w) = &self.welcome {
            return Ok(w.clone());
        }
        let packed = packed::whole(&self.doc).map_err(|e| e.to_string())?;
        self.welcome = Some(packed.clone());
        Ok(packed)
    }
}

struct Client {
    id: u64,
    name: String,
    tx: mpsc::UnboundedSender<Message>,
}

#[derive(Default)]
struct Rooms {
    rooms: HashMap<String, Room>,
    next_client: u64,
}

type Shared = Arc<Mutex<Rooms>>;

/// Accepts connections on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, config: RelayConfig) {
    let rooms: Shared = Arc::default();
    let config = Arc::new(config);
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            continue;
        };
        let (rooms, config) = (rooms.clone(), config.clone());
        tokio::spawn(async move {
            if let Err(e) = connection(stream, rooms, &config).await {
                log::warn!("{peer}: {e}");
            }
        });
    }
}

/// Whether a room name is one the relay accepts (it names a folder).
pub fn valid_room(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

async fn connection(stream: TcpStream, rooms: Shared, config: &RelayConfig) -> Result<(), String> {
    let ws_config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let ws = tokio_tungstenite::accept_async_with_config(stream, Some(ws_config))
        .await
        .map_err(|e| format!("not a WebSocket: {e}"))?;
    let (mut sink, mut source) = ws.split();
    // Hello first.
    let hello = tokio::time::timeout(HELLO_WITHIN, source.next())
        .await
        .map_err(|_| "no hello in time".to_owned())?;
    let Some(Ok(Frame::Binary(frame))) = hello else {
        return Err("the connection did not start with a hello".into());
    };
    let (room, token, name, create) = match Message::decode(&frame) {
        Ok(Message::Hello {
            room,
            token,
            name,
            create,
        }) => (room, token, name, create),
        _ => {
            let _ = sink
                .send(refusal("the first message must be a hello"))
                .await;
            return Err("no hello".into());
        }
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let admitted = admit(&rooms, config, &room, &token, &name, create, tx);
    let id = match admitted {
        Ok((id, welcome)) => {
            sink.send(Frame::Binary(welcome.encode().into()))
                .await
                .map_err(|e| e.to_string())?;
            id
        }
        Err(reason) => {
            let _ = sink.send(refusal(&reason)).await;
            let _ = sink.close().await;
            return Err(format!("{name} refused: {reason}"));
        }
    };
    log::info!("{name} joined room {room}");
    // Tokens for the rate limit: refilled at RATE_PER_SEC, at most twice that.
    let mut allowance = RATE_PER_SEC * 2.0;
    let mut last = Instant::now();
    let result = loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(m) => {
                    if sink.send(Frame::Binary(m.encode().into())).await.is_err() {
                        break Ok(());
                    }
                }
                None => break Ok(()),
            },
            incoming = source.next() => {
                let frame = match incoming {
                    Some(Ok(Frame::Binary(b))) => b,
                    Some(Ok(Frame::Close(_))) | None => break Ok(()),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => break Err(e.to_string()),
                };
                let now = Instant::now();
                allowance = (allowance + now.duration_since(last).as_secs_f64() * RATE_PER_SEC)
                    .min(RATE_PER_SEC * 2.0);
                last = now;
                if allowance < 1.0 {
                    // Too fast: this client waits (nothing it sent is dropped, and the others
                    // are served meanwhile).
                    let wait = (1.0 - allowance) / RATE_PER_SEC;
                    tokio::time::sleep(Duration::from_secs_f64(wait)).await;
                    allowance = 1.0;
                    last = Instant::now();
                }
                allowance -= 1.0;
                let answer = handle(&rooms, &room, id, &name, &frame);
                if let Some(a) = answer
                    && sink.send(Frame::Binary(a.encode().into())).await.is_err()
                {
                    break Ok(());
                }
            }
        }
    };
    leave(&rooms, &room, id, &name);
    log::info!("{name} left room {room}");
    result
}

fn refusal(reason: &str) -> Frame {
    Frame::Binary(
        Message::Refused {
            reason: reason.to_owned(),
        }
        .encode()
        .into(),
    )
}

/// Lets a client into a room (loading or making it), returning its id and the welcome.
fn admit(
    rooms: &Shared,
    config: &RelayConfig,
    room: &str,
    token: &str,
    name: &str,
    create: bool,
    tx: mpsc::UnboundedSender<Message>,
) -> Result<(u64, Message), String> {
    if !valid_room(room) || token.is_empty() || token.len() > 256 {
        return Err(NO_ROOM.into());
    }
    let mut all = rooms.lock().map_err(|_| "the relay failed".to_owned())?;
    if !all.rooms.contains_key(room) {
        let loaded = match &config.data {
            Some(dir) => load_room(&dir.join(room))?,
            None => None,
        };
        let made = match loaded {
            Some(r) => r,
            None if create => {
                let store = match &config.data {
                    Some(dir) => Some(
                        RoomStore::create(&dir.join(room), token)
                            .map_err(|e| format!("the relay cannot store the room: {e}"))?,
                    ),
                    None => None,
                };
                Room::new(token.to_owned(), LoroDoc::new(), store)
            }
            None => return Err(NO_ROOM.into()),
        };
        all.rooms.insert(room.to_owned(), made);
    }
    all.next_client += 1;
    let id = all.next_client;
    let Some(r) = all.rooms.get_mut(room) else {
        return Err(NO_ROOM.into());
    };
    if !same_secret(&r.token, token) {
        return Err(NO_ROOM.into());
    }
    let snapshot = r.welcome()?;
    let peers = r.clients.iter().map(|c| c.name.clone()).collect();
    for c in &r.clients {
        let _ = c.tx.send(Message::Presence {
            from: name.to_owned(),
            bytes: b"joined".to_vec(),
        });
    }
    r.clients.push(Client {
        id,
        name: name.to_owned(),
        tx,
    });
    Ok((id, Message::Welcome { snapshot, peers }))
}

fn load_room(dir: &std::path::Path) -> Result<Option<Room>, String> {
    let loaded =
        RoomStore::load(dir).map_err(|e| format!("the relay cannot read the room: {e}"))?;
    let Some((store, stored)) = loaded else {
        return Ok(None);
    };
    let doc = LoroDoc::new();
    if !stored.snapshot.is_empty() {
        doc.import(&packed::unpack(&stored.snapshot)?)
            .map_err(|e| e.to_string())?;
    }
    for u in &stored.updates {
        doc.import(u).map_err(|e| e.to_string())?;
    }
    Ok(Some(Room::new(
        stored.token.trim_end().to_owned(),
        doc,
        Some(store),
    )))
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// One frame from an admitted client; returns what to answer it.
fn handle(rooms: &Shared, room: &str, id: u64, name: &str, frame: &[u8]) -> Option<Message> {
    let refuse = |reason: String| {
        log::warn!("refused from {name} in room {room}: {reason}");
        Some(Message::Refused { reason })
    };
    let message = match Message::decode(frame) {
        Ok(m) => m,
        Err(e) => return refuse(format!("a malformed message: {e}")),
    };
    let Ok(mut all) = rooms.lock() else {
        return refuse("the relay failed".into());
    };
    let r = all.rooms.get_mut(room)?;
    match message {
        Message::Update { seq, bytes } => {
            // Checked on a copy first: the room only ever holds a valid board.
            let checked = match r.trial.import(&bytes) {
                Err(e) => Err(format!("update {seq} is not a Loro update: {e}")),
                Ok(_) => r
                    .checked
                    .model(&r.trial)
                    .map(|_| ())
                    .map_err(|e| format!("update {seq} breaks the board: {e}")),
            };
            if let Err(why) = checked {
                r.trial = r.doc.fork();
                r.checked = Derived::new(&r.trial);
                return refuse(why);
            }
            if let Err(e) = r.doc.import(&bytes) {
                return refuse(format!("update {seq}: {e}"));
            }
            r.welcome = None;
            if let Some(store) = &mut r.store {
                match store.append(&bytes) {
                    Ok(compact) => {
                        if compact && let Ok(whole) = packed::whole(&r.doc) {
                            let _ = store.compact(&whole);
                        }
                    }
                    Err(e) => return refuse(format!("update {seq} could not be stored: {e}")),
                }
            }
            for c in r.clients.iter().filter(|c| c.id != id) {
                let _ = c.tx.send(Message::Update {
                    seq: 0,
                    bytes: bytes.clone(),
                });
            }
            Some(Message::Ack { seq })
        }
        Message::Presence { bytes, .. } => {
            for c in r.clients.iter().filter(|c| c.id != id) {
                let _ = c.tx.send(Message::Presence {
                    from: name.to_owned(),
                    bytes: bytes.clone(),
                });
            }
            None
        }
        other => refuse(format!("unexpected {}", kind(&other))),
    }
}

fn kind(m: &Message) -> &'static str {
    match m {
        Message::Hello { .. } => "second hello",
        Message::Welcome { .. } => "welcome",
        Message::Update { .. } => "update",
        Message::Ack { .. } => "acknowledgement",
        Message::Refused { .. } => "refusal",
        Message::Presence { .. } => "presence",
    }
}

fn leave(rooms: &Shared, room: &str, id: u64, name: &str) {
    let Ok(mut all) = rooms.lock() else { return };
    if let Some(r) = all.rooms.get_mut(room) {
        r.clients.retain(|c| c.id != id);
        for c in &r.clients {
            let _ = c.tx.send(Message::Presence {
                from: name.to_owned(),
                bytes: b"left".to_vec(),
            });
        }
    }
}

/// The canonical RON of a stored room (`stormlab serve --data DIR --export ROOM`).
pub fn export_room(data: &std::path::Path, room: &str) -> Result<String, String> {
    if !valid_room(room) {
        return Err(format!("`{room}` is not a room name"));
    }
    let loaded = load_room(&data.join(room))?;
    let Some(r) = loaded else {
        return Err(format!("no room `{room}` in {}", data.display()));
    };
    let model = model_of(&r.doc).map_err(|e| e.to_string())?;
    Ok(crate::model::file::to_string(&model))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collab::SharedDoc;
    use crate::model::file::to_string;
    use crate::model::op::{self, Op};
    use crate::model::synthetic::synthetic;
    use crate::model::{Kind, Loc, Pos};
    use loro::ExportMode;

    /// A room compacted into a packed snapshot (and one an earlier relay stored unpacked)
    /// loads whole, with the updates logged after the compaction.
    #[test]
    fn a_compacted_room_loads_whole_packed_or_as_stored_by_an_earlier_relay() {
        let tmp = tempfile::tempdir().unwrap();
        let mut model = synthetic(60, 2);
        let doc = SharedDoc::new(&model, 1).unwrap();
        let plain = doc.loro().export(ExportMode::Snapshot).unwrap();
        let whole = packed::whole(doc.loro()).unwrap();
        let before = doc.version();
        let loc = Loc {
            kind: Kind::Command,
            context: Some(1),
            index: 0,
        };
        let uid = model.uid_at(loc).unwrap();
        let at = Pos::new(5.0, 7.0);
        let inv = op::apply_all(&mut model, vec![Op::SetPos { uid, at }]).unwrap();
        doc.record(&model, &inv).unwrap();
        let moved = doc.updates_since(&before).unwrap();
        for (name, snapshot) in [("packed", whole), ("plain", plain)] {
            let dir = tmp.path().join(name);
            let mut store = RoomStore::create(&dir, "t").unwrap();
            store.compact(&snapshot).unwrap();
            store.append(&moved).unwrap();
            drop(store);
            let room = load_room(&dir).unwrap().expect("the room is there");
            assert_eq!(
                to_string(&model_of(&room.doc).unwrap()),
                to_string(&model),
                "{name}"
            );
        }
    }
}
