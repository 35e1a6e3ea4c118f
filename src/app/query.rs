//! The page state in the URL query: reading it (forgiving, with notices), writing it, and
//! applying changes sent by a host page (strict: all or nothing).

use super::page::PAGE_PARAMS;
use super::params::{quote, Notice, Value, Values};
use super::views::{self, ViewSpec};

/// The state a URL query describes.
#[derive(Debug)]
pub struct Parsed {
    /// The view to show.
    pub view: &'static ViewSpec,
    /// Its parameters, defaults filled in and bad values corrected.
    pub values: Values,
    /// The page options (theme, embedding, panels, hidden controls).
    pub page: Values,
    /// What was corrected or ignored, in plain words.
    pub notices: Vec<Notice>,
}

/// Reads a query string (with or without the leading `?`). Never fails: anything
/// malformed is replaced by a default, and a notice says so.
pub fn parse(query: &str) -> Parsed {
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let mut notices = Vec::new();

    let view = match pairs.iter().find(|(k, _)| k == "view") {
        None => views::default_view(),
        Some((_, v)) => views::find(v).unwrap_or_else(|| {
            let d = views::default_view();
            notices.push(Notice(format!(
                "view={} is not a view; showing the {}",
                quote(v),
                d.key
            )));
            d
        }),
    };

    for key in ["view", PRESET] {
        if pairs.iter().filter(|(k, _)| k == key).count() > 1 {
            notices.push(Notice(format!(
                "{key} is given more than once; using the first"
            )));
        }
    }
    let mut values = Values::defaults(view.params);
    let mut page = Values::defaults(PAGE_PARAMS);
    // A named preset comes first; the other keys then override what it set.
    if let Some((_, slug)) = pairs.iter().find(|(k, _)| k == PRESET) {
        match preset(view, slug) {
            Ok(i) => view.presets[i].apply(&mut values),
            Err(why) => notices.push(Notice(format!("{why}; ignored"))),
        }
    }
    // The keys so far, sorted (a hash set would bring its hasher and table into the wasm).
    let mut seen: Vec<&str> = Vec::new();
    for (key, raw) in &pairs {
        if key == "view" || key == PRESET {
            continue;
        }
        if key.is_empty() {
            if !raw.is_empty() {
                notices.push(Notice(format!(
                    "a value without a name (={}) is not a setting; ignored",
                    quote(raw)
                )));
            }
            continue;
        }
        match seen.binary_search(&key.as_str()) {
            Ok(_) => {
                notices.push(Notice(format!(
                    "{} is given more than once; using the first",
                    quote(key)
                )));
                continue;
            }
            Err(at) => seen.insert(at, key),
        }
        match values.set_raw(key, raw).or_else(|| page.set_raw(key, raw)) {
            Some(notice) => notices.extend(notice),
            None => notices.push(Notice(format!(
                "{} is not a setting of this page; ignored",
                quote(key)
            ))),
        }
    }
    Parsed {
        view,
        values,
        page,
        notices,
    }
}

/// The key that names one of a view's presets (`preset=vanishing`). It is read, not
/// written: the query written back holds the values the preset set.
pub const PRESET: &str = "preset";

/// The index of `view`'s preset named `slug`, or why there is none.
pub fn preset(view: &ViewSpec, slug: &str) -> Result<usize, String> {
    view.presets
        .iter()
        .position(|p| p.slug.eq_ignore_ascii_case(slug.trim()))
        .ok_or_else(|| {
            let names: Vec<&str> = view.presets.iter().map(|p| p.slug).collect();
            format!(
                "preset={} is not a preset of the {} (it has {})",
                quote(slug),
                view.key,
                names.join(", ")
            )
        })
}

/// The query that restores `values` in `view` with the page options `page` (without the
/// leading `?`). Every view parameter is written; page options only when not default.
pub fn build(view: &ViewSpec, values: &Values, page: &Values) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("view", view.key);
    for (key, value) in values.pairs().into_iter().chain(page.changed_pairs()) {
        s.append_pair(key, &value);
    }
    s.finish()
}

/// Applies `changes` (key and text pairs) to `values` and `page`, only if every one of
/// them names a parameter and is valid as given; otherwise changes nothing and says why.
/// This is how a host page drives an embedded figure, so nothing is corrected silently.
/// A `preset` among them is applied first, and its index returned.
pub fn apply_strict(
    view: &ViewSpec,
    values: &mut Values,
    page: &mut Values,
    changes: &[(String, String)],
) -> Result<Option<usize>, String> {
    let mut checked: Vec<(bool, &'static str, Value)> = Vec::new();
    let mut named = None;
    for (key, raw) in changes {
        if key == PRESET {
            named = Some(preset(view, raw)?);
            continue;
        }
        let (in_view, spec) = match (values.spec(key), page.spec(key)) {
            (Some(s), _) => (true, s),
            (None, Some(s)) => (false, s),
            (None, None) => return Err(format!("{} is not a parameter", quote(key))),
        };
        let (value, notice) = spec.parse(raw);
        if let Some(n) = notice {
            // The reader's words say what it would use; here nothing is used.
            let why = n.0.find("; using ").map_or(n.0.as_str(), |at| &n.0[..at]);
            return Err(format!("{why}; nothing was changed"));
        }
        checked.push((in_view, spec.key, value));
    }
    if let Some(i) = named {
        view.presets[i].apply(values);
    }
    for (in_view, key, value) in checked {
        if in_view {
            values.set(key, value);
        } else {
            page.set(key, value);
        }
    }
    Ok(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = parse("?view=explorer&depth=200&w=2&b=0&x=1&dtype=f32&scale=linear&grad=weight");
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert_eq!(
            build(p.view, &p.values, &p.page),
            "view=explorer&depth=200&w=2&b=0&x=1&dtype=f32&scale=linear&grad=weight"
        );
        let again = parse(&build(p.view, &p.values, &p.page));
        assert_eq!(again.values, p.values);
    }

    #[test]
    fn page_options_round_trip_and_default_ones_are_left_out() {
        let p = parse("w=1.1&theme=dark&embed=1&panel=gradients&hide=b,X,presets,b");
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert_eq!(p.page.keys("hide"), ["b", "x", "presets"]);
        let q = build(p.view, &p.values, &p.page);
        assert!(
            q.ends_with("&theme=dark&embed=1&panel=gradients&hide=b%2Cx%2Cpresets"),
            "{q}"
        );
        assert_eq!(parse(&q).page, p.page);
        let q = build(p.view, &p.values, &parse("").page);
        assert!(!q.contains("theme"), "{q}");
    }

    #[test]
    fn garbage_gets_defaults_and_notices() {
        let p = parse(
            "depth=abc&w=%F0%9F%92%A5&dtype=f8&depth=3&zoom=2&view=nope&=&&x&hide=w,zz&theme=neon",
        );
        assert_eq!(p.view.key, "explorer");
        assert_eq!(p.values.number("depth"), 50.0);
        assert_eq!(p.page.keys("hide"), ["w"]);
        let text: Vec<String> = p.notices.iter().map(|n| n.0.clone()).collect();
        for expected in [
            "depth=abc is not a number; using 50",
            "w=💥 is not a number; using 0.8",
            "dtype=f8 is not one of f16, bf16, f32, f64; using f32",
            "depth is given more than once; using the first",
            "zoom is not a setting of this page; ignored",
            "view=nope is not a view; showing the explorer",
            "x is empty; using 1",
            "hide=zz names no control (it); ignored",
            "theme=neon is not one of auto, light, dark, projector; using auto",
        ] {
            assert!(
                text.contains(&expected.to_string()),
                "missing {expected:?} in {text:?}"
            );
        }
    }

    #[test]
    fn repeated_views_and_presets_and_nameless_values_are_said() {
        let p = parse("view=train&view=remedies&preset=vanishing&preset=clipping&=7&depth=3");
        assert_eq!(p.view.key, "train");
        assert_eq!(p.values.number("w0"), 0.8, "the first preset");
        assert_eq!(p.values.number("depth"), 3.0);
        let text: Vec<String> = p.notices.iter().map(|n| n.0.clone()).collect();
        for expected in [
            "view is given more than once; using the first",
            "preset is given more than once; using the first",
            "a value without a name (=7) is not a setting; ignored",
        ] {
            assert!(
                text.contains(&expected.to_string()),
                "missing {expected:?} in {text:?}"
            );
        }
        assert!(parse("view=train&&").notices.is_empty());
    }

    #[test]
    fn strict_changes_are_all_or_nothing() {
        let mut p = parse("");
        let changes = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(apply_strict(
            p.view,
            &mut p.values,
            &mut p.page,
            &changes(&[("w", "1.1"), ("theme", "dark")])
        )
        .is_ok());
        assert_eq!(p.values.number("w"), 1.1);
        assert_eq!(p.page.choice("theme"), "dark");
        let before = (p.values.clone(), p.page.clone());
        for bad in [
            vec![("w", "1.2"), ("depth", "abc")],
            vec![("w", "1.2"), ("depth", "1e9")],
            vec![("w", "1.2"), ("nope", "1")],
            vec![("w", "1.2"), ("view", "explorer")],
            vec![("w", "1.2"), ("preset", "nope")],
        ] {
            let why = apply_strict(p.view, &mut p.values, &mut p.page, &changes(&bad))
                .expect_err("refused");
            // It says why, and never what it "would use": nothing is used.
            assert!(!why.contains("using"), "{bad:?}: {why}");
            assert_eq!(
                (p.values.clone(), p.page.clone()),
                before,
                "{bad:?} changed something"
            );
        }
    }

    #[test]
    fn a_named_preset_sets_its_values_and_explicit_keys_win() {
        let p = parse("view=train&preset=Exploding-LR&steps=20");
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert_eq!(p.values.number("lr"), 1.0);
        assert_eq!(p.values.number("steps"), 20.0);
        assert!(!build(p.view, &p.values, &p.page).contains("preset"));
        let p = parse("view=explorer&preset=exploding&w=1.1");
        assert_eq!(p.values.number("depth"), 200.0);
        assert_eq!(p.values.number("w"), 1.1);
        let p = parse("view=remedies&preset=vanishing");
        assert_eq!(p.values, parse("view=remedies").values);
        assert_eq!(
            p.notices[0].0,
            "preset=vanishing is not a preset of the remedies (it has glorot-bengio, he-2015, \
             pytorch-default, residual, batchnorm, edge-of-chaos); ignored"
        );
    }

    #[test]
    fn a_preset_in_strict_changes_comes_first() {
        let mut p = parse("view=explorer");
        let changes = vec![
            ("w".to_string(), "1.3".to_string()),
            ("preset".to_string(), "exploding".to_string()),
        ];
        assert_eq!(
            apply_strict(p.view, &mut p.values, &mut p.page, &changes),
            Ok(Some(2))
        );
        assert_eq!(p.values.number("depth"), 200.0);
        assert_eq!(p.values.number("w"), 1.3);
    }

    #[test]
    fn every_preset_slug_is_unique_in_its_view() {
        for view in views::VIEWS {
            for (i, p) in view.presets.iter().enumerate() {
                assert_eq!(preset(view, p.slug), Ok(i), "{}", p.slug);
                assert!(p
                    .slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
        }
    }
}
