//! View models: what the templates see of a dossier, claim or source (themes/default/CONTEXT.md).
//!
//! Built from the model with every contributor string left as plain text (the templates escape
//! it) or rendered by the Markdown seam into safe HTML (fields ending in `_html`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Links, Settings};
use crate::markdown::{self, BodyContext};
use crate::model::{
    Claim, ClaimKind, Date, Dossier, FactValue, Freshness, ProviderStatus, ReplyOutcome, Source, SourceRef,
};
use crate::site::Site;
use crate::theme_files::ReservedIds;

#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceView {
    pub url: String,
    pub title: String,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub accessed: String,
    pub archive: Option<String>,
    pub quote: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseTarget {
    pub id: String,
    pub anchor: String,
    pub number: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Backlink {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimView {
    pub id: String,
    pub anchor: String,
    /// The anchors of the claim's former ids, which still lead to it.
    pub alias_anchors: Vec<String>,
    pub number: Option<usize>,
    pub text_html: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub status: &'static str,
    pub status_label: &'static str,
    pub impact: Option<&'static str>,
    pub verified: String,
    pub stale: bool,
    pub days_past: i64,
    pub due: String,
    pub responds_to: Option<ResponseTarget>,
    pub responses: Vec<ClaimView>,
    pub sources: Vec<SourceView>,
    pub backlinks: Vec<Backlink>,
    /// When it was first recorded and its statuses since (with a git history).
    pub record: Option<super::history::ClaimRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimGroup {
    pub kind: &'static str,
    pub label: &'static str,
    pub claims: Vec<ClaimView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReplyView {
    pub contacted: String,
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CategoryRef {
    pub slug: String,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JurisdictionRef {
    pub code: String,
    pub url: String,
}

/// One of the dossier's facts, as its category's comparison table shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FactView {
    pub key: String,
    /// The column's label.
    pub label: String,
    /// The value as written, with the column's unit (`30 days`, `Yes`).
    pub display: String,
    /// The supporting claim's anchor on the page (`claim-<id>`).
    pub anchor: String,
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub json_url: String,
    pub website: String,
    pub summary: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub founded: Option<u16>,
    pub former_names: Vec<String>,
    pub category: CategoryRef,
    pub jurisdiction: Option<JurisdictionRef>,
    pub tags: Vec<Named>,
    /// In the category's column order.
    pub facts: Vec<FactView>,
    pub body_html: String,
    pub notes_html: Option<String>,
    pub claim_groups: Vec<ClaimGroup>,
    pub claim_count: usize,
    pub stale_count: usize,
    pub verified_newest: String,
    pub verified_oldest: String,
    pub edited: Option<String>,
    pub edit_url: Option<String>,
    pub history_url: Option<String>,
    pub right_of_reply: Option<ReplyView>,
    /// The dossier's record over time (with a git history).
    pub record: Option<super::history::RecordSummary>,
}

impl ProviderView {
    /// Adds the dossier's record and each claim's.
    pub fn attach_record(
        &mut self,
        record: super::history::RecordSummary,
        claims: &std::collections::HashMap<String, super::history::ClaimRecord>,
    ) {
        self.record = Some(record);
        for group in &mut self.claim_groups {
            for claim in &mut group.claims {
                claim.record = claims.get(&claim.id).cloned();
                for response in &mut claim.responses {
                    response.record = claims.get(&response.id).cloned();
                }
            }
        }
    }
}

/// A provider in lists and tables.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub summary: String,
    pub status: &'static str,
    pub category_name: String,
    pub category_url: String,
    pub jurisdiction: Option<String>,
    pub verified_newest: String,
    pub claim_count: usize,
    pub stale_count: usize,
}

/// What the rest of the site needs to know about one claim, beyond its page.
#[derive(Debug, Clone)]
pub struct ClaimFacts {
    pub id: String,
    pub verified: Date,
    pub freshness: Freshness,
}

pub fn kind_label(kind: ClaimKind) -> &'static str {
    match kind {
        ClaimKind::Fact => "Facts",
        ClaimKind::Policy => "Policies",
        ClaimKind::Incident => "Incidents",
        ClaimKind::Allegation => "Allegations",
        ClaimKind::VendorStatement => "Vendor statements",
    }
}

fn status_label(status: ProviderStatus) -> (&'static str, &'static str) {
    match status {
        ProviderStatus::Active => ("active", "Active"),
        ProviderStatus::Defunct => ("defunct", "Defunct"),
        ProviderStatus::Acquired => ("acquired", "Acquired"),
    }
}

fn outcome_label(outcome: ReplyOutcome) -> (&'static str, &'static str) {
    match outcome {
        ReplyOutcome::Responded => ("responded", "The vendor responded"),
        ReplyOutcome::Declined => ("declined", "The vendor declined to comment"),
        ReplyOutcome::NoResponse => ("no-response", "The vendor did not respond"),
    }
}

/// A fact's value as pages show it, with `unit` after it, and its key for sorting a table.
pub(super) fn display_value(value: &FactValue, unit: Option<&str>) -> (String, String) {
    let with_unit = |v: String| unit.map_or(v.clone(), |u| format!("{v} {u}"));
    match value {
        FactValue::Boolean(b) => ((if *b { "Yes" } else { "No" }).to_owned(), (u8::from(*b)).to_string()),
        FactValue::Number(n) => (with_unit(n.to_string()), n.to_string()),
        FactValue::Text(t) => (with_unit(t.clone()), t.to_lowercase()),
    }
}

/// The dossier's facts in its category's column order, each with the freshness of its claim.
fn fact_views(site: &Site, dossier: &Dossier, claims: &[ClaimFacts]) -> Vec<FactView> {
    let Some(category) = site.categories.get(dossier.meta.category.as_str()) else { return Vec::new() };
    category
        .meta
        .facts
        .iter()
        .filter_map(|column| {
            let fact = dossier.meta.facts.get(column.key.as_str())?;
            let claim = &fact.claim.value;
            Some(FactView {
                key: column.key.value.clone(),
                label: column.label.clone(),
                display: display_value(&fact.value.value, column.unit.as_deref()).0,
                anchor: format!("claim-{claim}"),
                stale: claims.iter().any(|c| &c.id == claim && c.freshness.is_stale()),
            })
        })
        .collect()
}

/// What the listings need of a dossier: its summary and its claims' freshness. Cheap (no
/// Markdown), so a dossier whose page comes from the build cache still joins the listings.
pub fn summarize(site: &Site, dossier: &Dossier, settings: &Settings, links: &Links) -> (Summary, Vec<ClaimFacts>) {
    let meta = &dossier.meta;
    let stale_after = site.stale_after_days(&meta.category);
    let facts: Vec<ClaimFacts> = meta
        .claims
        .iter()
        .map(|c| ClaimFacts {
            id: c.id.value.clone(),
            verified: c.verified.value,
            freshness: Freshness::of(c.verified.value, stale_after, settings.today),
        })
        .collect();
    let category_name = site
        .categories
        .get(meta.category.as_str())
        .map(|c| c.meta.name.value.clone())
        .unwrap_or_else(|| meta.category.value.clone());
    let summary = Summary {
        slug: dossier.slug.clone(),
        name: meta.name.value.clone(),
        url: links.provider(&dossier.slug),
        summary: meta.summary.value.clone(),
        status: status_label(meta.status).0,
        category_name,
        category_url: links.category(&meta.category),
        jurisdiction: meta.jurisdiction.as_ref().map(|j| j.value.clone()),
        verified_newest: facts.iter().map(|f| f.verified).max().map(|d| d.to_string()).unwrap_or_default(),
        claim_count: facts.len(),
        stale_count: facts.iter().filter(|f| f.freshness.is_stale()).count(),
    };
    (summary, facts)
}

/// The provider page's view, its summary, and its claims' freshness.
pub fn provider_view(
    site: &Site,
    dossier: &Dossier,
    settings: &Settings,
    links: &Links,
    reserved: &ReservedIds,
) -> (ProviderView, Summary, Vec<ClaimFacts>, bool) {
    let meta = &dossier.meta;
    let stale_after = site.stale_after_days(&meta.category);
    let claim_ids: Vec<&str> = meta.claims.iter().map(|c| c.id.as_str()).collect();
    let highlight = super::highlight::highlight;
    let is_reserved_id = |id: &str| reserved.contains(id);
    let cx = BodyContext {
        claim_ids: &claim_ids,
        base_path: &links.base_path,
        highlight: &highlight,
        is_reserved_id: &is_reserved_id,
    };
    let body = markdown::render_body(&dossier.body.text, &cx);
    let (numbers, counts) = (&body.claim_numbers, &body.claim_counts);
    let (summary, facts) = summarize(site, dossier, settings, links);
    let view_of = |claim: &Claim| claim_view(dossier, claim, numbers, counts, stale_after, settings, links);
    let claim_groups = ClaimKind::ALL
        .iter()
        .map(|&kind| ClaimGroup {
            kind: kind.as_str(),
            label: kind_label(kind),
            claims: by_citation(meta.claims.iter().filter(|c| c.kind == kind), numbers)
                .map(|c| {
                    let mut view = view_of(c);
                    view.responses = meta
                        .claims
                        .iter()
                        .filter(|r| r.responds_to.as_ref().is_some_and(|t| t.value == c.id.value))
                        .map(view_of)
                        .collect();
                    view
                })
                .collect(),
        })
        .filter(|g| !g.claims.is_empty())
        .collect();
    let oldest = facts.iter().map(|f| f.verified).min();
    let (status, status_label) = status_label(meta.status);
    let category = CategoryRef {
        slug: meta.category.value.clone(),
        name: summary.category_name.clone(),
        url: summary.category_url.clone(),
    };
    let source_path = crate::diagnostics::display_path(&dossier.path);
    let view = ProviderView {
        slug: dossier.slug.clone(),
        name: summary.name.clone(),
        json_url: format!("{}index.json", summary.url),
        url: summary.url.clone(),
        website: markdown::encode_href(meta.website.value.trim()),
        summary: summary.summary.clone(),
        status,
        status_label,
        founded: meta.founded,
        former_names: meta.former_names.clone(),
        jurisdiction: meta
            .jurisdiction
            .as_ref()
            .map(|j| JurisdictionRef { code: j.value.clone(), url: links.jurisdiction(j) }),
        tags: meta.tags.iter().map(|t| Named { name: t.value.clone(), url: links.tag(t) }).collect(),
        facts: fact_views(site, dossier, &facts),
        body_html: body.html,
        notes_html: body.notes_html,
        claim_groups,
        claim_count: summary.claim_count,
        stale_count: summary.stale_count,
        verified_newest: summary.verified_newest.clone(),
        verified_oldest: oldest.map(|d| d.to_string()).unwrap_or_default(),
        edited: settings.edited.get(&source_path).map(Date::to_string),
        edit_url: links.edit_url(&source_path),
        history_url: links.history_url(&source_path),
        right_of_reply: meta.right_of_reply.as_ref().map(|r| {
            let (outcome, outcome_label) = outcome_label(r.outcome);
            ReplyView { contacted: r.contacted.value.to_string(), outcome, outcome_label, note: r.note.clone() }
        }),
        category,
        record: None,
    };
    (view, summary, facts, body.has_code)
}

/// Claims in citation order (as their numbers read), uncited ones after in written order.
fn by_citation<'a>(
    claims: impl Iterator<Item = &'a Claim>,
    numbers: &BTreeMap<String, usize>,
) -> impl Iterator<Item = &'a Claim> {
    let mut sorted: Vec<&Claim> = claims.collect();
    sorted.sort_by_key(|c| numbers.get(c.id.as_str()).copied().unwrap_or(usize::MAX));
    sorted.into_iter()
}

fn claim_view(
    dossier: &Dossier,
    claim: &Claim,
    numbers: &BTreeMap<String, usize>,
    counts: &BTreeMap<String, usize>,
    stale_after: u32,
    settings: &Settings,
    links: &Links,
) -> ClaimView {
    let freshness = Freshness::of(claim.verified.value, stale_after, settings.today);
    let id = claim.id.value.clone();
    let cited = counts.get(&id).copied().unwrap_or(0);
    ClaimView {
        anchor: format!("claim-{id}"),
        alias_anchors: claim.aliases.iter().map(|a| format!("claim-{}", a.value)).collect(),
        number: numbers.get(&id).copied(),
        text_html: markdown::render_inline(&claim.text, &links.base_path),
        kind: claim.kind.as_str(),
        kind_label: kind_label(claim.kind),
        status: claim.status.as_str(),
        status_label: claim.status.as_str(),
        impact: claim.impact.map(|i| match i {
            crate::model::Impact::Positive => "positive",
            crate::model::Impact::Neutral => "neutral",
            crate::model::Impact::Negative => "negative",
        }),
        verified: claim.verified.value.to_string(),
        stale: freshness.is_stale(),
        days_past: match freshness {
            Freshness::Stale { days_past } => days_past,
            Freshness::Fresh => 0,
        },
        due: claim.verified.value.add_days(i64::from(stale_after)).to_string(),
        responds_to: claim.responds_to.as_ref().map(|t| ResponseTarget {
            id: t.value.clone(),
            anchor: format!("claim-{}", t.value),
            number: numbers.get(&t.value).copied(),
        }),
        responses: Vec::new(),
        sources: claim.sources.iter().filter_map(|r| source_view(dossier, &r.value)).collect(),
        backlinks: (1..=cited).map(|k| Backlink { id: format!("cite-{id}-{k}"), label: letter(k - 1) }).collect(),
        record: None,
        id,
    }
}

fn letter(index: usize) -> String {
    if index < 26 { char::from(b'a' + index as u8).to_string() } else { (index + 1).to_string() }
}

fn source_view(dossier: &Dossier, reference: &SourceRef) -> Option<SourceView> {
    let (source, name): (&Source, Option<String>) = match reference {
        SourceRef::Inline(s) => (s, None),
        SourceRef::Named(n) => (&dossier.meta.sources.get(n)?.value, Some(n.clone())),
    };
    Some(SourceView {
        url: markdown::encode_href(source.url.value.trim()),
        title: source.title.clone(),
        publisher: source.publisher.clone(),
        published: source.published.as_ref().map(|d| d.value.to_string()),
        accessed: source.accessed.value.to_string(),
        archive: source.archive.as_ref().map(|a| markdown::encode_href(a.value.trim())),
        quote: source.quote.clone(),
        name,
    })
}

#[cfg(test)]
#[path = "views_tests.rs"]
mod tests;
