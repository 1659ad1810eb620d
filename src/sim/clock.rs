//! The virtual clock: a queue of timed actions, ordered by (time, sequence) so that actions
//! due at the same moment run in the order they were scheduled, on every machine.
//!
//! Actions due right now (zero latency, the common case) skip the heap: they wait in a
//! first-in-first-out queue, merged with the heap by (time, sequence) when popped.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Actions due at virtual times (ms since the epoch).
#[derive(Clone, Debug)]
pub struct Scheduler<A> {
    heap: BinaryHeap<Reverse<(i64, u64, usize)>>,
    /// Actions due at `now`, in sequence order (all of them at `now`).
    due: VecDeque<(u64, A)>,
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
            due: VecDeque::new(),
            slots: Vec::new(),
            free: Vec::new(),
            seq: 0,
            now,
        }
    }

    /// Schedules `action` at `time` (never before now).
    #[inline]
    pub fn at(&mut self, time: i64, action: A) {
        self.at_withdrawable(time, action);
    }

    /// Takes the next sequence number without scheduling anything: an action scheduled
    /// later with it (`at_seq`) keeps its place among actions due at the same time, as if
    /// it had been scheduled now.
    pub fn reserve(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Takes `n` consecutive sequence numbers and returns the first: actions scheduled
    /// later with them (`at_seq`) keep the places they would have had if all `n` had been
    /// scheduled now (a load's commands, issued one at a time).
    pub fn reserve_many(&mut self, n: u64) -> u64 {
        let first = self.seq + 1;
        self.seq += n;
        first
    }

    /// Schedules `action` at `time` (never before now) in the place of sequence number `seq`
    /// (from `reserve`); returns its slot (the handle `withdraw` takes).
    pub fn at_seq(&mut self, time: i64, seq: u64, action: A) -> usize {
        let time = time.max(self.now);
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
        self.heap.push(Reverse((time, seq, slot)));
        slot
    }

    /// Schedules `action` at `time` (as `at`) so that it can be withdrawn: the handle to pass
    /// to `withdraw`, or none when it is due now (it then runs in its turn).
    #[inline]
    pub fn at_withdrawable(&mut self, time: i64, action: A) -> Option<usize> {
        let time = time.max(self.now);
        self.seq += 1;
        if time == self.now {
            self.due.push_back((self.seq, action));
            return None;
        }
        Some(self.at_seq(time, self.seq, action))
    }

    /// Withdraws the action `at_withdrawable` scheduled with `handle` (if it has not run):
    /// it never runs, and the clock does not stop at its time.
    pub fn withdraw(&mut self, handle: usize) {
        if let Some(slot) = self.slots.get_mut(handle) {
            *slot = None;
        }
    }

    /// Drops withdrawn actions from the front of the heap (their slots become free).
    fn skip_withdrawn(&mut self) {
        while let Some(&Reverse((_, _, slot))) = self.heap.peek() {
            if self.slots.get(slot).is_some_and(Option::is_some) {
                return;
            }
            self.heap.pop();
            self.free.push(slot);
        }
    }

    /// The time of the next action.
    pub fn peek_time(&mut self) -> Option<i64> {
        if !self.due.is_empty() {
            return Some(self.now);
        }
        self.skip_withdrawn();
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Takes the next action and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(i64, A)> {
        self.skip_withdrawn();
        if let Some(&(seq, _)) = self.due.front() {
            let heap_first = self
                .heap
                .peek()
                .is_some_and(|Reverse((t, s, _))| (*t, *s) < (self.now, seq));
            if !heap_first {
                return self.due.pop_front().map(|(_, a)| (self.now, a));
            }
        }
        let Reverse((t, _, slot)) = self.heap.pop()?;
        let action = self.slots.get_mut(slot)?.take()?;
        self.free.push(slot);
        self.now = t;
        Some((t, action))
    }

    /// Number of pending actions.
    pub fn len(&self) -> usize {
        self.heap.len() + self.due.len()
    }

    /// True if nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.due.is_empty()
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

    #[test]
    fn actions_due_now_keep_their_place_among_earlier_ones() {
        let mut s = Scheduler::new(0);
        s.at(5, "a");
        s.at(5, "c");
        assert_eq!(s.pop().map(|(_, a)| a), Some("a"));
        // Scheduled now (time 5), after "c" was scheduled for 5: runs after "c".
        s.at(5, "d");
        s.at(0, "e"); // in the past: due now, after "d"
        s.at(6, "f");
        assert_eq!(s.len(), 4);
        let order: Vec<_> = std::iter::from_fn(|| s.pop().map(|(_, a)| a)).collect();
        assert_eq!(order, vec!["c", "d", "e", "f"]);
        assert!(s.is_empty());
    }

    #[test]
    fn a_withdrawn_action_never_runs_and_the_clock_does_not_stop_at_its_time() {
        let mut s = Scheduler::new(0);
        s.at(5, "a");
        let late = s.at_withdrawable(1000, "late").unwrap();
        let soon = s.at_withdrawable(7, "soon").unwrap();
        assert_eq!(
            s.at_withdrawable(0, "now"),
            None,
            "due now: runs in its turn"
        );
        s.withdraw(late);
        s.withdraw(soon);
        // Its slot is not reused while its entry is still in the heap.
        s.at(8, "b");
        let order: Vec<_> = std::iter::from_fn(|| s.pop()).collect();
        assert_eq!(order, vec![(0, "now"), (5, "a"), (8, "b")]);
        assert_eq!(
            s.now, 8,
            "the withdrawn action at 1000 did not move the clock"
        );
        assert_eq!(s.peek_time(), None);
    }

    #[test]
    fn a_reserved_place_is_kept_among_actions_due_at_the_same_time() {
        let mut s = Scheduler::new(0);
        s.at(5, "a");
        let place = s.reserve();
        s.at(5, "c");
        assert_eq!(s.pop().map(|(_, a)| a), Some("a"));
        // Scheduled after "c", in the place reserved before it.
        s.at_seq(5, place, "b");
        s.at(5, "d");
        let order: Vec<_> = std::iter::from_fn(|| s.pop().map(|(_, a)| a)).collect();
        assert_eq!(order, vec!["b", "c", "d"]);
    }
}
