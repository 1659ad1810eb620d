//! Comparing runs in the Simulation tab: a run kept as the baseline (say, with idempotent
//! consumers) against the current one (say, without): their totals and, per read model, the
//! rows that differ at the end. And, for the current run, each read model rebuilt from the log
//! alone against the live one — with duplicates delivered to a non-idempotent subscriber the
//! two differ, which is the lesson.

use egui::Ui;

use crate::app::simulation::panel::Run;
use crate::app::simulation::state::subscriber_name;
use crate::app::theme;
use crate::sim::program::SubscriberKind;
use crate::sim::rebuild::{RowDiff, compare, rebuild_all};

/// Rows listed per read model at most.
const SHOWN: usize = 50;

fn row_text(row: Option<&Vec<crate::model::expr::Value>>) -> String {
    match row {
        Some(r) => r
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        None => "(no row)".into(),
    }
}

fn diffs_ui(ui: &mut Ui, title: &str, diffs: &[RowDiff], left: &str, right: &str) {
    if diffs.is_empty() {
        ui.colored_label(theme::tokens(ui).ok, format!("✔ {title}: the same rows"));
        return;
    }
    ui.colored_label(
        theme::tokens(ui).caution,
        format!("✖ {title}: {} row(s) differ", diffs.len()),
    );
    for d in diffs.iter().take(SHOWN) {
        ui.label(format!(
            "    {}: {left} [{}] · {right} [{}]",
            d.key,
            row_text(d.live.as_ref()),
            row_text(d.rebuilt.as_ref())
        ));
    }
    if diffs.len() > SHOWN {
        ui.weak(format!("    … and {} more", diffs.len() - SHOWN));
    }
}

fn totals(run: &Run) -> String {
    let e = &run.engine;
    format!(
        "{}: {} events, {} commands ({} rejected), {} parked",
        run.scenario,
        e.records().len(),
        e.commands().len(),
        e.rejected(),
        e.parked().len()
    )
}

/// The comparison of `current` with `baseline` (if any), and its rebuild check.
pub fn ui(ui: &mut Ui, baseline: Option<&Run>, current: &Run) {
    let e = &current.engine;
    let name =
        |i: usize| subscriber_name(e, |k| matches!(k, SubscriberKind::ReadModel(r) if *r == i));
    egui::ScrollArea::vertical().max_height(460.0).show(ui, |ui| {
        ui.strong("Rebuilt from the log vs live (current run)");
        let rebuilt = current.rebuilt.get_or_init(|| rebuild_all(e));
        for (i, (live, rebuilt)) in e.tables().iter().zip(rebuilt).enumerate() {
            match rebuilt {
                Ok(rebuilt) => diffs_ui(ui, name(i), &compare(live, rebuilt), "live", "rebuilt"),
                Err(err) => {
                    ui.label(format!("{}: the rebuild failed: {err}", name(i)));
                }
            }
        }
        ui.separator();
        let Some(base) = baseline else {
            ui.weak("Keep a run as the baseline, change the model or its fault plan, run again: the differences show here.");
            return;
        };
        ui.strong("Baseline vs current, at the end of each run");
        ui.label(format!("baseline  {}", totals(base)));
        ui.label(format!("current   {}", totals(current)));
        let b = &base.engine;
        for (i, now) in e.tables().iter().enumerate() {
            let n = name(i);
            let before = (0..b.tables().len()).find(|&j| {
                subscriber_name(b, |k| matches!(k, SubscriberKind::ReadModel(r) if *r == j)) == n
            });
            match before {
                Some(j) => diffs_ui(ui, n, &compare(&b.tables()[j], now), "baseline", "current"),
                None => {
                    ui.label(format!("{n}: not in the baseline's model"));
                }
            }
        }
    });
}
