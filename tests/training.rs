//! The training engine through its public API: determinism, the learning-rate-0 baseline,
//! the lecture's chain of events, clipping, and bounded memory.

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

#[test]
fn the_default_chain_learns() {
    let mut s = Session::new(&chain(10, 1.0, 0.0, 0.01));
    assert_eq!(s.run(200), 200);
    let r = s.records();
    assert!(r.loss()[199] < 0.1 * r.loss()[0], "{:?}", &r.loss()[..5]);
}
