//! The simulation cursor as a type: where the cursor is in the run's log, whether it plays
//! on by itself and how fast. Only [`TimeCommand`]s change it — the buttons, the slider, the
//! timeline strip, the markers, the logs, the graphs and the keys all send one — so there is
//! one place that decides what "one event on" or "play" means, tested without egui.

/// A change to the time control.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeCommand {
    /// A run (or a longer one) is shown: `len` records; the cursor goes to its end and
    /// playing stops.
    Load {
        /// Records in the run's log.
        len: u64,
    },
    /// To the start: nothing applied.
    Start,
    /// To the end: every record applied.
    End,
    /// One record back.
    Back,
    /// One record on.
    On,
    /// To a position (records applied), clamped to the run.
    Seek(u64),
    /// Start or stop playing; playing from the end starts over.
    TogglePlay,
    /// Playing speed, records per second (0.5 … 10,000).
    Speed(f64),
    /// `secs` of wall-clock time passed: a playing cursor moves on by speed × secs.
    Tick {
        /// Seconds since the last tick.
        secs: f64,
    },
}

/// Cursor, play state and speed of the simulation views.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeControl {
    cursor: u64,
    len: u64,
    playing: bool,
    speed: f64,
    /// The fraction of a record played but not yet shown.
    carry: f64,
}

impl Default for TimeControl {
    fn default() -> Self {
        Self {
            cursor: 0,
            len: 0,
            playing: false,
            speed: 5.0,
            carry: 0.0,
        }
    }
}

impl TimeControl {
    /// The speed range, records per second.
    pub const SPEED: std::ops::RangeInclusive<f64> = 0.5..=10_000.0;

    /// Records applied at the cursor (0 … the run's length).
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Records in the run.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when the run has no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True while the cursor moves on by itself.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Playing speed, records per second.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Applies one command.
    pub fn apply(&mut self, command: TimeCommand) {
        match command {
            TimeCommand::Load { len } => {
                self.len = len;
                self.cursor = len;
                self.playing = false;
                self.carry = 0.0;
            }
            TimeCommand::Start => self.cursor = 0,
            TimeCommand::End => self.cursor = self.len,
            TimeCommand::Back => self.cursor = self.cursor.saturating_sub(1),
            TimeCommand::On => self.cursor = (self.cursor + 1).min(self.len),
            TimeCommand::Seek(to) => self.cursor = to.min(self.len),
            TimeCommand::TogglePlay => {
                self.playing = !self.playing;
                self.carry = 0.0;
                if self.playing && self.cursor >= self.len {
                    self.cursor = 0;
                }
            }
            TimeCommand::Speed(s) => {
                if s.is_finite() {
                    self.speed = s.clamp(*Self::SPEED.start(), *Self::SPEED.end());
                }
            }
            TimeCommand::Tick { secs } => {
                if !self.playing || !secs.is_finite() || secs <= 0.0 {
                    return;
                }
                self.carry += secs * self.speed;
                let step = self.carry.floor();
                self.carry -= step;
                self.cursor = self.cursor.saturating_add(step as u64).min(self.len);
                if self.cursor >= self.len {
                    self.playing = false;
                }
            }
        }
    }

    /// Applies commands in order.
    pub fn apply_all(&mut self, commands: impl IntoIterator<Item = TimeCommand>) {
        for c in commands {
            self.apply(c);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(len: u64) -> TimeControl {
        let mut t = TimeControl::default();
        t.apply(TimeCommand::Load { len });
        t
    }

    #[test]
    fn a_new_run_shows_its_end_and_steps_stay_inside_it() {
        let mut t = loaded(10);
        assert_eq!(t.cursor(), 10);
        t.apply(TimeCommand::On);
        assert_eq!(t.cursor(), 10, "not past the end");
        t.apply_all([TimeCommand::Start, TimeCommand::Back]);
        assert_eq!(t.cursor(), 0, "not before the start");
        t.apply_all([TimeCommand::On, TimeCommand::On]);
        assert_eq!(t.cursor(), 2);
        t.apply(TimeCommand::Seek(99));
        assert_eq!(t.cursor(), 10);
        t.apply(TimeCommand::Seek(4));
        t.apply(TimeCommand::Load { len: 3 });
        assert_eq!(t.cursor(), 3, "a new run resets the cursor to its end");
    }

    #[test]
    fn playing_moves_on_at_its_speed_and_stops_at_the_end() {
        let mut t = loaded(20);
        t.apply(TimeCommand::TogglePlay);
        assert!(t.playing());
        assert_eq!(t.cursor(), 0, "playing from the end starts over");
        t.apply(TimeCommand::Speed(4.0));
        // 0.1 s at 4 records/s is 0.4 of a record: nothing shown yet, then the rest.
        t.apply(TimeCommand::Tick { secs: 0.1 });
        assert_eq!(t.cursor(), 0);
        t.apply(TimeCommand::Tick { secs: 0.15 });
        assert_eq!(t.cursor(), 1);
        t.apply(TimeCommand::Tick { secs: 1.0 });
        assert_eq!(t.cursor(), 5);
        t.apply(TimeCommand::Tick { secs: 100.0 });
        assert_eq!(t.cursor(), 20);
        assert!(!t.playing(), "stops at the end");
        // Paused, time passing moves nothing; a bad speed is ignored or clamped.
        t.apply(TimeCommand::Start);
        t.apply(TimeCommand::Tick { secs: 5.0 });
        assert_eq!(t.cursor(), 0);
        t.apply(TimeCommand::Speed(f64::NAN));
        assert_eq!(t.speed(), 4.0);
        t.apply(TimeCommand::Speed(1e9));
        assert_eq!(t.speed(), 10_000.0);
    }
}
