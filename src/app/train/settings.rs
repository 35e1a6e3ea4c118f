//! The training lab's values, typed: the engine's [`TrainSpec`] and what the view does with
//! it (how many steps to show, how fast to play, which axes).

use crate::app::params::Values;
pub use crate::app::player::Speed;
use crate::plot::Scale;
use crate::sim::NumberFormat;
use crate::train::spec::MAX_MLP_DEPTH;
use crate::train::{Activation, ChainSpec, Clip, Init, MlpSpec, ModelSpec, TaskSpec, TrainSpec};

/// The task `task=` names (the line for anything else).
pub fn task(v: &Values) -> TaskSpec {
    match v.choice("task") {
        "sine" => TaskSpec::Sine,
        "circle" => TaskSpec::Circle,
        "xor" => TaskSpec::Xor,
        "spiral" => TaskSpec::Spiral,
        _ => TaskSpec::Line {
            slope: 0.5,
            intercept: 0.1,
        },
    }
}

/// The y axes `scale=` asks for.
pub fn scale(v: &Values) -> Scale {
    match v.choice("scale") {
        "linear" => Scale::Linear,
        _ => Scale::Log,
    }
}

/// Everything the lab's values say.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// What to train.
    pub spec: TrainSpec,
    /// The steps to show: trained on load, then paused.
    pub steps: u64,
    /// How fast playing goes.
    pub speed: Speed,
    /// The y axes of the plots against layer and step.
    pub scale: Scale,
}

impl Settings {
    /// Reads the settings from the view's values.
    pub fn from_values(v: &Values) -> Settings {
        let format = NumberFormat::from_key(v.choice("dtype")).unwrap_or(NumberFormat::F32);
        let activation = match v.choice("act") {
            "linear" => Activation::Linear,
            "relu" => Activation::Relu,
            "sigmoid" => Activation::Sigmoid,
            _ => Activation::Tanh,
        };
        let (init, gain) = match v.choice("init") {
            "normal" => (
                Init::Normal {
                    sigma: v.number("sigma"),
                    sigma_b: 0.0,
                },
                None,
            ),
            "xavier-uniform" => (Init::XavierUniform, None),
            "xavier-normal" => (Init::XavierNormal, None),
            "kaiming" => (Init::KaimingNormal, None),
            "orthogonal" => (Init::Orthogonal, Some(v.number("gain"))),
            _ => (Init::PyTorchDefault, None),
        };
        let depth = v.number("depth") as usize;
        let model = match v.choice("model") {
            "mlp" => ModelSpec::Mlp(MlpSpec {
                width: v.number("width") as usize,
                depth: depth.min(MAX_MLP_DEPTH),
                activation,
                init,
                gain,
                format,
                ..MlpSpec::default()
            }),
            _ => ModelSpec::Chain(ChainSpec {
                depth,
                w0: v.number("w0"),
                b0: v.number("b0"),
                init_noise: v.number("init_noise"),
                format,
            }),
        };
        let task = task(v);
        let clip = match v.choice("clip") {
            "norm" => Clip::Norm(v.number("clip_max")),
            "value" => Clip::Value(v.number("clip_max")),
            _ => Clip::Off,
        };
        Settings {
            spec: TrainSpec {
                model,
                task,
                samples: v.number("samples") as usize,
                noise: v.number("noise"),
                batch: v.number("batch") as usize,
                lr: v.number("lr"),
                momentum: v.number("momentum"),
                clip,
                seed: v.number("seed") as u64,
                baseline: v.choice("baseline") == "on",
            },
            steps: v.number("steps") as u64,
            speed: Speed::from_key(v.choice("speed")),
            scale: scale(v),
        }
    }

    /// What the engine will actually train, and each way it differs from what the values
    /// ask for, in words (the MLP's depth limit, its formats, the chain's tasks).
    pub fn adjustments(&self, v: &Values) -> Vec<String> {
        let used = self.spec.sanitized();
        let mut out = Vec::new();
        if let ModelSpec::Mlp(m) = used.model {
            if v.number("depth") as usize > MAX_MLP_DEPTH {
                out.push(format!(
                    "The MLP has at most {MAX_MLP_DEPTH} hidden layers; training {}.",
                    m.depth
                ));
            }
            if matches!(v.choice("dtype"), "f16" | "bf16") {
                out.push(format!(
                    "The MLP computes in f32 or f64; {} is trained in f32.",
                    v.choice("dtype")
                ));
            }
        }
        if used.task != self.spec.task {
            out.push(format!(
                "The chain has one input, so it learns the line instead of the {}.",
                v.choice("task")
            ));
        }
        out
    }

    /// Whether the control `key` means anything with the current model and options.
    pub fn applies(&self, key: &str) -> bool {
        let mlp = matches!(self.spec.model, ModelSpec::Mlp(_));
        match key {
            "width" | "act" | "init" => mlp,
            "sigma" => {
                matches!(self.spec.model, ModelSpec::Mlp(m) if matches!(m.init, Init::Normal { .. }))
            }
            "gain" => matches!(self.spec.model, ModelSpec::Mlp(m) if m.init == Init::Orthogonal),
            "w0" | "b0" | "init_noise" => !mlp,
            "clip_max" => self.spec.clip != Clip::Off,
            _ => true,
        }
    }

    /// Whether `other` trains exactly the same run (only what is shown differs).
    pub fn same_run(&self, other: &Settings) -> bool {
        self.spec == other.spec
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::train::PARAMS;

    fn values(pairs: &[(&str, &str)]) -> Values {
        let mut v = Values::defaults(PARAMS);
        for (k, x) in pairs {
            v.set_raw(k, x);
        }
        v
    }

    #[test]
    fn defaults_are_the_engines_chain_learning_the_line() {
        let s = Settings::from_values(&values(&[]));
        assert_eq!(s.spec, TrainSpec::default());
        assert_eq!((s.steps, s.speed, s.scale), (0, Speed::Medium, Scale::Log));
    }

    #[test]
    fn the_mlp_says_what_it_changes() {
        let v = values(&[("model", "mlp"), ("depth", "500"), ("dtype", "f16")]);
        let s = Settings::from_values(&v);
        let ModelSpec::Mlp(m) = s.spec.model else {
            panic!("an MLP")
        };
        assert_eq!(m.depth, 200);
        let notes = s.adjustments(&v);
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("training 200"), "{notes:?}");
        assert!(notes[1].contains("f16 is trained in f32"), "{notes:?}");
        assert!(s.applies("width") && !s.applies("w0") && !s.applies("sigma"));
        let v = values(&[("task", "spiral")]);
        let s = Settings::from_values(&v);
        assert!(s.adjustments(&v)[0].contains("instead of the spiral"));
    }
}
