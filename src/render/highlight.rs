//! The syntect seam: highlights code blocks with CSS classes, and writes the light and dark
//! stylesheets for those classes. The syntax set loads once, on the first code block.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::markdown::escape;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A `<pre>` block for `code`, highlighted when `lang` names a known syntax.
pub fn highlight(lang: Option<&str>, code: &str) -> String {
    let syntax = lang.and_then(|l| {
        let set = syntaxes();
        set.find_syntax_by_token(l).or_else(|| set.find_syntax_by_extension(l))
    });
    let label = lang.map(|l| format!(" data-lang=\"{}\"", escape(l))).unwrap_or_default();
    let Some(syntax) = syntax else {
        return format!("<pre class=\"code\"{label}><code>{}</code></pre>\n", escape(code));
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"code\"{label}><code>{}</code></pre>\n", escape(code));
        }
    }
    format!("<pre class=\"code\"{label}><code>{}</code></pre>\n", generator.finalize())
}

/// The light and dark stylesheets for highlighted code.
pub fn stylesheets() -> (String, String) {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str| {
        themes.themes.get(name).and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok()).unwrap_or_default()
    };
    (css("InspiredGitHub"), css("base16-ocean.dark"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_get_classes_and_unknown_ones_plain_text() {
        let html = highlight(Some("bash"), "echo \"<hi>\"\n");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(html.contains("&lt;hi&gt;"), "{html}");
        let plain = highlight(Some("no-such-language"), "a < b\n");
        assert_eq!(plain, "<pre class=\"code\" data-lang=\"no-such-language\"><code>a &lt; b\n</code></pre>\n");
    }

    #[test]
    fn both_stylesheets_style_the_prefixed_classes() {
        let (light, dark) = stylesheets();
        assert!(light.contains(".hl-") && dark.contains(".hl-"));
        assert_ne!(light, dark);
    }
}
