//! Generated graph views drawn with egui_graphs: the context map and the flow graph of a
//! context or of one command's consequences.
//!
//! Graphs are caches rebuilt from the model when its revision changes, keyed by `Loc`
//! payloads (never by petgraph indices). egui_graphs repaints every frame while shown, so the
//! views are only drawn while their tab is open, and use its hierarchical layout so positions
//! are stable from one rebuild to the next.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use egui::Ui;
use egui_graphs::{
    GraphChange, GraphView, LayoutHierarchical, LayoutHierarchicalOrientation,
    LayoutStateHierarchical, SettingsInteraction, SettingsNavigation, SettingsStyle,
};

use crate::app::theme::{kind_color, kind_ink};
use crate::model::{Kind, Loc, Model};

type FlowGraph = egui_graphs::Graph<Loc, String>;

/// What a flow graph was built from: the model revision, its root and the dark mode.
type FlowKey = (u64, Option<Loc>, bool);

/// Which generated view a tab shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphKind {
    /// Contexts and their relations.
    ContextMap,
    /// The flow around the selection: a context's elements, or what one command leads to.
    Flow,
}

/// The cached graphs and what they were built from.
#[derive(Default)]
pub struct GraphViews {
    context_map: Option<(u64, FlowGraph)>,
    /// The flow graph, keyed by revision, root and dark mode (the label ink), with its
    /// layer and sibling spacing.
    flow: Option<(FlowKey, FlowGraph, (f32, f32))>,
    /// Zoomed or panned by the user (the graph is fitted to the view until then).
    free: bool,
}

impl std::fmt::Debug for GraphViews {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphViews").finish_non_exhaustive()
    }
}

/// The context map: one node per context, one edge per relation labelled with its pattern.
pub fn context_map(model: &Model) -> FlowGraph {
    let mut g = FlowGraph::new();
    let mut nodes = BTreeMap::new();
    for (i, c) in model.contexts.iter().enumerate() {
        let id = Loc {
            kind: Kind::Context,
            context: None,
            index: i,
        };
        let n = g.add_node_with_label(id, c.name.clone());
        if let Some(node) = g.node_mut(n) {
            node.display_mut().radius = 6.0;
        }
        nodes.insert(c.name.as_str(), n);
    }
    for r in &model.relations {
        if let (Some(a), Some(b)) = (
            nodes.get(r.upstream.as_str()),
            nodes.get(r.downstream.as_str()),
        ) {
            let label = r.label();
            g.add_edge_with_label(*a, *b, label.clone(), label);
        }
    }
    g
}

/// The stickies the flow graph of `root` shows (see [`flow`]), given the board's arrows.
fn flow_stickies(model: &Model, root: Option<Loc>, arrows: &[(Loc, Loc)]) -> BTreeSet<Loc> {
    match root {
        Some(r) if r.kind == Kind::Context => model
            .elements()
            .iter()
            .filter(|e| e.loc.context == Some(r.index) && e.at.is_some())
            .map(|e| e.loc)
            .collect(),
        Some(r) => {
            let mut seen = BTreeSet::from([r]);
            let mut queue = VecDeque::from([r]);
            while let Some(n) = queue.pop_front() {
                for (a, b) in arrows {
                    if *a == n && seen.insert(*b) {
                        queue.push_back(*b);
                    }
                }
            }
            seen
        }
        None => model
            .elements()
            .iter()
            .filter(|e| e.at.is_some() && e.loc.kind != Kind::Context)
            .map(|e| e.loc)
            .collect(),
    }
}

/// What the flow of `root` shows, in words: "What PlaceOrder leads to", "The flow of context
/// Sales", or the whole model's (with a hint to focus it).
fn flow_title(model: &Model, root: Option<Loc>) -> String {
    let name = |r| model.name_of(r).unwrap_or("");
    match root {
        Some(r) if r.kind == Kind::Command => format!("What {} leads to", name(r)),
        Some(r) => format!("The flow of context {}", name(r)),
        None => "The whole model's flow — select a context or a command to focus".to_owned(),
    }
}

/// The Mermaid text of what the graph tab `kind` shows for `root` (the Copy Mermaid button).
pub fn mermaid_of(model: &Model, kind: GraphKind, root: Option<Loc>) -> String {
    match kind {
        GraphKind::ContextMap => crate::interop::mermaid::context_map(model),
        GraphKind::Flow => {
            let arrows = crate::app::board::arrows::arrows(model);
            let keep = flow_stickies(model, root, &arrows);
            let title = match root {
                Some(_) => flow_title(model, root),
                None => format!("{}: flow", model.name),
            };
            crate::interop::mermaid::flow_of(model, &title, &keep)
        }
    }
}

/// The flow graph of `root`: a command's consequences (everything reachable from it), a
/// context's elements, or the whole model when `root` is None. Labels take the sticky colour
/// on `dark` backgrounds, a darker ink on light ones.
pub fn flow(model: &Model, root: Option<Loc>, dark: bool) -> FlowGraph {
    let arrows = crate::app::board::arrows::arrows(model);
    let keep = flow_stickies(model, root, &arrows);
    let mut g = FlowGraph::new();
    let mut nodes = BTreeMap::new();
    for id in &keep {
        let Some(name) = model.name_of(*id) else {
            continue;
        };
        // The name alone (the colour tells the kind): short labels, so larger once fitted.
        let n = g.add_node_with_label(*id, name.to_owned());
        if let Some(node) = g.node_mut(n) {
            node.set_color(if dark {
                kind_color(id.kind)
            } else {
                kind_ink(id.kind)
            });
            // egui_graphs sizes a label's type by its node's radius.
            node.display_mut().radius = 11.0;
        }
        nodes.insert(*id, n);
    }
    for (a, b) in arrows {
        if let (Some(x), Some(y)) = (nodes.get(&a), nodes.get(&b)) {
            g.add_edge_with_label(*x, *y, String::new(), String::new());
        }
    }
    g
}

/// Left to right: layers as far apart as the longest label needs (monospace, sized by the
/// node radius), siblings just far enough for a label above each node. The graph is then as
/// small as it can be, so its labels as large as fitting allows.
fn flow_spacing(graph: &FlowGraph) -> (f32, f32) {
    let radius = graph
        .nodes_iter()
        .map(|(_, n)| n.display().radius)
        .fold(5.0_f32, f32::max);
    let longest = graph
        .nodes_iter()
        .map(|(_, n)| n.label().chars().count())
        .max()
        .unwrap_or(8) as f32;
    (longest * 0.62 * radius + 2.0 * radius, 2.9 * radius)
}

/// A small "Copy Mermaid" button: puts `text()` on the clipboard, then says "Copied" for two
/// seconds (per `salt`: one diagram's "Copied" is not another's). Shared by the graph tabs
/// and the saga sequence window.
pub fn copy_mermaid_button(ui: &mut Ui, salt: &str, text: impl FnOnce() -> String) {
    let id = ui.id().with(("mermaid-copied", salt));
    let now = ui.input(|i| i.time);
    let copied = ui
        .data(|d| d.get_temp::<f64>(id))
        .is_some_and(|t| now - t < 2.0);
    let label = if copied { "Copied ✔" } else { "Copy Mermaid" };
    let clicked = ui
        .add(egui::Button::new(label).small())
        .on_hover_text(
            "Copy this diagram as Mermaid text, to paste into Markdown (GitHub, GitLab, wikis)",
        )
        .clicked();
    if clicked {
        ui.ctx().copy_text(text());
        ui.data_mut(|d| d.insert_temp(id, now));
    }
    if copied || clicked {
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(250));
    }
}

impl GraphViews {
    /// Shows the graph `kind`; returns an element the user clicked, to select on the board.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        kind: GraphKind,
        model: &Model,
        revision: u64,
        selected: Option<Loc>,
    ) -> Option<Loc> {
        // The flow's root: the selected context or command (the whole model otherwise).
        let root = match kind {
            GraphKind::Flow => selected.filter(|s| matches!(s.kind, Kind::Context | Kind::Command)),
            GraphKind::ContextMap => None,
        };
        let (graph, id, (row_dist, col_dist)) = match kind {
            GraphKind::ContextMap => {
                if self.context_map.as_ref().map(|(r, _)| *r) != Some(revision) {
                    self.context_map = Some((revision, context_map(model)));
                    self.free = false;
                    egui_graphs::reset_layout::<LayoutStateHierarchical>(
                        ui,
                        Some("context-map".into()),
                    );
                }
                if model.contexts.is_empty() {
                    ui.weak("No bounded contexts yet.");
                    return None;
                }
                let (_, g) = self.context_map.as_mut()?;
                // Few nodes, labelled edges: fixed room, so a small map is not blown up to fit.
                (g, "context-map", (260.0, 130.0))
            }
            GraphKind::Flow => {
                let key = (revision, root, ui.visuals().dark_mode);
                if self.flow.as_ref().map(|(k, ..)| *k) != Some(key) {
                    let graph = flow(model, root, key.2);
                    let spacing = flow_spacing(&graph);
                    self.flow = Some((key, graph, spacing));
                    self.free = false;
                    egui_graphs::reset_layout::<LayoutStateHierarchical>(ui, Some("flow".into()));
                }
                ui.weak(flow_title(model, root));
                let (_, g, spacing) = self.flow.as_mut()?;
                (g, "flow", *spacing)
            }
        };
        let orientation = LayoutHierarchicalOrientation::LeftRight;
        let mut state: LayoutStateHierarchical = egui_graphs::get_layout_state(ui, Some(id.into()));
        if state.orientation != orientation
            || (state.row_dist - row_dist).abs() > 0.5
            || (state.col_dist - col_dist).abs() > 0.5
        {
            state.orientation = orientation;
            state.row_dist = row_dist;
            state.col_dist = col_dist;
            state.triggered = false;
            egui_graphs::set_layout_state(ui, state, Some(id.into()));
        }
        ui.horizontal(|ui| {
            ui.weak("Ctrl+wheel or pinch to zoom, drag the background to pan.");
            if ui
                .add_enabled(self.free, egui::Button::new("Fit").small())
                .clicked()
            {
                self.free = false;
            }
            copy_mermaid_button(ui, id, || mermaid_of(model, kind, root));
        });
        // Fitted to the view until the user zooms or pans; then theirs.
        let zooming = ui.rect_contains_pointer(ui.available_rect_before_wrap())
            && ui.input(|i| {
                i.zoom_delta() != 1.0
                    || (i.pointer.primary_down() && i.pointer.delta() != egui::Vec2::ZERO)
            });
        self.free |= zooming;
        let response = GraphView::<LayoutStateHierarchical, LayoutHierarchical>::new()
            .with_id(Some(id.into()))
            .with_interactions(
                &SettingsInteraction::new()
                    .with_node_clicking_enabled(true)
                    .with_node_selection_enabled(true)
                    .with_dragging_enabled(true),
            )
            .with_navigations(
                &SettingsNavigation::new()
                    .with_fit_to_screen_enabled(!self.free)
                    .with_zoom_and_pan_enabled(self.free),
            )
            .with_styles(&SettingsStyle::new().with_labels_always(true))
            .show(ui, graph);
        response.changes.iter().find_map(|c| match c {
            GraphChange::NodeClicked { node } | GraphChange::NodeSelected { node } => {
                graph.node(*node).map(|n| *n.payload())
            }
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Pattern, Relation};

    #[test]
    fn the_context_map_has_a_node_per_context_and_a_labelled_edge_per_relation() {
        let mut m = crate::model::synthetic::synthetic(20, 3);
        m.relations.push(Relation {
            uid: crate::model::Uid::NONE,
            upstream: "Context0".into(),
            downstream: "Context1".into(),
            pattern: Pattern::OpenHostService,
            also: Vec::new(),
            doc: String::new(),
            translations: vec![],
        });
        let g = context_map(&m);
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.edge_count(), 1);
        let (_, e) = g.edges_iter().next().unwrap();
        assert_eq!(e.label(), "Open Host Service");
    }

    #[test]
    fn a_commands_flow_holds_what_it_leads_to() {
        let m = crate::model::synthetic::synthetic(10, 1);
        let cmd = Loc {
            kind: Kind::Command,
            context: Some(0),
            index: 0,
        };
        let g = flow(&m, Some(cmd), true);
        let labels: BTreeSet<String> = g.nodes_iter().map(|(_, n)| n.label()).collect();
        for l in ["Do0", "Thing0", "Done0", "React0", "View0"] {
            assert!(labels.contains(l), "{l} in {labels:?}");
        }
    }
}
