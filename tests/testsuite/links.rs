//! Links between the wiki's pages and aliases, end to end: `check` resolves `@/`, relative,
//! root-relative and `base_url` links against the pages the build publishes and their anchors;
//! `build` turns `@/` links into URLs and publishes a redirect for every alias (a Netlify
//! `_redirects` rule and a page at the old URL). build.rs crawls the built sites' links.

use crate::harness::{Wiki, dossier};

const ABOUT: &str = "content/pages/about.md";
const DOSSIER: &str = "content/providers/examplemail.md";

/// The minimal wiki's about page with `body` as its text.
fn about_with(body: &str) -> Wiki {
    Wiki::minimal().write(ABOUT, format!("---\ntitle: About\ndescription: What this wiki is.\n---\n{body}\n"))
}

/// (code, line, column) of each finding of `check` on `wiki`.
fn findings(wiki: &Wiki) -> Vec<(String, u32, u32)> {
    let run = wiki.check().args(["--format", "json"]).run();
    run.findings().into_iter().map(|f| (f.code, f.line, f.column)).collect()
}

#[test]
fn links_that_reach_a_page_and_its_anchors_pass() {
    let wiki = about_with(concat!(
        "## Scope\n\n",
        "[a](@/providers/examplemail.md) [b](@/providers/examplemail.md#claim-storage) ",
        "[c](@/providers/examplemail.md#overview) [d](@/categories/email-hosting.md) [e](@/index.md) ",
        "[f](#scope) [g](/providers/examplemail/#claim-dkim-signing) [h](../providers/examplemail/) ",
        "[i](https://wiki.example.org/tags/imap/) [j](/search/?q=mail) [k](/jurisdictions/de/) ",
        "[l](https://elsewhere.example/pages/x/) [m](mailto:a@b.test) [n](/providers/examplemail) ",
        "[o](/feed.xml) [p](/providers/examplemail/index.json) [q](@/pages/about.md#scope)\n\n",
        "[r]: @/providers/examplemail.md#claim-dkim-signing\n\nSee [r].",
    ));
    assert_eq!(findings(&wiki), []);
}

#[test]
fn each_way_of_missing_a_page_or_anchor_is_an_error_at_its_place() {
    let wiki = about_with(concat!(
        "## Scope\n\n",
        "[a](@/providers/nomail.md)\n",
        "[b](@/providers/examplemail.md#claim-nothing)\n",
        "[c](#scoop)\n",
        "[d](/providers/nomail/)\n",
        "[e](../nowhere/)\n",
        "[f](https://wiki.example.org/pages/about/)\n",
        "[g](/tags/no-such-tag/)\n",
        "[h](@/pages/about.md#overview)\n",
    ));
    let expected: Vec<(String, u32, u32)> = [
        ("broken-link", 7),
        ("broken-anchor", 8),
        ("broken-anchor", 9),
        ("broken-link", 10),
        ("broken-link", 11),
        ("broken-link", 12),
        ("broken-link", 13),
        ("broken-anchor", 14),
    ]
    .into_iter()
    .map(|(code, line)| (code.to_owned(), line, 1))
    .collect();
    assert_eq!(findings(&wiki), expected);
    let human = wiki.check().run().stdout;
    assert!(human.contains("help: the nearest anchor there is `#scope`"), "{human}");
    assert!(human.contains("help: the nearest file is `@/providers/examplemail.md`"), "{human}");
}

#[test]
fn links_in_claim_texts_are_checked_at_the_text() {
    let wiki = Wiki::minimal();
    let text = wiki.read(DOSSIER).replace(
        "text: Outgoing mail is DKIM-signed.",
        "text: Outgoing mail is DKIM-signed, see [the methodology](@/pages/methodology.md).",
    );
    let wiki = wiki.write(DOSSIER, text);
    assert_eq!(findings(&wiki), [("broken-link".to_owned(), 19, 11)]);
}

#[test]
fn a_link_to_a_draft_from_a_published_page_is_broken() {
    let wiki = about_with("[x](@/pages/later.md)")
        .write("content/pages/later.md", "---\ntitle: Later\ndescription: Not yet.\ndraft: true\n---\nSoon.\n");
    assert_eq!(findings(&wiki), [("broken-link".to_owned(), 5, 1)]);
}

/// The minimal wiki after renaming its dossier from `oldmail` and its claim from `dkim`, and its
/// about page from `about-us`, each keeping the old name as an alias.
fn renamed_wiki() -> Wiki {
    let wiki = Wiki::minimal();
    let text = wiki
        .read(DOSSIER)
        .replacen("name: ExampleMail\n", "name: ExampleMail\naliases: [oldmail]\n", 1)
        .replacen("  - id: dkim-signing\n", "  - id: dkim-signing\n    aliases: [dkim]\n", 1);
    let about = wiki.read(ABOUT).replacen("order: 1\n", "order: 1\naliases: [about-us]\n", 1);
    wiki.write(DOSSIER, text).write(ABOUT, about).write(
        "content/index.md",
        "---\ntitle: Home\ndescription: Start.\n---\n[old](/providers/oldmail/#claim-dkim)\n",
    )
}

#[test]
fn a_renamed_dossier_keeps_its_url_and_its_claims_keep_their_anchors() {
    let wiki = renamed_wiki();
    assert_eq!(findings(&wiki), [], "a link to an alias and a former claim id reaches the page");
    let out = wiki.path("public");
    dossier().arg("build").arg("--root").arg(wiki.root()).arg("--output").arg(&out).run().assert_code(0);

    let rules = std::fs::read_to_string(out.join("_redirects")).expect("a _redirects file");
    assert_eq!(
        rules,
        concat!(
            "/about-us /about/ 301!\n/about-us/* /about/:splat 301!\n",
            "/providers/oldmail /providers/examplemail/ 301!\n",
            "/providers/oldmail/* /providers/examplemail/:splat 301!\n"
        )
    );
    let page = std::fs::read_to_string(out.join("providers/oldmail/index.html")).expect("a redirect page");
    assert!(page.contains("<meta http-equiv=\"refresh\" content=\"0; url=/providers/examplemail/\">"), "{page}");
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://wiki.example.org/providers/examplemail/\">"),
        "{page}"
    );
    assert!(page.contains("<a href=\"/providers/examplemail/\">"), "{page}");
    assert!(!page.contains("<script"), "{page}");
    assert!(out.join("about-us/index.html").is_file());

    let provider = std::fs::read_to_string(out.join("providers/examplemail/index.html")).expect("the page");
    assert!(provider.contains("id=\"claim-dkim\""), "the former claim id is an anchor on the page");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("the sitemap");
    assert!(!sitemap.contains("oldmail") && !sitemap.contains("about-us"), "{sitemap}");
}

#[test]
fn an_alias_that_another_file_has_is_refused() {
    let second = Wiki::minimal().read(DOSSIER).replace("name: ExampleMail", "name: SecondMail\naliases: [oldmail]");
    let wiki = renamed_wiki().write("content/providers/secondmail.md", second.clone());
    let run = wiki.check().args(["--format", "json"]).run();
    run.assert_code(1);
    let found = run.findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].code.as_str(), found[0].path.as_str()),
        ("alias-collision", "content/providers/secondmail.md")
    );
    assert!(found[0].message.contains("already an alias in content/providers/examplemail.md"), "{}", found[0].message);

    let live = second.replace("aliases: [oldmail]", "aliases: [Examplemail]");
    let wiki = renamed_wiki().write("content/providers/secondmail.md", live);
    let found = wiki.check().args(["--format", "json"]).run().findings();
    let codes: Vec<&str> = found.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["invalid-slug"], "an alias is a slug: {found:?}");
    let live = second.replace("aliases: [oldmail]", "aliases: [examplemail]");
    let wiki = renamed_wiki().write("content/providers/secondmail.md", live);
    let found = wiki.check().args(["--format", "json"]).run().findings();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("live page `examplemail`"), "{}", found[0].message);
}
