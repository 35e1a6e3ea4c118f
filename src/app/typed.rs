//! Parameters with types. A view declares each parameter once as a [`Param`], whose type
//! says what its value is read as (a count, a number, one of an enum's options), and reads
//! the URL's values through it, never through a key written a second time: a parameter
//! the view does not have, or an option it does not know, is a compile error, not a panic
//! at run time. Each choice is an enum declared with [`choices!`](crate::choices), which
//! also builds the options of its parameter.

use super::params::{ChoiceSpec, Notice, ParamKind, ParamSpec, Value, Values};
use std::marker::PhantomData;

/// An enum whose options a choice parameter offers: each variant with the word a URL
/// carries and the label the control shows, in the order of the control.
pub trait Choice: Copy + PartialEq + 'static {
    /// Every option as `(word, label)`, in the order of [`ALL`](Self::ALL).
    const OPTIONS: &'static [(&'static str, &'static str)];
    /// Every variant.
    const ALL: &'static [Self];

    /// The word a URL carries for `self`.
    fn word(self) -> &'static str {
        let i = Self::ALL
            .iter()
            .position(|v| *v == self)
            .expect("every variant is listed");
        Self::OPTIONS[i].0
    }

    /// The variant `word` names (as [`ChoiceSpec::parse`] accepted it).
    fn from_word(word: &str) -> Option<Self> {
        position(Self::OPTIONS, word).map(|i| Self::ALL[i])
    }
}

/// Where `word` is among `options`: one function for every choice, kept out of line, since
/// reading a value is never hot and each choice would otherwise carry its own copy.
#[inline(never)]
fn position(options: &[(&'static str, &'static str)], word: &str) -> Option<usize> {
    options.iter().position(|(w, _)| *w == word)
}

/// Declares an enum as a [`Choice`], or makes an existing fieldless enum one:
///
/// ```ignore
/// choices! {
///     /// How the MLP starts.
///     pub enum Start { Small = ("small", "small weights"), Large = ("large", "large") }
/// }
/// choices! { impl Scale { Log = ("log", "log"), Linear = ("linear", "linear") } }
/// ```
#[macro_export]
macro_rules! choices {
    ($(#[$m:meta])* $vis:vis enum $name:ident {
        $($(#[$vm:meta])* $variant:ident = ($word:literal, $label:literal)),+ $(,)?
    }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($(#[$vm])* $variant),+ }
        $crate::choices! { impl $name { $($variant = ($word, $label)),+ } }
    };
    (impl $name:ident { $($variant:ident = ($word:literal, $label:literal)),+ $(,)? }) => {
        impl $crate::app::typed::Choice for $name {
            const OPTIONS: &'static [(&'static str, &'static str)] = &[$(($word, $label)),+];
            const ALL: &'static [Self] = &[$($name::$variant),+];
        }
    };
}

/// A parameter's help text, in a build with `feature` (the view that shows it); `""` in a
/// module built without it, which only carries the view's parameters in its links and
/// never draws their controls.
#[macro_export]
macro_rules! help {
    ($feature:literal, $text:literal) => {
        if cfg!(feature = $feature) {
            $text
        } else {
            ""
        }
    };
}

/// A parameter of a view, and the type its value is read as.
pub struct Param<T> {
    /// What the controls, the URL and the README know of it.
    pub spec: ParamSpec,
    read: PhantomData<fn() -> T>,
}

impl<T> Clone for Param<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Param<T> {}

impl<T> std::fmt::Debug for Param<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.debug_tuple("Param").field(&self.spec.key).finish()
    }
}

impl<T> Param<T> {
    /// A parameter read as `T` (a number of some kind, a text or a list of keys).
    pub const fn new(
        key: &'static str,
        label: &'static str,
        description: &'static str,
        kind: ParamKind,
    ) -> Self {
        Param {
            spec: ParamSpec {
                key,
                label,
                description,
                kind,
            },
            read: PhantomData,
        }
    }

    /// The parameter's URL key.
    pub const fn key(&self) -> &'static str {
        self.spec.key
    }
}

impl<T: Choice> Param<T> {
    /// A choice among `T`'s options, `default` (one of their words) when none is given.
    pub const fn choice(
        key: &'static str,
        label: &'static str,
        description: &'static str,
        default: &'static str,
    ) -> Self {
        Param::new(
            key,
            label,
            description,
            ParamKind::Choice(ChoiceSpec {
                options: T::OPTIONS,
                default,
            }),
        )
    }
}

/// A type a parameter's [`Value`] is read as.
pub trait Read: Sized {
    /// The value as this type. The URL layer only stores values of the parameter's kind,
    /// so another kind is a programming error.
    fn read(value: &Value) -> Self;
}

#[inline(never)]
fn number(value: &Value) -> f64 {
    match value {
        Value::Number(v) => *v,
        _ => panic!("a parameter read as a number is not one"),
    }
}

impl Read for f64 {
    fn read(value: &Value) -> f64 {
        number(value)
    }
}

/// A whole number (the parameter's spec makes it one, within its range).
impl Read for usize {
    fn read(value: &Value) -> usize {
        number(value) as usize
    }
}

/// A whole number (the parameter's spec makes it one, within its range).
impl Read for u64 {
    fn read(value: &Value) -> u64 {
        number(value) as u64
    }
}

impl Read for String {
    fn read(value: &Value) -> String {
        match value {
            Value::Text(t) => t.clone(),
            _ => panic!("a parameter read as a text is not one"),
        }
    }
}

impl Read for Vec<&'static str> {
    fn read(value: &Value) -> Vec<&'static str> {
        match value {
            Value::Keys(k) => k.clone(),
            _ => panic!("a parameter read as a list of keys is not one"),
        }
    }
}

/// A choice whose options are not an enum's (the page's `panel=`, one of every view's
/// panel keys): its word.
impl Read for &'static str {
    fn read(value: &Value) -> &'static str {
        match value {
            Value::Choice(word) => word,
            _ => panic!("a parameter read as a choice is not one"),
        }
    }
}

impl<T: Choice> Read for T {
    fn read(value: &Value) -> T {
        match value {
            Value::Choice(word) => T::from_word(word).expect("the parameter offers T's options"),
            _ => panic!("a parameter read as a choice is not one"),
        }
    }
}

impl Values {
    /// The value of `param`, as its type.
    #[inline]
    pub fn of<T: Read>(&self, param: &Param<T>) -> T {
        T::read(self.get(param.spec.key))
    }

    /// Sets the number `param` to `v`, clamped to its range (with a notice if it had to be).
    pub fn set_number_of<T: Read>(&mut self, param: &Param<T>, v: f64) -> Option<Notice> {
        self.set_number(param.spec.key, v)
    }

    /// Sets the choice `param` to `value`.
    pub fn set_choice<T: Choice>(&mut self, param: &Param<T>, value: T) {
        self.set(param.spec.key, Value::Choice(value.word()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    choices! {
        /// A test choice.
        enum Shade { Light = ("light", "a light one"), Dark = ("dark", "a dark one") }
    }

    const SHADE: Param<Shade> = Param::choice("shade", "Shade", "A shade.", "dark");
    static PARAMS: &[ParamSpec] = &[SHADE.spec];

    #[test]
    fn a_choice_reads_and_writes_its_enum() {
        let mut v = Values::defaults(PARAMS);
        assert_eq!(v.of(&SHADE), Shade::Dark);
        v.set_raw("shade", " LIGHT ");
        assert_eq!(v.of(&SHADE), Shade::Light);
        v.set_choice(&SHADE, Shade::Dark);
        assert_eq!(v.pairs(), [("shade", "dark".to_string())]);
        assert_eq!(Shade::Light.word(), "light");
        assert_eq!(Shade::from_word("grey"), None);
    }
}
