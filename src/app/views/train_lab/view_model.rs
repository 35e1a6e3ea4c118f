//! The training lab's model: a run of the engine, played in slices of a frame, with the
//! plots, readouts and diagnosis it shows.

use super::kept::{self, Kept, KEPT_RUN};
use super::settings::Settings;
use super::{Panel, FORGET, KEEP, KEEP_RUN};
use crate::app::lab::diagnosis::{diagnose, output_gradient_words, Diagnosis, Finding};
use crate::app::lab::engine::{pace, trains_away, Engine};
use crate::app::lab::player::{frame, press, Player, Trainer};
use crate::app::lab::plots::{self, Profiles};
use crate::app::lab::{PLAY, STEPS};
use crate::app::numbers::{js, short};
use crate::app::params::Values;
use crate::app::view::{Job, JobSpec, News, Readout, Tick, ViewModel};
use crate::plot::{Curve, Plot, Role, Theme};
use crate::train::{Clip, EventKind, LayerProfile, ModelSpec, Place, Records};
use std::fmt::Write;

/// The training lab as the shell sees it.
pub struct TrainModel {
    settings: Settings,
    /// What the engine changes of the values, in words.
    adjustments: Vec<String>,
    /// The run, here or away.
    session: Engine,
    /// Whether its runs train away from the page.
    away: bool,
    /// The per-layer profile of step 0, once it has run.
    initial: Option<Vec<LayerProfile>>,
    profiles: Profiles,
    finding: Finding,
    player: Player,
    /// The run kept to compare with, if any.
    kept: Option<Kept>,
}

/// The training lab's model for `values`: a fresh run that trains `steps` steps first.
pub fn model(values: &Values) -> Box<dyn ViewModel> {
    let settings = Settings::from_values(values);
    let mut m = TrainModel {
        adjustments: settings.adjustments(),
        session: Engine::new(&settings.spec, trains_away()),
        away: trains_away(),
        settings,
        initial: None,
        profiles: Profiles::default(),
        finding: Finding {
            diagnosis: Diagnosis::Untrained,
            text: String::new(),
        },
        player: Player::default(),
        kept: Kept::new(&values.of(&KEEP), trains_away()).map(|mut k| {
            k.compare(values);
            k
        }),
    };
    m.start();
    Box::new(m)
}

impl TrainModel {
    /// Starts the run again from step 0 and aims for the settings' step count.
    fn restart(&mut self) {
        self.session = Engine::new(&self.settings.spec, self.away);
        self.start();
    }

    /// Aims a fresh run at the settings' step count.
    fn start(&mut self) {
        self.initial = None;
        self.player.target = (self.settings.steps > 0).then_some(self.settings.steps);
        self.refresh();
    }

    /// Recomputes what is derived from the records: profiles and diagnosis.
    fn refresh(&mut self) {
        let records = self.session.records();
        if self.initial.is_none() {
            self.initial = records.latest().map(|l| l.layers.clone());
        }
        self.profiles = match records.latest() {
            Some(l) => Profiles::of(&l.layers, self.initial.as_deref()),
            None => Profiles::default(),
        };
        self.finding = diagnose(
            records,
            self.session.halt(),
            self.initial.as_deref(),
            self.session.spec().lr,
        );
        if let Some(k) = &mut self.kept {
            k.refresh(self.session.records().steps());
        }
    }

    fn records(&self) -> &Records {
        self.session.records()
    }

    fn diagnosis(&self) -> Diagnosis {
        self.finding.diagnosis
    }

    fn first_nonfinite(&self) -> Option<(u64, Place)> {
        let e = self.records().first(EventKind::NonFinite(Place::Loss))?;
        match e.kind {
            EventKind::NonFinite(p) => Some((e.step, p)),
            _ => None,
        }
    }
}

impl Trainer for TrainModel {
    fn steps(&self) -> u64 {
        self.session.steps()
    }

    /// Runs up to `n` steps; the very first step alone, so its per-layer profile is kept.
    fn run(&mut self, n: u64) -> u64 {
        let Some(session) = self.session.here().filter(|_| n > 0) else {
            return 0;
        };
        if session.steps() > 0 {
            return session.run(n);
        }
        let first = u64::from(session.step());
        self.refresh();
        first + self.session.here().map_or(0, |s| s.run(n - 1))
    }

    fn halted(&self) -> bool {
        self.session.halt().is_some()
    }

    /// The first step always runs whole: its profile is the one kept as the start.
    fn begin(&mut self) -> bool {
        self.session
            .here()
            .is_some_and(|s| s.steps() > 0 && s.begin())
    }

    fn reset(&mut self, _values: &Values) {
        self.settings.steps = 0;
        self.restart();
    }
}

impl ViewModel for TrainModel {
    fn update(&mut self, values: &Values, _previous: &Values) {
        let next = Settings::from_values(values);
        // A step asked for (the Steps box, a message's `steps`) is where the run stops, as
        // `steps=` on load does, also when it was playing. (Playing writes the step it
        // reached into the settings as well, and a preset sets them itself first.)
        let asked = next.steps != self.settings.steps;
        let same = next.same_run(&self.settings);
        self.adjustments = next.adjustments();
        self.settings = next;
        let text = values.of(&KEEP);
        if self.kept.as_ref().map_or("", |k| &k.text) != text {
            self.kept = Kept::new(&text, self.away);
        }
        if let Some(k) = &mut self.kept {
            k.compare(values);
        }
        // (Compared with the step asked before, not the run's: a run away may have gone on
        // since the values last heard of it.)
        if !same || (asked && next.steps < self.session.steps()) {
            self.restart();
        } else {
            if asked && next.steps > self.session.steps() {
                self.player.target = Some(next.steps);
            }
            self.refresh();
        }
        if asked {
            self.player.playing = false;
        }
    }

    fn tick(&mut self, values: &mut Values, now: &dyn Fn() -> f64, budget_ms: f64) -> Tick {
        // A kept run trains to its step first, here in the same slices of a frame; away, what
        // its worker sent is shown as it comes.
        let kept_shown = self
            .kept
            .as_mut()
            .is_some_and(|k| k.session.release(u64::MAX, |_| {}));
        if kept_shown {
            self.refresh();
        }
        if let Some(k) = self
            .kept
            .as_mut()
            .filter(|k| !k.done() && k.session.generation().is_none())
        {
            let start = now();
            while !k.done() && now() - start < budget_ms {
                k.run(10);
            }
            self.refresh();
            return Tick {
                changed: true,
                worked: true,
                more: true,
            };
        }
        let speed = self.settings.speed;
        if self.session.generation().is_some() {
            // Away: the worker trains; a frame aims it and shows what it sent, up to the
            // step the player allows.
            let initial = &mut self.initial;
            let (shown, more) =
                self.session
                    .away_frame(&mut self.player, speed, values, |records| {
                        if initial.is_none() {
                            *initial = records.latest().map(|l| l.layers.clone());
                        }
                    });
            if shown {
                self.refresh();
            }
            self.settings.steps = values.of(&STEPS);
            return Tick {
                changed: shown || kept_shown,
                worked: false,
                more,
            };
        }
        let (tick, steps) = frame(self, |m| &mut m.player, speed, values, now, budget_ms);
        if tick.changed {
            self.refresh();
        }
        self.settings.steps = steps;
        tick
    }

    fn busy(&self) -> bool {
        self.player.target.is_some()
            || self.session.waiting(&self.player)
            || self.kept.as_ref().is_some_and(|k| !k.done())
    }

    fn jobs(&self) -> Vec<Job> {
        let Some(generation) = self.session.generation() else {
            return Vec::new();
        };
        let run = Job {
            run: 0,
            generation,
            spec: JobSpec::Mlp(*self.session.spec()),
            target: self.player.aimed(),
            asked: self.player.target.is_some(),
            playing: self.player.playing,
        };
        std::iter::once(run)
            .chain(self.kept.as_ref().and_then(Kept::job))
            .collect()
    }

    fn receive(&mut self, run: usize, news: News) -> bool {
        match (run, &mut self.kept) {
            (0, _) => self.session.receive(news),
            (KEPT_RUN, Some(k)) => k.session.receive(news),
            _ => false,
        }
    }

    fn bring_home(&mut self) {
        self.away = false;
        self.session.bring_home();
        if let Some(k) = &mut self.kept {
            k.session.bring_home();
        }
    }

    fn action(&mut self, key: &str, values: &mut Values) -> bool {
        // The shell sees the values change and updates the model.
        if key == KEEP_RUN.key {
            values.set_raw(KEEP.key(), &kept::text_of(values));
            return true;
        }
        if key == FORGET.key {
            values.set_raw(KEEP.key(), "");
            return true;
        }
        press(self, |m| &mut m.player, key, values)
    }

    fn preset_applied(&mut self, values: &Values) {
        self.settings = Settings::from_values(values);
        self.adjustments = self.settings.adjustments();
        self.restart();
        // It plays from the untrained network, unless the same change asked for a step.
        self.player.playing = self.settings.steps == 0;
    }

    fn toggled(&self, action: &str) -> Option<(&'static str, bool)> {
        (action == PLAY.key).then_some(self.player.play_button())
    }

    fn applies(&self, key: &str) -> bool {
        self.settings.applies_key(key)
    }

    fn plot(&self, panel: usize, theme: &Theme) -> Plot<'_> {
        let (scale, d) = (self.settings.scale, self.diagnosis());
        let step = self.records().latest().map_or(0, |l| l.layers_step);
        let kept = |label: String, values| Curve {
            label,
            values,
            color: theme.text,
            role: Role::Reference,
            shared: None,
        };
        match Panel::at(panel) {
            Panel::Loss => {
                let mut p = plots::loss(
                    self.records(),
                    scale,
                    theme,
                    d,
                    self.session.spec().lr == 0.0,
                );
                if let Some(k) = &self.kept {
                    p.curves.insert(0, kept(k.label.clone(), &k.loss));
                }
                Plot::Layers(p)
            }
            Panel::Heatmap => Plot::Heat(plots::heat(self.records())),
            Panel::Gradients => {
                let mut p = plots::gradients(&self.profiles, step, scale, theme, d);
                if let Some(k) = &self.kept {
                    p.curves
                        .insert(0, kept(format!("‖g_k‖, {}", k.label), &k.grad));
                }
                Plot::Layers(p)
            }
            Panel::Weights => Plot::Layers(plots::weights(&self.profiles, scale, theme, d)),
            Panel::Activations => Plot::Layers(plots::activations(&self.profiles, scale, theme, d)),
        }
    }

    fn note(&self, panel: usize) -> String {
        let panel = Panel::at(panel);
        let mut text = match panel {
            Panel::Loss => self.finding.text.clone(),
            Panel::Heatmap => "Each column is a recorded step, each row a layer; the worst value of the steps a pixel covers is shown, so one bad step is never hidden.".into(),
            Panel::Gradients => self.gradients_note(),
            Panel::Weights => "Updates far below a thousandth of the weights mean the layer is barely learning; far above, it is unstable.".into(),
            Panel::Activations => "How widely each layer's outputs spread over the batch; saturated tanh or sigmoid units and dead ReLU units pass no gradient.".into(),
        };
        if panel == Panel::Loss {
            for a in &self.adjustments {
                text.push(' ');
                text.push_str(a);
            }
            if let Some(pace) = pace(self.session.step_ms()) {
                text.push(' ');
                text.push_str(&pace);
            }
        }
        text
    }

    fn badge(&self, _panel: usize) -> Option<(&'static str, &'static str)> {
        Some((self.diagnosis().key(), self.diagnosis().label()))
    }

    fn readouts(&self) -> Vec<Readout> {
        let r = self.records();
        let latest = r.latest();
        let layers = latest.map_or(&[][..], |l| &l.layers[..]);
        let first_layer = layers.first().copied().unwrap_or_default();
        let last_layer = layers.last().copied().unwrap_or_default();
        let number_or_none = |key, label: &str, v: Option<f64>| match v {
            Some(v) => Readout::number(key, label, v),
            None => Readout::text(key, label, "none"),
        };
        let event = |kind| r.first(kind).map(|e| e.step);
        let (layer_text, layer_value) = match self.first_nonfinite() {
            Some((_, Place::Activation(l))) | Some((_, Place::Gradient(l))) => {
                (format!("layer {l}"), l.to_string())
            }
            Some((_, Place::Loss)) => ("the loss".to_string(), "loss".to_string()),
            None => ("none".to_string(), "none".to_string()),
        };
        let nonfinite_layers = if self.session.halt().is_some() {
            self.session.depth()
        } else {
            layers.iter().filter(|p| !p.weight_norm.is_finite()).count()
        };
        vec![
            Readout::text("diagnosis", "Diagnosis", self.diagnosis().key()),
            Readout {
                key: "step",
                label: "Steps trained".into(),
                shown: self.session.steps().to_string(),
                value: self.session.steps().to_string(),
            },
            number_or_none("loss", "Loss", latest.map(|l| l.loss)),
            number_or_none(
                "loss-baseline",
                "Loss of the LR = 0 baseline",
                latest.and_then(|l| l.baseline_loss),
            ),
            Readout::optional(
                "first-nonfinite-step",
                "First step with inf or NaN",
                self.first_nonfinite().map(|(s, _)| s),
                "step ",
            ),
            Readout {
                key: "first-nonfinite-layer",
                label: "Where it started".into(),
                shown: layer_text,
                value: layer_value,
            },
            Readout::optional(
                "first-nan-weights-step",
                "First step whose update left a weight NaN",
                event(EventKind::SomeParametersNan),
                "step ",
            ),
            Readout::optional(
                "halt-step",
                "Step whose update left every weight NaN (training stopped)",
                self.session.halt().map(|h| h.step),
                "step ",
            ),
            Readout {
                key: "nonfinite-weight-layers",
                label: "Layers with inf or NaN weights".into(),
                shown: format!("{nonfinite_layers} of {}", self.session.depth()),
                value: nonfinite_layers.to_string(),
            },
            number_or_none(
                "grad-norm-first",
                "Gradient norm, layer 1",
                latest.map(|_| first_layer.grad_norm),
            ),
            number_or_none(
                "grad-norm-last",
                "Gradient norm, last layer",
                latest.map(|_| last_layer.grad_norm),
            ),
            number_or_none(
                "total-grad-norm",
                "Total gradient norm (before clipping)",
                latest.map(|l| l.grad_total),
            ),
            self.clip_readout(latest.map(|l| l.clip_coef)),
            number_or_none(
                "update-ratio-first",
                "Update ratio, layer 1",
                latest.map(|_| first_layer.update_ratio),
            ),
            number_or_none(
                "update-ratio-last",
                "Update ratio, last layer",
                latest.map(|_| last_layer.update_ratio),
            ),
        ]
    }

    fn announcement(&self) -> String {
        format!("Diagnosis: {}.", self.diagnosis().key())
    }

    fn current_row(&self) -> Option<&'static str> {
        match self.diagnosis() {
            Diagnosis::Untrained => None,
            d => Some(d.key()),
        }
    }

    fn hover_text(&self, panel: usize, x: usize) -> String {
        let r = self.records();
        let panel = Panel::at(panel);
        match panel {
            Panel::Loss | Panel::Heatmap => {
                let Some(row) = r.steps().iter().position(|&s| s as usize >= x) else {
                    return "not trained yet".into();
                };
                let step = r.steps()[row];
                if panel == Panel::Loss {
                    let mut s = format!("step {step}: loss {}", short(r.loss()[row]));
                    if let Some(b) = r.baseline_loss() {
                        let _ = write!(s, ", baseline {}", short(b[row]));
                    }
                    s
                } else {
                    let g = r.grad_norm_row(row);
                    format!(
                        "step {step}: ‖g‖ layer 1 {}, layer {} {}",
                        short(g[0]),
                        g.len(),
                        short(g[g.len() - 1])
                    )
                }
            }
            Panel::Gradients | Panel::Weights | Panel::Activations => {
                let p = &self.profiles;
                let k = x.clamp(1, p.grad.len().max(1));
                let at = |v: &Vec<f64>| v.get(k - 1).map_or("—".into(), |v| short(*v));
                match panel {
                    Panel::Gradients => format!(
                        "layer {k}: ‖g‖ {}, at step 1 {}",
                        at(&p.grad),
                        at(&p.grad_start)
                    ),
                    Panel::Weights => format!(
                        "layer {k}: ‖θ‖ {}, update ratio {}",
                        at(&p.weight),
                        at(&p.ratio)
                    ),
                    _ => format!(
                        "layer {k}: std {}, mean {}, saturated or dead {}",
                        at(&p.act_std),
                        at(&p.act_mean),
                        at(&p.act_share)
                    ),
                }
            }
        }
    }

    fn csv(&self) -> String {
        let r = self.records();
        let mut out = String::from("step,loss,baseline loss,total grad norm,clip factor");
        for l in 1..=r.depth() {
            let _ = write!(out, ",grad norm layer {l}");
        }
        out.push('\n');
        for (row, step) in r.steps().iter().enumerate() {
            let _ = write!(
                out,
                "{step},{},{},{},{}",
                js(r.loss()[row]),
                r.baseline_loss().map_or(String::new(), |b| js(b[row])),
                js(r.grad_total()[row]),
                js(r.clip_coef()[row])
            );
            for g in r.grad_norm_row(row) {
                let _ = write!(out, ",{}", js(*g));
            }
            out.push('\n');
        }
        out
    }

    fn file_stem(&self) -> String {
        let model = match self.session.spec().model {
            ModelSpec::Chain(c) => format!("chain{}", c.depth),
            ModelSpec::Mlp(m) => format!("mlp{}x{}", m.width, m.depth),
        };
        format!(
            "train-{model}-lr{}-step{}",
            js(self.settings.spec.lr),
            self.session.steps()
        )
    }

    fn title(&self) -> String {
        format!(
            "deep-signal training lab: {} with learning rate {} after {} steps ({})",
            self.model_name(),
            js(self.settings.spec.lr),
            self.session.steps(),
            self.diagnosis().key()
        )
    }
}

impl TrainModel {
    /// The clip factor as applied, named for what it is under the run's clipping.
    fn clip_readout(&self, coef: Option<f64>) -> Readout {
        let label = match self.session.spec().clip {
            Clip::Off => return Readout::text("clip-factor", "Clipping", "off"),
            Clip::Norm(_) => "Clip multiplier applied to every gradient (by norm)",
            Clip::Value(_) => "Clipped gradient's norm over the unclipped one's (by value)",
        };
        match coef {
            Some(v) => Readout::number("clip-factor", label, v),
            None => Readout::text("clip-factor", label, "none"),
        }
    }

    /// What the gradient plot shows, with its numbers.
    fn gradients_note(&self) -> String {
        let Some(latest) = self.records().latest() else {
            return "The gradient each layer's parameters receive, once a step has run.".into();
        };
        let step = latest.layers_step;
        let mut text = format!("Solid: the gradient each layer's weights receive at step {step}.");
        if step > 1 {
            text.push_str(" Faint: the same at step 1.");
        }
        if let ModelSpec::Chain(_) = self.session.spec().model {
            text.push_str(" Dashed: ‖∂L/∂y_k‖, the gradient reaching each layer's output, which back-propagation multiplies by w_k at every layer; the weights' gradients also multiply by the layer's input, which can hide its growth.");
            if let Some(words) = output_gradient_words(&latest.layers) {
                let _ = write!(text, " Here {words}.");
            }
        }
        text
    }

    /// The model in a few words: `a chain of 50 layers`.
    fn model_name(&self) -> String {
        match self.session.spec().model {
            crate::train::ModelSpec::Chain(c) => format!("chain of {}", c.depth),
            crate::train::ModelSpec::Mlp(m) => {
                format!("MLP {}x{} {:?}", m.width, m.depth, m.activation).to_ascii_lowercase()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::views::train_lab::PARAMS;

    /// Runs frames until the model rests (or 200 frames).
    fn settle(m: &mut dyn ViewModel, values: &mut Values) {
        for _ in 0..200 {
            if !m.tick(values, &|| 0.0, 8.0).more {
                break;
            }
        }
    }

    #[test]
    fn a_step_asked_for_while_playing_is_where_the_run_stops_and_a_preset_still_plays() {
        let mut values = Values::defaults(PARAMS);
        let mut m = model(&values);
        assert!(m.action(PLAY.key, &mut values));
        for _ in 0..3 {
            m.tick(&mut values, &|| 0.0, 8.0);
        }
        assert!(values.of(&STEPS) > 1, "playing");
        // A message sets a new run and its step while the old one plays.
        let previous = values.clone();
        values.set_raw("depth", "7");
        values.set_raw("steps", "1");
        m.update(&values, &previous);
        settle(&mut *m, &mut values);
        assert_eq!(values.of(&STEPS), 1);
        assert_eq!(m.toggled(PLAY.key), Some(("Play", false)));
        // A setting changed without a step keeps playing, as before.
        m.action(PLAY.key, &mut values);
        m.tick(&mut values, &|| 0.0, 8.0);
        let previous = values.clone();
        values.set_raw("lr", "0.02");
        m.update(&values, &previous);
        m.tick(&mut values, &|| 0.0, 8.0);
        assert_eq!(m.toggled(PLAY.key), Some(("Pause", true)));
        // A preset plays from step 0, though it sets the step to 0.
        let presets = crate::app::views::train_lab::PRESETS;
        let preset = presets.iter().find(|p| p.slug == "vanishing").unwrap();
        let previous = values.clone();
        preset.apply(&mut values);
        m.preset_applied(&values);
        m.update(&values, &previous);
        m.tick(&mut values, &|| 0.0, 8.0);
        assert_eq!(m.toggled(PLAY.key), Some(("Pause", true)));
    }
}

#[cfg(test)]
mod kept_tests {
    use super::*;
    use crate::app::views::train_lab::PARAMS;

    #[test]
    fn a_kept_run_is_drawn_faintly_beside_the_next_and_lives_in_the_url() {
        let mut values = Values::defaults(PARAMS);
        values.set_raw("lr", "1");
        values.set_raw("steps", "20");
        let mut m = model(&values);
        while m.busy() {
            m.tick(&mut values, &|| 0.0, f64::INFINITY);
        }
        // Keep it: the text holds what differs from the defaults and the step reached.
        assert!(m.action(KEEP_RUN.key, &mut values));
        assert_eq!(values.of(&KEEP), "lr:1,steps:10");
        // The next run: a lower learning rate, from the same URL's values.
        let previous = values.clone();
        values.set_raw("lr", "0.05");
        values.set_raw("steps", "30");
        m.update(&values, &previous);
        while m.busy() {
            m.tick(&mut values, &|| 0.0, f64::INFINITY);
        }
        let theme = Theme::light();
        let Plot::Layers(loss) = m.plot(0, &theme) else {
            panic!("a layer plot")
        };
        let ghost = &loss.curves[0];
        assert_eq!(ghost.role, Role::Reference);
        assert_eq!(ghost.label, "kept run, step 10 (lr 1)");
        assert_eq!(ghost.values.len(), 10, "drawn as far as it went");
        assert!(
            ghost.values[9].is_nan() || ghost.values[9].is_infinite() || ghost.values[9] > 1e10
        );
        let live = loss.curves.iter().find(|c| c.role == Role::Live).unwrap();
        assert_eq!(live.values.len(), 30);
        let Plot::Layers(grads) = m.plot(2, &theme) else {
            panic!("a layer plot")
        };
        assert!(grads.curves[0]
            .label
            .starts_with("‖g_k‖, kept run, step 10"));
        // A model made from the URL's values alone draws the same ghost.
        let again = model(&values);
        let mut values2 = values.clone();
        let mut again = again;
        while again.busy() {
            again.tick(&mut values2, &|| 0.0, f64::INFINITY);
        }
        let Plot::Layers(loss2) = again.plot(0, &theme) else {
            panic!("a layer plot")
        };
        let bits = |c: &Curve| c.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&loss2.curves[0]), bits(ghost));
        // Forget it.
        assert!(m.action(FORGET.key, &mut values));
        let previous = values.clone();
        m.update(&values, &previous);
        let Plot::Layers(loss) = m.plot(0, &theme) else {
            panic!("a layer plot")
        };
        assert!(loss.curves.iter().all(|c| c.role != Role::Reference));
    }
}
