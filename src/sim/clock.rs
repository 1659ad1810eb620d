//! The virtual clock: a queue of timed actions, ordered by (time, sequence) so that actions
//! due at the same moment run in the order they were scheduled, on every machine.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Actions due at virtual times (ms since the epoch).
#[derive(Debug)]
pub struct Scheduler<A> {
    heap: BinaryHeap<Reverse<(i64, u64, usize)>>,
    slots: Vec<Option<A>>,
    free: Vec<usize>,
    seq: u64,
    /// The current virtual time.
    pub now: i64,
}

impl<A> Scheduler<A> {
    /// An empty schedule starting at `now`.
    pub fn new(now: i64) -> Self {
        Self {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now,
        }
    }

    /// Schedules `action` at `time` (never before now).
    pub fn at(&mut self, time: i64, action: A) {
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(action);
                i
            }
            None => {
                self.slots.push(Some(action));
                self.slots.len() - 1
            }
        };
        self.seq += 1;
        self.heap
            .push(Reverse((time.max(self.now), self.seq, slot)));
    }

    /// The time of the next action.
    pub fn peek_time(&self) -> Option<i64> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Takes the next action and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(i64, A)> {
        let Reverse((t, _, slot)) = self.heap.pop()?;
        let action = self.slots.get_mut(slot)?.take()?;
        self.free.push(slot);
        self.now = t;
        Some((t, action))
    }

    /// Number of pending actions.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True if nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_run_in_time_then_schedule_order() {
        let mut s = Scheduler::new(0);
        s.at(10, "c");
        s.at(5, "a");
        s.at(10, "d");
        s.at(5, "b");
        let order: Vec<_> = std::iter::from_fn(|| s.pop().map(|(_, a)| a)).collect();
        assert_eq!(order, vec!["a", "b", "c", "d"]);
        assert_eq!(s.now, 10);
    }
}
