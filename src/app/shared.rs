//! Parameters that several views share, declared once: the number format, the plots' y
//! axes, and the kind of a slider for a weight of the chain.

use super::params::{NumberSpec, ParamKind};
use super::typed::Param;
use crate::plot::Scale;
use crate::sim::NumberFormat;

crate::choices! { impl NumberFormat {
    F16 = ("f16", "f16 (half)"),
    Bf16 = ("bf16", "bf16 (bfloat16)"),
    F32 = ("f32", "f32 (single)"),
    F64 = ("f64", "f64 (double)"),
} }

crate::choices! { impl Scale { Log = ("log", "log"), Linear = ("linear", "linear") } }

/// A numeric parameter with a linear slider and no detent.
pub const fn number(
    min: f64,
    max: f64,
    default: f64,
    slider: (f64, f64),
    step: f64,
    whole: bool,
) -> ParamKind {
    ParamKind::Number(NumberSpec {
        min,
        max,
        default,
        slider,
        step,
        whole,
        detent: None,
        log: false,
    })
}

/// A weight of the chain (the explorer's `w`, the lab's `w0`): -4 to 4, a slider from 0 to 2
/// in steps of 0.001 that stops at exactly 1.
pub const fn weight(default: f64) -> ParamKind {
    ParamKind::Number(NumberSpec {
        min: -4.0,
        max: 4.0,
        default,
        slider: (0.0, 2.0),
        step: 0.001,
        whole: false,
        detent: Some(1.0),
        log: false,
    })
}

/// The number format, shared by every view that simulates the chain.
pub const FORMAT: Param<NumberFormat> = Param::choice(
    "dtype",
    "Number format",
    "The format every multiply and add is rounded to.",
    "f32",
);

/// Log or linear y axes, shared by the views.
pub const SCALE: Param<Scale> = Param::choice(
    "scale",
    "Y axis",
    "Log or linear y axes on the plots.",
    "log",
);
