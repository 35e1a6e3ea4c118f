//! The training engine through its public API: determinism, the learning-rate-0 baseline,
//! the lecture's chain of events, vanishing gradients, the remedies, and bounded memory.

use deep_signal::sim::NumberFormat;
use deep_signal::train::*;

fn chain(depth: usize, w0: f64, b0: f64, lr: f64) -> TrainSpec {
    TrainSpec {
        model: ModelSpec::Chain(ChainSpec {
            depth,
            w0,
            b0,
            init_noise: 0.0,
            format: NumberFormat::F32,
        }),
        lr,
        ..TrainSpec::default()
    }
}

fn with_format(mut spec: TrainSpec, format: NumberFormat) -> TrainSpec {
    if let ModelSpec::Chain(c) = &mut spec.model {
        c.format = format;
    }
    spec
}

fn mlp(
    width: usize,
    depth: usize,
    activation: Activation,
    init: Init,
    task: TaskSpec,
) -> TrainSpec {
    TrainSpec {
        model: ModelSpec::Mlp(MlpSpec {
            width,
            depth,
            activation,
            init,
            gain: None,
            format: NumberFormat::F32,
            ..MlpSpec::default()
        }),
        task,
        samples: 64,
        lr: 0.1,
        ..TrainSpec::default()
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Runs `n` steps and returns the loss of every step and the parameters, as bits.
fn fingerprint(spec: &TrainSpec, n: u64) -> (Vec<u64>, Vec<u64>) {
    let mut s = Session::new(spec);
    let mut losses = Vec::new();
    for _ in 0..n {
        assert!(s.step());
        losses.push(s.records().latest().unwrap().loss);
    }
    (bits(&losses), bits(&s.parameters()))
}

#[test]
fn same_spec_and_seed_give_the_same_bits_and_another_seed_others() {
    let mut noisy_chain = chain(20, 0.9, 0.1, 0.05);
    noisy_chain.batch = 8;
    noisy_chain.noise = 0.1;
    if let ModelSpec::Chain(c) = &mut noisy_chain.model {
        c.init_noise = 0.05;
    }
    let mut net = mlp(
        8,
        3,
        Activation::Tanh,
        Init::PyTorchDefault,
        TaskSpec::Spiral,
    );
    net.batch = 16;
    net.momentum = 0.9;
    for spec in [noisy_chain, net] {
        let a = fingerprint(&spec, 30);
        assert_eq!(a, fingerprint(&spec, 30));
        // However the steps are grouped into runs.
        let mut s = Session::new(&spec);
        assert_eq!((s.run(7), s.run(23)), (7, 23));
        assert_eq!(bits(&s.parameters()), a.1);
        let other = TrainSpec { seed: 2, ..spec };
        let b = fingerprint(&other, 30);
        assert_ne!(a.0, b.0);
        assert_ne!(a.1, b.1);
    }
}

#[test]
fn a_full_batch_chain_without_noise_draws_no_random_number() {
    // Neither the data, nor the init, nor the batches depend on the seed.
    let mut spec = chain(30, 0.95, 0.05, 0.02);
    spec.momentum = 0.5;
    spec.clip = Clip::Norm(0.5);
    for format in NumberFormat::ALL {
        let spec = with_format(spec, format);
        let a = fingerprint(&spec, 40);
        assert_eq!(
            a,
            fingerprint(
                &TrainSpec {
                    seed: 12345,
                    ..spec
                },
                40
            )
        );
        // The same settings with init noise do draw from the seed.
        let mut noisy = spec;
        if let ModelSpec::Chain(c) = &mut noisy.model {
            c.init_noise = 0.01;
        }
        assert_ne!(
            fingerprint(&noisy, 1).1,
            fingerprint(
                &TrainSpec {
                    seed: 12345,
                    ..noisy
                },
                1
            )
            .1
        );
    }
}

#[test]
fn a_zero_learning_rate_leaves_every_parameter_bit_identical() {
    let mut c = with_format(chain(10, 1.2, -0.3, 0.0), NumberFormat::F16);
    c.batch = 5;
    c.momentum = 0.9;
    let mut n = mlp(
        6,
        4,
        Activation::Relu,
        Init::PyTorchDefault,
        TaskSpec::Circle,
    );
    n.lr = 0.0;
    n.batch = 10;
    n.momentum = 0.9;
    for spec in [c, n] {
        let mut s = Session::new(&spec);
        let before = bits(&s.parameters());
        assert_eq!(s.run(50), 50);
        assert_eq!(bits(&s.parameters()), before);
        // The loss still moves from batch to batch: that is the baseline's lesson.
        let loss = s.records().loss();
        assert!(loss.iter().any(|&l| l != loss[0]));
        for p in &s.records().latest().unwrap().layers {
            assert_eq!(p.update_ratio, 0.0);
        }
    }
}

#[test]
fn the_baseline_sees_the_same_batches_with_learning_rate_zero() {
    let mut spec = mlp(8, 2, Activation::Tanh, Init::XavierUniform, TaskSpec::Xor);
    spec.batch = 8;
    let mut s = Session::new(&spec);
    let frozen = Session::new(&TrainSpec { lr: 0.0, ..spec });
    let mut frozen = frozen;
    s.run(40);
    frozen.run(40);
    let r = s.records();
    assert_eq!(r.baseline_loss().unwrap(), frozen.records().loss());
    assert_ne!(r.baseline_loss().unwrap(), r.loss());
    assert_eq!(s.baseline_parameters().unwrap(), frozen.parameters());
    // With the full data set the baseline's loss never moves.
    let mut s = Session::new(&chain(10, 0.9, 0.0, 0.05));
    s.run(20);
    let base = s.records().baseline_loss().unwrap();
    assert!(base.iter().all(|&b| b == s.records().loss()[0]));
    assert!(s.records().loss()[19] < base[19]);
}

#[test]
fn the_lectures_chain_of_events_happens_at_the_formats_overflow_layer() {
    // w0 = 2, b0 = 0, x in [-1, 1]: y_k = 2^k·x, which overflows first for |x| = 1 at the
    // layer where 2^k passes the format's largest value: 16 (f16), 128 (bf16, f32), 1024
    // (f64, deeper than the chain: so 1000 layers stay finite).
    for (format, layer) in [
        (NumberFormat::F16, 16),
        (NumberFormat::Bf16, 128),
        (NumberFormat::F32, 128),
    ] {
        let mut s = Session::new(&with_format(chain(200, 2.0, 0.0, 0.01), format));
        // Step 1: the activations overflow at `layer` (+inf for x > 0, -inf for x < 0), the
        // loss is inf, and each bias gradient sums +inf and -inf over the batch: NaN.
        assert!(s.step());
        let r = s.records();
        assert_eq!(r.loss()[0], f64::INFINITY);
        assert!(r.grad_total()[0].is_nan());
        let at = |kind| Event { step: 1, kind };
        assert_eq!(
            r.events(),
            &[
                at(EventKind::NonFinite(Place::Activation(layer))),
                at(EventKind::LossNonFinite),
                at(EventKind::GradientNan),
                at(EventKind::SomeParametersNan),
            ],
            "{format:?}"
        );
        // After update 1: every weight gradient was +inf, so every weight is -inf, and every
        // bias NaN.
        let p = s.parameters();
        assert!(p.iter().step_by(2).all(|&w| w == f64::NEG_INFINITY));
        assert!(p.iter().skip(1).step_by(2).all(|b| b.is_nan()));
        assert_eq!(s.halt(), None);
        // Step 2: everything is NaN, and one update later so is every weight: halt.
        assert!(s.step());
        assert!(s.records().loss()[1].is_nan());
        assert!(s.parameters().iter().all(|p| p.is_nan()));
        let halt = s.halt().unwrap();
        assert_eq!(
            halt,
            Halt {
                step: 2,
                first_nan_step: 1,
                origin: Some(Origin {
                    step: 1,
                    place: Place::Activation(layer)
                }),
            }
        );
        assert_eq!(
            s.records().events().last(),
            Some(&Event {
                step: 2,
                kind: EventKind::AllParametersNan
            })
        );
        assert!(!s.step());
        assert_eq!(s.run(10), 0);
        assert_eq!(s.steps(), 2);
        assert_eq!(s.records().steps(), &[1, 2]);
    }
    // In f64, 2^1000 stays finite: the activations do not overflow, but the loss squares
    // them and does.
    let mut s = Session::new(&with_format(chain(1000, 2.0, 0.0, 0.01), NumberFormat::F64));
    s.run(10);
    assert_eq!(
        s.halt().unwrap(),
        Halt {
            step: 2,
            first_nan_step: 1,
            origin: Some(Origin {
                step: 1,
                place: Place::Loss
            }),
        }
    );
}

#[test]
fn too_high_a_learning_rate_explodes_and_a_lower_one_or_clipping_trains() {
    // The chain starts at the ideal w0 = 1 and learns t = 0.5·x + 0.1.
    let mut s = Session::new(&chain(50, 1.0, 0.0, 1.0));
    assert_eq!(s.run(1000), 10);
    let halt = s.halt().unwrap();
    assert_eq!(
        halt,
        Halt {
            step: 10,
            first_nan_step: 9,
            origin: Some(Origin {
                step: 9,
                place: Place::Activation(3)
            })
        }
    );
    let r = s.records();
    assert!(
        r.loss()[7].is_finite() && r.loss()[7] > 1e10,
        "{}",
        r.loss()[7]
    );
    assert_eq!(r.loss()[8], f64::INFINITY);
    assert!(r.grad_total()[8].is_nan());

    // Ten times lower: it trains.
    let mut s = Session::new(&chain(50, 1.0, 0.0, 0.1));
    assert_eq!(s.run(300), 300);
    assert!(s.records().loss()[299] < 1e-4 * s.records().loss()[0]);

    // Clipping the gradient's norm to 0.1: it stays finite and learns, though at this
    // learning rate it swings between two losses from step to step.
    let mut spec = chain(50, 1.0, 0.0, 1.0);
    spec.clip = Clip::Norm(0.1);
    let mut s = Session::new(&spec);
    assert_eq!(s.run(300), 300);
    let r = s.records();
    assert!(r.loss().iter().all(|&l| l < 1.0));
    let last: f64 = r.loss()[200..].iter().sum::<f64>() / 100.0;
    assert!(last < 0.5 * r.loss()[0], "{last}");
    assert!(r.clip_coef().iter().any(|&c| c < 1.0));
    // The factor as applied: PyTorch's coef rounded to the chain's f32.
    let want = |total: f64| (0.1 / (total + 1e-6)).min(1.0) as f32 as f64;
    for (&c, &t) in r.clip_coef().iter().zip(r.grad_total()) {
        assert_eq!(c, want(t));
    }
}

#[test]
fn w0_above_one_explodes_after_one_update_unless_clipped() {
    // Depth 100, w0 = 1.05: y_100 = 1.05^100·x ≈ 131·x, the loss is large but finite, and
    // the first update overshoots.
    let mut s = Session::new(&chain(100, 1.05, 0.0, 0.01));
    s.run(100);
    let halt = s.halt().unwrap();
    assert_eq!((halt.step, halt.first_nan_step), (3, 2));
    assert_eq!(
        halt.origin,
        Some(Origin {
            step: 2,
            place: Place::Activation(19)
        })
    );
    let mut spec = chain(100, 1.05, 0.0, 0.01);
    spec.clip = Clip::Norm(1.0);
    let mut s = Session::new(&spec);
    assert_eq!(s.run(100), 100);
    let r = s.records();
    assert!(r.loss()[0] > 6000.0);
    assert!(r.loss()[99] < 1e-9, "{}", r.loss()[99]);
    // A lower learning rate instead does not blow up, but its first steps throw every weight
    // from 1.05 to near 0: the chain now forgets its input.
    let mut s = Session::new(&chain(100, 1.05, 0.0, 1e-4));
    assert_eq!(s.run(10), 10);
    assert!(s.parameters().iter().step_by(2).all(|w| w.abs() < 0.2));
}

#[test]
fn a_deep_chain_with_w0_below_one_has_vanishing_gradients() {
    // Depth 50, w0 = 0.8, b0 = 0.1: at init the gradient reaching layer k is 0.8^(50-k)
    // times the last layer's; the chain forgets its input and learns only the targets' mean.
    let n = 50;
    let mut s = Session::new(&chain(n, 0.8, 0.1, 0.01));
    let p0 = s.parameters();
    s.step();
    let layers = &s.records().latest().unwrap().layers;
    // The same gradients in f64, by hand: y_k = 0.8·y_(k-1) + 0.1, g = 2·(y_n − t)/32.
    let xs: Vec<f64> = (0..32).map(|i| -1.0 + 2.0 * i as f64 / 31.0).collect();
    let norm = |k: usize| {
        let (mut gw, mut gb) = (0.0, 0.0);
        for &x in &xs {
            let mut y = vec![x];
            for _ in 0..n {
                y.push(0.8 * y.last().unwrap() + 0.1);
            }
            let g = 2.0 * (y[n] - (0.5 * x + 0.1)) / 32.0 * 0.8f64.powi((n - k) as i32);
            gw += g * y[k - 1];
            gb += g;
        }
        f64::hypot(gw, gb)
    };
    for k in [1, 10, 25, 50] {
        let rel = (layers[k - 1].grad_norm - norm(k)).abs() / norm(k);
        assert!(
            rel < 1e-4,
            "layer {k}: {} vs {}",
            layers[k - 1].grad_norm,
            norm(k)
        );
    }
    let ratio = layers[0].grad_norm / layers[n - 1].grad_norm;
    assert!(ratio < 3e-5, "{ratio}");
    s.run(999);
    // The loss settles on the variance of the targets' x-part, 0.25·Var(x) = 0.25·33/93.
    let r = s.records();
    let floor = 0.25 * 33.0 / 93.0;
    assert!((r.latest().unwrap().loss - floor).abs() < 1e-4);
    let p = s.parameters();
    assert!((p[0] - p0[0]).abs() < 1e-4, "w_1 moved {}", p[0] - p0[0]);
    assert!((p[2 * n - 2] - p0[2 * n - 2]).abs() > 1e-2);
}

#[test]
fn memory_stays_bounded_over_a_long_run() {
    let spec = TrainSpec {
        samples: 2,
        baseline: false,
        ..chain(3, 1.0, 0.0, 0.01)
    };
    let mut s = Session::new(&spec);
    assert_eq!(s.run(100_000), 100_000);
    let r = s.records();
    assert!(r.rows() <= r.capacity() && r.rows() > r.capacity() / 2);
    assert_eq!(r.capacity(), 10_000);
    assert_eq!(r.stride(), 16);
    assert_eq!(r.grad_norm_grid().len(), r.rows() * 3);
    assert!(r.steps().iter().all(|s| (s - 1) % 16 == 0));
    assert_eq!(r.steps()[r.rows() - 1], 99_985);
    assert_eq!(r.latest().unwrap().step, 100_000);
    assert_eq!(r.latest().unwrap().layers_step, 100_000);
}

#[test]
fn a_linear_net_with_orthogonal_weights_scales_the_signal_by_the_gain_per_layer() {
    // Zero biases and orthogonal W with gain g: every sample's ‖a_l‖ = g^l·‖x‖, so the mean
    // square over batch and units is g^(2l)·mean‖x‖²/width.
    let (width, depth, g) = (16, 6, 1.2);
    let mut spec = mlp(
        width,
        depth,
        Activation::Linear,
        Init::Orthogonal,
        TaskSpec::Spiral,
    );
    if let ModelSpec::Mlp(m) = &mut spec.model {
        m.gain = Some(g);
        m.format = NumberFormat::F64;
    }
    let mut s = Session::new(&spec);
    s.step();
    let data = Dataset::generate(TaskSpec::Spiral, 64, 0.0, spec.seed);
    let x2 = data.inputs.iter().map(|x| x * x).sum::<f64>() / 64.0;
    let layers = &s.records().latest().unwrap().layers;
    assert_eq!(layers.len(), depth + 1);
    assert_eq!(s.depth(), depth + 1);
    for (l, p) in layers[..depth].iter().enumerate() {
        let ms = p.act_std * p.act_std + p.act_mean * p.act_mean;
        let want = g.powi(2 * (l as i32 + 1)) * x2 / width as f64;
        assert!(
            (ms - want).abs() < 1e-12 * want,
            "layer {}: {ms} vs {want}",
            l + 1
        );
    }
}

#[test]
fn the_profiles_count_saturated_and_dead_units() {
    // Large weights saturate tanh; ReLU with PyTorch's default kills about half the units.
    let mut spec = mlp(
        32,
        4,
        Activation::Tanh,
        Init::Normal {
            sigma: 10.0,
            sigma_b: 0.0,
        },
        TaskSpec::Circle,
    );
    spec.samples = 256;
    let mut s = Session::new(&spec);
    s.step();
    let l = &s.records().latest().unwrap().layers;
    assert!(l[0].saturated > 0.4, "{l:?}");
    assert!(l[1..4].iter().all(|p| p.saturated > 0.7), "{l:?}");
    assert_eq!(l[4].saturated, 0.0);
    let mut spec = mlp(
        32,
        4,
        Activation::Relu,
        Init::KaimingNormal,
        TaskSpec::Circle,
    );
    spec.samples = 256;
    let mut s = Session::new(&spec);
    s.step();
    let l = &s.records().latest().unwrap().layers;
    assert!(l[..4].iter().all(|p| (p.dead - 0.5).abs() < 0.15), "{l:?}");
    assert!(l.iter().all(|p| p.saturated == 0.0));
}

#[test]
fn an_mlp_learns_xor() {
    let mut spec = mlp(8, 2, Activation::Tanh, Init::XavierNormal, TaskSpec::Xor);
    spec.lr = 0.5;
    spec.momentum = 0.9;
    spec.baseline = false;
    let mut s = Session::new(&spec);
    s.run(150);
    let r = s.records();
    assert!(r.loss()[0] > 0.6);
    assert!(
        r.latest().unwrap().loss < 0.2,
        "{}",
        r.latest().unwrap().loss
    );
}

#[test]
fn specs_are_brought_into_range() {
    let mut spec = chain(5000, f64::NAN, 0.0, 1e-9);
    spec.samples = 1;
    spec.batch = 7;
    spec.momentum = 3.0;
    spec.clip = Clip::Value(f64::INFINITY);
    spec.task = TaskSpec::Spiral;
    let s = spec.sanitized();
    let ModelSpec::Chain(c) = s.model else {
        panic!()
    };
    assert_eq!((c.depth, c.w0), (1000, 1.0));
    assert_eq!((s.samples, s.batch, s.lr, s.momentum), (2, 0, 1e-5, 1.0));
    assert_eq!(s.clip, Clip::Off);
    assert_eq!(s.task, TrainSpec::default().task);
    assert_eq!(Session::new(&spec).depth(), 1000);
    assert_eq!(TrainSpec { lr: 50.0, ..spec }.sanitized().lr, 10.0);
    assert_eq!(TrainSpec { lr: -1.0, ..spec }.sanitized().lr, 0.0);
    // The widest, deepest MLP on the most samples trains on mini-batches that fit.
    let mut big = mlp(
        1000,
        1000,
        Activation::Relu,
        Init::Orthogonal,
        TaskSpec::Circle,
    );
    big.samples = 1 << 20;
    let s = big.sanitized();
    let ModelSpec::Mlp(m) = s.model else { panic!() };
    assert_eq!((m.width, m.depth, s.samples), (256, 200, 2048));
    assert_eq!(s.batch, (1 << 23) / (256 * 201));
    assert_eq!(
        mlp(
            64,
            100,
            Activation::Relu,
            Init::Orthogonal,
            TaskSpec::Circle
        )
        .sanitized()
        .batch,
        0
    );
}

/// Native steps per second of the three workloads the browser targets are set for. Run with
/// `cargo test --release --test training -- --ignored --nocapture`.
#[test]
#[ignore = "a timing, not a test: run it in release"]
fn steps_per_second() {
    let chain100 = TrainSpec {
        baseline: false,
        ..chain(100, 1.0, 0.0, 0.001)
    };
    let mut small = mlp(
        32,
        50,
        Activation::Tanh,
        Init::XavierNormal,
        TaskSpec::Spiral,
    );
    small.baseline = false;
    small.lr = 0.01;
    let mut large = mlp(
        64,
        100,
        Activation::Relu,
        Init::KaimingNormal,
        TaskSpec::Circle,
    );
    large.baseline = false;
    large.samples = 128;
    large.lr = 0.001;
    for (name, spec, n) in [
        ("chain depth 100, batch 32, f32", chain100, 300_000),
        (
            "chain depth 100, batch 32, f32, with baseline",
            TrainSpec {
                baseline: true,
                ..chain100
            },
            300_000,
        ),
        ("MLP width 32, depth 50, batch 64, tanh", small, 500),
        ("MLP width 64, depth 100, batch 128, ReLU", large, 100),
    ] {
        let mut s = Session::new(&spec);
        s.run(n / 10);
        let t = std::time::Instant::now();
        let ran = s.run(n);
        let secs = t.elapsed().as_secs_f64();
        println!("{name}: {:.0} steps/s", ran as f64 / secs);
    }
}

#[test]
fn a_relu_net_with_large_weights_overflows_where_the_mean_field_law_says() {
    // Weights N(0, σ²/n) with ReLU multiply the mean square pre-activation by σ²/2 per
    // layer (the first layer gives σ²·mean(x_j²)), so with σ = 8 the RMS grows 4√2-fold per
    // layer and the largest of the 32·8 values (about 3 RMS) passes f32's largest value at
    // layer 1 + ln(f32::MAX/(3·RMS_1))/ln(4√2). Finite width spreads ln(q) by about
    // sqrt(5·l/n), about 1.6 layers here: allow 6.
    let relu = Init::Normal {
        sigma: 8.0,
        sigma_b: 0.0,
    };
    let mut spec = mlp(8, 64, Activation::Relu, relu, TaskSpec::Circle);
    spec.samples = 32;
    spec.baseline = false;
    let data = Dataset::generate(TaskSpec::Circle, 32, 0.0, spec.seed);
    let x2 = data.inputs.iter().map(|x| x * x).sum::<f64>() / 64.0;
    let rms1 = (64.0 * x2).sqrt();
    let want = 1.0 + (f32::MAX as f64 / (3.0 * rms1)).ln() / 32f64.sqrt().ln();
    let mut s = Session::new(&spec);
    s.run(3);
    let halt = s.halt().unwrap();
    let Some(Origin {
        step: 1,
        place: Place::Activation(layer),
    }) = halt.origin
    else {
        panic!("{halt:?}")
    };
    assert!((layer as f64 - want).abs() < 6.0, "{layer} vs {want}");
    // In a network, the NaN loss reaches every gradient in the same step.
    assert_eq!((halt.step, halt.first_nan_step), (1, 1));
    assert!(s.records().loss()[0].is_nan());

    // Large tanh weights saturate instead: activations stay finite, but in this chaotic
    // regime back-propagation multiplies the gradient's mean square by
    // χ₁ = σ²·E[tanh'(z)²] > 1 per layer, until, far below the output, it overflows.
    let tanh = Init::Normal {
        sigma: 10.0,
        sigma_b: 0.0,
    };
    let mut spec = mlp(32, 200, Activation::Tanh, tanh, TaskSpec::Circle);
    spec.samples = 8;
    spec.baseline = false;
    let mut s = Session::new(&spec);
    s.run(3);
    let r = s.records();
    assert!(r.loss()[0].is_finite());
    let Event {
        step: 1,
        kind: EventKind::NonFinite(Place::Gradient(layer)),
    } = r.events()[0]
    else {
        panic!("{:?}", r.events())
    };
    assert!(layer < 100, "{layer}");
    assert!(s.halt().is_some());
}

#[test]
fn a_session_can_move_to_another_thread() {
    let mut s = Session::new(&TrainSpec::default());
    s.run(5);
    let s = std::thread::spawn(move || {
        s.run(5);
        s
    })
    .join()
    .unwrap();
    assert_eq!(s.steps(), 10);
}

#[test]
fn a_step_begun_in_one_frame_and_finished_in_the_next_has_the_bits_of_a_whole_one() {
    let mut specs = Vec::new();
    for norm in [
        Norm::None,
        Norm::Batch(NormPlace::Before),
        Norm::Layer(NormPlace::After),
    ] {
        let mut spec = mlp(
            16,
            6,
            Activation::Tanh,
            Init::XavierNormal,
            TaskSpec::Spiral,
        );
        if let ModelSpec::Mlp(m) = &mut spec.model {
            m.norm = norm;
            m.residual = Residual::On {
                alpha: 0.5,
                zero_init: false,
            };
        }
        spec.batch = 8;
        spec.noise = 0.1;
        spec.momentum = 0.9;
        spec.clip = Clip::Norm(1.0);
        spec.baseline = true;
        specs.push(spec);
    }
    // And one that halts: every weight NaN after the first update.
    let mut exploding = mlp(
        8,
        4,
        Activation::Relu,
        Init::Normal {
            sigma: 40.0,
            sigma_b: 0.0,
        },
        TaskSpec::Sine,
    );
    exploding.lr = 10.0;
    specs.push(exploding);
    for spec in &specs {
        let mut whole = Session::new(spec);
        let mut divided = Session::new(spec);
        for _ in 0..12 {
            let ran = whole.step();
            if divided.begin() {
                assert!(!divided.begin(), "a step is already begun");
                assert_eq!(divided.steps(), whole.steps() - u64::from(ran));
            }
            assert_eq!(divided.step(), ran);
            assert_eq!(divided.steps(), whole.steps());
            let (a, b) = (whole.records().latest(), divided.records().latest());
            assert_eq!(a.map(|l| l.loss.to_bits()), b.map(|l| l.loss.to_bits()));
            assert_eq!(
                a.map(|l| l.baseline_loss.map(f64::to_bits)),
                b.map(|l| l.baseline_loss.map(f64::to_bits))
            );
            // As text: NaN profiles are equal there.
            assert_eq!(
                format!("{:?}", a.map(|l| &l.layers)),
                format!("{:?}", b.map(|l| &l.layers))
            );
        }
        assert_eq!(bits(&whole.parameters()), bits(&divided.parameters()));
        assert_eq!(whole.halt(), divided.halt());
    }
    assert!(Session::new(&specs[3]).run(12) < 12, "the last spec halts");
}

#[test]
fn f64_runs_keep_gradient_norms_beyond_f32s_range_in_their_records() {
    // One layer at w = 1 with learning rate 10 in f64 diverges without overflowing f64: the
    // heat map and the CSV keep the norms as computed, far above f32's largest.
    let mut s = Session::new(&with_format(chain(1, 1.0, 0.0, 10.0), NumberFormat::F64));
    s.run(40);
    let r = s.records();
    let last = r.grad_norm_row(r.rows() - 1)[0];
    assert!(last.is_finite() && last > f64::from(f32::MAX), "{last}");
    assert_eq!(last, r.latest().unwrap().layers[0].grad_norm);
    // 200 layers at w = 0.5: layer 1's gradient is far below f32's smallest subnormal, and
    // is recorded as it is, not as 0.
    let mut s = Session::new(&with_format(chain(200, 0.5, 0.0, 0.01), NumberFormat::F64));
    s.step();
    let r = s.records();
    let first = r.grad_norm_row(0)[0];
    assert!(
        first > 0.0 && first < f64::from(f32::from_bits(1)),
        "{first}"
    );
    assert_eq!(first, r.latest().unwrap().layers[0].grad_norm);
}

#[test]
fn an_f16_loss_adds_in_f32_so_a_clipped_run_is_not_called_non_finite() {
    // Every squared error of the first step fits f16, their sum does not; PyTorch's mean
    // adds in f32, so the loss is finite and the clipped run trains.
    let mut spec = with_format(chain(50, 1.1, 0.0, 0.01), NumberFormat::F16);
    spec.clip = Clip::Norm(1.0);
    let mut s = Session::new(&spec);
    assert_eq!(s.run(300), 300);
    let r = s.records();
    assert!(
        r.loss()[0].is_finite() && r.loss()[0] > 1000.0,
        "{}",
        r.loss()[0]
    );
    assert!(r.events().is_empty(), "{:?}", r.events());
    assert!(
        r.latest().unwrap().loss < 0.01,
        "{}",
        r.latest().unwrap().loss
    );
}

#[test]
fn learning_rate_zero_spreads_nan_into_the_weights_as_pytorch_does() {
    // The activations overflow at layer 128 of f32 with w = 2: the gradients are NaN, and
    // p − 0·NaN is NaN, so the weights turn NaN and training stops itself.
    let mut s = Session::new(&chain(200, 2.0, 0.0, 0.0));
    s.run(10);
    assert!(s.parameters().iter().all(|p| p.is_nan()));
    assert!(s.halt().is_some());
    // With finite gradients, learning rate 0 changes no bit.
    let spec = TrainSpec {
        batch: 8,
        noise: 0.1,
        ..chain(50, 1.0, 0.0, 0.0)
    };
    let mut s = Session::new(&spec);
    let before = bits(&s.parameters());
    s.run(100);
    assert_eq!(bits(&s.parameters()), before);
}

#[test]
fn the_chain_records_the_gradient_reaching_each_output() {
    // w0 = 1.1: back-propagation multiplies ∂L/∂y_k by 1.1 per layer, so layer 1's is
    // 1.1^49 times layer 50's, while each weight's gradient also multiplies by its input
    // 1.1^(k-1)·x and stays flat.
    let mut s = Session::new(&chain(50, 1.1, 0.0, 0.01));
    s.step();
    let layers = &s.records().latest().unwrap().layers;
    let growth = layers[0].output_grad / layers[49].output_grad;
    assert!((growth / 1.1f64.powi(49) - 1.0).abs() < 1e-4, "{growth}");
    let flat = layers[0].grad_norm / layers[49].grad_norm;
    assert!((0.5..2.0).contains(&flat), "{flat}");
}
