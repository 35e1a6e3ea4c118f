//! The training lab's values, typed: the engine's [`TrainSpec`] and what the view does with
//! it (how many steps to show, how fast to play, which axes). The engine clamps what it
//! cannot train ([`TrainSpec::sanitized`]: the MLP's depth and formats, the chain's tasks),
//! in that one place; [`Settings::adjustments`] says so in words.

use super::{
    Act, Model, Start, ACT, B0, BASELINE, DEPTH, GAIN, INIT, INIT_NOISE, MODEL, SIGMA, W0, WIDTH,
};
use crate::app::lab::{ClipMode, LabSettings, Speed, Toggle, CLIP, CLIP_MAX, NOISE};
use crate::app::params::Values;
use crate::app::shared::FORMAT;
use crate::app::typed::{Choice, Param};
use crate::plot::Scale;
use crate::train::spec::MAX_MLP_DEPTH;
use crate::train::{Activation, ChainSpec, Clip, Init, MlpSpec, ModelSpec, TrainSpec};

/// Everything the lab's values say.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// What to train, as asked for (the engine trains its [`TrainSpec::sanitized`] form).
    pub spec: TrainSpec,
    /// The steps to show: trained on load, then paused.
    pub steps: u64,
    /// How fast playing goes.
    pub speed: Speed,
    /// The y axes of the plots against layer and step.
    pub scale: Scale,
}

impl Act {
    /// The engine's activation.
    pub fn activation(self) -> Activation {
        match self {
            Act::Linear => Activation::Linear,
            Act::Tanh => Activation::Tanh,
            Act::Relu => Activation::Relu,
            Act::Sigmoid => Activation::Sigmoid,
        }
    }
}

impl Settings {
    /// Reads the settings from the view's values.
    pub fn from_values(v: &Values) -> Settings {
        let lab = LabSettings::from_values(v);
        let format = v.of(&FORMAT);
        let (init, gain) = match v.of(&INIT) {
            Start::Default => (Init::PyTorchDefault, None),
            Start::Normal => (
                Init::Normal {
                    sigma: v.of(&SIGMA),
                    sigma_b: 0.0,
                },
                None,
            ),
            Start::XavierUniform => (Init::XavierUniform, None),
            Start::XavierNormal => (Init::XavierNormal, None),
            Start::Kaiming => (Init::KaimingNormal, None),
            Start::Orthogonal => (Init::Orthogonal, Some(v.of(&GAIN))),
        };
        let model = match v.of(&MODEL) {
            Model::Mlp => ModelSpec::Mlp(MlpSpec {
                width: v.of(&WIDTH),
                depth: v.of(&DEPTH),
                activation: v.of(&ACT).activation(),
                init,
                gain,
                format,
                ..MlpSpec::default()
            }),
            Model::Chain => ModelSpec::Chain(ChainSpec {
                depth: v.of(&DEPTH),
                w0: v.of(&W0),
                b0: v.of(&B0),
                init_noise: v.of(&INIT_NOISE),
                format,
            }),
        };
        let clip = match v.of(&CLIP) {
            ClipMode::Off => Clip::Off,
            ClipMode::Norm => Clip::Norm(v.of(&CLIP_MAX)),
            ClipMode::Value => Clip::Value(v.of(&CLIP_MAX)),
        };
        Settings {
            spec: TrainSpec {
                model,
                task: lab.task,
                samples: lab.samples,
                noise: v.of(&NOISE),
                batch: lab.batch,
                lr: lab.lr,
                momentum: lab.momentum,
                clip,
                seed: lab.seed,
                baseline: v.of(&BASELINE) == Toggle::On,
            },
            steps: lab.steps,
            speed: lab.speed,
            scale: lab.scale,
        }
    }

    /// Each way what the engine trains differs from what the values ask for, in words (the
    /// MLP's depth limit, its formats, the chain's tasks).
    pub fn adjustments(&self) -> Vec<String> {
        let used = self.spec.sanitized();
        let mut out = Vec::new();
        if let (ModelSpec::Mlp(asked), ModelSpec::Mlp(m)) = (self.spec.model, used.model) {
            if m.depth != asked.depth {
                out.push(format!(
                    "The MLP has at most {MAX_MLP_DEPTH} hidden layers; training {}.",
                    m.depth
                ));
            }
            if m.format != asked.format {
                out.push(format!(
                    "The MLP computes in f32 or f64; {} is trained in {}.",
                    asked.format.word(),
                    m.format.word()
                ));
            }
        }
        if used.task != self.spec.task {
            out.push(format!(
                "The chain has one input, so it learns the line instead of the {}.",
                task_word(self.spec.task)
            ));
        }
        out
    }

    /// Whether the control `param` means anything with the current model and options.
    pub fn applies<T>(&self, param: &Param<T>) -> bool {
        self.applies_key(param.key())
    }

    /// Whether the control named `key` (as the shell names it) means anything now.
    pub fn applies_key(&self, key: &str) -> bool {
        let mlp = match self.spec.model {
            ModelSpec::Mlp(m) => Some(m),
            ModelSpec::Chain(_) => None,
        };
        if [WIDTH.key(), ACT.key(), INIT.key()].contains(&key) {
            mlp.is_some()
        } else if key == SIGMA.key() {
            mlp.is_some_and(|m| matches!(m.init, Init::Normal { .. }))
        } else if key == GAIN.key() {
            mlp.is_some_and(|m| m.init == Init::Orthogonal)
        } else if [W0.key(), B0.key(), INIT_NOISE.key()].contains(&key) {
            mlp.is_none()
        } else if key == CLIP_MAX.key() {
            self.spec.clip != Clip::Off
        } else {
            true
        }
    }

    /// Whether `other` trains exactly the same run (only what is shown differs).
    pub fn same_run(&self, other: &Settings) -> bool {
        self.spec == other.spec
    }
}

/// The word `task=` has for the engine's `task`.
fn task_word(task: crate::train::TaskSpec) -> &'static str {
    crate::app::lab::Task::ALL
        .iter()
        .find(|t| t.spec() == task)
        .map_or("line", |t| t.word())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::views::train_lab::PARAMS;

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
        assert_eq!(m.depth, 500, "as asked");
        let ModelSpec::Mlp(m) = s.spec.sanitized().model else {
            panic!("an MLP")
        };
        assert_eq!(m.depth, 200, "as trained");
        let notes = s.adjustments();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("training 200"), "{notes:?}");
        assert!(notes[1].contains("f16 is trained in f32"), "{notes:?}");
        assert!(s.applies(&WIDTH) && !s.applies(&W0) && !s.applies(&SIGMA));
        let v = values(&[("task", "spiral")]);
        let s = Settings::from_values(&v);
        assert!(s.adjustments()[0].contains("instead of the spiral"));
    }
}
