//! A whole board's bytes (a room's snapshot) as they travel to a joiner and rest on the
//! relay's disk: the document's full history in Loro's update encoding, deflated behind a
//! four-byte mark.
//!
//! Why not Loro's own snapshot: it holds the history *and* the state, and LZ4 (which Loro
//! uses for its blocks) finds repeats but does not code entropy, while a board's bytes are
//! mostly element ids (random hexadecimal). Measured on a 1,000-element board: Loro's
//! snapshot is 432 KiB, 252 KiB deflated; its history alone is 336 KiB, 85 KiB deflated
//! (the update encoding is columnar), and a joiner replays it in well under the 100 ms
//! budget (`cargo bench --bench collab`). Bytes without the mark (a snapshot stored by an
//! earlier relay, or plain Loro updates) are taken as they are.

use std::borrow::Cow;
use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use loro::{ExportMode, LoroDoc, LoroEncodeError};

/// Marks packed bytes (Loro's own encodings start with `loro`).
const MARK: &[u8; 4] = b"SLz1";

/// The most a packed board may unpack to: a hostile relay or a damaged file cannot make a
/// studio or relay allocate more than this.
pub const MAX_UNPACKED: usize = 256 << 20;

/// The whole of `doc` (every change since it was made), packed.
pub fn whole(doc: &LoroDoc) -> Result<Vec<u8>, LoroEncodeError> {
    doc.export(ExportMode::all_updates()).map(|b| pack(&b))
}

/// `bytes` deflated behind the mark.
pub fn pack(bytes: &[u8]) -> Vec<u8> {
    let mut out = MARK.to_vec();
    let mut e = DeflateEncoder::new(&mut out, Compression::default());
    // Writing into a vector cannot fail.
    let _ = e.write_all(bytes);
    let _ = e.finish();
    out
}

/// The bytes `pack` was given, or `bytes` themselves when they are not packed.
pub fn unpack(bytes: &[u8]) -> Result<Cow<'_, [u8]>, String> {
    unpack_within(bytes, MAX_UNPACKED)
}

fn unpack_within(bytes: &[u8], max: usize) -> Result<Cow<'_, [u8]>, String> {
    let Some(body) = bytes.strip_prefix(MARK) else {
        return Ok(Cow::Borrowed(bytes));
    };
    let mut out = Vec::new();
    DeflateDecoder::new(body)
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("the packed board is damaged: {e}"))?;
    if out.len() > max {
        return Err(format!(
            "the packed board unpacks to more than {} KiB",
            max >> 10
        ));
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_bytes_come_back_and_plain_bytes_pass_through() {
        let board = b"loro0123456789abcdef0123456789abcdef".repeat(100);
        let packed = pack(&board);
        assert!(packed.len() < board.len() / 4);
        assert_eq!(unpack(&packed).unwrap(), &board[..]);
        assert!(matches!(unpack(&board), Ok(Cow::Borrowed(b)) if b == &board[..]));
    }

    #[test]
    fn damaged_or_bombed_bytes_are_refused() {
        let mut packed = pack(&[7u8; 4096]);
        packed.truncate(8);
        packed.extend_from_slice(&[0xff; 16]);
        assert!(unpack(&packed).unwrap_err().contains("damaged"));
        // 3 MiB of zeros deflate to a few KiB: unpacked only up to the bound.
        let bomb = pack(&vec![0u8; 3 << 20]);
        assert!(bomb.len() < 8 << 10);
        let err = unpack_within(&bomb, 1 << 20).unwrap_err();
        assert!(err.contains("more than 1024 KiB"), "{err}");
        assert_eq!(unpack_within(&bomb, 3 << 20).unwrap().len(), 3 << 20);
    }
}
