//! Where a run trains: here, on the page's thread in slices of a frame, or away, in a Web
//! Worker that trains the very same engine and sends its state back, of which the page
//! keeps a mirror (`train::wire`). A view reads a run the same way wherever it trains.
//!
//! Whether a view's runs train away is decided when the view is made: the web shell sets
//! [`train_away`] just before, once it knows whether a worker can start, and the view reads
//! [`trains_away`] once and keeps the answer.
//!
//! A run away keeps the states it receives until its view releases them
//! ([`Engine::release`]): a worker that is in the middle of a long step when the reader
//! pauses finishes it, but the page stays at the step where the pause caught it, and shows
//! the step at once when the reader plays on or steps.

use super::player::Player;
use super::{Speed, STEPS};
use crate::app::params::Values;
use crate::app::view::News;
use crate::train::remote::{Remote, Run};
use crate::train::wire::steps_of;
use crate::train::Session;
use std::cell::Cell;

thread_local! {
    /// Whether views made now train away from the page.
    static AWAY: Cell<bool> = const { Cell::new(false) };
    /// The last start handed out: each run away gets the next one.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
}

/// Makes the views made from now on train away from the page (`true`), or here.
pub fn train_away(away: bool) {
    AWAY.with(|a| a.set(away));
}

/// Whether a view made now trains away from the page.
pub fn trains_away() -> bool {
    AWAY.with(Cell::get)
}

/// The next start: every run away and every measurement sent away gets a new one, so that
/// a state of an older one is told apart and dropped.
pub fn next_generation() -> u32 {
    GENERATION.with(|g| {
        g.set(g.get().wrapping_add(1));
        g.get()
    })
}

/// A run away whose steps take at least this long, in milliseconds, holds the states its
/// worker sends past the step its view shows ([`Engine::release`]); its worker, whose slices
/// last 25 ms, then sends every step alone.
pub const HOLD_STEP_MS: f64 = 25.0;

/// A step that takes at least this long, in milliseconds, is said to take long.
pub const SLOW_STEP_MS: f64 = 250.0;

/// What a lab says when one step of a run away takes long ([`SLOW_STEP_MS`] or more): how
/// long, and that the page does not wait for it.
pub fn pace(step_ms: Option<f64>) -> Option<String> {
    let ms = step_ms.filter(|ms| *ms >= SLOW_STEP_MS)?;
    let took = if ms < 1000.0 {
        format!("{} ms", (ms / 10.0).round() * 10.0)
    } else {
        format!("{:.1} s", ms / 1000.0)
    };
    Some(format!(
        "One training step of this network takes about {took} on this computer. It trains in the background, so the page and its controls answer at once: Pause stops at the step shown."
    ))
}

/// A run away: the mirror of its worker's state, which start of the run it is, and the
/// states received but not yet shown, in order.
pub struct Away<S: Remote> {
    mirror: Box<S::Mirror>,
    generation: u32,
    held: std::collections::VecDeque<Vec<f64>>,
    /// What one step took in the worker, in milliseconds, as it last said.
    step_ms: Option<f64>,
}

/// One training run, here or away: the training lab's [`Session`] by default, or any other
/// run a worker can train ([`Remote`]).
pub enum Engine<S: Remote = Session> {
    /// Trained on the page's thread.
    Here(Box<S>),
    /// Trained in a worker; the page holds what it last sent.
    Away(Away<S>),
}

impl<S: Remote> Engine<S> {
    /// A new run of `spec`, here or `away`. Away, it costs nothing here: the worker builds
    /// the data set and the network.
    pub fn new(spec: &S::Spec, away: bool) -> Engine<S> {
        if away {
            Engine::Away(Away {
                mirror: Box::new(S::mirror(spec)),
                generation: next_generation(),
                held: Default::default(),
                step_ms: None,
            })
        } else {
            Engine::Here(Box::new(S::start(spec)))
        }
    }

    /// The run's spec, brought into range.
    pub fn spec(&self) -> &S::Spec {
        match self {
            Engine::Here(s) => s.spec(),
            Engine::Away(a) => a.mirror.spec(),
        }
    }

    /// Steps run so far.
    pub fn steps(&self) -> u64 {
        match self {
            Engine::Here(s) => s.steps(),
            Engine::Away(a) => a.mirror.steps(),
        }
    }

    /// Where training stopped itself, if it did.
    pub fn halt(&self) -> Option<S::Halt> {
        match self {
            Engine::Here(s) => s.halt(),
            Engine::Away(a) => a.mirror.halt(),
        }
    }

    /// What the run recorded.
    pub fn records(&self) -> &S::Records {
        match self {
            Engine::Here(s) => s.records(),
            Engine::Away(a) => a.mirror.records(),
        }
    }

    /// The session, while the run trains here.
    pub fn here(&mut self) -> Option<&mut S> {
        match self {
            Engine::Here(s) => Some(s.as_mut()),
            Engine::Away(_) => None,
        }
    }

    /// The start of the run, while it trains away.
    pub fn generation(&self) -> Option<u32> {
        match self {
            Engine::Here(_) => None,
            Engine::Away(a) => Some(a.generation),
        }
    }

    /// Keeps a state its worker sent, to be shown once released, with what one step took
    /// there; returns whether it was this start's.
    pub fn receive(&mut self, news: News) -> bool {
        match self {
            Engine::Away(a) if a.generation == news.generation => {
                a.held.push_back(news.update);
                a.step_ms = news.step_ms.or(a.step_ms);
                true
            }
            _ => false,
        }
    }

    /// What one step takes in the worker, in milliseconds, once it has said.
    pub fn step_ms(&self) -> Option<f64> {
        match self {
            Engine::Away(a) => a.step_ms,
            Engine::Here(_) => None,
        }
    }

    /// The step of the newest state received, shown or not.
    pub fn received_steps(&self) -> u64 {
        match self {
            Engine::Away(a) => a.held.back().and_then(|u| steps_of(u)),
            Engine::Here(_) => None,
        }
        .unwrap_or_else(|| self.steps())
    }

    /// Shows the states received up to step `limit`, in order, calling `each` after each
    /// one; returns whether any was shown. A malformed state is dropped. Only a run whose
    /// steps take [`HOLD_STEP_MS`] or more holds states past `limit`: its worker sends every
    /// step alone, so what it holds is the very next step. A quicker run shows all it
    /// received (its worker stops within a few milliseconds), and so does a run still below
    /// `limit` (a worker's state may jump past it).
    pub fn release(&mut self, limit: u64, mut each: impl FnMut(&S::Records)) -> bool {
        let Engine::Away(a) = self else {
            return false;
        };
        let holds = a.step_ms.is_some_and(|ms| ms >= HOLD_STEP_MS);
        let mut shown = false;
        while let Some(next) = a.held.front() {
            let ahead = steps_of(next).is_none_or(|s| s > limit);
            if holds && ahead && a.mirror.steps() >= limit {
                break;
            }
            if let Some(update) = a.held.pop_front() {
                if S::apply(&mut a.mirror, &update) {
                    shown = true;
                    each(a.mirror.records());
                }
            }
        }
        shown
    }

    /// Trains the run here from now on, brought to the step it had reached: the same run
    /// again, which gives the same bits.
    pub fn bring_home(&mut self) {
        if let Engine::Away(a) = self {
            // The step shown, not one received and held: what the page shows stays.
            let mut session = S::start(a.mirror.spec());
            session.train(a.mirror.steps());
            *self = Engine::Here(Box::new(session));
        }
    }

    /// One frame of a view whose one run trains away: aims the run with `player` at
    /// `speed`, shows what its worker sent up to the step the player allows (calling `each`
    /// after each state shown), and writes the step shown into `values`. Returns whether
    /// anything was shown and whether the view wants more frames.
    pub fn away_frame(
        &mut self,
        player: &mut Player,
        speed: Speed,
        values: &mut Values,
        each: impl FnMut(&S::Records),
    ) -> (bool, bool) {
        let runs = |e: &Self| [(e.steps(), e.halt().is_some())];
        player.aim(&runs(self), speed);
        let limit = player.shown_up_to(&[(self.received_steps(), self.halt().is_some())]);
        let shown = self.release(limit, each);
        if shown {
            // Aimed again from the step now shown: a step asked for and reached is done in
            // this frame, so the page comes to rest with it.
            player.aim(&runs(self), speed);
        }
        values.set_number_of(&STEPS, self.steps() as f64);
        (shown, player.active() || player.waiting(&runs(self)))
    }

    /// Whether the run away has yet to reach what `player` asked of it.
    pub fn waiting(&self, player: &Player) -> bool {
        self.generation().is_some() && player.waiting(&[(self.steps(), self.halt().is_some())])
    }
}

impl Engine<Session> {
    /// The number of layers.
    pub fn depth(&self) -> usize {
        match self {
            Engine::Here(s) => s.depth(),
            Engine::Away(a) => a.mirror.depth(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_step_is_said_in_milliseconds_or_seconds_and_a_short_one_not_at_all() {
        assert_eq!(pace(None), None);
        assert_eq!(pace(Some(249.0)), None);
        let said = pace(Some(834.0)).expect("said");
        assert!(said.contains("about 830 ms"), "{said}");
        assert!(pace(Some(3_400.0)).expect("said").contains("about 3.4 s"));
    }
}
