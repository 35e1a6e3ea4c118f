//! A recurrent training run: the network, the optional learning-rate-0 baseline, the data
//! set and its batches, the records, and the halt at the first non-finite value.

use super::net::{engine, Engine};
use super::records::{RnnRecords, Row};
use super::singular::PowerIteration;
use super::spec::RnnSpec;
use super::tasks::SeqData;
use crate::train::optim::Hyper;
use crate::train::task::Batches;

/// The relative change at which the records' power iteration stops.
const SIGMA_TOL: f64 = 1e-10;
/// The most power iterations per recorded row.
const SIGMA_ITERATIONS: usize = 200;

/// Where in a step a value first became non-finite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pass {
    /// A pre-activation of the forward pass (the RNN's `W·h_(t-1) + U·x_t + b`, the LSTM's
    /// gates' `z_t`; every state is finite while these are).
    Forward,
    /// Every state was finite, but the outputs or the loss were not.
    Loss,
    /// The forward pass and the loss were finite, but a gradient with respect to a state
    /// (`∂L/∂h_t`, the LSTM's `∂L/∂c_t`) was not.
    Backward,
    /// Every gradient with respect to a state was finite, but the parameters' gradient (its
    /// norm) was not.
    Gradient,
    /// Every gradient was finite, but the update made a parameter non-finite.
    Update,
}

/// Where a run halted: the first step at which a value became non-finite. That step runs to
/// its end (its update applied, as PyTorch would) and is recorded; no step runs after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RnnHalt {
    /// The step (numbered from 1).
    pub step: u64,
    /// The time step `t` (`1..=T`, the state `h_t`) at which it happened, when inside the
    /// pass through time: the first `t` of the forward pass, or the latest `t` the backward
    /// pass reached (it runs from `T` down to 1).
    pub time: Option<usize>,
    /// Which part of the step.
    pub pass: Pass,
}

/// A recurrent training run. Construction generates the data set, initialises the
/// parameters and allocates the buffers a step needs.
///
/// With a baseline, a copy of the initial parameters is evaluated on every step's batch
/// (learning rate 0: it never changes, so each sequence's loss term is computed once, the
/// first time a batch holds it, and each batch's loss added up from the terms in the order
/// of the forward pass: the bits of a forward pass, at the cost of about one forward pass
/// per step during the first epoch and none after).
pub struct RnnSession {
    spec: RnnSpec,
    hyper: Hyper,
    data: SeqData,
    batches: Batches,
    /// The current batch's sequences.
    batch_idx: Vec<usize>,
    main: Box<dyn Engine>,
    baseline: Option<Box<dyn Engine>>,
    /// The recurrent matrix the current step evaluates, as `f64`, and the power iteration
    /// that measures it.
    w: Vec<f64>,
    power: PowerIteration,
    steps: u64,
    halt: Option<RnnHalt>,
    records: RnnRecords,
}

impl RnnSession {
    /// A new run of `spec`, brought into range first ([`RnnSpec::sanitized`]).
    pub fn new(spec: &RnnSpec) -> RnnSession {
        let spec = spec.sanitized();
        let data = SeqData::generate(spec.task, spec.samples, spec.length, spec.seed);
        let batches = Batches::new(spec.samples, spec.batch, spec.seed);
        let batch_idx: Vec<usize> = (0..spec.batch).collect();
        let mut main = engine(&spec);
        if spec.batch == spec.samples {
            // The whole data set, every step: loaded once.
            main.load_batch(&data, &batch_idx);
        }
        let rows = spec.cell.recurrent_rows(spec.hidden);
        RnnSession {
            hyper: Hyper {
                lr: spec.lr,
                momentum: spec.momentum,
                clip: spec.clip,
            },
            baseline: spec.baseline.then(|| main.duplicate()),
            main,
            data,
            batches,
            batch_idx,
            w: vec![0.0; rows * spec.hidden],
            power: PowerIteration::new(rows, spec.hidden),
            steps: 0,
            halt: None,
            records: RnnRecords::new(spec.length, spec.baseline),
            spec,
        }
    }

    /// The spec as this run uses it (after [`RnnSpec::sanitized`]).
    pub fn spec(&self) -> &RnnSpec {
        &self.spec
    }

    /// The data set.
    pub fn data(&self) -> &SeqData {
        &self.data
    }

    /// Runs one step: loads its batch, runs forward, back-propagation through time, clipping
    /// and the update, and records it. Returns `false`, and does nothing, once the run has
    /// halted.
    pub fn step(&mut self) -> bool {
        if self.halt.is_some() {
            return false;
        }
        let s = self.steps + 1;
        if let Some(idx) = self.batches.next_batch() {
            self.batch_idx.copy_from_slice(idx);
            self.main.load_batch(&self.data, &self.batch_idx);
        }
        self.main.recurrent(&mut self.w);
        let out = self.main.step(&self.hyper);
        let baseline_loss = self
            .baseline
            .as_mut()
            .map(|b| b.frozen_loss(&self.data, &self.batch_idx));
        if let Some((pass, time)) = out.fault {
            self.halt = Some(RnnHalt {
                step: s,
                time,
                pass,
            });
        }
        let force = self.halt.is_some();
        let sigma_max = if self.records.due(s) || force {
            self.power.largest(&self.w, SIGMA_TOL, SIGMA_ITERATIONS)
        } else {
            f64::NAN
        };
        let row = Row {
            step: s,
            loss: out.loss,
            baseline_loss,
            accuracy: out.accuracy,
            grad_total: out.total,
            clip_coef: out.coef,
            sigma_max,
        };
        self.records.record(row, self.main.time_grads(), force);
        self.steps = s;
        true
    }

    /// Runs up to `n` steps, stopping early if the run halts; returns how many ran.
    pub fn run(&mut self, n: u64) -> u64 {
        for i in 0..n {
            if !self.step() {
                return i;
            }
        }
        n
    }

    /// The number of steps run.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Where the run halted, once it has.
    pub fn halt(&self) -> Option<RnnHalt> {
        self.halt
    }

    /// The history and the profiles through time.
    pub fn records(&self) -> &RnnRecords {
        &self.records
    }

    /// The network's current parameters as `f64` (exactly their values in the format), in
    /// the order `W`, `U`, `b`, `V`, `c` (see [`crate::train::rnn::net`]).
    pub fn parameters(&self) -> Vec<f64> {
        self.main.parameters()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::NumberFormat;
    use crate::train::rnn::spec::{Cell, RecAct, RnnInit, SeqTask};
    use crate::train::Clip;

    /// A small run: 8 units, `T = 12`, 40 sequences in batches of 8.
    fn small(cell: Cell, task: SeqTask, format: NumberFormat) -> RnnSpec {
        RnnSpec {
            cell,
            hidden: 8,
            length: 12,
            task,
            format,
            samples: 40,
            batch: 8,
            lr: 0.05,
            ..RnnSpec::default()
        }
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Every column of the records, as bits.
    fn fingerprint(s: &RnnSession) -> Vec<Vec<u64>> {
        let r = s.records();
        vec![
            r.steps().to_vec(),
            bits(r.loss()),
            bits(r.baseline_loss().unwrap_or(&[])),
            bits(r.accuracy()),
            bits(r.grad_total()),
            bits(r.clip_coef()),
            bits(r.sigma_max()),
            bits(r.time_grad_grid()),
            bits(r.first_time_grads()),
            bits(r.latest_time_grads()),
            bits(&s.parameters()),
        ]
    }

    /// Held by the long tests, so that the speed print never shares the machine with them.
    static LONG: std::sync::Mutex<()> = std::sync::Mutex::new(());

    /// The mean of the last `n` values.
    fn tail_mean(v: &[f64], n: usize) -> f64 {
        v[v.len() - n..].iter().sum::<f64>() / n as f64
    }

    #[test]
    fn one_spec_gives_the_same_bits_and_another_seed_others() {
        let specs = [
            RnnSpec {
                momentum: 0.9,
                clip: Clip::Norm(0.5),
                ..small(Cell::Rnn(RecAct::Tanh), SeqTask::Adding, NumberFormat::F32)
            },
            RnnSpec {
                init: RnnInit::Orthogonal { gain: 1.2 },
                clip: Clip::Value(0.01),
                ..small(Cell::Lstm, SeqTask::TemporalOrder, NumberFormat::F64)
            },
            RnnSpec {
                init: RnnInit::Spectral { rho: 0.9 },
                ..small(
                    Cell::Rnn(RecAct::Relu),
                    SeqTask::FirstSign,
                    NumberFormat::F32,
                )
            },
        ];
        for spec in specs {
            let run = |spec: &RnnSpec| {
                let mut s = RnnSession::new(spec);
                assert_eq!(s.run(30), 30);
                s
            };
            let (a, b) = (run(&spec), run(&spec));
            assert_eq!(fingerprint(&a), fingerprint(&b), "{spec:?}");
            let c = run(&RnnSpec { seed: 2, ..spec });
            assert_ne!(bits(a.records().loss()), bits(c.records().loss()));
            assert_ne!(bits(&a.parameters()), bits(&c.parameters()));
        }
    }

    #[test]
    fn a_session_can_move_to_another_thread() {
        fn send<T: Send>(_: &T) {}
        send(&RnnSession::new(&small(
            Cell::Lstm,
            SeqTask::Adding,
            NumberFormat::F32,
        )));
    }

    #[test]
    fn clipping_by_norm_brings_the_gradient_to_the_threshold() {
        for cell in [Cell::Rnn(RecAct::Tanh), Cell::Lstm] {
            for max in [1e-3, 1e6] {
                // lr 1, no momentum: the update is the clipped gradient itself.
                let spec = RnnSpec {
                    lr: 1.0,
                    clip: Clip::Norm(max),
                    ..small(cell, SeqTask::Adding, NumberFormat::F64)
                };
                let mut s = RnnSession::new(&spec);
                let before = s.parameters();
                s.step();
                let moved = s
                    .parameters()
                    .iter()
                    .zip(&before)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>()
                    .sqrt();
                let r = s.records();
                let (total, coef) = (r.grad_total()[0], r.clip_coef()[0]);
                if max < total {
                    assert_eq!(coef, max / (total + 1e-6));
                    assert!((moved - max).abs() < 1e-6 * max, "{cell:?}: {moved}");
                } else {
                    assert_eq!(coef, 1.0);
                    assert!((moved - total).abs() < 1e-12 * total, "{cell:?}: {moved}");
                }
            }
        }
    }

    #[test]
    fn the_baseline_is_a_run_with_learning_rate_zero() {
        for (cell, format, batch) in [
            (Cell::Rnn(RecAct::Tanh), NumberFormat::F32, 8),
            (Cell::Lstm, NumberFormat::F32, 8),
            (Cell::Rnn(RecAct::Sigmoid), NumberFormat::F64, 40),
            (Cell::Lstm, NumberFormat::F64, 7),
        ] {
            let spec = RnnSpec {
                batch,
                momentum: 0.9,
                clip: Clip::Norm(1.0),
                ..small(cell, SeqTask::TemporalOrder, format)
            };
            let mut main = RnnSession::new(&spec);
            let mut still = RnnSession::new(&RnnSpec {
                lr: 0.0,
                baseline: false,
                ..spec
            });
            // Several epochs: the terms are computed in the first and reused after.
            main.run(25);
            still.run(25);
            let baseline = main.records().baseline_loss().unwrap();
            assert_eq!(bits(baseline), bits(still.records().loss()), "{cell:?}");
            assert_eq!(still.records().baseline_loss(), None);
            assert_ne!(bits(baseline), bits(main.records().loss()));
        }
    }

    #[test]
    fn a_spectral_tanh_rnn_with_a_large_learning_rate_halts_unless_clipped() {
        let spec = RnnSpec {
            init: RnnInit::Spectral { rho: 3.0 },
            length: 20,
            lr: 1.0,
            ..RnnSpec::default()
        };
        let mut s = RnnSession::new(&spec);
        let ran = s.run(200);
        let halt = s.halt().expect("a halt");
        assert!(halt.step > 1 && halt.step == ran, "{halt:?}");
        assert_eq!(
            halt.time.is_some(),
            matches!(halt.pass, Pass::Forward | Pass::Backward)
        );
        // Here the readout's outputs overflow, whose `V` grew with every step.
        assert_eq!(halt.pass, Pass::Loss);
        let r = s.records();
        assert_eq!(*r.steps().last().unwrap(), halt.step);
        assert!(!r.loss().last().unwrap().is_finite());
        assert!(r.loss()[..r.rows() - 1].iter().all(|l| l.is_finite()));
        assert!(!s.step());
        assert_eq!((s.run(5), s.steps()), (0, ran));
        // Clipped, each update is at most lr·1 long: no halt.
        let mut s = RnnSession::new(&RnnSpec {
            clip: Clip::Norm(1.0),
            ..spec
        });
        assert_eq!(s.run(200), 200);
        assert_eq!(s.halt(), None);
        assert!(s.records().clip_coef().iter().any(|&c| c < 1.0));
    }

    #[test]
    fn an_overflow_through_time_halts_with_its_time_step_in_f32_only() {
        // tanh with rho = 10 over T = 500: the gradient through time overflows `f32` on the
        // way back; ReLU with rho = 3 overflows the states on the way forward.
        for (act, rho, pass) in [
            (RecAct::Tanh, 10.0, Pass::Backward),
            (RecAct::Relu, 3.0, Pass::Forward),
        ] {
            let spec = RnnSpec {
                cell: Cell::Rnn(act),
                init: RnnInit::Spectral { rho },
                length: 500,
                batch: 4,
                ..RnnSpec::default()
            };
            let mut s = RnnSession::new(&spec);
            assert!(s.step());
            let halt = s.halt().expect("a halt");
            let t = halt.time.expect("a time step");
            assert_eq!((halt.step, halt.pass), (1, pass), "{act:?}");
            assert!((2..500).contains(&t), "{act:?}: {t}");
            let g = s.records().first_time_grads();
            if pass == Pass::Backward {
                // Finite from T down to t + 1, not at t.
                assert!(g[t..].iter().all(|x| x.is_finite()) && !g[t - 1].is_finite());
            }
            let mut s = RnnSession::new(&RnnSpec {
                format: NumberFormat::F64,
                ..spec
            });
            s.step();
            assert_eq!(s.halt(), None, "{act:?} in f64");
        }
    }

    #[test]
    fn the_records_hold_the_gradient_through_time_and_the_largest_singular_value() {
        let spec = RnnSpec {
            init: RnnInit::Spectral { rho: 2.0 },
            ..small(Cell::Rnn(RecAct::Tanh), SeqTask::Adding, NumberFormat::F32)
        };
        let mut s = RnnSession::new(&spec);
        s.run(3);
        let r = s.records();
        assert_eq!(r.first_time_grads(), r.time_grad_row(0));
        assert_eq!(r.latest_time_grads(), r.time_grad_row(2));
        assert_eq!((r.latest_step(), r.length()), (3, 12));
        assert!(
            (r.sigma_max()[0] - 2.0).abs() < 1e-6,
            "{}",
            r.sigma_max()[0]
        );
        assert!(r.accuracy().iter().all(|a| a.is_nan()));
        // The LSTM's stacked W_hh of four 0.5·I blocks has largest singular value 1.
        let spec = RnnSpec {
            init: RnnInit::Identity { gain: 0.5 },
            ..small(Cell::Lstm, SeqTask::FirstSign, NumberFormat::F64)
        };
        let mut s = RnnSession::new(&spec);
        s.step();
        let r = s.records();
        assert!((r.sigma_max()[0] - 1.0).abs() < 1e-12);
        assert!((0.0..=1.0).contains(&r.accuracy()[0]));
        assert!(r.first_time_grads().iter().all(|g| *g > 0.0));
    }

    #[test]
    fn a_tanh_rnn_learns_the_adding_problem_at_t_10() {
        let spec = RnnSpec {
            init: RnnInit::Orthogonal { gain: 1.0 },
            length: 10,
            lr: 0.02,
            momentum: 0.9,
            clip: Clip::Norm(1.0),
            ..RnnSpec::default()
        };
        let mut s = RnnSession::new(&spec);
        s.run(500);
        let loss = tail_mean(s.records().loss(), 50);
        let baseline = tail_mean(s.records().baseline_loss().unwrap(), 50);
        assert!(loss < 0.1, "{loss} (baseline {baseline})");
    }

    #[test]
    fn an_lstm_learns_the_adding_problem_at_t_10() {
        let spec = RnnSpec {
            cell: Cell::Lstm,
            hidden: 16,
            length: 10,
            lr: 0.1,
            momentum: 0.9,
            clip: Clip::Norm(1.0),
            ..RnnSpec::default()
        };
        let mut s = RnnSession::new(&spec);
        s.run(400);
        let loss = tail_mean(s.records().loss(), 50);
        assert!(loss < 0.03, "{loss}");
    }

    /// The lecture's point: over long gaps the LSTM learns where the tanh RNN cannot.
    #[test]
    #[ignore = "3000 steps at T = 50 and T = 100: about 10 s in a release build, minutes in debug"]
    fn an_lstm_learns_the_adding_problem_at_t_50_where_a_tanh_rnn_stays_at_chance() {
        let _alone = LONG.lock();
        let spec = |cell, length| RnnSpec {
            cell,
            hidden: 16,
            length,
            lr: 0.1,
            momentum: 0.9,
            clip: Clip::Norm(1.0),
            ..RnnSpec::default()
        };
        let mut lstm = RnnSession::new(&spec(Cell::Lstm, 50));
        lstm.run(3000);
        let mut rnn = RnnSession::new(&spec(Cell::Rnn(RecAct::Tanh), 100));
        rnn.run(3000);
        let chance = SeqTask::Adding.chance_loss();
        let lstm_loss = tail_mean(lstm.records().loss(), 50);
        let rnn_loss = tail_mean(rnn.records().loss(), 500);
        assert!(lstm_loss < 0.1 * chance, "LSTM {lstm_loss}");
        assert!(
            (0.75 * chance..1.5 * chance).contains(&rnn_loss),
            "RNN {rnn_loss}"
        );
    }

    /// The two workloads of the lab's speed targets, in `f32` (the browser's targets: 60
    /// steps/s for the RNN and 40 for the LSTM; WebAssembly runs about 1.5 to 2 times slower
    /// than native code).
    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    #[ignore = "speed: `cargo test --release --lib train::rnn -- --ignored --nocapture`"]
    fn speed_of_the_two_workloads() {
        let _alone = LONG.lock();
        for (name, cell, hidden) in [
            ("tanh RNN H=128", Cell::Rnn(RecAct::Tanh), 128),
            ("LSTM H=64", Cell::Lstm, 64),
        ] {
            let spec = RnnSpec {
                cell,
                hidden,
                length: 100,
                batch: 32,
                ..RnnSpec::default()
            };
            let mut s = RnnSession::new(&spec);
            // Past the first epoch (16 batches), where the baseline computes its terms.
            s.run(20);
            let start = std::time::Instant::now();
            let n = s.run(100);
            let secs = start.elapsed().as_secs_f64();
            println!(
                "{name}, T=100, batch 32, f32: {:.1} steps/s",
                n as f64 / secs
            );
        }
    }

    #[test]
    fn a_gradient_fading_through_time_goes_to_zero_without_subnormal_values() {
        use crate::sim::NumberFormat;
        use crate::train::rnn::spec::{RnnInit, RnnSpec};
        // ρ = 0.1: each step back multiplies the gradient by at most 0.1, so over 80 steps it
        // would pass through f32's subnormal numbers (below about 1.2e-38).
        let spec = RnnSpec {
            init: RnnInit::Spectral { rho: 0.1 },
            length: 80,
            format: NumberFormat::F32,
            ..RnnSpec::default()
        };
        let mut s = RnnSession::new(&spec);
        s.step();
        let g = s.records().latest_time_grads();
        assert_eq!(g.len(), 80);
        assert_eq!(g[0], 0.0, "{g:?}");
        assert!(
            g.iter()
                .all(|&v| v == 0.0 || v >= f64::from(f32::MIN_POSITIVE)),
            "a subnormal gradient was kept: {g:?}"
        );
        assert!(g[79] > 0.0);
    }
}
