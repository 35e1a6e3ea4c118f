//! What leaves the page besides a view's data: the snippets that embed the current figure
//! in another page.

/// An `<iframe>` that embeds the figure at `url` (which should carry `embed=1`), with a
/// title for screen readers and a height that fits `panels` plots.
pub fn iframe_snippet(url: &str, title: &str, panels: usize) -> String {
    let height = if panels > 1 { 960 } else { 620 };
    format!(
        "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"{height}\" style=\"border:0\" loading=\"lazy\" allowfullscreen></iframe>",
        attribute(url),
        attribute(title)
    )
}

/// An in-page figure for a course author's page: the element with `query` (the figure's
/// URL parameters) and the script include from the app's folder `base` (ending in `/`).
pub fn figure_snippet(base: &str, query: &str, title: &str) -> String {
    format!(
        "<div data-deep-signal=\"{}\" role=\"figure\" aria-label=\"{}\"></div>\n<script type=\"module\" src=\"{}figures.js\"></script>",
        attribute(query),
        attribute(title),
        attribute(base)
    )
}

/// `s` escaped for a double-quoted HTML attribute.
pub(crate) fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figure_snippet_names_the_script_next_to_the_app() {
        let s = figure_snippet("https://x.org/ds/", "view=explorer&w=1.1", "a <b>");
        assert_eq!(
            s,
            "<div data-deep-signal=\"view=explorer&amp;w=1.1\" role=\"figure\" aria-label=\"a &lt;b>\"></div>\n\
             <script type=\"module\" src=\"https://x.org/ds/figures.js\"></script>"
        );
    }

    #[test]
    fn snippet_is_escaped() {
        let s = iframe_snippet("https://x.org/?a=1&embed=1", "a \"b\"", 1);
        assert!(s.contains("src=\"https://x.org/?a=1&amp;embed=1\""), "{s}");
        assert!(s.contains("title=\"a &quot;b&quot;\""), "{s}");
    }
}
