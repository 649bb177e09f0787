//! The HTML printers of `serve`: the error overlay it lays over every page while the wiki has
//! errors, and the small badge that lists warnings and notes while it has none.

use super::{Counts, Diagnostic};
use crate::markdown::escape;

/// A self-contained overlay (markup and its own styles) listing the `errors`; its heading
/// counts the `notices` (warnings and notes) too, as `check` would.
pub fn overlay_html(errors: &[Diagnostic], notices: &[Diagnostic]) -> String {
    let mut html = String::from(
        "<div id=\"dossier-overlay\" role=\"alert\" aria-live=\"assertive\"><style>#dossier-overlay{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#1b1b1f;color:#f3f3f3;font:14px/1.5 ui-monospace,monospace;border-top:4px solid #e5484d;padding:1rem 1.25rem;box-shadow:0 -8px 24px rgba(0,0,0,.4)}#dossier-overlay h2{font:600 16px/1.4 system-ui,sans-serif;margin:0 0 .75rem}#dossier-overlay ol{margin:0;padding-left:1.25rem}#dossier-overlay li{margin:0 0 .75rem}#dossier-overlay .where{color:#ffb4b4}#dossier-overlay .help{color:#b7c7ff}</style>",
    );
    html.push_str(&format!(
        "<h2>The preview shows the last good build: {}</h2>",
        escape(&Counts::of(errors.iter().chain(notices)).summary())
    ));
    push_list(&mut html, errors);
    html.push_str("</div>");
    html
}

/// How many warnings and notes the badge lists; every page carries the list.
const BADGE_LIST: usize = 100;

/// A small badge in a corner, counting the `notices` (warnings and notes) as `check` does; it
/// opens into their list. Empty when there is nothing to count.
pub fn badge_html(notices: &[Diagnostic]) -> String {
    if notices.is_empty() {
        return String::new();
    }
    let counts = Counts::of(notices);
    let mut html = String::from(
        "<details id=\"dossier-warnings\"><style>#dossier-warnings{position:fixed;right:.75rem;bottom:.75rem;max-width:min(48rem,calc(100vw - 1.5rem));max-height:60vh;overflow:auto;z-index:2147483646;background:#1b1b1f;color:#f3f3f3;font:13px/1.5 ui-monospace,monospace;border:2px solid #f5a623;border-radius:6px;padding:.25rem .75rem;box-shadow:0 4px 16px rgba(0,0,0,.35)}#dossier-warnings summary{cursor:pointer;font:600 13px/1.6 system-ui,sans-serif}#dossier-warnings ol{margin:.5rem 0 0;padding-left:1.25rem}#dossier-warnings li{margin:0 0 .5rem}#dossier-warnings .where{color:#ffd59a}#dossier-warnings .help{color:#b7c7ff}</style>",
    );
    html.push_str(&format!("<summary>{}</summary>", escape(&counts.summary())));
    push_list(&mut html, &notices[..notices.len().min(BADGE_LIST)]);
    if notices.len() > BADGE_LIST {
        html.push_str(&format!("<p>and {} more: `dossier check` lists them all</p>", notices.len() - BADGE_LIST));
    }
    html.push_str("</details>");
    html
}

/// `<ol>` of findings: place, severity, code, message and help, all escaped.
fn push_list(html: &mut String, diagnostics: &[Diagnostic]) {
    html.push_str("<ol>");
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
    html.push_str("</ol>");
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
        let warning = Diagnostic::new(Code::StaleClaim, Path::new("content/providers/b.md"), Pos::new(1, 1), "old");
        let html = overlay_html(&[d], &[warning]);
        assert!(html.contains("content/providers/a.md:3:7"));
        assert!(html.contains("error[yaml-syntax]: bad &lt;yaml&gt;"));
        assert!(html.contains("help: fix it"));
        assert!(!html.contains("<yaml>"));
        assert!(html.contains("1 error, 1 warning, 0 notes"), "the heading counts as check does: {html}");
        assert!(!html.contains("content/providers/b.md"), "the overlay lists the errors only");
    }

    #[test]
    fn the_badge_counts_and_lists_warnings_and_notes() {
        assert_eq!(badge_html(&[]), "");
        let warning =
            Diagnostic::new(Code::MissingArchive, Path::new("content/providers/a.md"), Pos::new(9, 10), "no <archive>")
                .help("save it");
        let note = Diagnostic::new(Code::UncitedClaim, Path::new("content/providers/a.md"), Pos::new(12, 9), "uncited");
        let html = badge_html(&[warning, note]);
        assert!(html.starts_with("<details id=\"dossier-warnings\">"));
        assert!(html.contains("<summary>0 errors, 1 warning, 1 note</summary>"), "{html}");
        assert!(html.contains("content/providers/a.md:9:10</span> warning[missing-archive]: no &lt;archive&gt;"));
        assert!(html.contains("info[uncited-claim]: uncited"));
        let many: Vec<Diagnostic> = (1..=BADGE_LIST as u32 + 5)
            .map(|line| Diagnostic::new(Code::StaleClaim, Path::new("a.md"), Pos::new(line, 1), "old"))
            .collect();
        let html = badge_html(&many);
        assert_eq!(html.matches("<li>").count(), BADGE_LIST);
        assert!(html.contains("0 errors, 105 warnings, 0 notes") && html.contains("and 5 more"), "{html}");
    }
}
