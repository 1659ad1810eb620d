//! Editing the open board together: File → Share Board… and Join Shared Board…, the shared
//! session behind them, and what the others' presence (pointer, selection) looks like.
//!
//! Sharing hosts a relay inside this studio (loopback, or the network for a LAN workshop)
//! or publishes the board to a relay someone runs (`stormlab serve`); either way the dialog
//! shows the join link to pass on. While shared, every edit also goes into the shared
//! document, a colleague's edit replaces the model, and Undo takes back only this person's
//! steps.

use std::net::SocketAddr;

use egui::{Color32, Pos2};
use serde::{Deserialize, Serialize};

use crate::app::board::canvas::PeerMark;
use crate::app::document::open::Tapped;
use crate::app::theme;
use crate::collab::{CollabError, Relay, RelayConfig, RoomAddress, Session, Status};
use crate::model::{Model, Uid};

/// What this person's studio tells the others about them (JSON in a presence message).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Presence {
    /// The pointer on the board (board units), when over it.
    pub pointer: Option<(f32, f32)>,
    /// The selected elements.
    pub selection: Vec<Uid>,
    /// The view: the board point at its centre and the zoom (for those who follow).
    #[serde(default)]
    pub view: Option<(f32, f32, f32)>,
    /// The simulation shown: scenario, seed (empty: the scenario's) and cursor.
    #[serde(default)]
    pub run: Option<(String, String, u64)>,
    /// The sticky being edited (renamed in place, or typed into in the inspector).
    #[serde(default)]
    pub editing: Option<Uid>,
}

/// A board being edited together.
pub struct Sharing {
    /// The session with the relay.
    pub session: Session,
    /// The relay this studio hosts, when it hosts one.
    pub hosted: Option<Relay>,
    /// This person's name.
    pub name: String,
    /// An undo step of the shared document is open (a drag, a typing session).
    step_open: bool,
    /// What was last sent as this person's presence.
    sent: Presence,
    /// Joined, and the room's board has not arrived yet (it then replaces the open one).
    pub awaiting_board: bool,
    /// The person whose view (and simulation cursor) this studio follows.
    pub following: Option<String>,
}

impl Sharing {
    /// The others, as the board draws them.
    pub fn peers(&self) -> Vec<PeerMark> {
        let mut out: Vec<PeerMark> = self
            .session
            .presence()
            .iter()
            .filter_map(|(name, bytes)| {
                let p: Presence = serde_json::from_slice(bytes).ok()?;
                Some(PeerMark {
                    name: name.clone(),
                    color: theme::peer_color(name),
                    pointer: p.pointer.map(|(x, y)| Pos2::new(x, y)),
                    selection: p.selection,
                    editing: p.editing,
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    /// What the person this studio follows shows now.
    pub fn leader(&self) -> Option<Presence> {
        let name = self.following.as_ref()?;
        serde_json::from_slice(self.session.presence().get(name)?).ok()
    }

    /// Sends this person's presence when it changed.
    pub fn tell(&mut self, now: Presence) {
        if now != self.sent
            && let Ok(bytes) = serde_json::to_vec(&now)
        {
            self.session.send_presence(bytes);
            self.sent = now;
        }
    }

    /// Writes the edits applied this frame into the shared document (each new undo step of
    /// the studio's rule is one step of the shared undo).
    pub fn take_in(&mut self, model: &Model, tapped: Vec<Tapped>) -> Result<(), CollabError> {
        for t in tapped {
            if t.new_step {
                self.end_step();
                self.session_doc_step(true)?;
            }
            self.session.record(model, &t.ops)?;
        }
        Ok(())
    }

    fn session_doc_step(&mut self, begin: bool) -> Result<(), CollabError> {
        if begin {
            self.session.begin_step()?;
            self.step_open = true;
        }
        Ok(())
    }

    /// Closes the open undo step (before an undo, or when a new step starts).
    pub fn end_step(&mut self) {
        if std::mem::take(&mut self.step_open) {
            self.session.end_step();
        }
    }

    /// The status bar's words: room, people, connection.
    pub fn status_text(&self) -> String {
        let room = &self.session.address().room;
        let others = self.session.peers().count();
        let people = match others {
            0 => "nobody else yet".to_owned(),
            1 => "1 other".to_owned(),
            n => format!("{n} others"),
        };
        let unsent = self.session.unsent();
        let state = match self.session.status() {
            Status::Connecting => "connecting…".to_owned(),
            Status::Connected if unsent > 0 => format!("connected, {unsent} unsent"),
            Status::Connected => "connected".to_owned(),
            Status::Offline(why) => {
                let retry = self.session.retry_at().map_or(String::new(), |at| {
                    let secs = at
                        .saturating_duration_since(std::time::Instant::now())
                        .as_secs();
                    format!(", reconnecting in {}s", secs + 1)
                });
                format!("offline ({why}), {unsent} unsent change(s){retry}")
            }
            Status::Refused(why) => format!("refused: {why}"),
        };
        format!("Shared · room {room} · {people} · {state}")
    }
}

/// File → Share Board…: where to share and as whom.
#[derive(Clone, Debug)]
pub struct ShareDialog {
    /// Shown.
    pub open: bool,
    /// Host the room in this studio (else publish to `relay`).
    pub host_here: bool,
    /// Host for the network (0.0.0.0), not only this machine.
    pub lan: bool,
    /// The port to host on.
    pub port: u16,
    /// A relay to publish to (`ws://host:port`).
    pub relay: String,
    /// The room's name.
    pub room: String,
    /// This person's name.
    pub name: String,
    /// What went wrong last time.
    pub error: Option<String>,
}

impl Default for ShareDialog {
    fn default() -> Self {
        Self {
            open: false,
            host_here: true,
            lan: false,
            port: 7420,
            relay: "ws://127.0.0.1:7420".into(),
            room: String::new(),
            name: default_name(),
            error: None,
        }
    }
}

/// File → Join Shared Board…: the link and as whom.
#[derive(Clone, Debug)]
pub struct JoinDialog {
    /// Shown.
    pub open: bool,
    /// The join link.
    pub link: String,
    /// This person's name.
    pub name: String,
    /// What went wrong last time.
    pub error: Option<String>,
}

impl Default for JoinDialog {
    fn default() -> Self {
        Self {
            open: false,
            link: String::new(),
            name: default_name(),
            error: None,
        }
    }
}

/// The person's name as the system knows it.
fn default_name() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "me".into())
}

/// A room name from the board's name: lower case letters, digits and dashes.
pub fn room_name(model_name: &str) -> String {
    let mut out = String::new();
    for c in model_name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-');
    let out: String = out.chars().take(48).collect();
    if out.is_empty() { "board".into() } else { out }
}

/// A fresh room token: 128 random bits in hex.
pub fn new_token() -> String {
    format!("{}{}", Uid::fresh(), Uid::fresh())
}

/// Shares `model` as the dialog says: hosts a relay here or uses the one named.
pub fn share(
    dialog: &ShareDialog,
    model: &Model,
    wake: impl Fn() + Send + Sync + 'static,
) -> Result<Sharing, String> {
    if !crate::collab::relay::valid_room(&dialog.room) {
        return Err("a room name is 1–64 letters, digits, - or _".into());
    }
    let (hosted, relay) = if dialog.host_here {
        let ip = if dialog.lan {
            [0, 0, 0, 0]
        } else {
            [127, 0, 0, 1]
        };
        let bind = SocketAddr::from((ip, dialog.port));
        let relay = Relay::start(bind, RelayConfig::default())
            .map_err(|e| format!("cannot host on port {}: {e}", dialog.port))?;
        let url = format!("ws://127.0.0.1:{}", relay.addr().port());
        (Some(relay), url)
    } else {
        (None, dialog.relay.trim().to_owned())
    };
    let address = RoomAddress {
        relay,
        room: dialog.room.clone(),
        token: new_token(),
    };
    let session = Session::share(address, &dialog.name, model, wake).map_err(|e| e.to_string())?;
    Ok(Sharing {
        session,
        hosted,
        name: dialog.name.clone(),
        step_open: false,
        sent: Presence::default(),
        awaiting_board: false,
        following: None,
    })
}

/// Joins the room of a join link.
pub fn join(
    dialog: &JoinDialog,
    wake: impl Fn() + Send + Sync + 'static,
) -> Result<Sharing, String> {
    let address = RoomAddress::parse(&dialog.link)?;
    let session = Session::join(address, &dialog.name, wake).map_err(|e| e.to_string())?;
    Ok(Sharing {
        session,
        hosted: None,
        name: dialog.name.clone(),
        step_open: false,
        sent: Presence::default(),
        awaiting_board: true,
        following: None,
    })
}

/// The join link others use, with the host's real address when hosting for the network.
pub fn join_link(sharing: &Sharing, lan_host: Option<&str>) -> String {
    let mut address = sharing.session.address().clone();
    if let (Some(host), Some(relay)) = (lan_host, &sharing.hosted) {
        address.relay = format!("ws://{host}:{}", relay.addr().port());
    }
    address.link()
}

/// A colour swatch for a person (status bar, participants list).
pub fn swatch(ui: &mut egui::Ui, color: Color32) {
    let (r, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
    ui.painter().circle_filled(r.center(), 5.0, color);
}
