//! Rules for one dossier's header, named sources, facts and body citations; the claim rules
//! are in `claims.rs`.

use std::collections::BTreeSet;

use super::fields::{
    check_links, check_not_future, check_source, check_source_dates, check_text_links, check_url, suggest_claim,
};
use super::{PLACEHOLDER, claims};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::markdown;
use crate::model::{Date, Dossier, FactColumn, FactType, Pos, SourceRef, is_slug};
use crate::site::Site;

/// ISO 3166-1 alpha-2 codes, officially assigned.
const COUNTRY_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Codes in common use that ISO 3166-1 spells otherwise (the EU writes EL for Greece): the
/// written code, the ISO code and the country.
const CODE_MISTAKES: &[(&str, &str, &str)] = &[("UK", "GB", "the United Kingdom"), ("EL", "GR", "Greece")];

/// The problems of one dossier that do not depend on the day: all but [`check_dossier_dates`]'s.
pub fn check_dossier(site: &Site, dossier: &Dossier) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_header(site, dossier, &mut out);
    for source in dossier.meta.sources.values() {
        check_source(&dossier.path, source, &mut out);
    }
    claims::check_claims(dossier, &mut out);
    check_facts(site, dossier, &mut out);
    let scan = markdown::scan_footnotes(&dossier.body.text);
    check_citations(dossier, &scan, &mut out);
    check_links(&dossier.path, &dossier.body, &scan.links, &mut out);
    for claim in dossier.meta.claims.iter() {
        check_text_links(&dossier.path, &claim.text, &mut out);
    }
    check_placeholders(dossier, &mut out);
    out
}

/// Text `dossier new` marked for filling in, still there.
fn check_placeholders(dossier: &Dossier, out: &mut Vec<Diagnostic>) {
    let meta = &dossier.meta;
    let mut found = |pos: Pos, what: &str| {
        out.push(
            Diagnostic::new(
                Code::Placeholder,
                &dossier.path,
                pos,
                format!("{what} still holds placeholder text ({PLACEHOLDER})"),
            )
            .help(format!("replace it with your own words; `dossier new` marks what to fill in with {PLACEHOLDER}")),
        );
    };
    if meta.summary.contains(PLACEHOLDER) {
        found(meta.summary.pos, "`summary`");
    }
    for (name, source) in &meta.sources {
        if source.title.contains(PLACEHOLDER) {
            found(source.pos, &format!("the title of the source `{name}`"));
        }
    }
    for claim in meta.claims.iter() {
        if claim.text.contains(PLACEHOLDER) {
            found(claim.text.pos, &format!("the text of the claim `{}`", *claim.id));
        }
        for reference in claim.sources.iter() {
            if let SourceRef::Inline(source) = &reference.value
                && source.title.contains(PLACEHOLDER)
            {
                found(reference.pos, "the title of this source");
            }
        }
    }
    if let Some(offset) = dossier.body.text.find(PLACEHOLDER) {
        found(dossier.body.pos_of(offset), "the text");
    }
}

/// The problems of one dossier that depend on the day: a date ahead of `today` (the right of
/// reply's, a source's, a claim's) and a claim past its freshness window.
pub fn check_dossier_dates(site: &Site, dossier: &Dossier, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(reply) = &dossier.meta.right_of_reply {
        check_not_future(&dossier.path, &reply.contacted, "contacted", today, &mut out);
    }
    for source in dossier.meta.sources.values() {
        check_source_dates(&dossier.path, source, today, &mut out);
    }
    claims::check_claim_dates(site, dossier, today, &mut out);
    out
}

fn check_header(site: &Site, dossier: &Dossier, out: &mut Vec<Diagnostic>) {
    let (path, meta) = (&dossier.path, &dossier.meta);
    check_url(path, &meta.website, "website", out);
    if !site.categories.contains_key(meta.category.as_str()) {
        let help = match did_you_mean(&meta.category, site.categories.keys().map(String::as_str)) {
            Some(best) => format!("did you mean `{best}`?"),
            None => format!(
                "use the name of a file in content/categories/: {}",
                site.categories.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        out.push(
            Diagnostic::new(
                Code::UnknownCategory,
                path,
                meta.category.pos,
                format!("there is no category `{}`", *meta.category),
            )
            .help(help),
        );
    }
    if let Some(code) = &meta.jurisdiction
        && !COUNTRY_CODES.split(' ').any(|c| c == code.as_str())
    {
        let upper = code.to_ascii_uppercase();
        let help = if let Some((_, meant, country)) = CODE_MISTAKES.iter().find(|(wrong, ..)| *wrong == upper) {
            format!("the ISO 3166-1 code for {country} is `{meant}`")
        } else if upper == "EU" {
            "the EU is not a country: use the code of the country whose law governs the provider, e.g. DE".into()
        } else if COUNTRY_CODES.split(' ').any(|c| c == upper) {
            format!("write it in capitals: `{upper}`")
        } else {
            "use an ISO 3166-1 alpha-2 country code, e.g. DE, US, CH".into()
        };
        out.push(
            Diagnostic::new(
                Code::InvalidJurisdiction,
                path,
                code.pos,
                format!("`{}` is not an ISO 3166-1 alpha-2 country code", **code),
            )
            .help(help),
        );
    }
    for tag in &meta.tags {
        if !is_slug(tag) {
            out.push(
                Diagnostic::new(Code::InvalidSlug, path, tag.pos, format!("the tag `{}` is not a slug", **tag))
                    .help("use lower-case letters, digits and single hyphens, e.g. `two-factor`"),
            );
        }
    }
}

fn check_facts(site: &Site, dossier: &Dossier, out: &mut Vec<Diagnostic>) {
    let columns = site.categories.get(dossier.meta.category.as_str()).map(|c| c.meta.facts.as_slice());
    let ids: BTreeSet<&str> = dossier.meta.claims.iter().map(|c| c.id.as_str()).collect();
    for (key, fact) in &dossier.meta.facts {
        match columns.and_then(|cols| cols.iter().find(|c| c.key.as_str() == key)) {
            Some(column) if column.kind != fact.value.value.type_name() => out.push(
                Diagnostic::new(
                    Code::FactTypeMismatch,
                    &dossier.path,
                    fact.value.value.pos,
                    format!(
                        "the fact `{key}` must be a {}, not {}",
                        column.kind.as_str(),
                        fact.value.value.type_name().as_str()
                    ),
                )
                .help(what_to_write(column)),
            ),
            Some(_) => {}
            None if columns.is_some() => {
                let columns = columns.unwrap_or_default();
                let listed: Vec<String> = columns.iter().map(describe_column).collect();
                let list = if listed.is_empty() {
                    format!("the category `{}` declares no columns", *dossier.meta.category)
                } else {
                    format!("the category `{}` has the columns {}", *dossier.meta.category, listed.join(", "))
                };
                let help = match did_you_mean(key, columns.iter().map(|c| c.key.as_str())) {
                    Some(best) => format!("{list}: did you mean `{best}`?"),
                    None => list,
                };
                out.push(
                    Diagnostic::new(
                        Code::UnknownFact,
                        &dossier.path,
                        fact.pos,
                        format!("the category has no fact `{key}`"),
                    )
                    .help(help),
                );
            }
            None => {}
        }
        if !ids.contains(fact.claim.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::FactUnknownClaim,
                    &dossier.path,
                    fact.claim.pos,
                    format!("the fact `{key}` points at no claim `{}`", *fact.claim),
                )
                .help(suggest_claim(&fact.claim, &ids)),
            );
        }
    }
}

/// `key` (type, unit), as the help of the fact rules lists a column.
fn describe_column(column: &FactColumn) -> String {
    match &column.unit {
        Some(unit) => format!("`{}` ({}, {unit})", *column.key, column.kind.as_str()),
        None => format!("`{}` ({})", *column.key, column.kind.as_str()),
    }
}

/// What a value of `column`'s type looks like.
fn what_to_write(column: &FactColumn) -> String {
    let key = column.key.as_str();
    match (column.kind, &column.unit) {
        (FactType::Boolean, _) => format!("write `value: true` or `value: false` for `{key}`, without quotes"),
        (FactType::Number, Some(unit)) => {
            format!("write a bare number for `{key}`, e.g. `value: 25`, without quotes or the unit ({unit})")
        }
        (FactType::Number, None) => format!("write a bare number for `{key}`, e.g. `value: 25`, without quotes"),
        (FactType::Text, _) => format!("write text for `{key}` in quotes, e.g. `value: \"yes, on request\"`"),
    }
}

fn check_citations(dossier: &Dossier, footnotes: &markdown::Footnotes, out: &mut Vec<Diagnostic>) {
    let ids: BTreeSet<&str> = dossier.meta.claims.iter().map(|c| c.id.as_str()).collect();
    for reference in &footnotes.references {
        let label = reference.label.as_str();
        if !ids.contains(label) && !footnotes.definitions.iter().any(|d| d == label) {
            out.push(
                Diagnostic::new(
                    Code::UnknownCitation,
                    &dossier.path,
                    dossier.body.pos_of(reference.offset),
                    format!("`[^{label}]` cites no claim and no footnote"),
                )
                .help(suggest_claim(label, &ids)),
            );
        }
    }
    for bracketed in footnotes.bracketed.iter().filter(|b| ids.contains(b.label.as_str())) {
        let label = bracketed.label.as_str();
        out.push(
            Diagnostic::new(
                Code::CitationWithoutCaret,
                &dossier.path,
                dossier.body.pos_of(bracketed.offset),
                format!("`[{label}]` looks like a citation of the claim `{label}`, but is shown as text"),
            )
            .help(format!("cite the claim with a caret: `[^{label}]`")),
        );
    }
    let cited: BTreeSet<&str> = footnotes.references.iter().map(|r| r.label.as_str()).collect();
    let in_facts: BTreeSet<&str> = dossier.meta.facts.values().map(|f| f.claim.as_str()).collect();
    for claim in dossier.meta.claims.iter() {
        let id = claim.id.as_str();
        if !cited.contains(id) && !in_facts.contains(id) && claim.responds_to.is_none() {
            out.push(
                Diagnostic::new(
                    Code::UncitedClaim,
                    &dossier.path,
                    claim.id.pos,
                    format!("the claim `{id}` is never cited in the text"),
                )
                .help(format!("cite it where the text relies on it with `[^{id}]`")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_the_249_assigned() {
        let codes: BTreeSet<&str> = COUNTRY_CODES.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.iter().all(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
    }
}
