//! A training step allocates nothing once the history has reached its capacity: counted by
//! a global allocator that tallies each thread's allocations.

use deep_signal::sim::NumberFormat;
use deep_signal::train::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(|c| c.get())
}

#[test]
fn steps_allocate_nothing_in_steady_state() {
    let chain = TrainSpec {
        model: ModelSpec::Chain(ChainSpec {
            depth: 4,
            format: NumberFormat::Bf16,
            ..ChainSpec::default()
        }),
        samples: 8,
        batch: 3,
        momentum: 0.9,
        clip: Clip::Norm(0.5),
        ..TrainSpec::default()
    };
    let net = TrainSpec {
        model: ModelSpec::Mlp(MlpSpec {
            width: 2,
            depth: 1,
            ..MlpSpec::default()
        }),
        task: TaskSpec::Xor,
        samples: 4,
        clip: Clip::Value(0.1),
        ..TrainSpec::default()
    };
    let remedied = TrainSpec {
        model: ModelSpec::Mlp(MlpSpec {
            width: 3,
            depth: 3,
            norm: Norm::Batch(NormPlace::Before),
            residual: Residual::On {
                alpha: 0.5,
                zero_init: true,
            },
            ..MlpSpec::default()
        }),
        task: TaskSpec::Sine,
        samples: 6,
        batch: 4,
        momentum: 0.5,
        ..TrainSpec::default()
    };
    for spec in [chain, net, remedied] {
        let mut s = Session::new(&spec);
        // Past 10,000 rows the history only decimates, and never grows again.
        s.run(12_000);
        let before = allocations();
        assert_eq!(s.run(3_000), 3_000);
        assert!(s.step());
        assert_eq!(allocations(), before, "{spec:?}");
        assert!(s.records().rows() <= s.records().capacity());
    }
}
