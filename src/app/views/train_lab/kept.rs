//! A kept run: *Keep this run* leaves the current run's loss and gradients on the plots as a
//! faint, labelled ghost, so that the next run is compared with it on the same axes
//! (clipped against unclipped, learning rate 1 against 0.05). Its settings travel in the URL
//! (`keep=lr:1,steps:20`), and the same seed gives the same run, so a link shows it again.

use super::settings::Settings;
use super::PARAMS;
use crate::app::lab::engine::Engine;
use crate::app::lab::{SPEED, STEPS};
use crate::app::view::{Job, JobSpec};

/// Which of the training lab's runs a kept run is, away (the current run is 0).
pub const KEPT_RUN: usize = 1;
use crate::app::params::{quote, ParamSpec, Values};
use crate::app::shared::SCALE;

/// The parameters a kept run leaves out: how it is shown, not what it trains.
fn shown_only(key: &str) -> bool {
    key == SPEED.key() || key == SCALE.key() || key == super::KEEP.key()
}

/// The training lab's parameter named `key` that a kept run can carry.
fn param(key: &str) -> Option<&'static ParamSpec> {
    PARAMS
        .iter()
        .find(|p| p.key.eq_ignore_ascii_case(key.trim()) && !shown_only(p.key))
}

/// Reads a `keep=` text, `key:value` pairs split by commas, into the values it sets on top
/// of the defaults; returns them and the words on what it had to drop or change.
fn values_of(text: &str) -> (Values, Vec<String>) {
    let mut values = Values::defaults(PARAMS);
    let mut why = Vec::new();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let Some((key, raw)) = item.split_once(':') else {
            why.push(format!("{} is not key:value", quote(item)));
            continue;
        };
        match param(key) {
            Some(spec) => {
                if let Some(Some(notice)) = values.set_raw(spec.key, raw.trim()) {
                    why.push(notice.0);
                }
            }
            None => why.push(format!("{} names no setting of a run", quote(key))),
        }
    }
    (values, why)
}

/// The canonical `keep=` text of `values`: every setting of the run that differs from its
/// default, in the order of the controls, and the step.
pub fn text_of(values: &Values) -> String {
    let defaults = Values::defaults(PARAMS);
    let pairs = values
        .pairs()
        .into_iter()
        .zip(defaults.pairs())
        .filter(|((key, v), (_, d))| !shown_only(key) && (v != d || *key == STEPS.key()))
        .map(|((key, v), _)| format!("{key}:{v}"))
        .collect::<Vec<_>>();
    pairs.join(",")
}

/// `keep=`'s reader: the canonical text of what `raw` asks for, and what was wrong with it.
pub fn canonical(raw: &str) -> (String, Option<String>) {
    if raw.trim().is_empty() {
        return (String::new(), None);
    }
    let (values, why) = values_of(raw);
    let why = (!why.is_empty()).then(|| why.join("; "));
    (text_of(&values), why)
}

/// A kept run: its settings, its run trained to its step, and what the plots borrow.
pub struct Kept {
    /// The `keep=` text it was made from.
    pub text: String,
    /// Its settings.
    pub settings: Settings,
    /// Its run, here or away.
    pub session: Engine,
    /// Its values (the defaults and what its text sets).
    values: Values,
    /// Its settings where they differ from the current run's, as words (`lr 1, clip off`).
    differ: String,
    /// How the legend names it: its step and [`differ`](Self::differ).
    pub label: String,
    /// Its loss at the current run's recorded steps, as far as it went.
    pub loss: Vec<f64>,
    /// Its gradient norm per layer at its last step.
    pub grad: Vec<f64>,
}

impl Kept {
    /// The kept run `text` describes (`None` for an empty text), to be trained to its step,
    /// here or `away`.
    pub fn new(text: &str, away: bool) -> Option<Kept> {
        if text.is_empty() {
            return None;
        }
        let (values, _) = values_of(text);
        let settings = Settings::from_values(&values);
        Some(Kept {
            text: text.to_string(),
            session: Engine::new(&settings.spec, away),
            settings,
            values,
            differ: String::new(),
            label: String::new(),
            loss: Vec::new(),
            grad: Vec::new(),
        })
    }

    /// Whether it has reached its step (or stopped itself).
    pub fn done(&self) -> bool {
        self.session.steps() >= self.settings.steps || self.session.halt().is_some()
    }

    /// Trains up to `n` more steps of it here; returns how many ran (none away).
    pub fn run(&mut self, n: u64) -> u64 {
        let left = self.settings.steps.saturating_sub(self.session.steps());
        self.session.here().map_or(0, |s| s.run(n.min(left)))
    }

    /// What its worker is asked, while it trains away and has not reached its step.
    pub fn job(&self) -> Option<Job> {
        Some(Job {
            run: KEPT_RUN,
            generation: self.session.generation().filter(|_| !self.done())?,
            spec: JobSpec::Mlp(*self.session.spec()),
            target: self.settings.steps,
            asked: true,
            playing: false,
        })
    }

    /// Names it against the current run's `values`: the settings of a run where the two
    /// differ, as the kept run has them.
    pub fn compare(&mut self, values: &Values) {
        let words: Vec<String> = self
            .values
            .pairs()
            .into_iter()
            .zip(values.pairs())
            .filter(|((key, kept), (_, now))| {
                !shown_only(key) && *key != STEPS.key() && kept != now
            })
            .map(|((key, kept), _)| format!("{key} {kept}"))
            .collect();
        self.differ = if words.is_empty() {
            "same settings".into()
        } else {
            words.join(", ")
        };
    }

    /// Brings what the plots borrow up to date with its training: its loss at the current
    /// run's recorded `steps` and its latest gradients.
    pub fn refresh(&mut self, steps: &[u64]) {
        let r = self.session.records();
        let (own, loss) = (r.steps(), r.loss());
        self.loss = steps
            .iter()
            .map_while(|&s| {
                let row = own.iter().rposition(|&o| o <= s)?;
                (s <= self.session.steps()).then_some(loss[row])
            })
            .collect();
        self.grad = r
            .latest()
            .map(|l| l.layers.iter().map(|p| p.grad_norm).collect())
            .unwrap_or_default();
        self.label = format!("kept run, step {} ({})", self.session.steps(), self.differ);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_text_is_canonical_and_says_what_it_dropped() {
        assert_eq!(canonical(""), (String::new(), None));
        assert_eq!(
            canonical(" LR:1 , steps:20 "),
            ("lr:1,steps:20".into(), None)
        );
        let (text, why) = canonical("lr:1,fly:2,steps:20.5,speed:fast,oops");
        assert_eq!(text, "lr:1,steps:21");
        let why = why.unwrap();
        assert!(why.contains("fly names no setting"), "{why}");
        assert!(why.contains("not a whole number"), "{why}");
        assert!(why.contains("speed names no setting"), "{why}");
        assert!(why.contains("oops is not key:value"), "{why}");
        // The step is always there, even at its default.
        assert_eq!(canonical("lr:0.01"), ("steps:0".into(), None));
    }

    #[test]
    fn a_kept_run_trains_to_its_step_and_is_named_by_what_differs() {
        let mut values = Values::defaults(PARAMS);
        values.set_raw("lr", "1");
        values.set_raw("steps", "20");
        let text = text_of(&values);
        assert_eq!(text, "lr:1,steps:20");
        let mut kept = Kept::new(&text, false).unwrap();
        while !kept.done() {
            kept.run(7);
        }
        // Learning rate 1 stops itself after step 10.
        assert_eq!(kept.session.steps(), 10);
        // The current run: learning rate 0.05, 30 steps recorded.
        values.set_raw("lr", "0.05");
        values.set_raw("clip", "norm");
        let steps: Vec<u64> = (1..=30).collect();
        kept.compare(&values);
        kept.refresh(&steps);
        assert_eq!(kept.loss.len(), 10, "as far as it went");
        assert_eq!(kept.loss[0], kept.session.records().loss()[0]);
        assert_eq!(kept.label, "kept run, step 10 (lr 1, clip off)");
        assert_eq!(kept.grad.len(), 50);
    }
}
