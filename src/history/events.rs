//! What changed between two versions of a dossier, claim by claim.
//!
//! A version is reduced to a [`Snapshot`] (what the record cares about, named sources resolved)
//! once per distinct blob; [`compare`] turns two snapshots into [`Change`]s. Changes name claims
//! by id only: the text of a removed claim is never carried forward.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::frontmatter;
use crate::model::{ClaimKind, ClaimStatus, Date, DossierMeta, FactValue, Impact, ReplyOutcome, SourceRef};

/// What the record keeps of one version of a dossier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    pub category: String,
    pub claims: Vec<ClaimSnapshot>,
    /// Fact key → its value as text.
    pub facts: BTreeMap<String, String>,
    pub reply: Option<(Date, ReplyOutcome)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimSnapshot {
    pub id: String,
    pub text: String,
    pub kind: ClaimKind,
    pub status: ClaimStatus,
    pub impact: Option<Impact>,
    pub verified: Date,
    pub responds_to: Option<String>,
    /// Each source's address and archive, in the order written.
    pub sources: Vec<(String, Option<String>)>,
}

/// A version of a dossier: its snapshot, or why it did not parse.
pub type Version = Result<Snapshot, String>;

/// One change to a dossier, as the record and its readers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Change {
    DossierAdded,
    /// The file was renamed from the dossier with this slug; its history came along.
    DossierRenamed {
        from: String,
    },
    DossierRemoved,
    ClaimAdded {
        claim: String,
        kind: ClaimKind,
        status: ClaimStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        impact: Option<Impact>,
    },
    VendorStatementAdded {
        claim: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        responds_to: Option<String>,
    },
    ClaimReworded {
        claim: String,
    },
    ClaimRemoved {
        claim: String,
    },
    StatusChanged {
        claim: String,
        from: ClaimStatus,
        to: ClaimStatus,
    },
    KindChanged {
        claim: String,
        from: ClaimKind,
        to: ClaimKind,
    },
    Reverified {
        claim: String,
        from: Date,
        to: Date,
    },
    SourceAdded {
        claim: String,
        url: String,
    },
    /// The address of a removed source is not republished.
    SourceRemoved {
        claim: String,
    },
    ArchiveAdded {
        claim: String,
        url: String,
        archive: String,
    },
    FactChanged {
        fact: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    ReplyRecorded {
        contacted: Date,
        outcome: ReplyOutcome,
    },
    ReplyChanged {
        contacted: Date,
        outcome: ReplyOutcome,
    },
    ReplyRemoved,
    CategoryChanged {
        from: String,
        to: String,
    },
    /// The file changed, but nothing the record follows claim by claim (the body, a summary).
    Edited,
    /// This version's frontmatter did not parse; later changes compare with the last one that did.
    InvalidRevision {
        problem: String,
    },
}

impl Change {
    /// The claim the change is about, if any.
    pub fn claim(&self) -> Option<&str> {
        match self {
            Change::ClaimAdded { claim, .. }
            | Change::VendorStatementAdded { claim, .. }
            | Change::ClaimReworded { claim }
            | Change::ClaimRemoved { claim }
            | Change::StatusChanged { claim, .. }
            | Change::KindChanged { claim, .. }
            | Change::Reverified { claim, .. }
            | Change::SourceAdded { claim, .. }
            | Change::SourceRemoved { claim }
            | Change::ArchiveAdded { claim, .. } => Some(claim),
            _ => None,
        }
    }

    /// Whether a corrections column lists it: a claim retracted, superseded, disputed or removed.
    pub fn is_correction(&self) -> bool {
        match self {
            Change::ClaimRemoved { .. } => true,
            Change::StatusChanged { to, .. } => {
                matches!(to, ClaimStatus::Retracted | ClaimStatus::Superseded | ClaimStatus::Disputed)
            }
            _ => false,
        }
    }
}

/// A change in plain words: `before`, the id of the claim it is about (if any), `after`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub before: String,
    pub claim: Option<String>,
    pub after: String,
}

impl Change {
    /// The change in plain words. A removed claim is named by its id inside `before`, never
    /// as a claim to look up: its text is not republished.
    pub fn words(&self) -> Words {
        let text = |before: String| Words { before, claim: None, after: String::new() };
        let about = |before: &str, id: &str, after: String| Words {
            before: before.to_owned(),
            claim: Some(id.to_owned()),
            after,
        };
        match self {
            Change::DossierAdded => text("Dossier added".into()),
            Change::DossierRenamed { from } => text(format!("Renamed from {from}")),
            Change::DossierRemoved => text("Dossier removed".into()),
            Change::ClaimAdded { claim, kind, status, .. } => {
                about("Claim ", claim, format!(" added ({}, {})", kind_words(*kind), status.as_str()))
            }
            Change::VendorStatementAdded { claim, responds_to } => about(
                "Vendor statement ",
                claim,
                responds_to.as_ref().map_or_else(|| " added".to_owned(), |r| format!(" added, in reply to claim {r}")),
            ),
            Change::ClaimReworded { claim } => about("Claim ", claim, " reworded".into()),
            Change::ClaimRemoved { claim } => text(format!("Claim {claim} removed")),
            Change::StatusChanged { claim, from, to } => {
                about("Status of claim ", claim, format!(" changed from {} to {}", from.as_str(), to.as_str()))
            }
            Change::KindChanged { claim, from, to } => {
                about("Claim ", claim, format!(" changed from {} to {}", kind_words(*from), kind_words(*to)))
            }
            Change::Reverified { claim, from, to } => about("Claim ", claim, format!(" re-verified: {from} → {to}")),
            Change::SourceAdded { claim, url } => about("Source added to claim ", claim, format!(": {url}")),
            Change::SourceRemoved { claim } => about("Source removed from claim ", claim, String::new()),
            Change::ArchiveAdded { claim, .. } => {
                about("Archive copy added to a source of claim ", claim, String::new())
            }
            Change::FactChanged { fact, from, to } => text(match (from, to) {
                (Some(from), Some(to)) => format!("Fact {fact} changed from {from} to {to}"),
                (None, Some(to)) => format!("Fact {fact} set to {to}"),
                (Some(_), None) | (None, None) => format!("Fact {fact} removed"),
            }),
            Change::ReplyRecorded { contacted, outcome } => {
                text(format!("Right of reply recorded: vendor contacted {contacted}, {}", outcome_words(*outcome)))
            }
            Change::ReplyChanged { contacted, outcome } => {
                text(format!("Right of reply changed: vendor contacted {contacted}, {}", outcome_words(*outcome)))
            }
            Change::ReplyRemoved => text("Right of reply record removed".into()),
            Change::CategoryChanged { from, to } => text(format!("Category changed from {from} to {to}")),
            Change::Edited => text("Text edited".into()),
            Change::InvalidRevision { problem } => text(format!(
                "This version did not parse ({problem}); the next change is compared with the last version that did"
            )),
        }
    }
}

fn kind_words(kind: ClaimKind) -> &'static str {
    match kind {
        ClaimKind::VendorStatement => "vendor statement",
        other => other.as_str(),
    }
}

fn outcome_words(outcome: ReplyOutcome) -> &'static str {
    match outcome {
        ReplyOutcome::Responded => "responded",
        ReplyOutcome::Declined => "declined",
        ReplyOutcome::NoResponse => "no response",
    }
}

/// Parses one version of a dossier's file.
pub fn parse_version(path: &Path, bytes: &[u8]) -> Version {
    parse_meta(path, bytes).map(|(meta, _)| snapshot(&meta))
}

/// A version's frontmatter, parsed, and its YAML text; or why it does not parse.
pub(super) fn parse_meta<'a>(path: &Path, bytes: &'a [u8]) -> Result<(DossierMeta, &'a str), String> {
    let text = text_of(bytes)?;
    let split = frontmatter::split(path, text).map_err(|d| problem(&[d]))?;
    let meta = frontmatter::parse_yaml::<DossierMeta>(path, split.yaml).map_err(|p| problem(&p))?;
    Ok((meta, split.yaml))
}

/// A file's text, as loading reads it: at most 2 MiB of UTF-8, a byte-order mark dropped.
pub(super) fn text_of(bytes: &[u8]) -> Result<&str, String> {
    if bytes.len() as u64 > crate::load::MAX_FILE_BYTES {
        return Err("the file is larger than 2 MiB".to_owned());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "the file is not valid UTF-8".to_owned())?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The first problem, as a history page says it.
fn problem(problems: &[crate::diagnostics::Diagnostic]) -> String {
    match problems.first() {
        Some(p) if p.line > 0 => format!("line {}: {}", p.line, p.message),
        Some(p) => p.message.clone(),
        None => "the frontmatter does not parse".to_owned(),
    }
}

/// What the record keeps of parsed frontmatter.
pub fn snapshot(meta: &DossierMeta) -> Snapshot {
    let sources = named_sources(meta);
    let claims = meta.claims.iter().map(|claim| claim_snapshot(claim, &sources)).collect();
    let facts = meta.facts.iter().map(|(key, fact)| (key.clone(), fact_text(&fact.value.value))).collect();
    let reply = meta.right_of_reply.as_ref().map(|r| (r.contacted.value, r.outcome));
    Snapshot { category: meta.category.value.clone(), claims, facts, reply }
}

/// A source as the record keeps it: its address and archive.
type Cited = (String, Option<String>);

/// The named sources of a dossier, as claims citing them are recorded.
pub(super) fn named_sources(meta: &DossierMeta) -> BTreeMap<String, Cited> {
    let cited = |s: &crate::model::Source| (s.url.value.trim().to_owned(), s.archive.as_ref().map(|a| a.value.clone()));
    meta.sources.iter().map(|(name, source)| (name.clone(), cited(source))).collect()
}

/// What the record keeps of one claim, its named sources looked up in `sources`.
pub(super) fn claim_snapshot(claim: &crate::model::Claim, sources: &BTreeMap<String, Cited>) -> ClaimSnapshot {
    ClaimSnapshot {
        id: claim.id.value.clone(),
        text: claim.text.value.clone(),
        kind: claim.kind,
        status: claim.status,
        impact: claim.impact,
        verified: claim.verified.value,
        responds_to: claim.responds_to.as_ref().map(|r| r.value.clone()),
        sources: claim
            .sources
            .iter()
            .map(|source| match &source.value {
                SourceRef::Inline(s) => (s.url.value.trim().to_owned(), s.archive.as_ref().map(|a| a.value.clone())),
                SourceRef::Named(name) => {
                    sources.get(name).cloned().unwrap_or_else(|| (format!("{name} (named source)"), None))
                }
            })
            .collect(),
    }
}

/// A fact's value as a reader would write it.
pub fn fact_text(value: &FactValue) -> String {
    match value {
        FactValue::Boolean(true) => "yes".to_owned(),
        FactValue::Boolean(false) => "no".to_owned(),
        FactValue::Number(n) => n.to_string(),
        FactValue::Text(t) => t.clone(),
    }
}

/// The changes from `old` (the last version that parsed, if any) to `new`, in a fixed order:
/// the dossier, its category and reply, its facts, then each claim in file order, then
/// removed claims.
pub fn compare(old: Option<&Snapshot>, new: &Snapshot) -> Vec<Change> {
    let mut out = Vec::new();
    let Some(old) = old else {
        out.extend(new.claims.iter().map(added));
        if let Some((contacted, outcome)) = new.reply {
            out.push(Change::ReplyRecorded { contacted, outcome });
        }
        return out;
    };
    if old.category != new.category {
        out.push(Change::CategoryChanged { from: old.category.clone(), to: new.category.clone() });
    }
    match (old.reply, new.reply) {
        (None, Some((contacted, outcome))) => out.push(Change::ReplyRecorded { contacted, outcome }),
        (Some(before), Some((contacted, outcome))) if before != (contacted, outcome) => {
            out.push(Change::ReplyChanged { contacted, outcome });
        }
        (Some(_), None) => out.push(Change::ReplyRemoved),
        _ => {}
    }
    let keys: BTreeSet<&String> = old.facts.keys().chain(new.facts.keys()).collect();
    for key in keys {
        let (from, to) = (old.facts.get(key), new.facts.get(key));
        if from != to {
            out.push(Change::FactChanged { fact: key.clone(), from: from.cloned(), to: to.cloned() });
        }
    }
    let before: BTreeMap<&str, &ClaimSnapshot> = old.claims.iter().map(|c| (c.id.as_str(), c)).collect();
    for claim in &new.claims {
        match before.get(claim.id.as_str()) {
            None => out.push(added(claim)),
            Some(was) => compare_claim(was, claim, &mut out),
        }
    }
    let now: BTreeSet<&str> = new.claims.iter().map(|c| c.id.as_str()).collect();
    for claim in old.claims.iter().filter(|c| !now.contains(c.id.as_str())) {
        out.push(Change::ClaimRemoved { claim: claim.id.clone() });
    }
    out
}

fn added(claim: &ClaimSnapshot) -> Change {
    if claim.kind == ClaimKind::VendorStatement {
        Change::VendorStatementAdded { claim: claim.id.clone(), responds_to: claim.responds_to.clone() }
    } else {
        Change::ClaimAdded { claim: claim.id.clone(), kind: claim.kind, status: claim.status, impact: claim.impact }
    }
}

fn compare_claim(was: &ClaimSnapshot, now: &ClaimSnapshot, out: &mut Vec<Change>) {
    let claim = || now.id.clone();
    if was.text != now.text {
        out.push(Change::ClaimReworded { claim: claim() });
    }
    if was.kind != now.kind {
        out.push(Change::KindChanged { claim: claim(), from: was.kind, to: now.kind });
    }
    if was.status != now.status {
        out.push(Change::StatusChanged { claim: claim(), from: was.status, to: now.status });
    }
    if was.verified != now.verified {
        out.push(Change::Reverified { claim: claim(), from: was.verified, to: now.verified });
    }
    let old_sources: BTreeMap<&str, &Option<String>> = was.sources.iter().map(|(u, a)| (u.as_str(), a)).collect();
    let new_urls: BTreeSet<&str> = now.sources.iter().map(|(u, _)| u.as_str()).collect();
    for (url, archive) in &now.sources {
        match old_sources.get(url.as_str()) {
            None => out.push(Change::SourceAdded { claim: claim(), url: url.clone() }),
            Some(None) => {
                if let Some(archive) = archive {
                    out.push(Change::ArchiveAdded { claim: claim(), url: url.clone(), archive: archive.clone() });
                }
            }
            Some(Some(_)) => {}
        }
    }
    for _ in was.sources.iter().filter(|(url, _)| !new_urls.contains(url.as_str())) {
        out.push(Change::SourceRemoved { claim: claim() });
    }
}

/// Whether an added and a removed dossier in one commit are one dossier renamed: they share
/// at least half of the larger one's claim ids (an identical file is matched before parsing).
pub fn same_dossier(removed: &Snapshot, added: &Snapshot) -> bool {
    let ids: BTreeSet<&str> = removed.claims.iter().map(|c| c.id.as_str()).collect();
    let shared = added.claims.iter().filter(|c| ids.contains(c.id.as_str())).count();
    let larger = removed.claims.len().max(added.claims.len());
    larger > 0 && shared * 2 >= larger
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: &str) -> ClaimSnapshot {
        ClaimSnapshot {
            id: id.to_owned(),
            text: format!("Claim {id}."),
            kind: ClaimKind::Fact,
            status: ClaimStatus::Verified,
            impact: None,
            verified: Date::parse("2026-01-01").unwrap(),
            responds_to: None,
            sources: vec![("https://a.test/x".to_owned(), None)],
        }
    }

    fn snap(claims: Vec<ClaimSnapshot>) -> Snapshot {
        Snapshot { category: "dns".to_owned(), claims, facts: BTreeMap::new(), reply: None }
    }

    #[test]
    fn a_new_dossier_adds_each_claim() {
        let mut statement = claim("answer");
        statement.kind = ClaimKind::VendorStatement;
        statement.responds_to = Some("a".to_owned());
        let changes = compare(None, &snap(vec![claim("a"), statement]));
        assert_eq!(
            changes,
            [
                Change::ClaimAdded {
                    claim: "a".into(),
                    kind: ClaimKind::Fact,
                    status: ClaimStatus::Verified,
                    impact: None
                },
                Change::VendorStatementAdded { claim: "answer".into(), responds_to: Some("a".into()) },
            ]
        );
    }

    #[test]
    fn sources_are_compared_by_address() {
        let old = snap(vec![claim("a")]);
        let mut c = claim("a");
        c.sources =
            vec![("https://a.test/x".into(), Some("https://archive.test/x".into())), ("https://b.test".into(), None)];
        let changes = compare(Some(&old), &snap(vec![c.clone()]));
        assert_eq!(
            changes,
            [
                Change::ArchiveAdded {
                    claim: "a".into(),
                    url: "https://a.test/x".into(),
                    archive: "https://archive.test/x".into()
                },
                Change::SourceAdded { claim: "a".into(), url: "https://b.test".into() },
            ]
        );
        let back = compare(Some(&snap(vec![c])), &old);
        assert_eq!(back, [Change::SourceRemoved { claim: "a".into() }]);
    }

    #[test]
    fn renames_need_shared_claims() {
        let a = snap(vec![claim("a"), claim("b")]);
        assert!(same_dossier(&a, &snap(vec![claim("a"), claim("c")])));
        assert!(!same_dossier(&a, &snap(vec![claim("c"), claim("d"), claim("a")])));
    }
}
