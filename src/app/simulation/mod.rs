//! The simulation views: the run on a worker, the time control of the cursor, the logs, state, timeline markers, charts, causation graph, saga sequence, comparison, scenario checks and presentation mode.

pub mod causation;
pub mod charts;
pub mod checks;
pub mod compare;
pub mod log;
pub mod markers;
pub mod panel;
pub mod path;
pub mod presentation;
pub mod run_windows;
pub mod sequence;
pub mod state;
pub mod time_control;
pub mod worker;
