//! Contracts from the studio: Model → Export Contracts… (a preview of every generated `.proto` —
//! or AsyncAPI document, per context or for the system —, the findings that block or affect
//! the export, the files that will be written) and
//! Model → Compare with… (the compatibility report of `stormlab diff` against another model
//! file or the last saved version). Both use the CLI's code (`crate::export`).
//!
//! The views recompute only when the model's revision changes while they are open.

use egui::{RichText, Ui};

use crate::app::theme;
use crate::export::diff::{Change, Level, breaking, diff};
use crate::export::findings;
use crate::export::schema::{Schema, schema};
use crate::export::{Generated, protos};
use crate::model::check::has_errors;
use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::model::{Loc, Model};

/// The codes that concern the contracts (shown in the export preview).
const CONTRACT_CODES: [Code; 6] = [
    Code::ProtoNameClash,
    Code::BadFieldNumber,
    Code::ReusesReserved,
    Code::NotAnIdentifier,
    Code::BadEventNumber,
    Code::ImportCycle,
];

/// What the user asked for in a contracts window.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Choose the export folder with a dialog.
    ChooseFolder,
    /// Write the files to this folder.
    Export(String),
    /// Select and show an element.
    Jump(Loc),
    /// Choose another model file to compare with.
    ChooseModel,
}

/// What the Export window writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExportFormat {
    /// One `.proto` per bounded context.
    #[default]
    Protos,
    /// One AsyncAPI 3.0 document per bounded context, beside its proto.
    AsyncApi,
    /// One AsyncAPI 3.0 document for the whole system.
    AsyncApiSystem,
}

impl ExportFormat {
    const ALL: [ExportFormat; 3] = [
        ExportFormat::Protos,
        ExportFormat::AsyncApi,
        ExportFormat::AsyncApiSystem,
    ];

    fn label(self) -> &'static str {
        match self {
            ExportFormat::Protos => "Protocol Buffers",
            ExportFormat::AsyncApi => "AsyncAPI, per context",
            ExportFormat::AsyncApiSystem => "AsyncAPI, one document",
        }
    }

    fn files(self, model: &Model) -> Vec<Generated> {
        use crate::interop::asyncapi::{Scope, documents};
        match self {
            ExportFormat::Protos => protos(model),
            ExportFormat::AsyncApi => documents(model, Scope::Contexts),
            ExportFormat::AsyncApiSystem => documents(model, Scope::System),
        }
    }
}

/// The Export Contracts window.
#[derive(Debug, Default)]
pub struct ExportView {
    /// What is exported.
    pub format: ExportFormat,
    /// The revision and format the files were made from.
    revision: Option<(u64, ExportFormat)>,
    files: Vec<Generated>,
    findings: Vec<Diagnostic>,
    blocked: bool,
    selected: usize,
    /// The output folder, as typed or chosen.
    pub folder: String,
    /// The outcome of the last export: Ok(summary) or Err(reason).
    pub result: Option<Result<String, String>>,
}

impl ExportView {
    /// A view that will export into `folder`.
    pub fn new(folder: String) -> Self {
        Self {
            folder,
            ..Default::default()
        }
    }

    fn refresh(&mut self, model: &Model, revision: u64) {
        if self.revision == Some((revision, self.format)) {
            return;
        }
        self.revision = Some((revision, self.format));
        self.files = self.format.files(model);
        let all = findings(model);
        self.blocked = has_errors(&all);
        self.findings = all
            .into_iter()
            .filter(|d| d.severity == Severity::Error || CONTRACT_CODES.contains(&d.code))
            .collect();
        self.selected = self.selected.min(self.files.len().saturating_sub(1));
    }

    /// The window's contents. Returns what the user asked for.
    pub fn ui(&mut self, ui: &mut Ui, model: &Model, revision: u64) -> Option<Request> {
        ui.horizontal(|ui| {
            ui.label("Format:");
            for f in ExportFormat::ALL {
                ui.selectable_value(&mut self.format, f, f.label());
            }
        });
        self.refresh(model, revision);
        let mut req = None;
        ui.label(match self.format {
            ExportFormat::Protos => format!(
                "{} file(s), one per bounded context: proto3, buf STANDARD lint rules, stable field numbers.",
                self.files.len()
            ),
            ExportFormat::AsyncApi => format!(
                "{} AsyncAPI 3.0 document(s), one per bounded context beside its proto: what it sends and receives across the context map.",
                self.files.len()
            ),
            ExportFormat::AsyncApiSystem => {
                "One AsyncAPI 3.0 document: every context's channels and operations.".to_owned()
            }
        });
        if self.findings.is_empty() {
            let ok = match self.format {
                ExportFormat::Protos => "✔ No findings: the export passes buf lint.",
                _ => "✔ No findings.",
            };
            ui.colored_label(theme::tokens(ui).ok, ok);
        } else {
            let head = if self.blocked {
                "The model has errors: fix them before exporting (click one to show it)."
            } else {
                "Contract findings (click one to show it):"
            };
            ui.label(RichText::new(head).strong());
            egui::ScrollArea::vertical()
                .id_salt("export-findings")
                .max_height(110.0)
                .show(ui, |ui| {
                    for d in &self.findings {
                        let color = match d.severity {
                            Severity::Error => theme::tokens(ui).error,
                            Severity::Warning => theme::tokens(ui).warning,
                            Severity::Info => ui.visuals().weak_text_color(),
                        };
                        let text = RichText::new(format!("{} {}", d.code.as_str(), d.message))
                            .color(color);
                        if ui.link(text).clicked()
                            && let Some(id) = d.element
                        {
                            req = Some(Request::Jump(id));
                        }
                    }
                });
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.label("Folder:");
            ui.add(
                egui::TextEdit::singleline(&mut self.folder)
                    .hint_text("protos/")
                    .desired_width(320.0),
            );
            if ui.button("Choose…").clicked() {
                req = Some(Request::ChooseFolder);
            }
            let can = !self.blocked && !self.folder.trim().is_empty();
            if ui
                .add_enabled(can, egui::Button::new("Export"))
                .on_disabled_hover_text("Choose a folder; the model must have no errors")
                .clicked()
            {
                req = Some(Request::Export(self.folder.trim().to_owned()));
            }
        });
        match &self.result {
            Some(Ok(s)) => {
                ui.colored_label(theme::tokens(ui).ok, s);
            }
            Some(Err(e)) => {
                ui.colored_label(theme::tokens(ui).error, e);
            }
            None => {}
        }
        ui.separator();
        ui.columns(2, |cols| {
            cols[0].strong("Files that will be written");
            for (i, f) in self.files.iter().enumerate() {
                let path = if self.folder.trim().is_empty() {
                    f.path.clone()
                } else {
                    format!("{}/{}", self.folder.trim().trim_end_matches('/'), f.path)
                };
                if cols[0].selectable_label(self.selected == i, path).clicked() {
                    self.selected = i;
                }
            }
            if let Some(f) = self.files.get(self.selected) {
                cols[1].strong(&f.path);
                egui::ScrollArea::both()
                    .id_salt("export-preview")
                    .max_height(420.0)
                    .show(&mut cols[1], |ui| {
                        ui.add(egui::Label::new(RichText::new(&f.text).monospace()).extend());
                    });
            }
        });
        req
    }

    /// Writes the files under `folder`; remembers and returns the outcome.
    pub fn export(&mut self, folder: &std::path::Path) -> Result<String, String> {
        let r = crate::export::write(folder, &self.files)
            .map(|written| format!("Wrote {} file(s) under {}", written.len(), folder.display()))
            .map_err(|e| e.to_string());
        self.result = Some(r.clone());
        r
    }
}

/// The Compare window: the current model against an older one.
#[derive(Debug)]
pub struct CompareView {
    /// What the model is compared with (a file name, or "the last saved version").
    pub against: String,
    old: Schema,
    revision: Option<u64>,
    changes: Vec<Change>,
    level: Level,
}

impl CompareView {
    /// A comparison with `old`, described as `against`.
    pub fn new(against: String, old: &Model) -> Self {
        Self {
            against,
            old: schema(old),
            revision: None,
            changes: Vec::new(),
            level: Level::WireJson,
        }
    }

    /// The window's contents. Returns what the user asked for.
    pub fn ui(&mut self, ui: &mut Ui, model: &Model, revision: u64) -> Option<Request> {
        if self.revision != Some(revision) {
            self.revision = Some(revision);
            self.changes = diff(&self.old, &schema(model));
        }
        let mut req = None;
        ui.horizontal(|ui| {
            ui.label(format!("This model compared with {}", self.against));
            if ui.button("Other Model…").clicked() {
                req = Some(Request::ChooseModel);
            }
        });
        ui.horizontal(|ui| {
            ui.label("Must not break:");
            ui.radio_value(&mut self.level, Level::Wire, "binary consumers (WIRE)");
            ui.radio_value(
                &mut self.level,
                Level::WireJson,
                "binary + JSON (WIRE_JSON)",
            );
            ui.radio_value(&mut self.level, Level::Package, "generated code (PACKAGE)");
        });
        let n = breaking(&self.changes, self.level);
        let (text, color) = if n == 0 {
            (
                format!(
                    "✔ Compatible: {} change(s), none breaking at this level",
                    self.changes.len()
                ),
                theme::tokens(ui).ok,
            )
        } else {
            (
                format!("✖ {n} breaking change(s) of {}", self.changes.len()),
                theme::tokens(ui).error,
            )
        };
        ui.label(RichText::new(text).color(color).strong());
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("compare-changes")
            .show(ui, |ui| {
                if self.changes.is_empty() {
                    ui.weak("The contracts are identical.");
                }
                for c in &self.changes {
                    let (tag, color) = match c.breaks {
                        Some(_) if c.breaks_at(self.level) => ("BREAKING", theme::tokens(ui).error),
                        Some(_) => ("breaks only stricter levels", theme::tokens(ui).warning),
                        None => ("compatible", theme::tokens(ui).ok),
                    };
                    let label =
                        RichText::new(format!("{tag}: {} — {}", c.message, c.file)).color(color);
                    match c.element.filter(|_| !c.in_old) {
                        Some(id) => {
                            if ui.link(label).on_hover_text("Show the element").clicked() {
                                req = Some(Request::Jump(id));
                            }
                        }
                        None => {
                            ui.label(label);
                        }
                    }
                }
            });
        req
    }
}
