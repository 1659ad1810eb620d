//! File dialogs off the UI thread: rfd's async dialogs run on a worker, the answer comes
//! back through a channel with a repaint request. A dialog that gives no path may have been
//! cancelled or never shown (no desktop portal); the two cannot be told apart reliably (how
//! fast the answer comes depends on the machine's load), so the studio offers a typed path
//! after either.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};

/// What a dialog was opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Open a model.
    Open,
    /// Save the model under a new name.
    SaveAs,
    /// Choose a folder to export into.
    ExportFolder,
    /// Choose a PNG/SVG file for the board image.
    ExportImage,
    /// Choose a model to compare with.
    Compare,
    /// Choose a file to import.
    Import(ImportFormat),
}

/// The formats the studio imports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportFormat {
    /// Context Mapper's CML (`.cml`).
    Cml,
    /// An Event Modeling export (`.json`, the Nebulit toolkit for Miro).
    EventModeling,
}

impl Purpose {
    /// Title of the dialog and of the typed-path fallback.
    pub fn title(self) -> &'static str {
        match self {
            Purpose::Open => "Open model",
            Purpose::SaveAs => "Save model as",
            Purpose::ExportFolder => "Export protos to folder",
            Purpose::ExportImage => "Export board image",
            Purpose::Compare => "Compare with model",
            Purpose::Import(ImportFormat::Cml) => "Import Context Mapper model",
            Purpose::Import(ImportFormat::EventModeling) => "Import Event Modeling export",
        }
    }
}

/// The answer of a dialog.
#[derive(Debug)]
pub struct Answer {
    /// The purpose it was opened for.
    pub purpose: Purpose,
    /// The chosen path; None if cancelled or no dialog could be shown.
    pub path: Option<PathBuf>,
    /// True if no dialog could be started at all.
    pub no_backend: bool,
}

/// Runs dialogs on worker threads.
pub struct Dialogs {
    tx: Sender<Answer>,
    rx: Receiver<Answer>,
    /// A dialog is open.
    pub busy: bool,
}

impl Default for Dialogs {
    fn default() -> Self {
        let (tx, rx) = channel();
        Self {
            tx,
            rx,
            busy: false,
        }
    }
}

impl Dialogs {
    /// Opens a dialog for `purpose` on a worker thread, starting in `dir`.
    pub fn open(
        &mut self,
        ctx: &egui::Context,
        purpose: Purpose,
        dir: Option<PathBuf>,
        file_name: Option<String>,
    ) {
        if self.busy {
            return;
        }
        self.busy = true;
        let tx = self.tx.clone();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("file-dialog".into())
            .spawn(move || {
                let mut d = rfd::AsyncFileDialog::new().set_title(purpose.title());
                if let Some(dir) = dir {
                    d = d.set_directory(dir);
                }
                if let Some(name) = file_name {
                    d = d.set_file_name(name);
                }
                d = match purpose {
                    Purpose::Open | Purpose::SaveAs | Purpose::Compare => {
                        d.add_filter("Stormlab model", &["ron"])
                    }
                    Purpose::ExportImage => d.add_filter("Image", &["png", "svg"]),
                    Purpose::Import(ImportFormat::Cml) => d.add_filter("Context Mapper", &["cml"]),
                    Purpose::Import(ImportFormat::EventModeling) => {
                        d.add_filter("Event Modeling export", &["json"])
                    }
                    Purpose::ExportFolder => d,
                };
                let path = pollster_block_on(async move {
                    match purpose {
                        Purpose::Open | Purpose::Compare | Purpose::Import(_) => {
                            d.pick_file().await.map(|h| h.path().to_owned())
                        }
                        Purpose::SaveAs | Purpose::ExportImage => {
                            d.save_file().await.map(|h| h.path().to_owned())
                        }
                        Purpose::ExportFolder => d.pick_folder().await.map(|h| h.path().to_owned()),
                    }
                });
                let _ = tx.send(Answer {
                    purpose,
                    path,
                    no_backend: false,
                });
                ctx.request_repaint();
            });
        if spawned.is_err() {
            self.busy = false;
            let _ = self.tx.send(Answer {
                purpose,
                path: None,
                no_backend: true,
            });
        }
    }

    /// The next answer, if one arrived.
    pub fn poll(&mut self) -> Option<Answer> {
        let a = self.rx.try_recv().ok()?;
        self.busy = false;
        Some(a)
    }
}

/// Drives a future to completion on the current (worker) thread.
fn pollster_block_on<F: Future>(fut: F) -> F::Output {
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(v) => return v,
            Poll::Pending => std::thread::park(),
        }
    }
}
