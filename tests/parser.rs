//! A million random and mutated inputs (600,000 queries, 400,000 messages and 2,201 long
//! strings) through the URL parser (`query::parse`) and the host-page message validator
//! (`query::apply_strict`), from fixed seeds: neither panics, every value either accepts
//! lies within its registry range, a query reads back as the page writes it, and a
//! rejected message changes nothing while an accepted one is applied in full.
//!
//! The inputs mix valid queries with mutations of them, strings of every length from 0 to
//! 2,000 characters and a sample of lengths up to 100,000, characters from every Unicode
//! plane, percent-encoded invalid UTF-8, repeated keys, and numbers at every IEEE boundary of
//! `f64`, `f32`, `f16` and `bf16` and at the edges of each parameter's range.
#![cfg(not(target_arch = "wasm32"))]

use deep_signal::app::numbers::js;
use deep_signal::app::page::control_keys;
use deep_signal::app::page::PAGE_PARAMS;
use deep_signal::app::params::{ParamKind, ParamSpec, Value, Values};
use deep_signal::app::query::{apply_strict, build, parse};
use deep_signal::app::views::explorer::{Settings, Snapshot};
use deep_signal::app::views::VIEWS;
use deep_signal::sim::NumberFormat;
use std::time::Instant;

/// How many short queries the parser gets, in two tests that share the work between two
/// threads.
const QUERIES: usize = 600_000;
/// How many messages the validator gets.
const MESSAGES: usize = 400_000;
/// The longest string, in characters.
const LONGEST: usize = 100_000;
/// Every length up to this one is tried; longer ones are sampled.
const EVERY_LENGTH_UP_TO: usize = 2_000;
/// How many strings longer than [`EVERY_LENGTH_UP_TO`] are tried (one is [`LONGEST`]).
const LONG_SAMPLES: usize = 200;
/// One query in this many is also written back and read again.
const ROUND_TRIP_EVERY: usize = 50;
/// One input in this many is also drawn and described, as the page would.
const SNAPSHOT_EVERY: usize = 10_000;

/// SplitMix64: a small, fast generator with a fixed seed, so every run sees the same inputs.
struct Rng(u64);

/// The generator of inputs: a seeded [`Rng`] and the registry's specs, keys and edge numbers.
struct Gen {
    rng: Rng,
    specs: Vec<&'static ParamSpec>,
    keys: Vec<&'static str>,
    numbers: Vec<String>,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng(seed),
            specs: all_specs(),
            keys: control_keys(),
            numbers: boundary_numbers(),
        }
    }

    fn spec(&mut self) -> &'static ParamSpec {
        self.specs[self.rng.below(self.specs.len())]
    }

    fn number(&mut self) -> String {
        self.numbers[self.rng.below(self.numbers.len())].clone()
    }

    /// The first few control keys, as a comma list.
    fn key_list(&mut self) -> String {
        self.keys[..self.rng.below(self.keys.len() + 1)].join(",")
    }
}

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Every parameter of every view and of the page.
fn all_specs() -> Vec<&'static ParamSpec> {
    VIEWS
        .iter()
        .flat_map(|v| v.params.iter())
        .chain(PAGE_PARAMS.iter())
        .collect()
}

/// Numbers at the edges: of each format's range and precision, of each parameter's range,
/// and a few that only look like numbers.
fn boundary_numbers() -> Vec<String> {
    let mut values = vec![
        f64::MAX,
        f64::MIN_POSITIVE,
        5e-324,
        2.225_073_858_507_201e-308,
        f64::EPSILON,
        1.0 + f64::EPSILON,
        1.0 - f64::EPSILON / 2.0,
        f32::MAX as f64,
        f32::MIN_POSITIVE as f64,
        1.401_298_464_324_817e-45,
        65_504.0,
        65_520.0,
        6.103_515_625e-5,
        5.960_464_477_539_063e-8,
        3.389_531_389_251_535_5e38,
        9_007_199_254_740_992.0,
        9_007_199_254_740_993.0,
        0.5,
        1.5,
        1.0001,
        0.999_9,
    ];
    for spec in all_specs() {
        if let ParamKind::Number(n) = spec.kind {
            for v in [n.min, n.max, n.default, n.slider.0, n.slider.1] {
                values.extend([
                    v,
                    v.next_up(),
                    v.next_down(),
                    v + 0.5,
                    v - 0.5,
                    v * (1.0 + f64::EPSILON),
                ]);
            }
        }
    }
    let mut texts: Vec<String> = values
        .iter()
        .flat_map(|&v| [v, -v])
        .flat_map(|v| {
            [
                js(v),
                format!("{v:e}"),
                format!("{v:?}"),
                format!("{v:.30}"),
            ]
        })
        .collect();
    texts.extend(
        [
            "inf",
            "-inf",
            "+inf",
            "Infinity",
            "-Infinity",
            "infinity",
            "NaN",
            "nan",
            "-nan",
            "0",
            "-0",
            "+0",
            "0.0",
            "1e308",
            "1e309",
            "-1e309",
            "1.7976931348623157e308",
            "1.7976931348623159e308",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "1e400",
            "1e",
            "1e+",
            "e5",
            ".5",
            "-.5",
            "5.",
            "+1",
            " 1 ",
            "\t2\n",
            "1_000",
            "1,5",
            "0x10",
            "0b1",
            "١",
            "½",
            "−1",
            "1e-0",
            "00000000000000000000001",
            "1.00000000000000000000000000000000000000000000000000000000000000000001",
        ]
        .map(String::from),
    );
    texts
}

/// A character from anywhere in Unicode: every plane, controls, marks, surrogates' neighbours,
/// noncharacters, private use.
fn any_char(rng: &mut Rng) -> char {
    const SPECIAL: &[char] = &[
        '\0',
        '\t',
        '\n',
        '\r',
        ' ',
        '&',
        '=',
        '%',
        '+',
        '#',
        '?',
        ',',
        '.',
        '-',
        'e',
        'E',
        '\u{7f}',
        '\u{85}',
        '\u{a0}',
        '\u{200b}',
        '\u{200e}',
        '\u{202e}',
        '\u{301}',
        '\u{feff}',
        '\u{fffd}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{d7ff}',
        '\u{e000}',
        '\u{10ffff}',
        '\u{1f4a5}',
    ];
    match rng.below(4) {
        0 => *rng.pick(SPECIAL),
        1 => (b' ' + rng.below(95) as u8) as char,
        _ => {
            let plane = rng.below(17) as u32;
            let c = (plane << 16) | rng.below(0x1_0000) as u32;
            char::from_u32(c).unwrap_or('\u{fffd}')
        }
    }
}

/// Percent-encoded bytes that are not UTF-8 (or not a percent-encoding at all).
const BAD_ENCODINGS: &[&str] = &[
    "%FF",
    "%C0%80",
    "%ED%A0%80",
    "%F4%90%80%80",
    "%80",
    "%E2%82",
    "%F0%9F%92",
    "%",
    "%G1",
    "%%",
    "%2",
    "%00",
    "%26",
    "%3D",
    "%2B",
    "%FE%FF",
    "%C3%28",
];

/// A string of `len` characters, all from one of four alphabets: any character, digits and
/// signs, the query's own punctuation, or lowercase letters.
fn string_of(rng: &mut Rng, len: usize) -> String {
    let mode = rng.below(4);
    let mut s = String::with_capacity(len);
    for _ in 0..len {
        let c = match mode {
            0 => any_char(rng),
            1 => *rng.pick(&['1', '0', '9', '.', 'e', '-', '+']),
            2 => *rng.pick(&['&', '=', 'w', 'x', 'b', '%', 'F']),
            _ => (b'a' + rng.below(26) as u8) as char,
        };
        s.push(c);
    }
    s
}

impl Gen {
    /// A short string of up to `max - 1` characters.
    fn short_string(&mut self, max: usize) -> String {
        let len = self.rng.below(max);
        string_of(&mut self.rng, len)
    }

    fn bad_encoding(&mut self) -> &'static str {
        BAD_ENCODINGS[self.rng.below(BAD_ENCODINGS.len())]
    }

    /// A piece of text: mostly short, of every kind above.
    fn text(&mut self) -> String {
        match self.rng.below(8) {
            0 | 1 => self.number(),
            2 => {
                // Any f64 at all, from its bits.
                let v = f64::from_bits(self.rng.next());
                match self.rng.below(3) {
                    0 => js(v),
                    1 => format!("{v:e}"),
                    _ => format!("{v}"),
                }
            }
            3 => self.bad_encoding().to_string(),
            4 => self.short_string(12),
            5 => self.option_text(),
            _ => {
                let a = self.leaf();
                let b = self.leaf();
                format!("{a}{}{b}", self.bad_encoding())
            }
        }
    }

    /// An option of a choice (in any case, padded, or with a NUL) or a list of control keys.
    fn option_text(&mut self) -> String {
        match self.spec().kind {
            ParamKind::Choice(c) => {
                let option = self.rng.pick(c.options).0;
                match self.rng.below(4) {
                    0 => option.to_string(),
                    1 => option.to_uppercase(),
                    2 => format!(" {option} "),
                    _ => format!("{option}\0"),
                }
            }
            _ => self.key_list(),
        }
    }

    fn leaf(&mut self) -> String {
        if self.rng.chance(50) {
            self.number()
        } else {
            self.short_string(6)
        }
    }

    /// A key: mostly a real one, sometimes in another case, empty, repeated or garbage.
    fn key(&mut self) -> String {
        match self.rng.below(10) {
            0 => "view".into(),
            1 => self.spec().key.to_uppercase(),
            2 => String::new(),
            3 => self.short_string(8),
            _ => self.spec().key.to_string(),
        }
    }

    /// A valid query, as the page writes it: every parameter, or (to keep most inputs
    /// short) a few.
    fn valid_query(&mut self) -> String {
        let mut s = String::from("view=explorer");
        let all = self.rng.chance(5);
        for i in 0..self.specs.len() {
            if !all && !self.rng.chance(20) {
                continue;
            }
            let spec = self.specs[i];
            let raw = match spec.kind {
                ParamKind::Number(n) => {
                    let t = self.rng.below(1001) as f64 / 1000.0;
                    let v = n.min + t * (n.max - n.min);
                    js(if n.whole { v.round() } else { v })
                }
                ParamKind::Choice(c) => self.rng.pick(c.options).0.to_string(),
                ParamKind::Keys(_) => self.key_list().replace(',', "%2C"),
                ParamKind::Text(t) => t.default.to_string(),
            };
            s.push_str(&format!("&{}={raw}", spec.key));
        }
        s
    }

    /// A valid query with a few characters changed, inserted, deleted or repeated.
    fn mutated_query(&mut self) -> String {
        let mut s = self.valid_query();
        for _ in 0..1 + self.rng.below(4) {
            let at = s.floor_char_boundary(self.rng.below(s.len() + 1));
            match self.rng.below(6) {
                0 => s.insert(at, any_char(&mut self.rng)),
                1 => s.insert_str(at, self.bad_encoding()),
                2 => {
                    let end = s.floor_char_boundary(at + self.rng.below(8));
                    s.replace_range(at..end, "");
                }
                3 => {
                    // Repeat a key with another value.
                    let pair = format!("&{}={}", self.key(), self.text());
                    s.push_str(&pair);
                }
                4 => {
                    let t = self.text();
                    s.insert_str(at, &t);
                }
                _ => s.insert(at, *self.rng.pick(&['&', '=', '?', '#', '+'])),
            }
        }
        s
    }

    /// A query of random keys and values.
    fn random_query(&mut self) -> String {
        let mut s = if self.rng.chance(30) {
            "?".to_string()
        } else {
            String::new()
        };
        for i in 0..self.rng.below(4) {
            if i > 0 {
                s.push('&');
            }
            s.push_str(&self.key());
            if self.rng.chance(90) {
                s.push('=');
                s.push_str(&self.text());
            }
        }
        s
    }

    /// A long string placed where it hurts: as a whole query, as a value, or as a key.
    fn long_input(&mut self, len: usize) -> String {
        let s = string_of(&mut self.rng, len);
        match self.rng.below(3) {
            0 => s,
            1 => format!("{}={s}", self.spec().key),
            _ => format!("{s}=1&w=2"),
        }
    }

    /// A message's changes: a few pairs, often valid, sometimes with a bad one.
    fn changes(&mut self) -> Vec<(String, String)> {
        (0..1 + self.rng.below(3))
            .map(|_| {
                let spec = self.spec();
                match self.rng.below(6) {
                    0 | 1 => (spec.key.to_string(), self.posted(spec)),
                    2 | 3 => (spec.key.to_string(), self.text()),
                    _ => (self.key(), self.text()),
                }
            })
            .collect()
    }

    /// A value as a host page posts it: a number (any finite `f64`, or one within range,
    /// written as JavaScript writes it), a valid option, or a list of control keys.
    fn posted(&mut self, spec: &ParamSpec) -> String {
        match spec.kind {
            ParamKind::Number(n) => js(if self.rng.chance(50) {
                f64::from_bits(self.rng.next())
            } else {
                n.min + (n.max - n.min) * self.rng.below(10_001) as f64 / 10_000.0
            }),
            ParamKind::Choice(c) => self.rng.pick(c.options).0.into(),
            ParamKind::Keys(_) => self.key_list(),
            ParamKind::Text(t) => t.default.into(),
        }
    }
}

/// The length of the `i`-th long string: every length up to [`EVERY_LENGTH_UP_TO`] in turn,
/// then a sample of longer ones, the last exactly [`LONGEST`].
fn long_length(rng: &mut Rng, i: usize) -> Option<usize> {
    if i <= EVERY_LENGTH_UP_TO {
        Some(i)
    } else if i == EVERY_LENGTH_UP_TO + LONG_SAMPLES {
        Some(LONGEST)
    } else if i < EVERY_LENGTH_UP_TO + LONG_SAMPLES {
        Some(EVERY_LENGTH_UP_TO + 1 + rng.below(LONGEST - EVERY_LENGTH_UP_TO))
    } else {
        None
    }
}

/// Every value lies within its registry range.
fn assert_in_range(values: &Values, context: &str, keys: &[&str]) {
    for spec in values.specs() {
        match (spec.kind, values.get(spec.key)) {
            (ParamKind::Number(n), Value::Number(v)) => {
                assert!(
                    *v >= n.min && *v <= n.max && (!n.whole || v.fract() == 0.0),
                    "{}={v} out of range for {context:?}",
                    spec.key
                );
            }
            (ParamKind::Choice(c), Value::Choice(v)) => assert!(
                c.options.iter().any(|(o, _)| o == v),
                "{}={v} not an option for {context:?}",
                spec.key
            ),
            (ParamKind::Keys(_), Value::Keys(list)) => {
                for (i, k) in list.iter().enumerate() {
                    assert!(keys.contains(k), "{k} is no control for {context:?}");
                    assert!(!list[..i].contains(k), "{k} repeated for {context:?}");
                }
            }
            (ParamKind::Text(t), Value::Text(v)) => {
                assert!(
                    v.chars().count() <= t.max_len,
                    "{}={v:?} too long for {context:?}",
                    spec.key
                );
                // The canonical form reads as itself, with nothing to report.
                let (again, why) = (t.read)(v);
                assert!(
                    again == *v && why.is_none(),
                    "{}={v:?} is not canonical for {context:?}",
                    spec.key
                );
            }
            (kind, value) => panic!("{kind:?} holds {value:?} for {context:?}"),
        }
    }
}

/// The parser's invariants on one query: values in range, and (if `round_trip`) what it
/// builds reads back unchanged and without notices.
fn check_query(query: &str, round_trip: bool, keys: &[&str]) -> Values {
    let p = parse(query);
    assert_in_range(&p.values, query, keys);
    assert_in_range(&p.page, query, keys);
    if !round_trip {
        return p.values;
    }
    let again = parse(&build(p.view, &p.values, &p.page));
    assert!(
        again.notices.is_empty(),
        "{:?} for {query:?}",
        again.notices
    );
    assert_eq!(
        (&again.values, &again.page),
        (&p.values, &p.page),
        "{query:?}"
    );
    p.values
}

/// Draws and describes the view for `values`, as a redraw would.
fn check_snapshot(values: &Values) {
    if values.spec("show").is_some() {
        // The remedies lab: every configuration is canonical and builds a network within the
        // engine's ranges.
        for key in ["a", "b", "c", "d"] {
            let text = values.text(key);
            let (config, why) = deep_signal::app::views::remedies_lab::config::read(text);
            assert!(
                why.is_none() && config.is_some() != text.is_empty(),
                "{key}={text:?}"
            );
            if let Some(c) = config {
                let depth = values.number("depth") as usize;
                let width = values.number("width") as usize;
                let m = c.spec(depth, width, values.number("alpha"), NumberFormat::F32);
                assert!(
                    (1..=200).contains(&m.depth) && (1..=256).contains(&m.width),
                    "{m:?}"
                );
            }
        }
        return;
    }
    if values.spec("neuron").is_some() {
        // The recurrent lab: what it would train is within the engine's ranges, its memory
        // cap and the page's time for a step.
        use deep_signal::app::views::rnn_lab::settings::{step_ms, Settings, PAGE_STEP_MS};
        use deep_signal::train::rnn::spec::MAX_KEPT;
        let s = Settings::from_values(values);
        let t = s.trained(false);
        assert!(t.kept_values() <= MAX_KEPT, "{t:?}");
        assert!(
            step_ms(&t) <= PAGE_STEP_MS || t.batch == 1 && t.hidden == 1,
            "{t:?}"
        );
        assert!(t.lr == 0.0 || (1e-5..=10.0).contains(&t.lr), "{t:?}");
        assert!(t.batch >= 1 && t.batch <= t.samples, "{t:?}");
        return;
    }
    if values.spec("w0").is_some() {
        // The training lab: what it would train is within the engine's ranges.
        let s = deep_signal::app::views::train_lab::settings::Settings::from_values(values);
        let used = s.spec.sanitized();
        assert!(
            used.lr == 0.0 || (1e-5..=10.0).contains(&used.lr),
            "{used:?}"
        );
        assert!(used.samples >= 2 && used.batch <= used.samples, "{used:?}");
        return;
    }
    let s = Snapshot::compute(Settings::from_values(values));
    assert!(!s.readouts().is_empty());
    assert!(!s.activation_note().is_empty() && !s.gradient_note().is_empty());
}

/// Parses `count` short random and mutated queries from `seed`.
fn parse_queries(seed: u64, count: usize) {
    let start = Instant::now();
    let mut g = Gen::new(seed);
    for i in 0..count {
        let query = if g.rng.chance(50) {
            g.mutated_query()
        } else {
            g.random_query()
        };
        let values = check_query(&query, i % ROUND_TRIP_EVERY == 0, &g.keys);
        if i % SNAPSHOT_EVERY == 0 {
            check_snapshot(&values);
        }
    }
    eprintln!("{count} queries in {:.1?}", start.elapsed());
}

#[test]
fn random_and_mutated_queries_parse_into_range() {
    parse_queries(0x5eed_0001, QUERIES / 2);
}

#[test]
fn more_random_and_mutated_queries_parse_into_range() {
    parse_queries(0x5eed_0003, QUERIES / 2);
}

#[test]
fn a_million_inputs_in_all() {
    let long = EVERY_LENGTH_UP_TO + LONG_SAMPLES + 1;
    assert!(QUERIES + MESSAGES + long >= 1_000_000);
}

#[test]
fn strings_of_every_length_parse_into_range() {
    let start = Instant::now();
    let mut g = Gen::new(0x5eed_0004);
    let mut i = 0;
    while let Some(len) = long_length(&mut g.rng, i) {
        let query = g.long_input(len);
        check_query(&query, i % 10 == 0, &g.keys);
        i += 1;
    }
    assert_eq!(i, EVERY_LENGTH_UP_TO + LONG_SAMPLES + 1);
    eprintln!("{i} long strings in {:.1?}", start.elapsed());
}

/// Whether every change is valid as given: the oracle the validator must agree with.
fn valid(values: &Values, page: &Values, changes: &[(String, String)]) -> bool {
    changes
        .iter()
        .all(|(k, raw)| match values.spec(k).or_else(|| page.spec(k)) {
            None => false,
            Some(spec) => spec.parse(raw).1.is_none(),
        })
}

/// After an accepted message, each key holds the value of its last change.
fn assert_applied(values: &Values, page: &Values, changes: &[(String, String)]) {
    for (i, (k, raw)) in changes.iter().enumerate() {
        if changes[i + 1..].iter().any(|(later, _)| later == k) {
            continue;
        }
        let (holder, spec) = match values.spec(k) {
            Some(spec) => (values, spec),
            None => (page, page.spec(k).expect("an accepted key")),
        };
        assert_eq!(*holder.get(k), spec.parse(raw).0, "{k}={raw:?}");
    }
}

#[test]
fn messages_are_applied_whole_or_not_at_all() {
    let start = Instant::now();
    let mut g = Gen::new(0x5eed_0002);
    let mut other = Gen::new(0x5eed_0004);
    let mut accepted = 0;
    // Each view in turn gets its share of the messages, made from its own parameters (and
    // now and then another view's, which it must reject).
    let share = MESSAGES / VIEWS.len();
    let mut p = parse("");
    for i in 0..share * VIEWS.len() {
        let view = &VIEWS[i / share];
        if i % share == 0 {
            p = parse(&format!("view={}", view.key));
            g.specs = view.params.iter().chain(PAGE_PARAMS.iter()).collect();
        }
        let changes = if g.rng.chance(10) {
            other.changes()
        } else {
            g.changes()
        };
        let before = (p.values.clone(), p.page.clone());
        let expected = valid(&p.values, &p.page, &changes);
        match apply_strict(p.view, &mut p.values, &mut p.page, &changes) {
            Ok(_) => {
                accepted += 1;
                assert!(expected, "accepted {changes:?}");
                assert_in_range(&p.values, "a message", &g.keys);
                assert_in_range(&p.page, "a message", &g.keys);
                assert_applied(&p.values, &p.page, &changes);
                if i % SNAPSHOT_EVERY == 0 {
                    check_snapshot(&p.values);
                }
            }
            Err(why) => {
                assert!(!expected, "rejected {changes:?}: {why}");
                assert_eq!((&p.values, &p.page), (&before.0, &before.1), "{changes:?}");
            }
        }
    }
    // Both branches ran often.
    assert!(
        accepted > MESSAGES / 10 && accepted < MESSAGES * 9 / 10,
        "{accepted} accepted"
    );
    eprintln!(
        "{MESSAGES} messages ({accepted} accepted) in {:.1?}",
        start.elapsed()
    );
}
