//! Times, rates and probabilities: durations and times that can be read, outcome
//! probabilities that sum to 1, positive load generators, fault rates within 0..1.

use super::Checker;
use crate::model::Delivery;
use crate::model::diagnostic::Code;
use crate::model::element::{Kind, Loc, PathSeg};
use crate::model::expr::time::{parse_duration, parse_timestamp};
use crate::model::scenario::{DEFAULT_START, Gen, MAX_LOAD, Step, parse_time};

use PathSeg::{Index as I, Key as K};

fn duration(c: &mut Checker<'_>, id: Loc, rest: Vec<PathSeg>, text: &str) {
    if parse_duration(text).is_none_or(|d| d < 0) {
        let path = c.at(id, &rest);
        c.push(Code::BadTime, Some(id), path, format!("{} {}: `{text}` is not a duration; write it like `200ms`, `15s`, `10m`, `2h`, `1h30m`", id.kind, c.name(id)));
    }
}

fn delivery(c: &mut Checker<'_>, id: Loc, d: &Delivery) {
    duration(c, id, vec![K("delivery"), K("latency")], &d.latency);
    duration(c, id, vec![K("delivery"), K("backoff")], &d.backoff);
    if d.max_attempts == 0 {
        let path = c.at(id, &[K("delivery"), K("max_attempts")]);
        c.push(
            Code::BadLoad,
            Some(id),
            path,
            format!(
                "{} {}: max_attempts must be at least 1",
                id.kind,
                c.name(id)
            ),
        );
    }
}

fn rate(c: &mut Checker<'_>, id: Loc, rest: Vec<PathSeg>, what: &str, r: f64) {
    if !(0.0..=1.0).contains(&r) {
        let path = c.at(id, &rest);
        c.push(
            Code::BadRate,
            Some(id),
            path,
            format!("scenario {}: {what} {r} is outside 0..1", c.name(id)),
        );
    }
}

pub(super) fn check(c: &mut Checker<'_>) {
    let model = c.model;
    for (ci, ctx) in model.contexts.iter().enumerate() {
        let id = |kind, index| Loc {
            kind,
            context: Some(ci),
            index,
        };
        for (i, p) in ctx.policies.iter().enumerate() {
            delivery(c, id(Kind::Policy, i), &p.delivery);
        }
        for (i, r) in ctx.read_models.iter().enumerate() {
            delivery(c, id(Kind::ReadModel, i), &r.delivery);
        }
        for (i, s) in ctx.sagas.iter().enumerate() {
            let sid = id(Kind::Saga, i);
            delivery(c, sid, &s.delivery);
            for (j, d) in s.deadlines.iter().enumerate() {
                match (&d.at, d.after.is_empty()) {
                    (None, _) => duration(c, sid, vec![K("deadlines"), I(j), K("after")], &d.after),
                    (Some(_), true) => {}
                    (Some(_), false) => {
                        let path = c.at(sid, &[K("deadlines"), I(j), K("at")]);
                        let message = format!(
                            "saga {}, deadline `{}`: give either `after` (a duration) or `at` (a \
                             time from the data), not both",
                            c.name(sid),
                            d.name
                        );
                        c.push(Code::BadTime, Some(sid), path, message);
                    }
                }
            }
        }
        for (i, x) in ctx.externals.iter().enumerate() {
            let xid = id(Kind::External, i);
            delivery(c, xid, &x.delivery);
            for (j, r) in x.reacts.iter().enumerate() {
                let mut sum = 0.0;
                for (k, o) in r.outcomes.iter().enumerate() {
                    duration(
                        c,
                        xid,
                        vec![K("reacts"), I(j), K("outcomes"), I(k), K("after")],
                        &o.after,
                    );
                    if !(0.0..=1.0).contains(&o.probability) {
                        let path = c.at(
                            xid,
                            &[K("reacts"), I(j), K("outcomes"), I(k), K("probability")],
                        );
                        c.push(
                            Code::BadProbabilities,
                            Some(xid),
                            path,
                            format!(
                                "external system {}: probability {} is outside 0..1",
                                c.name(xid),
                                o.probability
                            ),
                        );
                    }
                    sum += o.probability;
                }
                let conditional = r.outcomes.iter().any(|o| o.when.is_some());
                if !r.outcomes.is_empty() && !conditional && (sum - 1.0).abs() > 1e-9 {
                    let path = c.at(xid, &[K("reacts"), I(j), K("outcomes")]);
                    c.push(Code::BadProbabilities, Some(xid), path, format!("external system {}: the outcomes for {} have probabilities summing to {sum}, not 1", c.name(xid), r.on));
                }
            }
        }
    }
    for (si, s) in model.scenarios.iter().enumerate() {
        let sid = Loc {
            kind: Kind::Scenario,
            context: None,
            index: si,
        };
        let start_text = s.start.as_deref().unwrap_or(DEFAULT_START);
        let start = parse_timestamp(start_text);
        if start.is_none() {
            let path = c.at(sid, &[K("start")]);
            c.push(Code::BadTime, Some(sid), path, format!("scenario {}: start `{start_text}` is not a timestamp like `2024-03-29T09:00:00Z`", s.name));
        }
        let start = start.unwrap_or(0);
        let time = |c: &mut Checker<'_>, rest: Vec<PathSeg>, text: &str| {
            if parse_time(text, start).is_none() {
                let path = c.at(sid, &rest);
                c.push(Code::BadTime, Some(sid), path, format!("scenario {}: `{text}` is not a time; write an offset (`10m`), a time of day (`10:15`) or a timestamp", s.name));
            }
        };
        if let Some(u) = &s.until {
            time(c, vec![K("until")], u);
        }
        for (j, step) in s.when.iter().enumerate() {
            match step {
                Step::Command { at, .. } | Step::Redrive { at, .. } => {
                    time(c, vec![K("when"), I(j), K("at")], at)
                }
                Step::Load {
                    at,
                    count,
                    every,
                    command,
                    fields,
                    ..
                } => {
                    time(c, vec![K("when"), I(j), K("at")], at);
                    if *count <= 0 || *count > MAX_LOAD {
                        let path = c.at(sid, &[K("when"), I(j), K("count")]);
                        c.push(Code::BadLoad, Some(sid), path, format!("scenario {}: the load of {command} has count {count}; it must be from 1 to {MAX_LOAD}", s.name));
                    }
                    for (f, g) in fields {
                        if matches!(g, Gen::OneOf(options) if options.is_empty()) {
                            let path = c.at(
                                sid,
                                &[K("when"), I(j), K("fields"), PathSeg::MapKey(f.clone())],
                            );
                            c.push(Code::BadLoad, Some(sid), path, format!("scenario {}: the load of {command} picks field `{f}` from no values; give one_of at least one", s.name));
                        }
                    }
                    if parse_duration(every).is_none_or(|d| d <= 0) {
                        let path = c.at(sid, &[K("when"), I(j), K("every")]);
                        c.push(Code::BadLoad, Some(sid), path, format!("scenario {}: the load of {command} repeats every `{every}`; it must be a positive duration", s.name));
                    }
                }
            }
        }
        for (j, f) in s.faults.iter().enumerate() {
            rate(
                c,
                sid,
                vec![K("faults"), I(j), K("failure_rate")],
                "failure rate",
                f.failure_rate,
            );
            rate(
                c,
                sid,
                vec![K("faults"), I(j), K("duplicate_rate")],
                "duplicate rate",
                f.duplicate_rate,
            );
            rate(
                c,
                sid,
                vec![K("faults"), I(j), K("reorder_rate")],
                "reorder rate",
                f.reorder_rate,
            );
            if let Some(l) = &f.latency {
                duration(c, sid, vec![K("faults"), I(j), K("latency")], l);
            }
            for (k, (from, until)) in f.outages.iter().enumerate() {
                time(c, vec![K("faults"), I(j), K("outages"), I(k)], from);
                time(c, vec![K("faults"), I(j), K("outages"), I(k)], until);
            }
        }
        if let Some(x) = &s.explore {
            if let Some(r) = x.max_rate {
                rate(c, sid, vec![K("explore"), K("max_rate")], "highest rate", r);
            }
            if let Some(l) = &x.max_latency {
                duration(c, sid, vec![K("explore"), K("max_latency")], l);
            }
        }
    }
}
