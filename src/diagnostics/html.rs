//! The HTML printer: the error overlay `serve` lays over every page while the wiki has errors.

use super::{Counts, Diagnostic};
use crate::markdown::escape;

/// A self-contained overlay (markup and its own styles) listing `diagnostics`.
pub fn overlay_html(diagnostics: &[Diagnostic]) -> String {
    let mut html = String::from(
        "<div id=\"dossier-overlay\" role=\"alert\" aria-live=\"assertive\"><style>#dossier-overlay{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#1b1b1f;color:#f3f3f3;font:14px/1.5 ui-monospace,monospace;border-top:4px solid #e5484d;padding:1rem 1.25rem;box-shadow:0 -8px 24px rgba(0,0,0,.4)}#dossier-overlay h2{font:600 16px/1.4 system-ui,sans-serif;margin:0 0 .75rem}#dossier-overlay ol{margin:0;padding-left:1.25rem}#dossier-overlay li{margin:0 0 .75rem}#dossier-overlay .where{color:#ffb4b4}#dossier-overlay .help{color:#b7c7ff}</style>",
    );
    html.push_str(&format!(
        "<h2>The preview shows the last good build: {}</h2><ol>",
        escape(&Counts::of(diagnostics).summary())
    ));
    for d in diagnostics {
        let place = if d.line == 0 { d.path.clone() } else { format!("{}:{}:{}", d.path, d.line, d.column) };
        html.push_str(&format!(
            "<li><span class=\"where\">{}</span> {}[{}]: {}",
            escape(&place),
            d.severity.as_str(),
            d.code.as_str(),
            escape(&d.message)
        ));
        if let Some(help) = &d.help {
            html.push_str(&format!("<br><span class=\"help\">help: {}</span>", escape(help)));
        }
        html.push_str("</li>");
    }
    html.push_str("</ol></div>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Code;
    use crate::model::Pos;
    use std::path::Path;

    #[test]
    fn lists_every_problem_escaped_with_its_place_and_help() {
        let d = Diagnostic::new(Code::YamlSyntax, Path::new("content/providers/a.md"), Pos::new(3, 7), "bad <yaml>")
            .help("fix it");
        let html = overlay_html(&[d]);
        assert!(html.contains("content/providers/a.md:3:7"));
        assert!(html.contains("error[yaml-syntax]: bad &lt;yaml&gt;"));
        assert!(html.contains("help: fix it"));
        assert!(!html.contains("<yaml>"));
    }
}
