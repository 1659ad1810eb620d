//! A studio's connection to the relay: a WebSocket on a thread of its own (the studio's UI
//! thread never waits on the network). Messages to send go in through [`Link::send`];
//! what arrives comes out of [`Link::poll`], and `wake` is called for each so the studio can
//! repaint.

use std::sync::mpsc as std_mpsc;

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use super::wire::{MAX_MESSAGE, Message};

/// What the connection reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// A message from the relay.
    Message(Message),
    /// The connection ended (or never started), with the reason in words.
    Closed(String),
}

/// One connection to a relay.
pub struct Link {
    tx: mpsc::UnboundedSender<Message>,
    rx: std_mpsc::Receiver<LinkEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Link {
    /// Connects to `url` (`ws://host:port`) and says `hello` first; `wake` is called whenever
    /// something arrives.
    pub fn connect(url: &str, hello: Message, wake: impl Fn() + Send + 'static) -> Link {
        let (tx, mut outgoing) = mpsc::unbounded_channel::<Message>();
        let (events, rx) = std_mpsc::channel();
        let url = url.to_owned();
        let thread =
            std::thread::spawn(move || {
                let report = |e: LinkEvent| {
                    let _ = events.send(e);
                    wake();
                };
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => return report(LinkEvent::Closed(e.to_string())),
                };
                let reason = runtime.block_on(async {
                let config = WebSocketConfig::default()
                    .max_message_size(Some(MAX_MESSAGE * 4))
                    .max_frame_size(Some(MAX_MESSAGE * 4));
                let connected = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    tokio_tungstenite::connect_async_with_config(&url, Some(config), false),
                )
                .await;
                let ws = match connected {
                    Ok(Ok((ws, _))) => ws,
                    Ok(Err(e)) => return format!("cannot reach {url}: {e}"),
                    Err(_) => return format!("cannot reach {url}: no answer in 10 s"),
                };
                let (mut sink, mut source) = ws.split();
                if sink.send(Frame::Binary(hello.encode().into())).await.is_err() {
                    return "the relay closed the connection".into();
                }
                loop {
                    tokio::select! {
                        out = outgoing.recv() => match out {
                            Some(m) => {
                                if let Err(e) = sink.send(Frame::Binary(m.encode().into())).await {
                                    return format!("sending failed: {e}");
                                }
                            }
                            None => {
                                let _ = sink.close().await;
                                return "left".into();
                            }
                        },
                        incoming = source.next() => match incoming {
                            Some(Ok(Frame::Binary(b))) => match Message::decode(&b) {
                                Ok(m) => report(LinkEvent::Message(m)),
                                Err(e) => return format!("the relay sent a broken message: {e}"),
                            },
                            Some(Ok(Frame::Close(_))) | None => {
                                return "the relay closed the connection".into();
                            }
                            Some(Ok(_)) => {}
                            Some(Err(e)) => return format!("the connection broke: {e}"),
                        },
                    }
                }
            });
                report(LinkEvent::Closed(reason));
            });
        Link {
            tx,
            rx,
            thread: Some(thread),
        }
    }

    /// Sends a message (dropped when the connection is gone: the session resends on
    /// reconnecting).
    pub fn send(&self, m: Message) {
        let _ = self.tx.send(m);
    }

    /// What arrived since the last call, in order.
    pub fn poll(&self) -> Vec<LinkEvent> {
        self.rx.try_iter().collect()
    }

    /// Waits up to `timeout` for the next event (tests and the CLI).
    pub fn wait(&self, timeout: std::time::Duration) -> Option<LinkEvent> {
        self.rx.recv_timeout(timeout).ok()
    }
}

impl Link {
    /// Closes the connection and waits until its thread has ended (tests; the studio just
    /// drops the link, which closes it without waiting).
    pub fn close(mut self) {
        let (tx, _) = mpsc::unbounded_channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
