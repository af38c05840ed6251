//! Glob patterns over text: `*` matches any run of characters (also none), `?` exactly one.
//!
//! There is no escaping and no character classes: every other character matches itself. `?`
//! matches one character (not one byte) of any text.
//!
//! Matching is iterative and never recursive: an ASCII text against an ASCII pattern is matched
//! byte by byte, run by run between the stars; anything else character by character with a
//! single backtrack point. Both take at most `O(pattern × text)` steps and constant extra memory,
//! whatever the pattern (no exponential blow-up on patterns like `*a*a*a*a*b`).

use crate::text::eq_ignore_case;

/// A compiled glob pattern. Build it once (e.g. in `from_config`) and match many texts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    /// The pattern's characters, with runs of `*` collapsed to one (they mean the same).
    pattern: Vec<char>,
    /// For an ASCII pattern: the runs between the stars. ASCII texts (most URLs, e-mail
    /// addresses, titles) are matched with these, byte by byte; other texts with `pattern`.
    segments: Option<Vec<Segment>>,
    /// The pattern as given, for messages.
    source: String,
    case_insensitive: bool,
}

impl Glob {
    /// Compiles `pattern`. With `case_insensitive`, letters match regardless of case.
    pub fn new(pattern: &str, case_insensitive: bool) -> Self {
        let mut chars: Vec<char> = Vec::with_capacity(pattern.len());
        for character in pattern.chars() {
            if character == '*' && chars.last() == Some(&'*') {
                continue;
            }
            chars.push(character);
        }
        let segments = pattern.is_ascii().then(|| {
            pattern
                .split('*')
                .map(|run| Segment::new(run.as_bytes(), case_insensitive))
                .collect()
        });
        Self {
            pattern: chars,
            segments,
            source: pattern.to_owned(),
            case_insensitive,
        }
    }

    /// The pattern as it was given to [`Glob::new`].
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern matches all of `text`.
    pub fn matches(&self, text: &str) -> bool {
        match &self.segments {
            Some(segments) if text.is_ascii() => self.matches_ascii(segments, text.as_bytes()),
            _ => self.matches_chars(text),
        }
    }

    /// Matches an ASCII text against an ASCII pattern split at its stars.
    ///
    /// The first run must start the text and the last must end it; each run in between is
    /// matched at its leftmost place after the previous one. Taking the leftmost place is never
    /// wrong: it leaves the most text for the runs that follow, and the stars absorb the rest.
    fn matches_ascii(&self, segments: &[Segment], text: &[u8]) -> bool {
        let (Some((first, rest)), Some(last)) = (segments.split_first(), segments.last()) else {
            return text.is_empty();
        };
        if rest.is_empty() {
            // No star: the one run is the whole pattern.
            return first.matches(text);
        }
        let Some(middle_end) = text.len().checked_sub(last.len()) else {
            return false;
        };
        if middle_end < first.len()
            || !first.matches(&text[..first.len()])
            || !last.matches(&text[middle_end..])
        {
            return false;
        }
        let mut remaining = &text[first.len()..middle_end];
        for segment in &rest[..rest.len() - 1] {
            match segment.find(remaining) {
                Some(end) => remaining = &remaining[end..],
                None => return false,
            }
        }
        true
    }

    /// Matches any text, character by character.
    fn matches_chars(&self, text: &str) -> bool {
        let pattern = self.pattern.as_slice();
        // Position in the pattern (index into `pattern`) and in the text (byte offset).
        let mut pattern_index = 0;
        let mut text_offset = 0;
        // The last `*` seen: the pattern index just after it, and the text offset it is
        // currently assumed to have consumed up to. On a mismatch the star swallows one more
        // character and matching resumes from there.
        let mut backtrack: Option<(usize, usize)> = None;
        loop {
            let text_char = text[text_offset..].chars().next();
            match (pattern.get(pattern_index), text_char) {
                (Some('*'), _) => {
                    pattern_index += 1;
                    backtrack = Some((pattern_index, text_offset));
                    continue;
                }
                (Some(&expected), Some(actual)) if expected == '?' || self.same_char(expected, actual) => {
                    pattern_index += 1;
                    text_offset += actual.len_utf8();
                    continue;
                }
                (None, None) => return true,
                _ => {}
            }
            // Mismatch: let the last star consume one more character, or fail without one.
            let Some((after_star, star_offset)) = backtrack else {
                return false;
            };
            let Some(swallowed) = text[star_offset..].chars().next() else {
                return false;
            };
            let resume_offset = star_offset + swallowed.len_utf8();
            backtrack = Some((after_star, resume_offset));
            pattern_index = after_star;
            text_offset = resume_offset;
        }
    }

    fn same_char(&self, expected: char, actual: char) -> bool {
        if expected == actual {
            return true;
        }
        if !self.case_insensitive {
            return false;
        }
        if expected.is_ascii() && actual.is_ascii() {
            return expected.eq_ignore_ascii_case(&actual);
        }
        let mut expected_buffer = [0; 4];
        let mut actual_buffer = [0; 4];
        eq_ignore_case(
            expected.encode_utf8(&mut expected_buffer),
            actual.encode_utf8(&mut actual_buffer),
        )
    }
}

/// A run of an ASCII pattern between stars, compiled for byte comparison: a text byte `actual`
/// matches position `i` when `actual | masks[i] == values[i]`.
///
/// A letter ignoring case has the mask `0x20` and its lowercase value (`B | 0x20 == b`); `?` has
/// the mask and value `0xFF`, which every byte matches; anything else must be equal (mask 0).
/// One OR and one comparison per byte keeps the scan over long URLs cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Segment {
    values: Vec<u8>,
    masks: Vec<u8>,
}

impl Segment {
    fn new(run: &[u8], case_insensitive: bool) -> Self {
        let (values, masks) = run
            .iter()
            .map(|&byte| match byte {
                b'?' => (0xFF, 0xFF),
                letter if case_insensitive && letter.is_ascii_alphabetic() => {
                    (letter.to_ascii_lowercase(), 0x20)
                }
                other => (other, 0),
            })
            .unzip();
        Self { values, masks }
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the run matches all of `text`.
    fn matches(&self, text: &[u8]) -> bool {
        text.len() == self.values.len()
            && self
                .values
                .iter()
                .zip(&self.masks)
                .zip(text)
                .all(|((&value, &mask), &actual)| actual | mask == value)
    }

    /// The end of the leftmost place where the run matches in `text`.
    fn find(&self, text: &[u8]) -> Option<usize> {
        let length = self.len();
        let last_start = text.len().checked_sub(length)?;
        let (Some(&first_value), Some(&first_mask)) = (self.values.first(), self.masks.first()) else {
            return Some(0);
        };
        // Find the places the first byte allows with `memchr`, a word at a time, and only
        // compare the rest there: a URL has few candidates for a run like `/pricing`.
        let starts = &text[..=last_start];
        let mut offset = 0;
        while let Some(position) = first_byte_candidate(first_value, first_mask, &starts[offset..]) {
            let start = offset + position;
            if self.matches(&text[start..start + length]) {
                return Some(start + length);
            }
            offset = start + 1;
        }
        None
    }
}

/// The first place in `text` whose byte `actual` satisfies `actual | mask == value`.
fn first_byte_candidate(value: u8, mask: u8, text: &[u8]) -> Option<usize> {
    match mask {
        // An exact byte.
        0 => memchr::memchr(value, text),
        // `?`: any byte.
        0xFF => (!text.is_empty()).then_some(0),
        // A letter ignoring case: `value` is its lowercase form, `value & !mask` its uppercase.
        _ => memchr::memchr2(value, value & !mask, text),
    }
}

/// True when the glob `pattern` matches all of `text` (see the [module docs](self)).
///
/// Compiles the pattern on every call; keep a [`Glob`] to match many texts.
pub fn glob_match(pattern: &str, text: &str, case_insensitive: bool) -> bool {
    Glob::new(pattern, case_insensitive).matches(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_wildcards() {
        assert!(glob_match("", "", false));
        assert!(!glob_match("", "a", false));
        assert!(glob_match("*", "", false));
        assert!(glob_match("*", "anything at all", false));
        assert!(glob_match("abc", "abc", false));
        assert!(!glob_match("abc", "abcd", false));
        assert!(!glob_match("abcd", "abc", false));
        assert!(glob_match("a?c", "abc", false));
        assert!(!glob_match("a?c", "ac", false));
        assert!(glob_match("???", "äöü", false));
        assert!(!glob_match("??", "äöü", false));
        assert!(glob_match(
            "*/pricing*",
            "https://example.com/pricing?plan=pro",
            false
        ));
        assert!(!glob_match("*/pricing*", "https://example.com/about", false));
        assert!(glob_match(
            "https://*.example.com/*",
            "https://shop.example.com/",
            false
        ));
        assert!(glob_match("*.pdf", "whitepaper.pdf", false));
        assert!(!glob_match("*.pdf", "whitepaper.pdf.html", false));
        assert!(glob_match("a*b*c", "a-b-b-c", false));
        assert!(glob_match("a**c", "abc", false));
        assert!(glob_match("*a", "banana", false));
        assert!(glob_match("?*", "x", false));
        assert!(!glob_match("?*", "", false));
    }

    #[test]
    fn case_sensitivity() {
        assert!(!glob_match("*/PRICING*", "https://example.com/pricing", false));
        assert!(glob_match("*/PRICING*", "https://example.com/pricing", true));
        assert!(glob_match("*MÜNCHEN*", "office münchen", true));
        assert!(!glob_match("*MÜNCHEN*", "office münchen", false));
    }

    #[test]
    fn pathological_patterns_are_fast() {
        let text = "a".repeat(10_000);
        let pattern = format!("{}b", "*a".repeat(50));
        // Exponential backtracking would never finish; this is ~ pattern × text steps.
        assert!(!glob_match(&pattern, &text, false));
        assert!(glob_match(&format!("{}a", "*a".repeat(50)), &text, true));
        // The same through the character-by-character matcher (the text is not ASCII).
        let text = "ä".repeat(2_000);
        assert!(!glob_match(&format!("{}b", "*ä".repeat(20)), &text, false));
        assert!(glob_match(&format!("{}Ä", "*ä".repeat(20)), &text, true));
    }

    /// A tiny deterministic generator, so the comparison below needs no dependency.
    fn next_random(state: &mut u64) -> u64 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    }

    fn random_string(state: &mut u64, alphabet: &[char], max_len: u64) -> String {
        let len = next_random(state) % (max_len + 1);
        (0..len)
            .map(|_| alphabet[(next_random(state) % alphabet.len() as u64) as usize])
            .collect()
    }

    #[test]
    fn ascii_fast_path_agrees_with_the_general_matcher() {
        let mut state = 0x2545_f491_4f6c_dd1d;
        for case_insensitive in [false, true] {
            for _ in 0..20_000 {
                let pattern = random_string(&mut state, &['a', 'B', '*', '?', '/'], 8);
                let text = random_string(&mut state, &['a', 'b', 'A', 'B', '/'], 10);
                let glob = Glob::new(&pattern, case_insensitive);
                let Some(segments) = &glob.segments else {
                    panic!("an ASCII pattern has segments");
                };
                assert_eq!(
                    glob.matches_ascii(segments, text.as_bytes()),
                    glob.matches_chars(&text),
                    "pattern {pattern:?}, text {text:?}, case-insensitive {case_insensitive}"
                );
            }
        }
    }

    #[test]
    fn non_ascii_texts_with_ascii_patterns() {
        assert!(glob_match("*/caf?", "https://example.com/café", true));
        assert!(glob_match("?", "é", false));
        assert!(!glob_match("??", "é", false));
        assert!(glob_match("*MÜNCHEN", "München", true));
    }

    #[test]
    fn keeps_the_source() {
        assert_eq!(Glob::new("*/pricing*", true).as_str(), "*/pricing*");
    }
}
