//! The stdio framing around rmcp: newline-delimited JSON-RPC in and out, with one addition.
//! rmcp drops a line that is not JSON at all without a word; JSON-RPC 2.0 asks for a "Parse
//! error" (-32700, id null). So stdin passes through here: each line that parses as JSON
//! goes on to rmcp, each that does not is answered here, and both answer streams are merged
//! onto stdout whole line by whole line.

use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The longest line taken (64 MiB, the model file limit); a longer one is a parse error.
const MAX_LINE: usize = 64 << 20;

/// Starts the two pumps between `input`/`output` (stdin/stdout) and the returned pair, which
/// rmcp reads from and writes to; the third is the output pump, done when rmcp's answers
/// and the parse errors are all written.
pub fn filtered<R, W>(input: R, output: W) -> (DuplexStream, DuplexStream, JoinHandle<()>)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (to_rmcp, from_outside) = tokio::io::duplex(1 << 16);
    let (to_outside, from_rmcp) = tokio::io::duplex(1 << 16);
    let (errors, mut error_lines) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        let mut to_rmcp = to_rmcp;
        let mut line = Vec::new();
        loop {
            line.clear();
            let read = (&mut input)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut line)
                .await;
            match read {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            let too_long = line.len() > MAX_LINE;
            if too_long && !line.ends_with(b"\n") && skip_line(&mut input).await.is_err() {
                break;
            }
            if too_long || serde_json::from_str::<serde_json::Value>(text).is_err() {
                let _ = errors.send(parse_error(too_long));
                continue;
            }
            let mut framed = text.as_bytes().to_vec();
            framed.push(b'\n');
            if to_rmcp.write_all(&framed).await.is_err() {
                break;
            }
        }
        // End of input: rmcp sees its input end and stops.
        let _ = to_rmcp.shutdown().await;
    });
    let written = tokio::spawn(async move {
        let mut output = output;
        let mut from_rmcp = BufReader::new(from_rmcp).lines();
        let (mut rmcp_open, mut errors_open) = (true, true);
        loop {
            let line = tokio::select! {
                l = from_rmcp.next_line(), if rmcp_open => match l {
                    Ok(Some(l)) => l,
                    _ => { rmcp_open = false; continue; }
                },
                e = error_lines.recv(), if errors_open => match e {
                    Some(e) => e,
                    None => { errors_open = false; continue; }
                },
                else => break,
            };
            if output
                .write_all(format!("{line}\n").as_bytes())
                .await
                .is_err()
                || output.flush().await.is_err()
            {
                break;
            }
        }
    });
    (from_outside, to_outside, written)
}

/// Skips the rest of a line without keeping it (a line can be any length).
async fn skip_line<R: AsyncRead + Unpin>(input: &mut BufReader<R>) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf().await?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}

/// The JSON-RPC answer to a line that is not JSON.
fn parse_error(too_long: bool) -> String {
    let message = match too_long {
        true => "Parse error: the line is longer than 64 MiB",
        false => "Parse error: the line is not JSON",
    };
    serde_json::json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": message}})
        .to_string()
}
