//! The syntect seam: highlights code blocks with CSS classes, and writes the light and dark
//! stylesheets for those classes. Syntaxes load once, on the first code block.
//!
//! Shell, YAML and TOML, the languages dossiers show most, use lean grammars of our own
//! (`syntaxes/`): comments, strings, variables and expansions, keywords and builtins, keys,
//! numbers and constants, as Hugo's Chroma lexers do. Sublime's Bash and YAML grammars, which
//! syntect bundles, cost 35 to 60 µs a line here, a third of a whole build's CPU; these take 3
//! to 9 µs (corpus blocks and varied hand-written ones). syntect bundles no TOML grammar. Every
//! other language uses the bundled grammars.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet, SyntaxSetBuilder};
use syntect::util::LinesWithEndings;

use super::contrast::{self, Rgb};
use crate::markdown::escape;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// Our grammars, tried before the bundled ones.
const OWN_SYNTAXES: [(&str, &str); 3] = [
    ("bash", include_str!("syntaxes/bash.sublime-syntax")),
    ("yaml", include_str!("syntaxes/yaml.sublime-syntax")),
    ("toml", include_str!("syntaxes/toml.sublime-syntax")),
];

fn own_syntaxes() -> &'static SyntaxSet {
    static OWN: OnceLock<SyntaxSet> = OnceLock::new();
    OWN.get_or_init(|| {
        let mut builder = SyntaxSetBuilder::new();
        for (name, text) in OWN_SYNTAXES {
            // A grammar that does not load leaves its language to the bundled one; the tests
            // load each, so this is a broken build of the binary, not a contributor's doing.
            match SyntaxDefinition::load_from_str(text, true, Some(name)) {
                Ok(definition) => builder.add(definition),
                Err(e) => tracing::error!("the {name} grammar does not load: {e}"),
            }
        }
        builder.build()
    })
}

fn bundled_syntaxes() -> &'static SyntaxSet {
    static BUNDLED: OnceLock<SyntaxSet> = OnceLock::new();
    BUNDLED.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The syntax `lang` names (a name or a file extension), with the set that holds it.
fn find_syntax(lang: &str) -> Option<(&'static SyntaxReference, &'static SyntaxSet)> {
    [own_syntaxes(), bundled_syntaxes()].into_iter().find_map(|set| {
        let syntax = set.find_syntax_by_token(lang).or_else(|| set.find_syntax_by_extension(lang))?;
        Some((syntax, set))
    })
}

/// A `<pre>` block for `code`, highlighted when `lang` names a known syntax. A long line scrolls
/// inside the block, so the block takes keyboard focus and has a name (a group, not a landmark:
/// a page has many).
pub fn highlight(lang: Option<&str>, code: &str) -> String {
    let label = match lang {
        Some(l) => format!(" data-lang=\"{l}\" tabindex=\"0\" role=\"group\" aria-label=\"Code ({l})\"", l = escape(l)),
        None => " tabindex=\"0\" role=\"group\" aria-label=\"Code\"".to_owned(),
    };
    let Some((syntax, set)) = lang.and_then(find_syntax) else {
        return format!("<pre class=\"code\"{label}><code>{}</code></pre>\n", escape(code));
    };
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator.parse_html_for_line_which_includes_newline(line).is_err() {
            return format!("<pre class=\"code\"{label}><code>{}</code></pre>\n", escape(code));
        }
    }
    format!("<pre class=\"code\"{label}><code>{}</code></pre>\n", generator.finalize())
}

/// The backgrounds of code blocks in the theme's light and dark schemes: `--code-bg` in
/// style.css (a test keeps them equal).
const CODE_BG: [Rgb; 2] = [Rgb(0xf3, 0xf4, 0xf6), Rgb(0x1f, 0x23, 0x28)];

/// The light and dark stylesheets for highlighted code, each colour readable (WCAG AA) on the
/// code background of its scheme.
pub fn stylesheets() -> (String, String) {
    let themes = ThemeSet::load_defaults();
    let css = |name: &str, bg: Rgb| {
        let css = themes.themes.get(name).and_then(|t| css_for_theme_with_class_style(t, CLASS_STYLE).ok());
        contrast::readable(&css.unwrap_or_default(), bg)
    };
    (css("InspiredGitHub", CODE_BG[0]), css("base16-ocean.dark", CODE_BG[1]))
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
        assert_eq!(
            plain,
            "<pre class=\"code\" data-lang=\"no-such-language\" tabindex=\"0\" role=\"group\" aria-label=\"Code (no-such-language)\"><code>a &lt; b\n</code></pre>\n"
        );
        assert!(
            highlight(None, "x").starts_with("<pre class=\"code\" tabindex=\"0\" role=\"group\" aria-label=\"Code\">")
        );
    }

    #[test]
    fn our_grammars_load_and_take_their_languages() {
        assert_eq!(own_syntaxes().syntaxes().len(), OWN_SYNTAXES.len(), "every grammar loads");
        for (lang, name) in [
            ("bash", "Bourne Again Shell (bash)"),
            ("sh", "Bourne Again Shell (bash)"),
            ("yml", "YAML"),
            ("toml", "TOML"),
        ] {
            let (syntax, set) = find_syntax(lang).unwrap();
            assert_eq!(syntax.name, name);
            assert!(std::ptr::eq(set, own_syntaxes()), "{lang} uses our grammar");
        }
        let (_, set) = find_syntax("json").unwrap();
        assert!(std::ptr::eq(set, bundled_syntaxes()), "other languages keep the bundled grammars");
    }

    #[test]
    fn shell_yaml_and_toml_get_the_classes_themes_colour() {
        let bash = highlight(
            Some("bash"),
            "# rotate the key\nexport TOKEN=\"$(cat key)\" # why\nif [ -n \"$TOKEN\" ]; then echo 'ok'; fi\n",
        );
        assert!(bash.contains("hl-comment") && bash.contains("rotate the key"), "{bash}");
        assert!(bash.contains("hl-string hl-quoted hl-single"), "{bash}");
        assert!(bash.contains("hl-variable"), "{bash}");
        let pipe = highlight(Some("bash"), "dig +short example.test | sort > out.txt\n");
        for token in
            ["hl-variable hl-function hl-shell\">dig<", "hl-variable hl-function hl-shell\">sort<", "hl-redirection"]
        {
            assert!(pipe.contains(token), "{token} in {pipe}");
        }
        for token in ["hl-keyword hl-control hl-shell\">if<", "hl-support hl-function hl-builtin hl-shell\">echo<"] {
            assert!(bash.contains(token), "{token} in {bash}");
        }
        let yaml =
            highlight(Some("yaml"), "# settings\nname: \"Mail\"\nport: 587\ntls: true\nlist:\n  - &a one\n  - *a\n");
        assert!(yaml.contains("hl-entity hl-name hl-tag") && yaml.contains(">name<"), "{yaml}");
        assert!(yaml.contains("hl-constant hl-numeric") && yaml.contains("hl-constant hl-language"), "{yaml}");
        assert!(yaml.contains("hl-comment") && yaml.contains("hl-string hl-quoted hl-double"), "{yaml}");
        let toml = highlight(
            Some("toml"),
            "[server]\nhost = \"mail.example\" # primary\nports = [25, 587]\nstarted = 2026-01-01T00:00:00Z\n",
        );
        assert!(toml.contains("hl-comment") && toml.contains("hl-constant hl-numeric"), "{toml}");
        assert!(toml.contains("hl-string hl-quoted"), "{toml}");
    }

    #[test]
    fn hostile_code_stays_text_in_every_grammar() {
        let long = "a\"'$( ".repeat(20_000);
        let inputs = [
            "<script>alert(1)</script> \"</pre>\" '&amp;'\n",
            "echo \"unterminated\n$(\n${\n<<EOF\n",
            "\"\"\"\nnever closed\n",
            "key: |\n  </code></pre><img src=x onerror=alert(1)>\n",
            "\u{0}\u{1}\u{7f}\r\n\r\n",
            long.as_str(),
        ];
        for lang in ["bash", "yaml", "toml"] {
            for input in inputs {
                let html = highlight(Some(lang), input);
                assert!(html.starts_with("<pre class=\"code\""), "{lang}");
                for raw in ["<script", "<img", "</pre>\"", "</code></pre><"] {
                    assert!(!html[..html.len() - "</code></pre>\n".len()].contains(raw), "{lang}: {raw} in {html}");
                }
            }
        }
    }

    #[test]
    fn every_highlight_colour_is_readable_on_the_code_background() {
        let (light, dark) = stylesheets();
        for (css, bg) in [(light, CODE_BG[0]), (dark, CODE_BG[1])] {
            let mut seen = 0;
            for rule in css.split_inclusive('}') {
                let on = contrast::own_background(rule).unwrap_or(bg);
                let mut rest = rule;
                while let Some((at, value)) = contrast::next_color(rest) {
                    let fg = Rgb::parse(&value[1..]).unwrap();
                    assert!(fg.contrast(on) >= 4.5, "{fg} on {on}: {:.2} in {rule}", fg.contrast(on));
                    seen += 1;
                    rest = &rest[at + value.len()..];
                }
            }
            assert!(seen > 20, "only {seen} colours");
        }
    }

    #[test]
    fn the_code_backgrounds_are_the_themes() {
        let style = include_str!("../../themes/default/static/style.css");
        let backgrounds: Vec<Rgb> = style
            .match_indices("--code-bg:")
            .filter_map(|(at, _)| Rgb::parse(style[at + 10..].trim_start().strip_prefix('#')?))
            .collect();
        // Print's `#fff` (not six digits) is not read: the light colours read better on it still.
        assert_eq!(backgrounds, CODE_BG, "style.css's --code-bg, light then dark");
    }

    #[test]
    fn both_stylesheets_style_the_prefixed_classes() {
        let (light, dark) = stylesheets();
        assert!(light.contains(".hl-") && dark.contains(".hl-"));
        assert_ne!(light, dark);
    }
}
