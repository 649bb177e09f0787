//! The minify-html seam: shrinks rendered HTML pages.

use std::sync::OnceLock;

use minify_html::Cfg;

fn config() -> &'static Cfg {
    static CFG: OnceLock<Cfg> = OnceLock::new();
    CFG.get_or_init(|| Cfg {
        // Optional tags stay, so the output remains plainly valid HTML for validators and readers.
        keep_closing_tags: true,
        keep_html_and_head_opening_tags: true,
        minify_css: false,
        minify_js: false,
        ..Cfg::default()
    })
}

/// A minified copy of an HTML document.
pub fn minify_page(html: &str) -> Vec<u8> {
    minify_html::minify(html.as_bytes(), config())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_whitespace_but_keeps_text_and_tags() {
        let out = minify_page(
            "<!doctype html><html lang=en><head><title>T</title></head><body>\n  <p>a   b</p>\n</body></html>",
        );
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("<p>a b</p>"), "{out}");
        assert!(out.len() < 90, "{out}");
    }
}
