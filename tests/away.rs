//! Training away from the page's thread: a view whose runs train in workers shows exactly
//! the numbers, bit for bit, of the same view trained on the page's thread. The workers are
//! played here as `worker.rs` plays them: a session per run, started again at each new
//! start, its first step alone, then uneven slices, its news sent through `train::wire`;
//! a measurement at initialisation asked for is made and sent back as `Probe::to_wire`.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{readout, values_of};
use deep_signal::app::lab::engine::{train_away, HOLD_STEP_MS};
use deep_signal::app::params::Values;
use deep_signal::app::view::{JobSpec, News, ViewModel};
use deep_signal::app::views::VIEWS;
use deep_signal::plot::Theme;
use deep_signal::train::probe::probe;
use deep_signal::train::remote::{Host, Hosted};
use deep_signal::train::rnn::session::RnnSession;
use deep_signal::train::Session;
use std::collections::BTreeMap;

/// A worker: its runs by index, each with its start, session, outbox and aim.
#[derive(Default)]
struct Worker {
    runs: BTreeMap<usize, (u32, Box<dyn Hosted>, u64)>,
    /// The steps it trained.
    trained: u64,
    /// What it says a step takes, in milliseconds.
    step_ms: Option<f64>,
    /// The most runs it held at once.
    most: usize,
}

impl Worker {
    /// Takes the view's jobs, trains each run one slice of at most `chunk` steps toward its
    /// aim, and hands the view the news; returns whether any run trained.
    fn serve(&mut self, m: &mut dyn ViewModel, chunk: impl Fn(usize) -> u64) -> bool {
        for job in m.measures() {
            let measured = probe(&job.spec, job.seeds).to_wire();
            assert!(m.measured(job.run, job.generation, &measured));
        }
        let jobs = m.jobs();
        self.runs
            .retain(|run, _| jobs.iter().any(|j| j.run == *run));
        for job in &jobs {
            let fresh = self
                .runs
                .get(&job.run)
                .is_none_or(|r| r.0 != job.generation);
            if fresh {
                let session: Box<dyn Hosted> = match &job.spec {
                    JobSpec::Mlp(spec) => Box::new(Host::<Session>::new(spec)),
                    JobSpec::Rnn(spec) => Box::new(Host::<RnnSession>::new(spec)),
                };
                self.runs.insert(job.run, (job.generation, session, 0));
            }
            if let Some(r) = self.runs.get_mut(&job.run) {
                r.2 = job.target;
            }
        }
        self.most = self.most.max(self.runs.len());
        let mut trained = false;
        for (run, (generation, session, target)) in &mut self.runs {
            if session.halted() || session.steps() >= *target {
                continue;
            }
            let before = session.steps();
            if before == 0 {
                session.train(1);
            } else {
                session.train(chunk(*run).min(*target - before));
            }
            self.trained += session.steps() - before;
            trained = true;
            let news = News {
                generation: *generation,
                update: session.update(),
                step_ms: self.step_ms,
            };
            assert!(m.receive(*run, news));
        }
        trained
    }
}

/// The model of `query` trained on the page's thread until it rests.
fn here(query: &str) -> Box<dyn ViewModel> {
    let (view, mut values) = values_of(query);
    train_away(false);
    let mut m = view.model(&values).expect("built");
    assert!(m.jobs().is_empty());
    while m.busy() {
        m.tick(&mut values, &|| 0.0, f64::INFINITY);
    }
    m
}

/// Frames of a view away and slices of its worker, until the view rests and no run
/// trains (at most 100,000 of each).
fn settle(
    m: &mut dyn ViewModel,
    values: &mut Values,
    w: &mut Worker,
    chunk: &dyn Fn(usize) -> u64,
) {
    let mut last = None;
    for _ in 0..100_000 {
        let tick = m.tick(values, &|| 0.0, 8.0);
        if tick.changed {
            last = Some(tick);
        }
        let trained = w.serve(m, chunk);
        if !trained && !m.busy() {
            // The frame that showed the last news knew it was the last: the shell then
            // tells the host page the new state.
            assert!(
                last.is_none_or(|t| !t.more),
                "the last change asked for more"
            );
            return;
        }
    }
    panic!("never came to rest");
}

/// The model of `query` trained away until it rests, in slices of `chunk` steps.
fn away(query: &str, chunk: u64) -> (Box<dyn ViewModel>, Values) {
    let (view, mut values) = values_of(query);
    train_away(true);
    let mut m = view.model(&values).expect("built");
    train_away(false);
    let mut w = Worker::default();
    settle(&mut *m, &mut values, &mut w, &|_| chunk);
    // Every step was trained by the worker, none on the page's thread.
    let asked: u64 = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("steps="))
        .map_or(0, |s| s.parse().unwrap());
    let runs = w.most as u64;
    assert!(runs > 0 && w.trained > 0, "{query}: nothing trained away");
    assert!(w.trained <= asked * runs, "{query}: {} steps", w.trained);
    (m, values)
}

/// Every readout and the CSV (every recorded number) of two models are the same text.
fn same(a: &dyn ViewModel, b: &dyn ViewModel, what: &str) {
    let ra: Vec<(String, String)> = a
        .readouts()
        .into_iter()
        .map(|r| (r.key.to_string(), r.value))
        .collect();
    let rb: Vec<(String, String)> = b
        .readouts()
        .into_iter()
        .map(|r| (r.key.to_string(), r.value))
        .collect();
    assert_eq!(ra, rb, "{what}: readouts");
    assert_eq!(a.csv(), b.csv(), "{what}: CSV");
    // The page's thread never says what a step took in a worker.
    let without_pace = |m: &dyn ViewModel, panel| {
        let note = m.note(panel);
        let cut = note.find(" One training step of this network takes");
        note[..cut.unwrap_or(note.len())].to_string()
    };
    for panel in 0..4 {
        assert_eq!(
            without_pace(a, panel),
            b.note(panel),
            "{what}: note {panel}"
        );
    }
}

#[test]
fn every_training_preset_trained_away_shows_the_bits_of_the_page_thread() {
    let view = VIEWS.iter().find(|v| v.key == "train").unwrap();
    for preset in view.presets {
        for steps in [1, 37] {
            let query = format!("view=train&preset={}&steps={steps}", preset.slug);
            let (m, _) = away(&query, 7);
            same(&*m, &*here(&query), &query);
        }
    }
}

#[test]
fn every_recurrent_preset_trained_away_shows_the_bits_of_the_page_thread() {
    let view = VIEWS.iter().find(|v| v.key == "rnn").unwrap();
    for preset in view.presets {
        for steps in [1, 23] {
            let query = format!("view=rnn&preset={}&steps={steps}", preset.slug);
            let (m, _) = away(&query, 4);
            same(&*m, &*here(&query), &query);
        }
    }
    // The exploding preset halts before 40 steps: the halt, its step, time and pass are the
    // same away.
    let query = "view=rnn&preset=exploding-time&steps=40";
    let (m, _) = away(query, 9);
    same(&*m, &*here(query), query);
    assert_ne!(readout(&*m, "first-nonfinite-step"), "none");
}

#[test]
fn a_recurrent_run_too_slow_for_the_page_is_trained_whole_away() {
    // Here, a step must fit the page's thread and the batch is lowered; a worker trains the
    // batch asked for (within the memory cap), and says nothing of the page's thread.
    let query = "view=rnn&length=400&hidden=128&batch=512&samples=512&steps=1";
    let (m, _) = away(query, 1);
    let h = here(query);
    let note = |m: &dyn ViewModel| m.note(3);
    assert!(
        note(&*h).contains("too long for the page's thread"),
        "{}",
        note(&*h)
    );
    assert!(!note(&*m).contains("page's thread"), "{}", note(&*m));
    assert_ne!(
        readout(&*m, "loss"),
        readout(&*h, "loss"),
        "not the same batch"
    );
}

#[test]
fn a_kept_run_trained_away_shows_the_bits_of_the_page_thread() {
    // The kept run trains in a worker too (run 1), beside the current run.
    for query in [
        "view=train&preset=vanishing&steps=12&keep=lr:1,steps:10",
        "view=train&preset=exploding-lr&steps=30&keep=lr:0.05,steps:20",
    ] {
        let (m, _) = away(query, 4);
        let plot_text = |m: &dyn ViewModel| common::svg(&m.plot(0, &Theme::light()));
        same(&*m, &*here(query), query);
        assert_eq!(
            plot_text(&*m),
            plot_text(&*here(query)),
            "{query}: the ghost"
        );
        assert!(plot_text(&*m).contains("kept run, step"), "{query}");
    }
}

#[test]
fn the_remedies_labs_configurations_trained_away_show_the_bits_of_the_page_thread() {
    let view = VIEWS.iter().find(|v| v.key == "remedies").unwrap();
    for preset in view.presets {
        let query = format!(
            "view=remedies&preset={}&steps=12&depth=12&width=16",
            preset.slug
        );
        let (m, _) = away(&query, 5);
        same(&*m, &*here(&query), &query);
    }
}

#[test]
fn runs_a_pause_catches_at_different_steps_end_at_the_same_one() {
    let query = "view=remedies&preset=residual&depth=10&width=8";
    let (view, mut values) = values_of(query);
    train_away(true);
    let mut m = view.model(&values).expect("built");
    train_away(false);
    let mut w = Worker::default();
    // Play at full speed, the four configurations at different paces, then pause.
    assert!(m.action("play", &mut values));
    let pace = |run: usize| 1 + 3 * run as u64;
    for _ in 0..6 {
        m.tick(&mut values, &|| 0.0, 8.0);
        w.serve(&mut *m, pace);
    }
    assert!(m.action("play", &mut values));
    settle(&mut *m, &mut values, &mut w, &pace);
    let steps = w.runs.values().map(|r| r.1.steps()).collect::<Vec<_>>();
    assert!(steps.iter().all(|&s| s == steps[0] && s > 6), "{steps:?}");
    // The same as training that many steps on the page's thread.
    same(&*m, &*here(&format!("{query}&steps={}", steps[0])), query);
}

#[test]
fn a_run_brought_home_goes_on_with_the_same_bits() {
    let query = "view=train&preset=vanishing&steps=40";
    let (view, mut values) = values_of(query);
    train_away(true);
    let mut m = view.model(&values).expect("built");
    train_away(false);
    let mut w = Worker::default();
    // Part of the way away, the rest here (as when a worker fails, or for printing).
    for _ in 0..4 {
        m.tick(&mut values, &|| 0.0, 8.0);
        w.serve(&mut *m, |_| 3);
    }
    let before: Vec<String> = m.readouts().into_iter().map(|r| r.value).collect();
    let csv = m.csv();
    m.bring_home();
    assert!(m.jobs().is_empty());
    // Brought home at the step it had reached, with every number as it was.
    let after: Vec<String> = m.readouts().into_iter().map(|r| r.value).collect();
    assert_eq!(before, after);
    assert_eq!(csv, m.csv());
    while m.busy() {
        m.tick(&mut values, &|| 0.0, f64::INFINITY);
    }
    same(&*m, &*here(query), query);
}

#[test]
fn a_pause_holds_the_step_it_caught_while_the_worker_finishes_a_long_step() {
    // The worker is in the middle of a step when the reader pauses: it finishes it and
    // sends it. Where a step takes long, the page stays where the pause caught it and shows
    // that step on the next one; where it is quick, the page shows it at once.
    for (query, step_ms) in [
        ("view=train&preset=vanishing&speed=fast", 800.0),
        ("view=train&preset=vanishing&speed=fast", 2.0),
        (
            "view=remedies&preset=residual&depth=10&width=8&speed=fast",
            800.0,
        ),
        ("view=rnn&preset=identity&speed=fast", 800.0),
        ("view=rnn&preset=lstm&speed=fast", 2.0),
    ] {
        let what = format!("{query} at {step_ms} ms a step");
        let (view, mut values) = values_of(query);
        train_away(true);
        let mut m = view.model(&values).expect("built");
        train_away(false);
        let mut w = Worker {
            step_ms: Some(step_ms),
            ..Worker::default()
        };
        assert!(m.action("play", &mut values));
        for _ in 0..5 {
            m.tick(&mut values, &|| 0.0, 8.0);
            w.serve(&mut *m, |_| 1);
        }
        m.tick(&mut values, &|| 0.0, 8.0);
        let key = if query.contains("remedies") {
            "steps"
        } else {
            "step"
        };
        let step = |m: &dyn ViewModel| readout(m, key);
        let caught: u64 = step(&*m).parse().unwrap();
        assert!(m.action("play", &mut values), "{what}: paused");
        // The step the worker was in the middle of arrives after the pause.
        assert!(w.serve(&mut *m, |_| 1), "{what}: nothing in flight");
        settle(&mut *m, &mut values, &mut w, &|_| 1);
        assert!(w.runs.values().all(|r| r.1.steps() == caught + 1), "{what}");
        let paused = if step_ms >= HOLD_STEP_MS {
            caught
        } else {
            caught + 1
        };
        assert_eq!(step(&*m), paused.to_string(), "{what}: after the pause");
        // A long step is said, a quick one not.
        let said = (0..5).any(|p| m.note(p).contains("takes about 800 ms on this computer"));
        assert_eq!(said, step_ms >= HOLD_STEP_MS, "{what}");
        same(&*m, &*here(&format!("{query}&steps={paused}")), &what);
        // One step more is the very next step, whichever the worker had.
        assert!(m.action("step", &mut values));
        settle(&mut *m, &mut values, &mut w, &|_| 1);
        assert_eq!(step(&*m), (paused + 1).to_string(), "{what}");
        same(&*m, &*here(&format!("{query}&steps={}", paused + 1)), &what);
    }
}
