//! The causation graph of the event at the cursor, drawn with egui_graphs (hierarchical,
//! left to right): its root cause and every command and event that followed from it, the
//! chosen event selected, rejected commands and parked deliveries red, redrives amber.
//! Clicking a node moves the cursor there. It opens at full size centred on the chosen event
//! (a long chain fitted to the window would have unreadable labels), zooms and pans; Fit
//! shows it whole.
//! The graph is built once per event ([`crate::sim::causation::tree`]) and only drawn while its
//! window is open (egui_graphs repaints every frame).

use egui::{Color32, Ui};
use egui_graphs::{
    GraphChange, GraphView, LayoutHierarchical, LayoutHierarchicalOrientation,
    LayoutStateHierarchical, MetadataFrame, SettingsInteraction, SettingsNavigation, SettingsStyle,
};

use crate::app::theme;
use crate::sim::causation::{Node, tree};
use crate::sim::engine::{Change, Engine};

type CauseGraph = egui_graphs::Graph<Node, String>;

/// At most this many nodes are drawn.
const LIMIT: usize = 300;
const LAYOUT_ID: &str = "causation-graph";
/// Frames a fit lasts (the layout settles over the first ones).
const FIT_FRAMES: u8 = 10;

/// The causation graph of one event.
pub struct CausationView {
    /// The event's log position.
    pub position: u64,
    /// The window title.
    pub title: String,
    graph: CauseGraph,
    truncated: bool,
    /// Frames left to fit the graph to the window (then it zooms and pans by hand).
    fitting: u8,
    /// Whether the fit is followed by zooming in to full size (the first one).
    then_full_size: bool,
}

impl CausationView {
    /// The graph of the event at `position` of `e`'s log; None when there is no such event.
    pub fn new(ui: &mut Ui, e: &Engine, position: u64) -> Option<Self> {
        let record = e.records().get(position as usize)?;
        let t = tree(e, position, LIMIT);
        let mut graph = CauseGraph::new();
        let mut indices = Vec::with_capacity(t.nodes.len());
        for node in &t.nodes {
            let (label, color) = label(e, *node, theme::tokens(ui));
            let n = graph.add_node_with_label(*node, label);
            if let Some(g) = graph.node_mut(n) {
                g.set_color(color);
                // egui_graphs sizes a label's type by its node's radius.
                g.display_mut().radius = 11.0;
                g.set_selected(*node == Node::Event(position));
            }
            indices.push(n);
        }
        for &(a, b) in &t.edges {
            graph.add_edge_with_label(indices[a], indices[b], String::new(), String::new());
        }
        egui_graphs::reset_layout::<LayoutStateHierarchical>(ui, Some(LAYOUT_ID.into()));
        Some(Self {
            position,
            title: format!(
                "#{} {}",
                position + 1,
                e.program().events[record.event as usize].name
            ),
            graph,
            truncated: t.truncated,
            fitting: FIT_FRAMES,
            then_full_size: true,
        })
    }

    /// Draws the graph; returns the cursor of a node the user clicked.
    pub fn ui(&mut self, ui: &mut Ui, e: &Engine) -> Option<u64> {
        ui.horizontal(|ui| {
            ui.weak(format!(
                "{} step(s) from the root cause{}. Click a node to move the cursor there; \
                 Ctrl+wheel or pinch zooms, dragging the background pans.",
                self.graph.node_count(),
                if self.truncated {
                    format!(" (cut at {LIMIT})")
                } else {
                    String::new()
                }
            ));
            if ui.button("Fit").clicked() {
                self.fitting = FIT_FRAMES;
                self.then_full_size = false;
            }
        });
        let fit = self.fitting > 0;
        self.fitting = self.fitting.saturating_sub(1);
        let mut state: LayoutStateHierarchical =
            egui_graphs::get_layout_state(ui, Some(LAYOUT_ID.into()));
        if state.orientation != LayoutHierarchicalOrientation::LeftRight || state.row_dist < 200.0 {
            state.orientation = LayoutHierarchicalOrientation::LeftRight;
            state.row_dist = 230.0;
            state.col_dist = 55.0;
            state.triggered = false;
            egui_graphs::set_layout_state(ui, state, Some(LAYOUT_ID.into()));
        }
        let response = GraphView::<LayoutStateHierarchical, LayoutHierarchical>::new()
            .with_id(Some(LAYOUT_ID.into()))
            .with_interactions(
                &SettingsInteraction::new()
                    .with_node_clicking_enabled(true)
                    .with_dragging_enabled(true),
            )
            .with_navigations(
                &SettingsNavigation::new()
                    .with_fit_to_screen_enabled(fit)
                    .with_zoom_and_pan_enabled(!fit),
            )
            .with_styles(&SettingsStyle::new().with_labels_always(true))
            .show(ui, &mut self.graph);
        if self.fitting == 0 && fit && self.then_full_size {
            // The fit is done: a long chain fitted to the window has unreadable labels. Read
            // it at full size, centred on the chosen event (Fit shows it whole again).
            self.readable(ui, response.response.rect.size());
        }
        response.changes.iter().find_map(|c| match c {
            GraphChange::NodeClicked { node } => {
                self.graph.node(*node).map(|n| match *n.payload() {
                    Node::Event(p) => p + 1,
                    Node::Command(c) => e
                        .commands()
                        .get(c as usize)
                        .map_or(0, |record| e.cursor_of(record)),
                    // A parking or redrive: the log as it was when it happened.
                    Node::Parked(j) | Node::Redrive(j) => {
                        e.journal().get(j as usize).map_or(0, |entry| entry.0)
                    }
                })
            }
            _ => None,
        })
    }
}

impl CausationView {
    /// Zooms in to full size (if the fit zoomed out), centred on the chosen event.
    fn readable(&self, ui: &mut Ui, size: egui::Vec2) {
        let mut meta = MetadataFrame::new(Some(LAYOUT_ID.into())).load(ui);
        if meta.zoom >= 1.0 {
            return;
        }
        let focus = self
            .graph
            .nodes_iter()
            .find(|(_, n)| *n.payload() == Node::Event(self.position))
            .map(|(_, n)| n.location());
        if let Some(focus) = focus {
            meta.zoom = 1.0;
            meta.pan = size / 2.0 - focus.to_vec2();
            meta.save(ui);
        }
    }
}

/// A node's label and colour (the label is drawn in it, so darker than the stickies):
/// `#n Event` orange, `Command ➡ target` blue, red with ✖ when rejected.
fn label(e: &Engine, node: Node, t: &theme::Tokens) -> (String, Color32) {
    match node {
        Node::Event(p) => {
            let name = crate::app::simulation::state::event_name(e, p);
            (format!("#{} {name}", p + 1), t.event)
        }
        Node::Command(i) => match e.commands().get(i as usize) {
            Some(c) => {
                let name = &e.program().commands[c.command()].name;
                // What its decision read, as projected then (the rows in the record's line).
                let read: Vec<String> = e
                    .lookups_of(i)
                    .iter()
                    .map(|l| {
                        let rm = crate::app::simulation::state::read_model_name(e, l.table);
                        format!("{rm}[{}]", l.key)
                    })
                    .collect();
                let read = if read.is_empty() {
                    String::new()
                } else {
                    format!(" · read {}", read.join(", "))
                };
                match &c.rejection {
                    Some(reason) => (format!("✖ {name} ➡ {}: {reason}{read}", c.target), t.error),
                    None => (format!("{name} ➡ {}{read}", c.target), t.info),
                }
            }
            None => ("?".to_owned(), t.info),
        },
        Node::Parked(j) | Node::Redrive(j) => {
            let subscriber = |s: usize| {
                e.program()
                    .subscribers
                    .get(s)
                    .map_or("?", |sub| sub.name.as_ref())
            };
            match e.journal().get(j as usize).map(|entry| &entry.2) {
                // Short: labels sit side by side (the error is in the Dead letters tab).
                Some(Change::Parked(p)) => (
                    format!(
                        "✖ parked at {} ({} tries)",
                        subscriber(p.subscriber),
                        p.attempts
                    ),
                    t.error,
                ),
                Some(Change::Redriven { subscriber: s, .. }) => {
                    (format!("redriven to {}", subscriber(*s)), t.caution)
                }
                _ => ("?".to_owned(), t.info),
            }
        }
    }
}
