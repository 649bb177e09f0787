//! One synthetic dossier: its name, claims, sources and Markdown body, drawn from a private
//! random stream seeded with `"<seed>:<i>"`, so document `i` depends on nothing else.
//!
//! The shape: 3-12 claims of 1-3 archived sources, statuses weighted 6:2:3
//! verified/disputed/unverified, dates in 2023-2025, and a 600-1,500-word body with headings, a
//! plan table, lists, one or two code blocks, numbered footnotes, links and inline markup, in
//! words drawn Zipf-like from about 6,600 terms.

use super::code::code_block;
use super::random::{Rng, SYLLABLES, Vocabulary};

pub const CATEGORIES: [&str; 8] =
    ["email-hosting", "vps", "dns", "backup", "object-storage", "vpn", "cdn", "password-manager"];

const TAGS: [&str; 40] = [
    "gdpr",
    "open-source",
    "ipv6",
    "2fa",
    "e2ee",
    "dnssec",
    "dkim",
    "spf",
    "dmarc",
    "imap",
    "caldav",
    "carddav",
    "webmail",
    "custom-domain",
    "catch-all",
    "aliases",
    "pgp",
    "s3-compatible",
    "snapshots",
    "anycast",
    "ddos-protection",
    "tor-friendly",
    "crypto-payments",
    "free-tier",
    "student-discount",
    "nonprofit",
    "green-energy",
    "iso-27001",
    "soc2",
    "bug-bounty",
    "warrant-canary",
    "transparency-report",
    "self-hostable",
    "api",
    "terraform",
    "wireguard",
    "openvpn",
    "zero-knowledge",
    "family-plan",
    "business-plan",
];

const JURISDICTIONS: [&str; 25] = [
    "ch", "de", "nl", "se", "no", "fi", "is", "fr", "be", "at", "ee", "lu", "ie", "dk", "cz", "pl", "es", "it", "pt",
    "gb", "us", "ca", "sg", "jp", "nz",
];

/// Weighted 6 : 2 : 3 verified, disputed, unverified.
const STATUSES: [&str; 11] = [
    "verified",
    "verified",
    "verified",
    "verified",
    "verified",
    "verified",
    "disputed",
    "disputed",
    "unverified",
    "unverified",
    "unverified",
];

/// Publisher and host; `None` is the provider's own site.
const PUBLISHERS: [(&str, Option<&str>); 15] = [
    ("Provider documentation", None),
    ("Provider blog", None),
    ("Provider legal", None),
    ("The Hosting Ledger", Some("hostingledger.example")),
    ("Privacy Weekly", Some("privacyweekly.example")),
    ("Open Infra Review", Some("openinfra-review.example")),
    ("Mail Ops Journal", Some("mailops-journal.example")),
    ("Datacenter Watch", Some("dcwatch.example")),
    ("Register of Companies", Some("registry.example")),
    ("Security Tracker", Some("sectracker.example")),
    ("Status History Archive", Some("statushistory.example")),
    ("Consumer Test Lab", Some("consumertest.example")),
    ("Community Forum", Some("forum.vendorwiki.example")),
    ("Court Records Online", Some("courtrecords.example")),
    ("Tech Policy Monitor", Some("techpolicy.example")),
];

const INLINE_CODE: [&str; 10] =
    ["MX", "TXT", "v=spf1", "dig", "p=quarantine", "rsync", "s3cmd", "wg0", "443/tcp", "AAAA"];

const CLAIM_TEMPLATES: [&str; 15] = [
    "{name} stores customer data only in data centres located in {j}.",
    "{name} is owned by a holding company registered in {j}.",
    "{name} signs outgoing mail with 2048-bit DKIM keys by default.",
    "{name} publishes a transparency report every {k} months.",
    "{name} retains connection logs for {k} days.",
    "{name} supports DNSSEC for all hosted zones.",
    "{name} offers an export of all customer data in a standard format.",
    "{name} had {k} public incidents longer than one hour in the last year.",
    "{name} encrypts backups at rest with customer-held keys.",
    "{name} accepts payment in cash or cryptocurrency.",
    "{name} runs a public bug bounty programme.",
    "{name} has not received a government data request it was barred from disclosing.",
    "{name} publishes its source code under an open-source licence.",
    "{name} provides IPv6 on every plan.",
    "{name} refunds unused prepaid months on cancellation.",
];

/// Days from 1970-01-01 to 2023-01-01, the first date drawn.
const DATE0: i64 = 19_358;
/// Days from 2023-01-01 to 2025-12-31, the last date drawn.
const DATE_SPAN: usize = 1_095;

/// A generated document, before any flavor's frontmatter is written around it.
pub struct Document {
    pub name: String,
    pub slug: String,
    pub website: String,
    pub category: String,
    pub tags: Vec<&'static str>,
    /// Lower-case, as the Hugo site keeps it (`dossier` writes it upper-case).
    pub jurisdiction: &'static str,
    pub summary: String,
    pub claims: Vec<Claim>,
    pub body: String,
}

pub struct Claim {
    pub id: String,
    pub text: String,
    pub status: &'static str,
    pub verified: String,
    pub sources: Vec<Source>,
}

pub struct Source {
    pub url: String,
    pub title: String,
    pub publisher: &'static str,
    pub accessed: String,
    pub archive: String,
}

/// What the body's sentences need to know about the document being written.
struct Writer<'v> {
    vocab: &'v Vocabulary,
    name: String,
    slug: String,
    website: String,
    tags: Vec<&'static str>,
    footnotes: usize,
}

/// Document `i` of the corpus for `seed`.
pub fn make_document(vocab: &Vocabulary, seed: &str, i: usize) -> Document {
    let r = &mut Rng::keyed(&format!("{seed}:{i}"));
    let category = *r.pick(&CATEGORIES);
    let base: String = (0..r.range(2, 3)).map(|_| *r.pick(&SYLLABLES)).collect();
    let name = format!("{}{} {}", base[..1].to_ascii_uppercase(), &base[1..], r.pick(name_suffixes(category)));
    let slug = format!("{}-{i:05}", name.to_ascii_lowercase().replace(' ', "-"));
    let website = format!("https://www.{slug}.example");
    let jurisdiction = *r.pick(&JURISDICTIONS);
    let count = r.range(2, 5);
    let mut tags = r.sample(&TAGS, count);
    tags.sort_unstable();
    let mut w = Writer { vocab, name, slug, website, tags: tags.clone(), footnotes: 0 };
    let tail = w.sentence(r, true);
    let summary = format!(
        "{} is a {} provider based in {}. {tail}",
        w.name,
        category.replace('-', " "),
        jurisdiction.to_ascii_uppercase()
    );
    let claims = (0..r.range(3, 12)).map(|c| w.claim(r, c, jurisdiction)).collect();
    let body = w.body(r);
    let Writer { name, slug, website, .. } = w;
    Document { name, slug, website, category: category.to_owned(), tags, jurisdiction, summary, claims, body }
}

fn name_suffixes(category: &str) -> &'static [&'static str] {
    match category {
        "email-hosting" => &["Mail", "Post", "Inbox", "Mailbox", "Letter"],
        "vps" => &["Host", "Compute", "Cloud", "Servers", "Nodes"],
        "dns" => &["DNS", "Zones", "Resolve", "Names"],
        "backup" => &["Backup", "Vault", "Archive", "Keep"],
        "object-storage" => &["Storage", "Buckets", "Objects", "Store"],
        "vpn" => &["VPN", "Tunnel", "Shield", "Route"],
        "cdn" => &["CDN", "Edge", "Cache", "Delivery"],
        _ => &["Pass", "Keys", "Locker", "Secrets"],
    }
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub fn iso_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn random_day(r: &mut Rng) -> i64 {
    DATE0 + r.range(0, DATE_SPAN) as i64
}

impl Writer<'_> {
    fn claim(&mut self, r: &mut Rng, index: usize, jurisdiction: &str) -> Claim {
        let verified = random_day(r);
        let sources = (0..r.range(1, 3)).map(|_| self.source(r, verified)).collect();
        let text = r
            .pick(&CLAIM_TEMPLATES)
            .replace("{name}", &self.name)
            .replace("{j}", &jurisdiction.to_ascii_uppercase())
            .replace("{k}", &r.range(2, 24).to_string());
        let status = *r.pick(&STATUSES);
        Claim { id: format!("c{:02}", index + 1), text, status, verified: iso_date(verified), sources }
    }

    fn source(&mut self, r: &mut Rng, verified: i64) -> Source {
        let (publisher, host) = *r.pick(&PUBLISHERS);
        let host = host.map_or_else(|| format!("www.{}.example", self.slug), str::to_owned);
        let count = r.range(2, 4);
        let url = format!("https://{host}/{}", self.vocab.words(r, count).join("-"));
        let accessed = verified - r.range(0, 30) as i64;
        let count = r.range(3, 8);
        let title = capitalize(&self.vocab.words(r, count).join(" "));
        let stamp = iso_date(accessed).replace('-', "");
        let (h, m, s) = (r.range(0, 23), r.range(0, 59), r.range(0, 59));
        let archive = format!("https://web.archive.org/web/{stamp}{h:02}{m:02}{s:02}/{url}");
        Source { url, title, publisher, accessed: iso_date(accessed), archive }
    }

    /// A sentence of 8-22 words; unless `plain`, with one bit of inline markup or a link at
    /// times, and a numbered footnote reference now and then (at most 9 per document).
    fn sentence(&mut self, r: &mut Rng, plain: bool) -> String {
        let count = r.range(8, 22);
        let mut w = self.vocab.words(r, count);
        if !plain {
            let roll = r.unit();
            let i = r.below(w.len());
            if roll < 0.12 {
                w[i] = format!("*{}*", w[i]);
            } else if roll < 0.20 {
                w[i] = format!("**{}**", w[i]);
            } else if roll < 0.28 {
                w[i] = format!("`{}`", r.pick(&INLINE_CODE));
            } else if roll < 0.40 {
                let j = w.len().min(i + r.range(1, 3));
                w[i] = format!("[{}", w[i]);
                let target = self.link(r);
                w[j - 1] = format!("{}]({target})", w[j - 1]);
            }
            if r.chance(0.10) && self.footnotes < 9 {
                self.footnotes += 1;
                let last = w.len() - 1;
                w[last] = format!("{}[^{}]", w[last], self.footnotes);
            }
        }
        if r.chance(0.3) {
            let at = r.below(w.len());
            w.insert(at, self.name.clone());
        }
        format!("{}.", capitalize(&w.join(" ")))
    }

    /// The provider's own pages, the wiki's page of one of its tags (which the build publishes,
    /// as no other tag page need be), or a publisher's article.
    fn link(&mut self, r: &mut Rng) -> String {
        if r.chance(0.5) {
            let page = r.pick(&["docs", "legal/privacy", "pricing", "status", "blog"]);
            return format!("{}/{page}", self.website);
        }
        if r.chance(0.5) {
            return format!("/tags/{}/", r.pick(&self.tags));
        }
        let (_, host) = r.pick(&PUBLISHERS[3..]);
        format!("https://{}/{}", host.unwrap_or_default(), self.vocab.words(r, 3).join("-"))
    }

    fn paragraph(&mut self, r: &mut Rng, sentences: Option<usize>) -> String {
        let n = sentences.unwrap_or_else(|| r.range(3, 7));
        (0..n).map(|_| self.sentence(r, false)).collect::<Vec<_>>().join(" ")
    }

    fn bullets(&mut self, r: &mut Rng, items: Option<usize>) -> String {
        let n = items.unwrap_or_else(|| r.range(3, 6));
        (0..n)
            .map(|_| {
                let plain = r.chance(0.5);
                format!("- {}", self.sentence(r, plain))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn table(&mut self, r: &mut Rng) -> String {
        let mut rows = vec![
            "| Plan | Monthly price | Storage | Users | Notes |".to_owned(),
            "| --- | ---: | ---: | ---: | --- |".to_owned(),
        ];
        let plans = ["Free", "Starter", "Personal", "Plus", "Family", "Team", "Business", "Enterprise"];
        let count = r.range(3, 6);
        for plan in r.sample(&plans, count) {
            let price = if plan == "Free" {
                "free".to_owned()
            } else {
                format!("EUR {}.{:02}", r.range(1, 40), r.pick(&[0, 49, 99]))
            };
            let storage = r.pick(&[1, 5, 10, 20, 50, 100, 500, 1000]);
            let users = r.pick(&["1", "up to 5", "up to 10", "unlimited"]);
            let count = r.range(2, 5);
            let notes = self.vocab.words(r, count).join(" ");
            rows.push(format!("| {plan} | {price} | {storage} GB | {users} | {notes} |"));
        }
        rows.join("\n")
    }

    /// Sections in a fixed order, then assessment paragraphs until the word target is met,
    /// then the footnote definitions.
    fn body(&mut self, r: &mut Rng) -> String {
        let target = r.range(600, 1500);
        let mut parts = Vec::new();
        let overview = format!("## Overview\n\n{}\n\n{}", self.paragraph(r, Some(4)), self.paragraph(r, Some(3)));
        parts.push(overview);
        parts.push(format!("## Plans and pricing\n\n{}\n\n{}", self.paragraph(r, Some(2)), self.table(r)));
        parts.push(format!("## Privacy and jurisdiction\n\n{}\n\n{}", self.paragraph(r, None), self.bullets(r, None)));
        let mut setup = format!("## Setup\n\n{}\n\n{}", self.paragraph(r, Some(2)), code_block(r, &self.slug));
        if r.chance(0.5) {
            setup = format!("{setup}\n\n{}\n\n{}", self.paragraph(r, Some(2)), code_block(r, &self.slug));
        }
        parts.push(setup);
        let incidents: Vec<String> = (0..r.range(2, 5))
            .map(|_| {
                let day = iso_date(random_day(r));
                format!("- **{day}**: {}", self.sentence(r, true))
            })
            .collect();
        parts.push(format!("## Incident history\n\n{}", incidents.join("\n")));
        parts.push("## Assessment".to_owned());
        let mut topics = [
            "Reliability",
            "Support",
            "Ownership",
            "Data export",
            "Abuse handling",
            "Accessibility",
            "Migration",
            "Documentation",
        ];
        r.shuffle(&mut topics);
        let mut topics = topics.into_iter();
        let mut words: usize = parts.iter().map(|p| p.split_whitespace().count()).sum();
        while words < target {
            let mut add = Vec::new();
            if r.chance(0.35)
                && let Some(topic) = topics.next()
            {
                add.push(format!("### {topic}"));
            }
            add.push(if r.chance(0.15) {
                let items = r.range(2, 4);
                self.bullets(r, Some(items))
            } else {
                self.paragraph(r, None)
            });
            words += add.iter().map(|p| p.split_whitespace().count()).sum::<usize>();
            parts.extend(add);
        }
        if self.footnotes > 0 {
            let notes: Vec<String> =
                (1..=self.footnotes).map(|n| format!("[^{n}]: {}", self.sentence(r, true))).collect();
            parts.push(notes.join("\n"));
        }
        parts.join("\n\n") + "\n"
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}
