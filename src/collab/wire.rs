//! What studios and the relay say to each other over a WebSocket: one [`Message`] per binary
//! frame.
//!
//! The encoding is a tag byte, then each field in order: numbers as 8 little-endian bytes,
//! text and bytes as a 4-byte little-endian length and the bytes. Written by hand because it
//! is six messages (a serialization crate would be a dependency for ~100 lines), and so that
//! decoding anything a peer sends is bounded and cannot panic: every length is checked
//! against what is left, and a frame is refused whole when anything is wrong.

/// The largest frame the relay takes from a client (a board's full snapshot fits many times).
pub const MAX_MESSAGE: usize = 16 << 20;

/// One message between a studio and the relay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Studio → relay, first: the room to enter, its token, the person's name; `create`
    /// makes the room (with this token) when there is none.
    Hello {
        /// The room's name.
        room: String,
        /// The secret that admits to it.
        token: String,
        /// Who is joining, as the others will see it.
        name: String,
        /// Make the room when it does not exist.
        create: bool,
    },
    /// Relay → studio: admitted. The room's whole document and who else is in it.
    Welcome {
        /// The room's whole document (see [`super::packed`]).
        snapshot: Vec<u8>,
        /// The names of the others in the room.
        peers: Vec<String>,
    },
    /// Either way: a change to the document (Loro updates). From a studio, `seq` numbers its
    /// updates so the relay can acknowledge them; from the relay it is 0.
    Update {
        /// The sender's number for it.
        seq: u64,
        /// The Loro update.
        bytes: Vec<u8>,
    },
    /// Relay → studio: the update `seq` is stored (it survives a relay crash from now on).
    Ack {
        /// The update's number.
        seq: u64,
    },
    /// Relay → studio: refused, with the reason in words.
    Refused {
        /// Why.
        reason: String,
    },
    /// Either way: where someone is and what they do (not stored; the relay stamps `from`).
    Presence {
        /// Who (set by the relay).
        from: String,
        /// What (the studio's own encoding).
        bytes: Vec<u8>,
    },
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// It is not any message.
    #[error("not a Stormlab message (tag {0})")]
    Tag(u8),
    /// It ends inside a field.
    #[error("the message is cut short")]
    Short,
    /// It has bytes after its last field.
    #[error("the message has {0} byte(s) too many")]
    Long(usize),
    /// A text field is not UTF-8.
    #[error("a text field is not UTF-8")]
    Text,
    /// It is larger than [`MAX_MESSAGE`].
    #[error("the message is {0} bytes, more than the {MAX_MESSAGE} allowed")]
    TooLarge(usize),
}

impl Message {
    /// The frame for this message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let text = |out: &mut Vec<u8>, s: &[u8]| {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s);
        };
        match self {
            Message::Hello {
                room,
                token,
                name,
                create,
            } => {
                out.push(1);
                text(&mut out, room.as_bytes());
                text(&mut out, token.as_bytes());
                text(&mut out, name.as_bytes());
                out.push(u8::from(*create));
            }
            Message::Welcome { snapshot, peers } => {
                out.push(2);
                text(&mut out, snapshot);
                out.extend_from_slice(&(peers.len() as u64).to_le_bytes());
                for p in peers {
                    text(&mut out, p.as_bytes());
                }
            }
            Message::Update { seq, bytes } => {
                out.push(3);
                out.extend_from_slice(&seq.to_le_bytes());
                text(&mut out, bytes);
            }
            Message::Ack { seq } => {
                out.push(4);
                out.extend_from_slice(&seq.to_le_bytes());
            }
            Message::Refused { reason } => {
                out.push(5);
                text(&mut out, reason.as_bytes());
            }
            Message::Presence { from, bytes } => {
                out.push(6);
                text(&mut out, from.as_bytes());
                text(&mut out, bytes);
            }
        }
        out
    }

    /// Reads one frame.
    pub fn decode(frame: &[u8]) -> Result<Message, WireError> {
        if frame.len() > MAX_MESSAGE {
            return Err(WireError::TooLarge(frame.len()));
        }
        let mut r = Reader(frame);
        let tag = r.byte()?;
        let m = match tag {
            1 => Message::Hello {
                room: r.text()?,
                token: r.text()?,
                name: r.text()?,
                create: r.byte()? != 0,
            },
            2 => {
                let snapshot = r.bytes()?.to_vec();
                let n = r.number()?;
                let mut peers = Vec::new();
                for _ in 0..n {
                    // Each name takes at least its length's 4 bytes: a count larger than the
                    // frame ends at `Short`, never in a huge allocation.
                    peers.push(r.text()?);
                }
                Message::Welcome { snapshot, peers }
            }
            3 => Message::Update {
                seq: r.number()?,
                bytes: r.bytes()?.to_vec(),
            },
            4 => Message::Ack { seq: r.number()? },
            5 => Message::Refused { reason: r.text()? },
            6 => Message::Presence {
                from: r.text()?,
                bytes: r.bytes()?.to_vec(),
            },
            t => return Err(WireError::Tag(t)),
        };
        match r.0.len() {
            0 => Ok(m),
            n => Err(WireError::Long(n)),
        }
    }
}

/// Reads fields off the front of a frame.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        if self.0.len() < n {
            return Err(WireError::Short);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    fn number(&mut self) -> Result<u64, WireError> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let b = self.take(4)?;
        let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        self.take(n)
    }

    fn text(&mut self) -> Result<String, WireError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| WireError::Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_kind() -> Vec<Message> {
        vec![
            Message::Hello {
                room: "workshop".into(),
                token: "c0ffee".into(),
                name: "Ada".into(),
                create: true,
            },
            Message::Welcome {
                snapshot: vec![1, 2, 3],
                peers: vec!["Ada".into(), "Grace".into()],
            },
            Message::Update {
                seq: 7,
                bytes: vec![9; 40],
            },
            Message::Ack { seq: 7 },
            Message::Refused {
                reason: "no room with that name and token".into(),
            },
            Message::Presence {
                from: "Ada".into(),
                bytes: b"{}".to_vec(),
            },
        ]
    }

    #[test]
    fn every_message_round_trips() {
        for m in every_kind() {
            assert_eq!(Message::decode(&m.encode()), Ok(m));
        }
    }

    #[test]
    fn every_cut_or_extended_frame_is_refused_without_panicking() {
        for m in every_kind() {
            let frame = m.encode();
            for n in 0..frame.len() {
                assert!(Message::decode(&frame[..n]).is_err(), "{m:?} cut at {n}");
            }
            let mut longer = frame.clone();
            longer.push(0);
            assert_eq!(Message::decode(&longer), Err(WireError::Long(1)));
        }
        // A count of peers far beyond the frame, a length beyond it, an unknown tag.
        let mut huge = vec![2, 0, 0, 0, 0];
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(Message::decode(&huge), Err(WireError::Short));
        assert_eq!(
            Message::decode(&[3, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255]),
            Err(WireError::Short)
        );
        assert_eq!(Message::decode(&[99]), Err(WireError::Tag(99)));
        // Bytes that are not text where text belongs.
        assert_eq!(
            Message::decode(&[5, 2, 0, 0, 0, 0xff, 0xfe]),
            Err(WireError::Text)
        );
    }

    #[test]
    fn random_frames_never_panic() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 64) as usize;
            let frame: Vec<u8> = (0..len)
                .map(|i| (x.rotate_left(i as u32 * 5) & 0xff) as u8 % 8)
                .collect();
            let _ = Message::decode(&frame);
        }
    }
}
