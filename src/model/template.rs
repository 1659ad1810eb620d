//! The starter board offered on the start page: a small order flow that runs as drawn (an
//! actor, a command, an aggregate, an event and a read model, linked the way a board links
//! them, with one scenario), for a team to rename and grow.

use super::access::Sticky;
use super::connect::connect;
use super::document::Model;
use super::element::Kind;
use super::layout::Pos;
use super::scenario::{Expect, Scenario, Step};

/// The "order and payment" starter: Customer → PlaceOrder → Order → OrderPlaced → Orders,
/// OrderPlaced → ChargeOnOrder → ChargePayment → Payment → PaymentCharged, and the scenario
/// "one order".
pub fn starter() -> Model {
    let mut m = Model::new("Orders and payments");
    let stickies = [
        (Kind::Actor, "Customer", (40.0, 80.0)),
        (Kind::Command, "PlaceOrder", (190.0, 80.0)),
        (Kind::Aggregate, "Order", (370.0, 70.0)),
        (Kind::Event, "OrderPlaced", (570.0, 80.0)),
        (Kind::ReadModel, "Orders", (570.0, 260.0)),
        (Kind::Policy, "ChargeOnOrder", (750.0, 80.0)),
        (Kind::Command, "ChargePayment", (750.0, 260.0)),
        (Kind::Aggregate, "Payment", (930.0, 250.0)),
        (Kind::Event, "PaymentCharged", (1130.0, 260.0)),
    ];
    let locs: Vec<_> = stickies
        .iter()
        .filter_map(|&(kind, name, (x, y))| {
            m.insert_sticky(0, Sticky::new_of(kind, name, Pos::new(x, y))?)
        })
        .collect();
    if let Some(c) = m.contexts.first_mut() {
        c.name = "Sales".into();
        c.frame = super::layout::Rect {
            x: 0.0,
            y: 0.0,
            w: 1320.0,
            h: 420.0,
        };
    }
    for (a, b) in [
        (0, 1),
        (1, 2),
        (2, 3),
        (3, 4),
        (3, 5),
        (5, 6),
        (6, 7),
        (7, 8),
    ] {
        if let (Some(&from), Some(&to)) = (locs.get(a), locs.get(b)) {
            // Every link of the starter is a valid one; a refusal would leave it unlinked.
            let _ = connect(&mut m, from, to);
        }
    }
    m.scenarios.push(Scenario {
        name: "one order".into(),
        doc: "A customer places an order; it is charged.".into(),
        when: vec![Step::Command {
            at: "0s".into(),
            command: "PlaceOrder".into(),
            fields: [("id".to_owned(), "'o-1'".to_owned())].into(),
        }],
        then: vec![
            Expect::Emitted {
                event: "PaymentCharged".into(),
                count: Some(1),
                filter: None,
            },
            Expect::Rows {
                read_model: "Orders".into(),
                count: 1,
            },
        ],
        ..Scenario::default()
    });
    m.assign_ids();
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_board_checks_clean_and_its_scenario_passes() {
        let m = starter();
        let findings = crate::export::findings(&m);
        assert!(
            findings
                .iter()
                .all(|d| d.severity != crate::model::diagnostic::Severity::Error),
            "{findings:#?}"
        );
        let program = std::sync::Arc::new(crate::sim::Program::new(&m).unwrap());
        let verdicts = crate::sim::scenario::check(&m, program, &m.scenarios[0]).unwrap();
        assert!(verdicts.iter().all(|v| v.passed), "{verdicts:#?}");
        // It survives the file format.
        let text = crate::model::file::to_string(&m);
        assert_eq!(crate::model::file::from_str(&text, "m.ron").unwrap(), m);
    }
}
