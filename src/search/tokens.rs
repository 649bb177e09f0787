//! The words of the search index: how text becomes index words. The engine (`engine.js`,
//! `words()`) tokenises queries and excerpts the same way, so a change here is a change there;
//! `tests/testsuite/search.rs` runs both on the same words and compares them.
//!
//! Lowercase (Unicode, with the final sigma), decompose (NFD), drop combining marks ("Zürich" is
//! "zurich"), split on anything that is neither a letter nor a digit (Unicode `Alphabetic` or
//! `Numeric`, JS `[\p{Alphabetic}\p{N}]`), drop words longer than [`MAX_WORD_CHARS`], and for
//! English strip plural endings (Harman's S-stemmer: "claims" and "claim" are one word).

use std::borrow::Cow;

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Longer runs of letters are not words anyone types (hashes, base64): they are left out.
pub const MAX_WORD_CHARS: usize = 64;

/// Whether words of `language` (a BCP 47 tag, "en" or "en-GB") get their plurals stripped.
pub fn stems(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    primary.eq_ignore_ascii_case("en")
}

/// Calls `found` with each index word of `text`, in order.
pub fn for_each_word(text: &str, stem: bool, mut found: impl FnMut(&str)) {
    let mut emit = |word: &str| {
        if word.is_empty() || word.chars().count() > MAX_WORD_CHARS {
            return;
        }
        found(&if stem { stem_word(word) } else { Cow::Borrowed(word) });
    };
    if text.is_ascii() {
        // Most text is ASCII, where lowercasing and decomposing are byte operations.
        let lower = text.to_ascii_lowercase();
        lower.split(|c: char| !c.is_ascii_alphanumeric()).for_each(&mut emit);
        return;
    }
    let folded: String = text.to_lowercase().nfd().filter(|c| !is_combining_mark(*c)).collect();
    folded.split(|c: char| !c.is_alphanumeric()).for_each(&mut emit);
}

/// The index words of `text`, in order.
pub fn words(text: &str, stem: bool) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, stem, |w| out.push(w.to_owned()));
    out
}

/// Harman's S-stemmer: "-ies" to "-y" (not "-eies", "-aies"), else drop a final "s" unless the
/// word ends in "-aes", "-ees", "-oes", "-us" or "-ss". Words under four letters stay whole, so
/// "dns" and "gas" are not touched.
pub fn stem_word(word: &str) -> Cow<'_, str> {
    if !word.ends_with('s') || word.chars().count() < 4 {
        return Cow::Borrowed(word);
    }
    if word.ends_with("ies") && !word.ends_with("eies") && !word.ends_with("aies") {
        return Cow::Owned(format!("{}y", &word[..word.len() - 3]));
    }
    if ["aes", "ees", "oes", "us", "ss"].iter().any(|end| word.ends_with(end)) {
        return Cow::Borrowed(word);
    }
    Cow::Borrowed(&word[..word.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_folded_and_split_on_anything_but_letters_and_digits() {
        assert_eq!(
            words("DKIM-signed mail, in Zürich (2026)!", false),
            ["dkim", "signed", "mail", "in", "zurich", "2026"]
        );
        assert_eq!(words("Ærøskøbing CAFÉ naïve", false), ["ærøskøbing", "cafe", "naive"]);
        assert_eq!(words("don't e-mail_me 🙂ok", false), ["don", "t", "e", "mail", "me", "ok"]);
        assert_eq!(words("ΟΔΟΣ 東京都 İstanbul", false), ["οδος", "東京都", "istanbul"]);
        assert_eq!(words(&"x".repeat(65), false), Vec::<String>::new());
        assert_eq!(words(&"x".repeat(64), false).len(), 1);
    }

    #[test]
    fn english_plurals_are_stripped_and_short_words_kept() {
        let stemmed = words("claims Companies addresses process DNS gas does status policies", true);
        assert_eq!(stemmed, ["claim", "company", "addresse", "process", "dns", "gas", "does", "status", "policy"]);
        assert!(stems("en") && stems("en-GB") && !stems("de") && !stems(""));
    }
}
