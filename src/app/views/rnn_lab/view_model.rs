//! The recurrent lab's model: the one neuron's surface and descents, computed whenever
//! their settings change, and a recurrent network trained in a worker (or, where none can
//! run, in slices of a frame), with the plots, readouts and diagnosis it shows.

use super::plots::{self, B_RANGE, GRID, W_RANGE};
use super::settings::Settings;
use super::{Panel, B, W};
use crate::app::lab::diagnosis::{Diagnosis, Finding, DIVERGING_FACTOR, VANISHING_RATIO};
use crate::app::lab::engine::{pace, trains_away, Engine};
use crate::app::lab::player::{frame, press, Player, Trainer};
use crate::app::lab::{PLAY, STEPS};
use crate::app::numbers::short;
use crate::app::params::Values;
use crate::app::view::{Job, JobSpec, News, Readout, Tick, ViewModel};
use crate::plot::{Plot, Theme};
use crate::train::rnn::neuron::{self, PathStep, Point, Recurrence};
use crate::train::rnn::session::{Pass, RnnSession};
use crate::train::rnn::spec::{Cell, SeqTask};
use crate::train::Clip;
use std::fmt::Write;

/// A mean loss below this share of what the end of the sequence alone allows
/// ([`without_memory`]) means the network has learnt to carry information across time.
const LEARNT_SHARE: f64 = 0.9;
/// The recorded steps whose mean loss is set against it.
const RECENT: usize = 20;

/// The loss a network reaches that remembers nothing from early in the sequence, and how to
/// say it: for the adding problem, knowing only the later marked value leaves the earlier
/// one's variance, 1/12; for temporal order, knowing only the later symbol leaves two
/// classes, ln 2; for the first sign, nothing is left but chance, ln 2.
fn without_memory(task: SeqTask) -> (f64, &'static str) {
    match task {
        SeqTask::Adding => (1.0 / 12.0, "what using only the later marked value gives"),
        SeqTask::TemporalOrder => (
            std::f64::consts::LN_2,
            "what knowing only the later symbol gives",
        ),
        SeqTask::FirstSign => (std::f64::consts::LN_2, "the loss of guessing"),
    }
}

/// The one neuron's surface and descents, as last computed.
struct Surface {
    /// For which recurrence the values are.
    recurrence: Recurrence,
    /// `GRID × GRID` values, row-major by `w` cell (the plot's layout).
    values: Vec<f64>,
    plain: Vec<PathStep>,
    clipped: Vec<PathStep>,
    plain_xy: Vec<(f64, f64)>,
    clipped_xy: Vec<(f64, f64)>,
    /// The loss and gradient at the start.
    point: Point,
}

impl Surface {
    fn new(s: &Settings) -> Surface {
        let d = s.descents;
        let by_b = neuron::surface(d.recurrence, W_RANGE, B_RANGE, GRID);
        // The plot's layout: w cells as rows.
        let mut values = vec![0.0; GRID * GRID];
        for j in 0..GRID {
            for i in 0..GRID {
                values[i * GRID + j] = by_b[j * GRID + i];
            }
        }
        let mut surface = Surface {
            recurrence: d.recurrence,
            values,
            plain: Vec::new(),
            clipped: Vec::new(),
            plain_xy: Vec::new(),
            clipped_xy: Vec::new(),
            point: neuron::at(d.recurrence, d.start.0, d.start.1),
        };
        surface.descend(s);
        surface
    }

    /// Both descents again (the surface stays while the recurrence does).
    fn descend(&mut self, s: &Settings) {
        let d = s.descents;
        self.point = neuron::at(d.recurrence, d.start.0, d.start.1);
        self.plain = neuron::descend(d.recurrence, d.start, d.lr, d.steps, None);
        self.clipped = neuron::descend(d.recurrence, d.start, d.lr, d.steps, Some(d.clip));
        let xy = |p: &[PathStep]| p.iter().map(|s| (s.w, s.b)).collect();
        self.plain_xy = xy(&self.plain);
        self.clipped_xy = xy(&self.clipped);
    }
}

/// The recurrent lab as the shell sees it.
pub struct RnnModel {
    settings: Settings,
    /// What the engine changes of the values, in words.
    adjustments: Vec<String>,
    surface: Surface,
    /// The run, here or away.
    session: Engine<RnnSession>,
    /// Whether it trains away from the page.
    away: bool,
    player: Player,
    finding: Finding,
    /// Pascanu's bound on the latest gradient through time (empty for the LSTM).
    bound: Vec<f64>,
    /// The task's chance level, one value per recorded step.
    chance: Vec<f64>,
    /// What remembering only the end of the sequence reaches, one value per recorded step
    /// (empty where that is the chance level).
    alone: Vec<f64>,
    /// `1/γ`, one value per recorded step (empty for the LSTM and ReLU).
    edge: Vec<f64>,
}

/// The recurrent lab's model for `values`: the surface, and a fresh run that trains `steps`
/// steps first.
pub fn model(values: &Values) -> Box<dyn ViewModel> {
    let settings = Settings::from_values(values);
    let mut m = RnnModel {
        adjustments: settings.adjustments(trains_away()),
        surface: Surface::new(&settings),
        session: Engine::new(&settings.trained(trains_away()), trains_away()),
        away: trains_away(),
        settings,
        player: Player::default(),
        finding: untrained(),
        bound: Vec::new(),
        chance: Vec::new(),
        alone: Vec::new(),
        edge: Vec::new(),
    };
    m.start();
    Box::new(m)
}

fn untrained() -> Finding {
    Finding {
        diagnosis: Diagnosis::Untrained,
        text: "Not trained yet: press Play, or One step.".into(),
    }
}

impl RnnModel {
    /// Starts the run again from step 0 and aims for the settings' step count.
    fn restart(&mut self) {
        self.session = Engine::new(&self.settings.trained(self.away), self.away);
        self.start();
    }

    fn start(&mut self) {
        self.player.target = (self.settings.steps > 0).then_some(self.settings.steps);
        self.refresh();
    }

    /// Recomputes what is derived from the records: the bound, the reference lines and the
    /// diagnosis.
    fn refresh(&mut self) {
        let r = self.session.records();
        let spec = self.session.spec();
        let rows = r.steps().len();
        self.chance = vec![spec.task.chance_loss(); rows];
        let alone = without_memory(spec.task).0;
        self.alone = if alone == spec.task.chance_loss() {
            Vec::new()
        } else {
            vec![alone; rows]
        };
        let gamma = match spec.cell {
            Cell::Rnn(a) => a.gamma(),
            Cell::Lstm => f64::NAN,
        };
        self.edge = if gamma.is_finite() && gamma > 0.0 {
            vec![1.0 / gamma; rows]
        } else {
            Vec::new()
        };
        let latest = r.latest_time_grads();
        let lambda = r.sigma_max().last().copied().unwrap_or(f64::NAN);
        self.bound = match (latest.last(), gamma.is_finite()) {
            (Some(&end), true) => {
                let n = latest.len();
                (0..n)
                    .map(|i| end * (gamma * lambda).powi((n - 1 - i) as i32))
                    .collect()
            }
            _ => Vec::new(),
        };
        self.finding = self.diagnose();
    }

    /// The lecture's rules, through time: exploding when a value is not finite or the loss
    /// grew a thousandfold; the learning-rate-0 test at learning rate 0; vanishing when, at
    /// step 1, the gradient reaching time step 1 is below a hundredth of the largest, unless
    /// the recent losses have fallen below [`LEARNT_SHARE`] of what a network without memory
    /// reaches ([`without_memory`]); healthy otherwise.
    fn diagnose(&self) -> Finding {
        let r = self.session.records();
        let spec = self.session.spec();
        let steps = self.session.steps();
        if steps == 0 {
            return untrained();
        }
        let t_len = spec.length;
        let loss = r.loss();
        let (first, last) = (
            loss.first().copied().unwrap_or(f64::NAN),
            loss.last().copied().unwrap_or(f64::NAN),
        );
        let went = format!(
            "the loss went from {} at step {} to {} at step {}",
            short(first),
            r.steps().first().copied().unwrap_or(1),
            short(last),
            r.steps().last().copied().unwrap_or(steps)
        );
        let (alone, alone_words) = without_memory(spec.task);
        let mut chance = format!(
            "{} {}",
            short(spec.task.chance_loss()),
            match spec.task.chance_accuracy() {
                Some(_) => "for guessing the classes evenly",
                None => "for always predicting 1",
            }
        );
        if alone != spec.task.chance_loss() {
            let _ = write!(chance, " and {}, {alone_words}", short(alone));
        }
        if let Some(h) = self.session.halt() {
            let at = match (h.pass, h.time) {
                (Pass::Forward, Some(t)) => {
                    format!(", in the forward pass at time step {t} of {t_len}")
                }
                (Pass::Backward, Some(t)) => {
                    format!(", in the backward pass at time step {t} of {t_len}")
                }
                (Pass::Loss, _) => ", in the loss".to_string(),
                (Pass::Gradient, _) => ", in the gradient's norm".to_string(),
                (Pass::Update, _) => ", in the update of the weights".to_string(),
                _ => String::new(),
            };
            return Finding {
                diagnosis: Diagnosis::Exploding,
                text: format!(
                    "Exploding (rule: a value is inf or NaN): at step {}{at} a value stopped being finite, and training stopped. What helps: clipping the gradient's norm (Pascanu et al. 2013), a lower learning rate.",
                    h.step
                ),
            };
        }
        if spec.lr == 0.0 {
            return Finding {
                diagnosis: Diagnosis::LrZero,
                text: format!(
                    "The learning-rate-0 test: nothing learns, so {went}, moved by the batches alone; the task's chance level is {chance}."
                ),
            };
        }
        if last.is_finite() && first.is_finite() && last > DIVERGING_FACTOR * first {
            return Finding {
                diagnosis: Diagnosis::Exploding,
                text: format!(
                    "Exploding (rule: the loss grew over {}-fold): {went}. What helps: clipping the gradient's norm, a lower learning rate.",
                    DIVERGING_FACTOR
                ),
            };
        }
        let g = r.first_time_grads();
        let largest = g.iter().copied().fold(0.0, f64::max);
        let at_one = g.first().copied().unwrap_or(f64::NAN);
        // A network whose recent losses fell clearly below what the end of the sequence
        // alone allows carries what it needs across time, whatever its gradient at step 1.
        let recent = &loss[loss.len().saturating_sub(RECENT)..];
        let mean = recent.iter().sum::<f64>() / recent.len().max(1) as f64;
        let learnt = mean < LEARNT_SHARE * alone;
        if largest > 0.0 && at_one < VANISHING_RATIO * largest && !learnt {
            // Counting back from T: the first time step whose gradient is below the fraction.
            let fell = (0..g.len())
                .rev()
                .find(|&i| g[i] < VANISHING_RATIO * largest)
                .map_or(1, |i| i + 1);
            return Finding {
                diagnosis: Diagnosis::Vanishing,
                text: format!(
                    "Vanishing (rule: the gradient reaching time step 1 below 1/100 of the largest at step 1): it was {} of it; it fell below 1/100 at time step {fell}, {} steps back from T = {t_len}. Meanwhile {went}, against {chance}. What helps: {}",
                    short(at_one / largest),
                    t_len - fell,
                    match spec.cell {
                        Cell::Lstm => "a larger forget-gate bias, a shorter sequence, many more steps.",
                        Cell::Rnn(_) => "an LSTM, whose cell state carries the gradient further; an identity or orthogonal init; clipping does not.",
                    }
                ),
            };
        }
        let ratio = short(if largest > 0.0 {
            at_one / largest
        } else {
            f64::NAN
        });
        Finding {
            diagnosis: Diagnosis::Healthy,
            text: if learnt {
                format!(
                    "Healthy (rule: the mean loss of the last {} recorded steps, {}, is below {} of {}, {alone_words}): the network carries what it needs across time{} at step 1 the gradient reaching time step 1 was {ratio} of the largest. Overall, {went}.",
                    recent.len(),
                    short(mean),
                    short(LEARNT_SHARE),
                    short(alone),
                    // Faint at step 1 (below the vanishing rule's fraction), and learnt all the same.
                    if at_one < VANISHING_RATIO * largest {
                        ", although"
                    } else {
                        ";"
                    }
                )
            } else {
                format!(
                    "Healthy: at step 1 the gradient reaching time step 1 was {ratio} of the largest through time, and {went}, against {chance}."
                )
            },
        }
    }

    fn diagnosis(&self) -> Diagnosis {
        self.finding.diagnosis
    }

    /// The recorded steps' first step and stride.
    fn axis(&self) -> (u64, u64) {
        let r = self.session.records();
        (r.steps().first().copied().unwrap_or(1), r.stride())
    }
}

impl Trainer for RnnModel {
    fn steps(&self) -> u64 {
        self.session.steps()
    }

    fn run(&mut self, n: u64) -> u64 {
        let Some(session) = self.session.here() else {
            return 0;
        };
        let ran = session.run(n);
        if ran > 0 {
            self.refresh();
        }
        ran
    }

    fn halted(&self) -> bool {
        self.session.halt().is_some()
    }

    fn reset(&mut self, _values: &Values) {
        self.settings.steps = 0;
        self.restart();
    }
}

impl ViewModel for RnnModel {
    fn update(&mut self, values: &Values, _previous: &Values) {
        let next = Settings::from_values(values);
        let asked = next.steps != self.settings.steps;
        let same = next.same_run(&self.settings);
        let descents = next.descents != self.settings.descents;
        self.adjustments = next.adjustments(self.away);
        self.settings = next;
        if next.descents.recurrence != self.surface.recurrence {
            self.surface = Surface::new(&self.settings);
        } else if descents {
            self.surface.descend(&self.settings);
        }
        if !same || (asked && next.steps < self.session.steps()) {
            self.restart();
        } else if asked && next.steps > self.session.steps() {
            self.player.target = Some(next.steps);
        }
        if asked {
            self.player.playing = false;
        }
    }

    fn tick(&mut self, values: &mut Values, now: &dyn Fn() -> f64, budget_ms: f64) -> Tick {
        let speed = self.settings.speed;
        if self.session.generation().is_some() {
            // Away: the worker trains; a frame aims it and shows what it sent.
            let (shown, more) = self
                .session
                .away_frame(&mut self.player, speed, values, |_| {});
            if shown {
                self.refresh();
            }
            self.settings.steps = values.of(&STEPS);
            return Tick {
                changed: shown,
                worked: false,
                more,
            };
        }
        let (tick, steps) = frame(self, |m| &mut m.player, speed, values, now, budget_ms);
        self.settings.steps = steps;
        tick
    }

    fn preset_applied(&mut self, values: &Values) {
        self.settings = Settings::from_values(values);
        self.adjustments = self.settings.adjustments(self.away);
        self.restart();
        // It plays from the untrained network, unless the same change asked for a step.
        self.player.playing = self.settings.steps == 0;
    }

    fn toggled(&self, action: &str) -> Option<(&'static str, bool)> {
        (action == PLAY.key).then_some(self.player.play_button())
    }

    fn applies(&self, key: &str) -> bool {
        let spec = self.settings.spec;
        let lstm = matches!(spec.cell, Cell::Lstm);
        match key {
            "act" => !lstm,
            "forget" => lstm,
            "rho" => matches!(spec.init, crate::train::rnn::spec::RnnInit::Spectral { .. }),
            "gain" => matches!(
                spec.init,
                crate::train::rnn::spec::RnnInit::Orthogonal { .. }
                    | crate::train::rnn::spec::RnnInit::Identity { .. }
            ),
            "clip_max" => spec.clip != Clip::Off,
            _ => true,
        }
    }

    fn busy(&self) -> bool {
        self.player.target.is_some() || self.session.waiting(&self.player)
    }

    fn jobs(&self) -> Vec<Job> {
        let Some(generation) = self.session.generation() else {
            return Vec::new();
        };
        vec![Job {
            run: 0,
            generation,
            spec: JobSpec::Rnn(*self.session.spec()),
            target: self.player.aimed(),
            asked: self.player.target.is_some(),
            playing: self.player.playing,
        }]
    }

    fn receive(&mut self, run: usize, news: News) -> bool {
        run == 0 && self.session.receive(news)
    }

    fn bring_home(&mut self) {
        self.away = false;
        self.session.bring_home();
    }

    fn action(&mut self, key: &str, values: &mut Values) -> bool {
        press(self, |m| &mut m.player, key, values)
    }

    fn plot(&self, panel: usize, theme: &Theme) -> Plot<'_> {
        let (scale, d) = (self.settings.scale, self.diagnosis());
        let r = self.session.records();
        let (first, stride) = self.axis();
        match Panel::at(panel) {
            Panel::Surface => Plot::Surface(plots::surface(
                &self.surface.values,
                &self.surface.plain_xy,
                &self.surface.clipped_xy,
                self.settings.descents.clip,
                theme,
            )),
            Panel::Through => Plot::Layers(plots::through_time(
                r.latest_time_grads(),
                r.first_time_grads(),
                &self.bound,
                self.session.steps(),
                scale,
                theme,
                d,
            )),
            Panel::TimeHeat => Plot::Heat(plots::time_heat(
                r.time_grad_grid(),
                self.session.spec().length,
                first,
                stride,
            )),
            Panel::Loss => Plot::Layers(plots::loss(
                r.loss(),
                r.baseline_loss(),
                &self.chance,
                &chance_words(self),
                (!self.alone.is_empty()).then(|| {
                    let (v, words) = without_memory(self.session.spec().task);
                    (&self.alone[..], format!("{words}: loss {}", short(v)))
                }),
                first,
                stride,
                scale,
                theme,
                d,
            )),
            Panel::Sigma => Plot::Layers(plots::sigma(
                r.sigma_max(),
                &self.edge,
                first,
                stride,
                scale,
                theme,
            )),
        }
    }

    fn note(&self, panel: usize) -> String {
        match Panel::at(panel) {
            Panel::Surface => surface_note(&self.surface, &self.settings),
            Panel::Through => {
                let how = match self.session.spec().cell {
                    Cell::Rnn(_) => "Through time, each step back multiplies it by W and the activation's slope, as each layer does in a deep network.",
                    Cell::Lstm => "In the LSTM, the cell state also carries it back, multiplied at each step only by the forget gate's value (between 0 and 1) rather than by W and a slope, so it fades much more slowly.",
                };
                format!("Each point is the size of the gradient of the loss with respect to the hidden state at that time step: how much the last output still depends on what happened then. {how}")
            }
            Panel::TimeHeat => "Each column is a recorded training step, each row a time step; the worst value a pixel covers is shown.".into(),
            Panel::Loss => {
                let mut text = self.finding.text.clone();
                for a in self.adjustments.iter().chain(&pace(self.session.step_ms())) {
                    text.push(' ');
                    text.push_str(a);
                }
                text
            }
            Panel::Sigma => match self.session.spec().cell {
                Cell::Rnn(_) => "λ₁, the largest singular value of the recurrent matrix W: below 1/γ the gradient must vanish through time (Pascanu et al. 2013); above it, it may explode.".into(),
                Cell::Lstm => "λ₁, the largest singular value of the LSTM's recurrent weights, its four gates' blocks stacked. Pascanu's bound is a plain RNN's: the LSTM's cell state carries the gradient back past W, through its forget gates.".into(),
            },
        }
    }

    fn badge(&self, panel: usize) -> Option<(&'static str, &'static str)> {
        match Panel::at(panel) {
            Panel::Surface => None,
            _ => Some((self.diagnosis().key(), self.diagnosis().label())),
        }
    }

    fn readouts(&self) -> Vec<Readout> {
        let r = self.session.records();
        let spec = self.session.spec();
        let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
        let latest = r.latest_time_grads();
        let halt = self.session.halt();
        let p = self.surface.point;
        vec![
            Readout::number("step", "Step", self.session.steps() as f64),
            Readout::number("loss", "Loss", last(r.loss())),
            Readout::number(
                "loss-baseline",
                "Loss at learning rate 0",
                r.baseline_loss().map_or(f64::NAN, last),
            ),
            Readout::number(
                "accuracy",
                "Accuracy",
                if spec.task.chance_accuracy().is_some() {
                    last(r.accuracy())
                } else {
                    f64::NAN
                },
            ),
            Readout::number(
                "grad-norm-t1",
                "‖∂L/∂h_1‖",
                latest.first().copied().unwrap_or(f64::NAN),
            ),
            Readout::number("grad-norm-tT", "‖∂L/∂h_T‖", last(latest)),
            Readout::number("sigma-max", "λ₁ of W", last(r.sigma_max())),
            Readout::number("clip-factor", "Clip factor", last(r.clip_coef())),
            match halt {
                Some(h) => Readout::number(
                    "first-nonfinite-step",
                    "First inf or NaN, step",
                    h.step as f64,
                ),
                None => Readout::text("first-nonfinite-step", "First inf or NaN, step", "none"),
            },
            match halt.and_then(|h| h.time) {
                Some(t) => Readout::number(
                    "first-nonfinite-time",
                    "First inf or NaN, time step",
                    t as f64,
                ),
                None => Readout::text(
                    "first-nonfinite-time",
                    "First inf or NaN, time step",
                    "none",
                ),
            },
            Readout::text("diagnosis", "Diagnosis", self.diagnosis().key()),
            Readout::number("surface-loss", "One neuron: E at the start", p.loss),
            Readout::number("surface-dw", "One neuron: ∂E/∂w", p.dw),
            Readout::number("surface-db", "One neuron: ∂E/∂b", p.db),
        ]
    }

    fn announcement(&self) -> String {
        format!(
            "Step {}: {}.",
            self.session.steps(),
            self.diagnosis().label()
        )
    }

    fn current_row(&self) -> Option<&'static str> {
        match self.diagnosis() {
            Diagnosis::Exploding | Diagnosis::Vanishing | Diagnosis::Healthy => {
                Some(self.diagnosis().key())
            }
            _ => None,
        }
    }

    fn hover_text(&self, panel: usize, x: usize) -> String {
        let r = self.session.records();
        let (first, stride) = self.axis();
        let row = |x: usize| {
            (x as u64)
                .checked_sub(first)
                .map(|d| (d / stride.max(1)) as usize)
        };
        match Panel::at(panel) {
            Panel::Through => {
                let v = r.latest_time_grads().get(x.wrapping_sub(1)).copied();
                format!(
                    "time step {x}: ‖∂L/∂h_t‖ {}",
                    v.map_or("none".into(), short)
                )
            }
            Panel::Loss => {
                let v = row(x).and_then(|i| r.loss().get(i).copied());
                format!("step {x}: loss {}", v.map_or("none".into(), short))
            }
            Panel::Sigma => {
                let v = row(x).and_then(|i| r.sigma_max().get(i).copied());
                format!("step {x}: λ₁ {}", v.map_or("none".into(), short))
            }
            Panel::TimeHeat => format!("step {x}"),
            Panel::Surface => String::new(),
        }
    }

    fn hover_at(&self, panel: usize, at: (f64, f64)) -> Option<String> {
        (Panel::at(panel) == Panel::Surface).then(|| {
            let (w, b) = surface_point(at);
            let p = neuron::at(self.surface.recurrence, w, b);
            format!(
                "w {}, b {}: E {}, ∂E/∂w {}, ∂E/∂b {}",
                short(w),
                short(b),
                short(p.loss),
                short(p.dw),
                short(p.db)
            )
        })
    }

    fn pick(&mut self, panel: usize, at: (f64, f64), values: &mut Values) -> bool {
        if Panel::at(panel) != Panel::Surface {
            return false;
        }
        let (w, b) = surface_point(at);
        // Two decimals, as the boxes show them.
        values.set_number_of(&W, (w * 100.0).round() / 100.0);
        values.set_number_of(&B, (b * 100.0).round() / 100.0);
        true
    }

    fn csv(&self) -> String {
        let r = self.session.records();
        let mut out = String::from(
            "# recurrent lab\nstep,loss,baseline_loss,accuracy,grad_norm,clip_factor,sigma_max\n",
        );
        let base = r.baseline_loss();
        for (i, s) in r.steps().iter().enumerate() {
            let get = |v: &[f64]| v.get(i).copied().unwrap_or(f64::NAN);
            let _ = writeln!(
                out,
                "{s},{},{},{},{},{},{}",
                get(r.loss()),
                base.map_or(f64::NAN, &get),
                get(r.accuracy()),
                get(r.grad_total()),
                get(r.clip_coef()),
                get(r.sigma_max())
            );
        }
        out.push_str("\n# gradient through time\nt,at_step_1,latest\n");
        let (a, b) = (r.first_time_grads(), r.latest_time_grads());
        for t in 0..a.len().max(b.len()) {
            let _ = writeln!(
                out,
                "{},{},{}",
                t + 1,
                a.get(t).copied().unwrap_or(f64::NAN),
                b.get(t).copied().unwrap_or(f64::NAN)
            );
        }
        out.push_str("\n# one neuron\npath,step,w,b,loss,grad_norm,clip_factor\n");
        for (name, path) in [
            ("plain", &self.surface.plain),
            ("clipped", &self.surface.clipped),
        ] {
            for (k, p) in path.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{name},{k},{},{},{},{},{}",
                    p.w, p.b, p.loss, p.grad_norm, p.clip_factor
                );
            }
        }
        out
    }

    fn file_stem(&self) -> String {
        let s = self.session.spec();
        format!(
            "rnn-{}-h{}-t{}",
            match s.cell {
                Cell::Rnn(_) => "rnn",
                Cell::Lstm => "lstm",
            },
            s.hidden,
            s.length
        )
    }

    fn title(&self) -> String {
        let s = self.session.spec();
        format!(
            "A recurrent network through {} time steps ({})",
            s.length,
            self.diagnosis().label()
        )
    }
}

/// The `(w, b)` at a fraction of the surface's plotting area.
fn surface_point((fx, fy): (f64, f64)) -> (f64, f64) {
    (
        W_RANGE.0 + fx * (W_RANGE.1 - W_RANGE.0),
        B_RANGE.0 + fy * (B_RANGE.1 - B_RANGE.0),
    )
}

/// The loss plot's words for the task's chance level.
fn chance_words(m: &RnnModel) -> String {
    let task = m.session.spec().task;
    match task.chance_accuracy() {
        Some(a) => format!(
            "chance: loss {} (accuracy {}%)",
            short(task.chance_loss()),
            short(100.0 * a)
        ),
        None => format!("always predicting 1: loss {}", short(task.chance_loss())),
    }
}

/// The surface's note: where the descents start, and where each ended.
fn surface_note(s: &Surface, settings: &Settings) -> String {
    let d = settings.descents;
    let end = |p: &[PathStep]| p.last().copied();
    let longest = |p: &[PathStep]| {
        p.windows(2)
            .map(|w| ((w[1].w - w[0].w).powi(2) + (w[1].b - w[0].b).powi(2)).sqrt())
            .fold(0.0, f64::max)
    };
    let mut text = format!(
        "From w = {}, b = {} (E = {}, gradient norm {}), {} steps at learning rate {}.",
        short(d.start.0),
        short(d.start.1),
        short(s.point.loss),
        short(s.point.dw.hypot(s.point.db)),
        d.steps,
        short(d.lr)
    );
    if let Some(e) = end(&s.plain) {
        let _ = write!(
            text,
            " Plain SGD ends at w = {}, b = {} with E = {}; its longest step was {}.",
            short(e.w),
            short(e.b),
            short(e.loss),
            short(longest(&s.plain))
        );
    }
    if let Some(e) = end(&s.clipped) {
        let _ = write!(
            text,
            " Clipped, it ends at w = {}, b = {} with E = {}; no step is longer than the learning rate times the threshold, {}.",
            short(e.w),
            short(e.b),
            short(e.loss),
            short(d.lr * d.clip)
        );
    }
    text.push_str(" A click on the surface starts both there.");
    text
}
