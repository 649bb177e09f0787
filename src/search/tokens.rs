//! The words of the search index: how text becomes index words. The engine (`engine.js`,
//! `words()`) tokenises queries and excerpts the same way, so a change here is a change there;
//! `tests/testsuite/search.rs` runs both on the same words and compares them.
//!
//! Lowercase (Unicode, with the final sigma), decompose (NFD), drop combining marks ("Zürich" is
//! "zurich"), split on anything that is neither a letter nor a digit (Unicode `Alphabetic` or
//! `Numeric`, JS `[\p{Alphabetic}\p{N}]`), and drop words longer than [`MAX_WORD_CHARS`]. Words
//! are kept as written, not stemmed: the engine stems English queries and the index words it
//! reads (Snowball's Porter2), so an exact word can still rank above its other forms.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

/// Longer runs of letters are not words anyone types (hashes, base64): they are left out.
pub const MAX_WORD_CHARS: usize = 64;

/// Whether the engine matches words of `language` (a BCP 47 tag, "en" or "en-GB") by their
/// English stems.
pub fn stems(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    primary.eq_ignore_ascii_case("en")
}

/// Calls `found` with each index word of `text`, in order.
pub fn for_each_word(text: &str, mut found: impl FnMut(&str)) {
    let mut emit = |word: &str| {
        if !word.is_empty() && word.chars().count() <= MAX_WORD_CHARS {
            found(word);
        }
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
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, |w| out.push(w.to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lowercased_folded_and_split_on_anything_but_letters_and_digits() {
        assert_eq!(words("DKIM-signed mail, in Zürich (2026)!"), ["dkim", "signed", "mail", "in", "zurich", "2026"]);
        assert_eq!(words("Ærøskøbing CAFÉ naïve"), ["ærøskøbing", "cafe", "naive"]);
        assert_eq!(words("don't e-mail_me 🙂ok"), ["don", "t", "e", "mail", "me", "ok"]);
        assert_eq!(words("ΟΔΟΣ 東京都 İstanbul"), ["οδος", "東京都", "istanbul"]);
        assert_eq!(words(&"x".repeat(65)), Vec::<String>::new());
        assert_eq!(words(&"x".repeat(64)).len(), 1);
    }

    #[test]
    fn english_is_stemmed_by_the_engine_and_other_languages_are_not() {
        assert!(stems("en") && stems("en-GB") && stems("EN_us") && !stems("de") && !stems(""));
    }
}
