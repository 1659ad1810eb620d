//! A run (or one saga instance) as a Mermaid sequence diagram: one participant per lane of
//! [`crate::sim::sequence::Sequence`] — the scenario, then each bounded context or external
//! system as it first appears. Commands are solid arrows (a cross at the end when rejected,
//! `↺` when a compensation), events dotted arrows into the context that appended them, a
//! parked delivery a note on that context, a saga's status a note over the scenario.

use std::fmt::Write;

use super::{text, title};
use crate::model::expr::time::format_timestamp;
use crate::sim::sequence::{Sequence, Step};

/// `seq` as Mermaid text. Each message starts with its virtual time (with its date when the
/// run spans several days); rows left out are counted in a closing note.
pub fn sequence(seq: &Sequence) -> String {
    let mut out = title(&seq.title);
    out.push_str("sequenceDiagram\n");
    for (i, lane) in seq.lanes.iter().enumerate() {
        let _ = writeln!(out, "  participant L{i} as {}", text(lane));
    }
    for row in &seq.rows {
        let at = clock(row.time, seq.dated);
        let (from, to) = (row.from, row.to);
        let label = text(&row.label);
        match &row.step {
            Step::Command {
                rejection,
                compensating,
            } => {
                let mark = if *compensating { "↺ " } else { "" };
                match rejection {
                    Some(why) => {
                        let _ = writeln!(
                            out,
                            "  L{from}-xL{to}: {at} {mark}{label} rejected: {}",
                            text(why)
                        );
                    }
                    None => {
                        let _ = writeln!(out, "  L{from}->>L{to}: {at} {mark}{label}");
                    }
                }
            }
            Step::Event { parked } => {
                let _ = writeln!(out, "  L{from}-->>L{to}: {at} {label}");
                for p in parked {
                    let _ = writeln!(out, "  Note right of L{to}: parked by {}", text(p));
                }
            }
            Step::Status => {
                let _ = writeln!(out, "  Note over L{from}: {at} {label}");
            }
        }
    }
    if seq.omitted > 0 {
        let _ = writeln!(
            out,
            "  Note over L0: … {} more messages not shown",
            seq.omitted
        );
    }
    out
}

/// `08:00:05`, or `06-17 08:00:05` when `dated`.
fn clock(time: i64, dated: bool) -> String {
    let full = format_timestamp(time);
    let day = full.get(5..10).unwrap_or_default();
    let hms = full.get(11..19).unwrap_or(&full);
    match dated {
        true => format!("{day} {hms}"),
        false => hms.to_owned(),
    }
}
