//! The remedies lab's engine: freshly initialised networks, measured, against the mean-field
//! laws of `train::theory`, with the finite-width spread those laws allow (compared in
//! logarithms: the variance of `ln q` after `l` layers of width `n` is about `l·κ/n`).

use deep_signal::train::probe::{probe, Probe, GRAD_BINS, OUTPUT_BINS};
use deep_signal::train::theory::{self, moments, LayerLaw};
use deep_signal::train::*;

fn spec(width: usize, depth: usize, activation: Activation, init: Init) -> TrainSpec {
    TrainSpec {
        model: ModelSpec::Mlp(MlpSpec {
            width,
            depth,
            activation,
            init,
            gain: None,
            ..MlpSpec::default()
        }),
        task: TaskSpec::Circle,
        samples: 64,
        ..TrainSpec::default()
    }
}

fn mlp(s: &TrainSpec) -> MlpSpec {
    match s.model {
        ModelSpec::Mlp(m) => m,
        ModelSpec::Chain(_) => unreachable!(),
    }
}

fn measure(s: &TrainSpec, seeds: usize) -> (Probe, Vec<LayerLaw>) {
    let p = probe(s, seeds);
    let laws = theory::predict(&mlp(s), p.input_dim, p.input_ms);
    (p, laws)
}

/// `ln(measured/predicted)` at layer `l` (from 1), in standard deviations of the finite-width
/// law (over `seeds` seeds averaged, the spread of the mean shrinks by `√seeds`).
fn deviation(p: &Probe, laws: &[LayerLaw], l: usize) -> f64 {
    let (m, law) = (&p.layers[l - 1], &laws[l - 1]);
    (m.act_ms / law.act_ms).ln() / (law.log_var / p.seeds as f64).sqrt()
}

#[test]
fn relu_with_he_init_holds_the_mean_square_within_the_finite_width_spread() {
    // Width 512, depth 30: the prediction is exactly the input's mean square times σ²/2 per
    // layer, and each layer adds 5/512 to the variance of ln q.
    let s = spec(512, 30, Activation::Relu, Init::KaimingNormal);
    let (p, laws) = measure(&s, 1);
    assert!((laws[29].log_var - 30.0 * 5.0 / 512.0).abs() < 1e-12);
    for l in [1, 10, 20, 30] {
        let d = deviation(&p, &laws, l);
        assert!(d.abs() < 3.0, "layer {l}: {d} standard deviations off");
    }
}

#[test]
fn xavier_starves_a_30_layer_relu_network_as_he_et_al_found() {
    let he = spec(128, 30, Activation::Relu, Init::KaimingNormal);
    let mut xavier = he;
    if let ModelSpec::Mlp(m) = &mut xavier.model {
        m.init = Init::XavierNormal;
        m.gain = Some(1.0);
    }
    let (ph, lh) = measure(&he, 1);
    let (px, lx) = measure(&xavier, 1);
    let (rh, rx) = (ph.layers[29].act_ms.sqrt(), px.layers[29].act_ms.sqrt());
    assert!(rx * 1_000.0 < rh, "Xavier {rx} vs He {rh}");
    // The prediction: between hidden layers Xavier (σ_w² = 1) halves the mean square, He
    // holds it.
    for l in 1..30 {
        assert!((lx[l].act_ms / lx[l - 1].act_ms - 0.5).abs() < 1e-12);
        assert!((lh[l].act_ms / lh[l - 1].act_ms - 1.0).abs() < 1e-12);
    }
    assert!(deviation(&px, &lx, 30).abs() < 3.0);
}

#[test]
fn pytorchs_default_shrinks_relu_six_fold_until_the_biases_hold_it() {
    let s = spec(256, 30, Activation::Relu, Init::PyTorchDefault);
    let (p, laws) = measure(&s, 4);
    // Early on, σ_w² = 1/3 and ReLU halves: ×1/6 per layer in theory.
    assert!((laws[1].act_ms / laws[0].act_ms - 1.0 / 6.0).abs() < 0.01);
    // Deep down, the pre-activations' mean square sits at 1/(3n)/(1 − 1/6) = 2/(5n).
    let floor = 2.0 / (5.0 * 256.0);
    assert!((laws[28].act_ms / (floor / 2.0) - 1.0).abs() < 1e-6);
    for l in [2, 5, 30] {
        let d = deviation(&p, &laws, l);
        assert!(d.abs() < 3.0, "layer {l}: {d}");
    }
}

#[test]
fn tanh_settles_at_the_mean_field_fixed_point() {
    let (sw2, sb2) = (1.5f64, 0.05f64);
    let init = Init::Normal {
        sigma: sw2.sqrt(),
        sigma_b: sb2.sqrt(),
    };
    let s = spec(256, 40, Activation::Tanh, init);
    let (p, laws) = measure(&s, 4);
    let q = theory::fixed_point(Activation::Tanh, sw2, sb2);
    let want = moments(Activation::Tanh, q).square;
    // The law reaches the fixed point, and the network follows it.
    assert!((laws[38].act_ms / want - 1.0).abs() < 1e-6);
    let got = p.layers[38].act_ms;
    assert!((got / want - 1.0).abs() < 0.1, "{got} vs {want}");
}

#[test]
fn residual_blocks_double_the_mean_square_at_alpha_one_and_not_at_one_over_root_depth() {
    let depth = 20;
    let mut s = spec(256, depth, Activation::Relu, Init::KaimingNormal);
    let set = |s: &mut TrainSpec, alpha: f64| {
        if let ModelSpec::Mlp(m) = &mut s.model {
            m.residual = Residual::On {
                alpha,
                zero_init: false,
            };
        }
    };
    set(&mut s, 1.0);
    let (p, laws) = measure(&s, 2);
    // 1 + α²σ²/2 = 2 per block.
    assert!((laws[10].act_ms / laws[9].act_ms - 2.0).abs() < 1e-12);
    let growth = (p.layers[depth - 1].act_ms / p.layers[0].act_ms).log2();
    assert!((growth - (depth - 1) as f64).abs() < 2.0, "{growth}");
    set(&mut s, 1.0 / (depth as f64).sqrt());
    let (p, laws) = measure(&s, 2);
    let total = laws[depth - 1].act_ms / laws[0].act_ms;
    assert!(total < std::f64::consts::E, "{total}");
    let measured = p.layers[depth - 1].act_ms / p.layers[0].act_ms;
    assert!(measured < 4.0, "{measured}");
}

#[test]
fn normalisation_holds_the_signal_whatever_the_init() {
    for (norm, want) in [
        (Norm::Batch(NormPlace::After), 1.0),
        (Norm::Layer(NormPlace::After), 1.0),
        (Norm::Batch(NormPlace::Before), 0.5),
        (Norm::Layer(NormPlace::Before), 0.5),
    ] {
        let mut s = spec(128, 30, Activation::Relu, Init::XavierNormal);
        if let ModelSpec::Mlp(m) = &mut s.model {
            m.norm = norm;
            m.gain = Some(1.0);
        }
        let (p, laws) = measure(&s, 1);
        for l in 1..30 {
            assert_eq!(laws[l - 1].act_ms, want, "{norm:?}");
            let got = p.layers[l - 1].act_ms;
            assert!((got / want - 1.0).abs() < 0.25, "{norm:?} layer {l}: {got}");
        }
        if let Norm::Batch(NormPlace::After) = norm {
            // Each unit has batch mean 0 and variance v/(v + eps): the mean square is 1
            // but for eps.
            let got = p.layers[10].act_ms;
            assert!((got - 1.0).abs() < 1e-3, "{got}");
        }
    }
}

#[test]
fn histograms_are_shares_and_gradient_norms_follow_the_law() {
    let s = spec(64, 10, Activation::Tanh, Init::XavierNormal);
    let (p, laws) = measure(&s, 3);
    for layer in &p.layers {
        assert_eq!(layer.output_hist.len(), OUTPUT_BINS);
        assert_eq!(layer.grad_hist.len(), GRAD_BINS);
        let outputs: f64 = layer.output_hist.iter().sum();
        let grads: f64 = layer.grad_hist.iter().sum::<f64>() + layer.grad_zero;
        assert!((outputs - 1.0).abs() < 1e-12 && (grads - 1.0).abs() < 1e-12);
        assert_eq!(layer.act_ms_seeds.len(), 3);
    }
    // The output layer anchors the gradient-norm law at 1.
    assert_eq!(laws[10].grad_norm, 1.0);
    // Xavier with tanh's gain keeps the gradient's size within a factor of 3 over 10 layers,
    // in theory and in the network.
    let ratio = p.layers[0].grad_norm / p.layers[9].grad_norm;
    let law = laws[0].grad_norm / laws[9].grad_norm;
    assert!((law.ln()).abs() < 3f64.ln(), "{law}");
    assert!((ratio / law).ln().abs() < 1.5, "{ratio} vs {law}");
}
