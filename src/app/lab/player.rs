//! Playing a training run in slices of a frame: play and pause, a step or a hundred, a
//! target step from the URL, at three speeds. Shared by every view that trains.

use super::{LabAction, Speed, STEPS};
use crate::app::params::Values;
use crate::app::view::Tick;

/// What a player drives: something that counts its steps and runs more of them.
pub trait Trainer {
    /// Steps run so far.
    fn steps(&self) -> u64;
    /// Runs up to `n` more steps; returns how many ran (fewer once it halted).
    fn run(&mut self, n: u64) -> u64;
    /// Whether it stopped itself (NaN weights) and will run no more.
    fn halted(&self) -> bool;
    /// Starts the run again from step 0, `values` already at step 0 (the Reset button).
    fn reset(&mut self, values: &Values);
    /// Begins the next step without finishing it (its first part, about a third of it);
    /// the next [`run`](Self::run) finishes it. Returns whether it did: by default a
    /// trainer cannot, and its steps are never divided.
    fn begin(&mut self) -> bool {
        false
    }
}

/// The next number of steps per call of an engine, after a call of `chunk` steps took
/// `took_ms`: doubled or halved to aim for about a millisecond per call, so that a budget of
/// time is kept closely (between 1 and 65,536).
pub fn adapt_chunk(chunk: u64, took_ms: f64) -> u64 {
    if took_ms < 0.5 && chunk < 1 << 16 {
        chunk * 2
    } else if took_ms > 2.0 && chunk > 1 {
        chunk / 2
    } else {
        chunk
    }
}

/// What pressing one of the training buttons asks of the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Press {
    /// Play, pause or a number of steps: the player took care of it.
    Done,
    /// Reset: the view starts its run again from step 0.
    Reset,
    /// Not a training button.
    Unknown,
}

/// The playing state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Player {
    /// Whether it plays on its own.
    pub playing: bool,
    /// Train until this many steps have run, then pause.
    pub target: Option<u64>,
    /// Steps per call of the trainer while in a hurry, adapted to take about a millisecond.
    chunk: u64,
    /// Whether one step takes longer than a frame's budget: each step is then divided over
    /// two frames (see [`Trainer::begin`]), so that no frame holds a whole one.
    divide: bool,
    /// How long the first part of the step under way took, once begun.
    begun: Option<f64>,
    /// The step that runs away were last asked to reach.
    aimed: u64,
}

impl Default for Player {
    fn default() -> Self {
        Player {
            playing: false,
            target: None,
            chunk: 1,
            divide: false,
            begun: None,
            aimed: 0,
        }
    }
}

impl Player {
    /// Whether it wants more frames.
    pub fn active(&self) -> bool {
        self.playing || self.target.is_some()
    }

    /// One frame's work: runs `trainer` in calls of about a millisecond while the speed and
    /// the target allow, for about `budget_ms` as measured by `now`. Returns the steps run.
    pub fn tick<T: Trainer>(
        &mut self,
        trainer: &mut T,
        speed: Speed,
        now: &dyn Fn() -> f64,
        budget_ms: f64,
    ) -> u64 {
        if trainer.halted() {
            self.playing = false;
            self.target = None;
        }
        if !self.active() {
            return 0;
        }
        let start = now();
        if self.divide && self.begun.is_none() {
            // This frame begins a step; the next one finishes it.
            if trainer.begin() {
                self.begun = Some(now() - start);
                return 0;
            }
            self.divide = false;
        }
        let mut ran = 0;
        loop {
            // What the mode still allows this frame.
            let allowed = match (self.target, speed) {
                (Some(t), _) => t.saturating_sub(trainer.steps()),
                (None, Speed::Slow) => 1 - ran.min(1),
                (None, Speed::Medium) => 10 - ran.min(10),
                (None, Speed::Fast) => u64::MAX,
            };
            let n = self.chunk.min(allowed);
            if n == 0 {
                break;
            }
            let t0 = now();
            let done = trainer.run(n);
            ran += done;
            let took = now() - t0;
            if n == 1 {
                // A whole step (or the rest of a begun one) against the budget.
                let whole = took + self.begun.take().unwrap_or(0.0);
                self.divide = whole > budget_ms;
            }
            self.chunk = adapt_chunk(self.chunk, took);
            if done < n || now() - start >= budget_ms {
                break;
            }
        }
        if self.target.is_some_and(|t| trainer.steps() >= t) || trainer.halted() {
            self.target = None;
        }
        if trainer.halted() {
            self.playing = false;
        }
        ran
    }

    /// One frame's aim for runs that train away from the page, in step: given each run's
    /// steps so far and whether it stopped itself, the step they should all reach. With a
    /// target, the target (until every run still going has reached it); playing at full
    /// speed, `u64::MAX`; playing slowly, one (or, at medium speed, ten) past the furthest
    /// run once every run has reached the last aim; paused, the furthest run's step, so
    /// that runs a pause caught at different steps end at the same one.
    pub fn aim(&mut self, runs: &[(u64, bool)], speed: Speed) -> u64 {
        let going = || runs.iter().filter(|r| !r.1).map(|r| r.0);
        let furthest = runs.iter().map(|r| r.0).max().unwrap_or(0);
        if going().next().is_none() {
            self.playing = false;
            self.target = None;
        }
        let caught_up = going().min().is_none_or(|s| s >= self.aimed);
        if let Some(t) = self.target {
            if going().min().is_none_or(|s| s >= t) {
                self.target = None;
            }
        }
        self.aimed = match (self.target, self.playing, speed) {
            (Some(t), _, _) => t,
            (None, true, Speed::Fast) => u64::MAX,
            (None, true, Speed::Slow) if caught_up => furthest + 1,
            (None, true, Speed::Medium) if caught_up => furthest + 10,
            (None, true, _) => self.aimed,
            (None, false, _) => furthest,
        };
        self.aimed
    }

    /// The step up to which a view shows what its runs away sent, given each run's newest
    /// step received and whether it stopped itself: while playing, the step every run still
    /// going has reached, so that runs side by side move in step; otherwise the step aimed
    /// at, so that a pause holds the page where it caught it even while a worker finishes a
    /// long step.
    pub fn shown_up_to(&self, received: &[(u64, bool)]) -> u64 {
        match self.playing {
            true => received.iter().filter(|r| !r.1).map(|r| r.0).min(),
            false => Some(self.aimed),
        }
        .unwrap_or(u64::MAX)
    }

    /// The step runs away were last asked to reach.
    pub fn aimed(&self) -> u64 {
        self.aimed
    }

    /// Whether runs away have yet to reach what they were asked (while not playing, when
    /// the numbers shown are meant to be final).
    pub fn waiting(&self, runs: &[(u64, bool)]) -> bool {
        self.target.is_some()
            || (!self.playing && runs.iter().any(|&(s, halted)| !halted && s < self.aimed))
    }

    /// A training button: `play` toggles playing, `step` and `step100` aim one or a hundred
    /// steps past `steps`, `reset` pauses and asks the view to start again.
    pub fn press(&mut self, key: &str, steps: u64, halted: bool) -> Press {
        match LabAction::from_key(key) {
            Some(LabAction::Play) => {
                self.playing = !self.playing && !halted;
                self.target = None;
            }
            Some(LabAction::Step) => {
                self.playing = false;
                self.target = Some(steps + 1);
            }
            Some(LabAction::Step100) => {
                self.playing = false;
                self.target = Some(steps + 100);
            }
            Some(LabAction::Reset) => {
                self.playing = false;
                self.target = None;
                return Press::Reset;
            }
            None => return Press::Unknown,
        }
        Press::Done
    }

    /// Play's button: its label and whether it is pressed.
    pub fn play_button(&self) -> (&'static str, bool) {
        if self.playing {
            ("Pause", true)
        } else {
            ("Play", false)
        }
    }
}

/// A training button pressed in a view that trains: play, pause, one step and a hundred go
/// to `player(trainer)`; Reset writes step 0 into `values` and starts the run again
/// ([`Trainer::reset`]). Returns whether `key` was a training button.
pub fn press<T: Trainer>(
    trainer: &mut T,
    player: fn(&mut T) -> &mut Player,
    key: &str,
    values: &mut Values,
) -> bool {
    let (steps, halted) = (trainer.steps(), trainer.halted());
    match player(trainer).press(key, steps, halted) {
        Press::Done => true,
        Press::Reset => {
            values.set_number_of(&STEPS, 0.0);
            trainer.reset(values);
            true
        }
        Press::Unknown => false,
    }
}

/// One frame of a view that trains: `player(trainer)`'s work on `trainer` at `speed`, the
/// step reached written into `values`' `steps`. Returns the frame's [`Tick`] and `steps` as
/// the values now hold it (clamped to its range).
pub fn frame<T: Trainer>(
    trainer: &mut T,
    player: fn(&mut T) -> &mut Player,
    speed: Speed,
    values: &mut Values,
    now: &dyn Fn() -> f64,
    budget_ms: f64,
) -> (Tick, u64) {
    let mut p = *player(trainer);
    let ran = p.tick(trainer, speed, now, budget_ms);
    *player(trainer) = p;
    values.set_number_of(&STEPS, trainer.steps() as f64);
    let tick = Tick {
        changed: ran > 0,
        worked: ran > 0 || p.begun.is_some(),
        more: p.active(),
    };
    (tick, values.of(&STEPS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// Counts steps, each `ms` milliseconds of a fake clock, divisible in two (a third,
    /// then the rest); halts at `halt_at`.
    struct Fake<'a> {
        steps: u64,
        halt_at: u64,
        ms: f64,
        begun: bool,
        clock: &'a Cell<f64>,
        player: Player,
    }

    impl<'a> Fake<'a> {
        fn new(ms: f64, halt_at: u64, clock: &'a Cell<f64>) -> Self {
            Fake {
                steps: 0,
                halt_at,
                ms,
                begun: false,
                clock,
                player: Player::default(),
            }
        }
    }

    impl Trainer for Fake<'_> {
        fn steps(&self) -> u64 {
            self.steps
        }
        fn run(&mut self, n: u64) -> u64 {
            let n = n.min(self.halt_at - self.steps);
            if n == 0 {
                return 0;
            }
            let first = if std::mem::take(&mut self.begun) {
                2.0 / 3.0
            } else {
                1.0
            };
            self.clock
                .set(self.clock.get() + self.ms * (first + (n - 1) as f64));
            self.steps += n;
            n
        }
        fn halted(&self) -> bool {
            self.steps >= self.halt_at
        }
        fn reset(&mut self, _values: &Values) {
            self.steps = 0;
        }
        fn begin(&mut self) -> bool {
            assert!(!self.begun, "begun twice");
            self.begun = true;
            self.clock.set(self.clock.get() + self.ms / 3.0);
            true
        }
    }

    #[test]
    fn the_chunk_doubles_while_fast_halves_while_slow_and_stays_in_range() {
        assert_eq!(adapt_chunk(4, 0.1), 8);
        assert_eq!(adapt_chunk(4, 1.0), 4);
        assert_eq!(adapt_chunk(4, 3.0), 2);
        assert_eq!(adapt_chunk(1, 3.0), 1);
        assert_eq!(adapt_chunk(1 << 16, 0.1), 1 << 16);
    }

    #[test]
    fn speeds_targets_and_halts() {
        let clock = Cell::new(0.0);
        let now = || clock.get();
        let mut t = Fake::new(0.1, 1_000, &clock);
        let mut p = Player::default();
        assert_eq!(p.tick(&mut t, Speed::Fast, &now, 8.0), 0, "paused");
        assert_eq!(p.press("play", 0, false), Press::Done);
        assert_eq!(p.tick(&mut t, Speed::Slow, &now, 8.0), 1);
        assert_eq!(p.tick(&mut t, Speed::Medium, &now, 8.0), 10);
        // Fast fills the budget: 8 ms at 0.1 ms a step, give or take a chunk.
        let ran = p.tick(&mut t, Speed::Fast, &now, 8.0);
        assert!((80..=160).contains(&ran), "{ran}");
        assert_eq!(p.press("step100", t.steps, false), Press::Done);
        let target = t.steps + 100;
        while p.active() {
            p.tick(&mut t, Speed::Slow, &now, 8.0);
        }
        assert_eq!(
            t.steps, target,
            "a target ignores the speed and stops on it"
        );
        p.press("play", t.steps, false);
        while p.active() {
            p.tick(&mut t, Speed::Fast, &now, 8.0);
        }
        assert_eq!(t.steps, 1_000, "halting stops playing");
        assert_eq!(p.press("play", t.steps, true), Press::Done);
        assert!(!p.playing, "a halted run does not play");
        assert_eq!(p.press("reset", t.steps, true), Press::Reset);
        assert_eq!(p.press("fly", 0, false), Press::Unknown);
    }

    #[test]
    fn reset_writes_step_0_and_starts_again_and_other_buttons_go_to_the_player() {
        static PARAMS: [crate::app::params::ParamSpec; 1] = [STEPS.spec];
        let clock = Cell::new(0.0);
        let mut t = Fake::new(1.0, 1_000, &clock);
        let mut values = Values::defaults(&PARAMS);
        fn player<'a, 'b>(t: &'b mut Fake<'a>) -> &'b mut Player {
            &mut t.player
        }
        // Not a training button: nothing changes.
        assert!(!press(&mut t, player, "fly", &mut values));
        assert!(press(&mut t, player, "step100", &mut values));
        assert_eq!(t.player.target, Some(100));
        t.run(40);
        values.set_number_of(&STEPS, 40.0);
        assert!(press(&mut t, player, "reset", &mut values));
        assert_eq!((t.steps, values.of(&STEPS)), (0, 0));
        assert!(!t.player.active(), "reset pauses");
    }

    #[test]
    fn steps_longer_than_the_budget_are_divided_over_two_frames() {
        let clock = Cell::new(0.0);
        let now = || clock.get();
        let mut t = Fake::new(20.0, u64::MAX, &clock);
        let mut p = Player::default();
        p.press("play", 0, false);
        // The first step runs whole and shows it is too long for a frame.
        let frame = |p: &mut Player, t: &mut Fake| {
            let start = clock.get();
            let ran = p.tick(t, Speed::Fast, &now, 8.0);
            (ran, clock.get() - start, p.begun.is_some())
        };
        assert_eq!(frame(&mut p, &mut t), (1, 20.0, false));
        for _ in 0..3 {
            // A frame that begins a step, then one that finishes it: none holds a whole one.
            let (ran, took, begun) = frame(&mut p, &mut t);
            assert_eq!((ran, begun), (0, true));
            assert!((took - 20.0 / 3.0).abs() < 1e-9, "{took}");
            let (ran, took, begun) = frame(&mut p, &mut t);
            assert_eq!((ran, begun), (1, false));
            assert!((took - 40.0 / 3.0).abs() < 1e-9, "{took}");
        }
        // Once a step fits the budget again, steps are whole (and chunked) again.
        t.ms = 0.1;
        frame(&mut p, &mut t);
        frame(&mut p, &mut t);
        let (ran, _, begun) = frame(&mut p, &mut t);
        assert!(ran > 1 && !begun, "{ran}");
        assert!(!t.begun);
    }
}
