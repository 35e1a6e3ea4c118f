//! The page state in the URL query: reading it (forgiving, with notices) and writing it.

use super::params::{quote, Notice, Values};
use super::views::{self, ViewSpec};
use std::collections::HashSet;

/// The state a URL query describes.
#[derive(Debug)]
pub struct Parsed {
    /// The view to show.
    pub view: &'static ViewSpec,
    /// Its parameters, defaults filled in and bad values corrected.
    pub values: Values,
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

    let mut values = Values::defaults(view.params);
    let mut seen = HashSet::new();
    for (key, raw) in &pairs {
        if key == "view" || key.is_empty() {
            continue;
        }
        if !seen.insert(key.as_str()) {
            notices.push(Notice(format!(
                "{} is given more than once; using the first",
                quote(key)
            )));
            continue;
        }
        match values.set_raw(key, raw) {
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
        notices,
    }
}

/// The query that restores `values` in `view` (without the leading `?`).
pub fn build(view: &ViewSpec, values: &Values) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("view", view.key);
    for (key, value) in values.pairs() {
        s.append_pair(key, &value);
    }
    s.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let p = parse("?view=explorer&depth=200&w=2&b=0&x=1&dtype=f32&scale=linear&grad=weight");
        assert!(p.notices.is_empty(), "{:?}", p.notices);
        assert_eq!(
            build(p.view, &p.values),
            "view=explorer&depth=200&w=2&b=0&x=1&dtype=f32&scale=linear&grad=weight"
        );
        let again = parse(&build(p.view, &p.values));
        assert_eq!(again.values, p.values);
    }

    #[test]
    fn garbage_gets_defaults_and_notices() {
        let p = parse("depth=abc&w=%F0%9F%92%A5&dtype=f8&depth=3&zoom=2&view=nope&=&&x");
        assert_eq!(p.view.key, "explorer");
        assert_eq!(p.values.number("depth"), 50.0);
        let text: Vec<String> = p.notices.iter().map(|n| n.0.clone()).collect();
        assert!(text.contains(&"depth=abc is not a number; using 50".to_string()));
        assert!(text.contains(&"w=💥 is not a number; using 0.8".to_string()));
        assert!(text.contains(&"dtype=f8 is not one of f16, bf16, f32, f64; using f32".to_string()));
        assert!(text.contains(&"depth is given more than once; using the first".to_string()));
        assert!(text.contains(&"zoom is not a setting of this page; ignored".to_string()));
        assert!(text.contains(&"view=nope is not a view; showing the explorer".to_string()));
        assert!(text.contains(&"x is empty; using 1".to_string()));
    }
}
