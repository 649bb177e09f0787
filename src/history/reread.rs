//! A dossier's next version parsed from its last one: when an edit stays inside one claim's list
//! item, only that item is parsed again, alone, and the claim replaced in the last snapshot.
//!
//! Most commits change one claim of a dossier whose frontmatter holds ten, so a history of
//! 100,000 versions costs a tenth of the parsing. The shortcut is taken only where parsing the
//! item alone must give what parsing the whole file would: the last version parsed whole and
//! its claims lie as plain block items (`claims:` at the margin, each item starting `- ` at one
//! indentation, every other line of it indented deeper, no anchors, aliases, tags, directives or
//! tabs), as many as the parser found; the edit changes one such item and leaves it one; the
//! frontmatter is under 64 KiB. Anything else is parsed whole.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use super::events::{self, Version};
use crate::frontmatter;
use crate::model::Claim;

/// The last version of a dossier read, with what reading the next one from it needs.
pub(super) struct Known {
    yaml: String,
    version: Arc<Version>,
    /// Where each claim's item lies in `yaml`, and their indentation; `None` when the
    /// frontmatter is not plain enough to read a claim alone.
    items: Option<(Vec<Range<usize>>, usize)>,
    sources: BTreeMap<String, (String, Option<String>)>,
}

/// Frontmatter larger than this is always parsed whole: too small to hold as many nodes as the
/// parser allows a document (`frontmatter.rs`), so a claim parsed alone never passes a budget
/// the whole file would fail.
const MAX_REREAD_BYTES: usize = 64 * 1024;

/// A claims list of one item, parsed alone.
#[derive(Deserialize, JsonSchema)]
struct OneClaim {
    claims: Vec<Claim>,
}

/// Parses `bytes`, a version of the dossier at `path`, from `known` (the version read before
/// it, if that one parsed), which it then becomes.
pub(super) fn next(known: &mut Option<Known>, path: &Path, bytes: &[u8]) -> Arc<Version> {
    let Ok(text) = events::text_of(bytes) else { return whole(known, path, bytes) };
    let Ok(split) = frontmatter::split(path, text) else { return whole(known, path, bytes) };
    let Some(last) = known.as_mut() else { return whole(known, path, bytes) };
    if last.yaml == split.yaml {
        return last.version.clone();
    }
    match last.reread(path, split.yaml) {
        Some(version) => version,
        None => whole(known, path, bytes),
    }
}

/// Parses the whole file.
fn whole(known: &mut Option<Known>, path: &Path, bytes: &[u8]) -> Arc<Version> {
    match events::parse_meta(path, bytes) {
        Ok((meta, yaml)) => {
            let version = Arc::new(Ok(events::snapshot(&meta)));
            *known = Some(Known {
                yaml: yaml.to_owned(),
                version: version.clone(),
                items: layout(yaml, meta.claims.len()),
                sources: events::named_sources(&meta),
            });
            version
        }
        Err(problem) => {
            *known = None;
            Arc::new(Err(problem))
        }
    }
}

impl Known {
    /// The version whose frontmatter is `yaml`, if it differs from this one's inside one claim
    /// item only; this then becomes that version.
    fn reread(&mut self, path: &Path, yaml: &str) -> Option<Arc<Version>> {
        // The parser's budgets count the whole document; far below them, one item cannot tip it.
        if yaml.len() > MAX_REREAD_BYTES {
            return None;
        }
        let (items, indent) = self.items.as_ref()?;
        let indent = *indent;
        let (old, new) = (self.yaml.as_bytes(), yaml.as_bytes());
        let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
        let room = old.len().min(new.len()) - prefix;
        let suffix = old.iter().rev().zip(new.iter().rev()).take(room).take_while(|(a, b)| a == b).count();
        let first_line = old[..prefix].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let changed_end = old.len() - suffix;
        let i = items.partition_point(|item| item.end <= first_line);
        let item = items.get(i)?;
        if first_line < item.start || changed_end > item.end {
            return None;
        }
        let grown = new.len() as isize - old.len() as isize;
        let end = usize::try_from(item.end as isize + grown).ok()?;
        let text = yaml.get(item.start..end)?;
        if !plain_item(text, indent) {
            return None;
        }
        let parsed: OneClaim = frontmatter::parse_yaml(path, &format!("claims:\n{text}")).ok()?;
        let [claim] = parsed.claims.as_slice() else { return None };
        let Ok(before) = self.version.as_ref() else { return None };
        let mut snapshot = before.clone();
        *snapshot.claims.get_mut(i)? = events::claim_snapshot(claim, &self.sources);
        let version = Arc::new(Ok(snapshot));
        let mut moved = items.clone();
        moved[i].end = end;
        for later in &mut moved[i + 1..] {
            later.start = usize::try_from(later.start as isize + grown).ok()?;
            later.end = usize::try_from(later.end as isize + grown).ok()?;
        }
        self.items = Some((moved, indent));
        self.yaml = yaml.to_owned();
        self.version = version.clone();
        Some(version)
    }
}

/// Where each item of the top-level `claims:` list lies, if the list is plain (see the module
/// docs) and holds `claims` items.
fn layout(yaml: &str, claims: usize) -> Option<(Vec<Range<usize>>, usize)> {
    let mut at = 0;
    let mut lines = yaml.split_inclusive('\n').map(|line| {
        let start = at;
        at += line.len();
        (start, line)
    });
    lines.find(|(_, line)| line.trim_end() == "claims:")?;
    let mut starts = Vec::new();
    let mut indent = None;
    let mut end = yaml.len();
    for (start, line) in lines {
        let content = line.trim_end();
        if content.is_empty() {
            continue;
        }
        let depth = content.len() - content.trim_start_matches(' ').len();
        let opens_item = content[depth..].starts_with("- ") || content.trim_start() == "-";
        match indent {
            None if opens_item => indent = Some(depth),
            Some(level) if depth == level && opens_item => {}
            Some(level) if depth > level => continue,
            _ => {
                end = start;
                break;
            }
        }
        starts.push(start);
    }
    let indent = indent?;
    let items: Vec<Range<usize>> =
        starts.iter().zip(starts.iter().skip(1).chain([&end])).map(|(&start, &stop)| start..stop).collect();
    let plain = items.len() == claims && items.iter().all(|item| plain_item(&yaml[item.clone()], indent));
    plain.then_some((items, indent))
}

/// Whether `text` is one list item at `indent` that parses alone as it does in its file: it
/// opens with `- ` there, every other line is blank or deeper, and it holds nothing whose
/// meaning reaches beyond it.
fn plain_item(text: &str, indent: usize) -> bool {
    if text.contains(['\t', '&', '*', '!', '%']) || !text.ends_with('\n') {
        return false;
    }
    let mut lines = text.split_inclusive('\n');
    let opens = lines.next().is_some_and(|first| {
        let (margin, rest) = first.split_at(indent.min(first.len()));
        margin.bytes().all(|b| b == b' ') && (rest.starts_with("- ") || rest.trim_end() == "-")
    });
    opens
        && lines.all(|line| {
            let content = line.trim_end();
            content.is_empty() || content.len() - content.trim_start_matches(' ').len() > indent
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::tests::{claim, dossier};

    fn parse(known: &mut Option<Known>, text: &str) -> Version {
        next(known, Path::new("content/providers/a.md"), text.as_bytes()).as_ref().clone()
    }

    fn whole_parse(text: &str) -> Version {
        events::parse_version(Path::new("content/providers/a.md"), text.as_bytes())
    }

    /// Three claims, the middle one citing a named source.
    fn three(middle: &str) -> String {
        let x = claim("x", "fact", "verified", "2026-01-01", &["https://a.test/1"]);
        let z = claim("z", "allegation", "alleged", "2026-01-03", &["https://a.test/3"]);
        let extra = "sources:\n  report:\n    url: https://a.test/r\n    title: R\n    accessed: 2026-01-01\n";
        dossier("dns", extra, &format!("{x}{middle}{z}"))
    }

    fn middle(status: &str, text: &str) -> String {
        format!(
            "  - id: y\n    text: {text}\n    kind: policy\n    status: {status}\n    verified: 2026-01-02\n    sources:\n      - report\n"
        )
    }

    /// Reads `text` from `known` by rereading one claim only, if that is allowed.
    fn reread(known: &mut Option<Known>, text: &str) -> Option<Version> {
        let yaml = frontmatter::split(Path::new("a.md"), text).ok()?.yaml;
        known.as_mut()?.reread(Path::new("a.md"), yaml).map(|v| v.as_ref().clone())
    }

    #[test]
    fn an_edit_inside_one_claim_rereads_that_claim_and_agrees_with_a_whole_parse() {
        let mut known = None;
        let first = three(&middle("verified", "Y."));
        assert_eq!(parse(&mut known, &first), whole_parse(&first));
        assert_eq!(known.as_ref().and_then(|k| k.items.as_ref()).map(|(items, _)| items.len()), Some(3));
        let edits = [
            three(&middle("disputed", "Y.")),
            three(&middle("disputed", "Y, reworded\n      over two lines.")),
            three(&middle("retracted", "\"Y: quoted\"")),
            three(&middle("retracted", "\"Y: quoted\"")).replace("2026-01-02", "2026-02-02"),
            three(&middle("retracted", "\"Y: quoted\"")).replace("  - id: y\n", "  - id: renamed\n"),
        ];
        for text in &edits {
            let version = reread(&mut known, text).unwrap_or_else(|| panic!("reread alone: {text}"));
            assert_eq!(version, whole_parse(text), "{text}");
            assert_eq!(parse(&mut known, text), version, "the known version moved on");
        }
        let Ok(snapshot) = parse(&mut known, &three(&middle("disputed", "Y."))) else { panic!("parses") };
        assert_eq!(snapshot.claims[1].sources, [("https://a.test/r".to_owned(), None)], "named sources resolve");
    }

    #[test]
    fn edits_outside_one_plain_claim_are_parsed_whole() {
        let base = three(&middle("verified", "Y."));
        let variants = [
            // A new claim, a removed one, an edit outside the list, one spanning two items.
            base.replace(
                "claims:\n",
                "claims:\n  - id: w\n    text: W.\n    verified: 2026-01-01\n    sources: [https://a.test/w]\n",
            ),
            base.replace(&middle("verified", "Y."), ""),
            base.replace("summary: S.", "summary: T."),
            base.replace("    verified: 2026-01-02\n    sources:\n      - report\n  - id: z", "  - id: z"),
            // An alias, a tab, and an item that turns into two.
            base.replace("text: Y.", "text: *anchor"),
            base.replace("text: Y.", "text:\tY."),
            base.replace("    kind: policy\n", "  - id: v\n    kind: policy\n"),
            // A line pulled out to the margin, and a broken claim.
            base.replace("    kind: policy\n", "draft: true\n"),
            base.replace("    kind: policy\n", "    kind: [policy\n"),
        ];
        for variant in &variants {
            let mut known = None;
            assert!(parse(&mut known, &base).is_ok());
            assert_eq!(reread(&mut known, variant), None, "{variant}");
            assert_eq!(parse(&mut known, variant), whole_parse(variant), "{variant}");
        }
    }

    #[test]
    fn large_frontmatter_is_parsed_whole() {
        let long = format!("\"{}\"", "y".repeat(MAX_REREAD_BYTES));
        let base = three(&middle("verified", &long));
        let mut known = None;
        assert!(parse(&mut known, &base).is_ok());
        let edited = three(&middle("disputed", &long));
        assert_eq!(reread(&mut known, &edited), None);
        assert_eq!(parse(&mut known, &edited), whole_parse(&edited));
    }

    #[test]
    fn lists_that_are_not_plain_are_never_reread() {
        let flow = dossier("dns", "", "  [{ id: x, text: X., verified: 2026-01-01, sources: [https://a.test/1] }]\n")
            .replace("claims:\n  [", "claims: [");
        let comment = three(&middle("verified", "Y.")).replace("  - id: y\n", "# a note\n  - id: y\n");
        for text in [flow, comment] {
            let mut known = None;
            assert!(parse(&mut known, &text).is_ok(), "{text}");
            assert!(known.as_ref().is_some_and(|k| k.items.is_none()), "{text}");
        }
    }
}
