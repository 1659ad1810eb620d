//! The read side of a run: what the studio's views, the fixture encoders, the CLI and the
//! tests read of a simulation. Nothing outside `sim` reads the engine's fields, so the engine
//! can change how it keeps its state without touching a view.
//!
//! A run is read at its current end through these methods; the state at an earlier log
//! position comes from a [`Timeline`](super::timeline::Timeline) built from the same run.

use super::chunked::Chunked;
use super::engine::{Change, CommandInputs, CommandRecord, Engine, FaultDef, Parked};
use super::fold::{AggregateInstances, Table};
use super::program::{EventDef, Program};
use super::saga::Instances;
use super::store::{Cause, Record};
use crate::model::expr::Value;
use crate::model::expr::time::format_timestamp;

/// One entry of a run's journal: the log length and the virtual time when a saga instance
/// changed status or the dead-letter queue changed, and the change.
pub type JournalEntry = (u64, i64, Change);

impl Engine {
    /// The compiled model being run: names and definitions of its events, commands,
    /// aggregates, read models, sagas, externals and subscribers, by index.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The event log in global order: a record's position is its index.
    pub fn records(&self) -> &Chunked<Record> {
        &self.store.records
    }

    /// The record at log `position`.
    pub fn record(&self, position: usize) -> Option<&Record> {
        self.store.records.get(position)
    }

    /// A record's payload: one value per field of its event, in field order.
    pub fn payload(&self, record: &Record) -> &[Value] {
        self.store.payload(record)
    }

    /// The definition of a record's event.
    pub fn event_of(&self, record: &Record) -> Option<&EventDef> {
        self.program.events.get(record.event as usize)
    }

    /// A stream's readable name (`Booking-b-1`).
    pub fn stream_name(&self, stream: u32) -> String {
        self.store.stream_name(stream)
    }

    /// A correlation id's text (`c-3` for the scenario's third command).
    pub fn text(&self, correlation: u32) -> std::borrow::Cow<'_, str> {
        self.store.correlation(correlation)
    }

    /// Interns `s` for use as a correlation id of commands given to [`Engine::execute`].
    pub fn intern(&mut self, s: &str) -> u32 {
        self.store.intern(s)
    }

    /// Every command handled, accepted or rejected, in the order handled.
    pub fn commands(&self) -> &Chunked<CommandRecord> {
        &self.commands
    }

    /// Saga status changes and dead-letter changes, in order.
    pub fn journal(&self) -> &[JournalEntry] {
        &self.journal
    }

    /// The messages parked in the dead-letter queue now.
    pub fn parked(&self) -> &[Parked] {
        &self.dlq
    }

    /// Aggregate instances now: per aggregate (by program index), by id.
    pub fn aggregate_instances(&self) -> &[AggregateInstances] {
        &self.aggregates
    }

    /// The log position of a stream's first event (None while it has none): where an
    /// aggregate instance (`Instance::stream`) comes into being.
    pub fn stream_start(&self, stream: u32) -> Option<u64> {
        let s = self.store.streams.get(stream as usize)?;
        s.positions().next().map(u64::from)
    }

    /// Read-model tables now, per read model (by program index).
    pub fn tables(&self) -> &[Table] {
        &self.read_models
    }

    /// Saga instances now, per saga (by program index).
    pub fn saga_instances(&self) -> &[Instances] {
        &self.sagas
    }

    /// The faults injected into each subscriber (by program index).
    pub fn faults(&self) -> &[FaultDef] {
        &self.faults
    }

    /// The cursor (log length) that shows command `c` handled: just after its last event,
    /// after the event that caused it when it appended none, or at its time otherwise.
    pub fn cursor_of(&self, c: &CommandRecord) -> u64 {
        if !c.events().is_empty() {
            return c.events().end;
        }
        match c.cause() {
            Cause::Event(p) => p + 1,
            _ => self.records().partition_point(|r| r.time <= c.time) as u64,
        }
    }

    /// Whether the run spans more than one calendar day (its times then show their date).
    pub fn spans_days(&self) -> bool {
        let day = |t: i64| format_timestamp(t).get(..10).map(str::to_owned);
        self.records()
            .first()
            .is_some_and(|r| day(r.time) != day(self.now()))
    }

    /// Keeps the fields of the next `limit` commands handled, each with the log length when
    /// it was handled (off by default: a load of millions of commands would keep them all);
    /// see [`Engine::command_input`].
    pub fn keep_command_inputs(&mut self, limit: usize) {
        self.command_inputs = Some(Box::new(CommandInputs {
            first: self.commands.len(),
            limit,
            kept: Vec::new(),
        }));
    }

    /// Notes, from now on, every read-model row a command's decision or the working out of
    /// its fields reads (off by default: an exploration or a benchmark would pay for it;
    /// the studio's causation view shows them).
    pub fn record_lookups(&mut self) {
        self.looked.get_or_insert_with(Default::default);
    }

    /// The rows command `command` read (see [`Engine::record_lookups`]), in the order read.
    pub fn lookups_of(&self, command: u32) -> Vec<crate::sim::fold::Looked> {
        let Some(log) = &self.looked else {
            return Vec::new();
        };
        let log = log.borrow();
        let from = log.partition_point(|l| l.command < command);
        log[from..]
            .iter()
            .take_while(|l| l.command == command)
            .cloned()
            .collect()
    }

    /// Command `index`'s log length when it was handled and its fields, when kept.
    pub fn command_input(&self, index: usize) -> Option<(u64, &[Value])> {
        let inputs = self.command_inputs.as_ref()?;
        let (at, fields) = inputs.kept.get(index.checked_sub(inputs.first)?)?;
        Some((*at, fields))
    }

    /// Injects `faults` into subscriber `sub` from now on (ignored for an unknown one).
    pub fn set_faults(&mut self, sub: usize, faults: FaultDef) {
        if let Some(f) = self.faults.get_mut(sub) {
            *f = faults;
        }
    }
}
