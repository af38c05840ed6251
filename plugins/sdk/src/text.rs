//! Small text helpers that plugins need on every contact: case-insensitive comparison without
//! allocating, trimming optional values, cutting text to a length in characters, and appending
//! numbers to award reasons.
//!
//! "Case-insensitive" means comparing the Unicode lowercase forms (`char::to_lowercase`), with a
//! fast path when both sides are ASCII, which is the common case for products, URLs and titles.

/// The lowercase form of `text`, one `char` at a time, without allocating.
fn lowercase_chars(text: &str) -> impl DoubleEndedIterator<Item = char> + '_ {
    text.chars().flat_map(char::to_lowercase)
}

/// True when `left` and `right` are equal ignoring case.
pub fn eq_ignore_case(left: &str, right: &str) -> bool {
    if left.eq_ignore_ascii_case(right) {
        return true;
    }
    if left.is_ascii() && right.is_ascii() {
        return false;
    }
    lowercase_chars(left).eq(lowercase_chars(right))
}

/// True when `text` starts with `prefix`, ignoring case.
pub fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    if text.is_ascii() && prefix.is_ascii() {
        return text
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()));
    }
    let mut text_chars = lowercase_chars(text);
    lowercase_chars(prefix).all(|expected| text_chars.next() == Some(expected))
}

/// True when `text` ends with `suffix`, ignoring case.
pub fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    if text.is_ascii() && suffix.is_ascii() {
        return text
            .len()
            .checked_sub(suffix.len())
            .and_then(|start| text.as_bytes().get(start..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()));
    }
    let mut text_chars = lowercase_chars(text).rev();
    lowercase_chars(suffix)
        .rev()
        .all(|expected| text_chars.next() == Some(expected))
}

/// True when `text` contains `needle`, ignoring case. An empty needle is contained in any text.
pub fn contains_ignore_case(text: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if text.is_ascii() && needle.is_ascii() {
        return text
            .as_bytes()
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()));
    }
    text.char_indices()
        .any(|(start, _)| starts_with_ignore_case(&text[start..], needle))
}

/// `value` without surrounding whitespace, or `None` when it is absent or blank.
///
/// ```
/// use leadgate_plugin_sdk::text::non_blank;
///
/// assert_eq!(non_blank(Some("  Acme \n")), Some("Acme"));
/// assert_eq!(non_blank(Some("   ")), None);
/// ```
pub fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|trimmed| !trimmed.is_empty())
}

/// The first `max_chars` characters of `text` (Unicode scalar values, not bytes), never
/// splitting a character; `text` itself when it is short enough.
pub fn truncate_chars(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Appends the decimal form of `value` to `text`, exactly as `Display` writes it.
///
/// Why not `format!`: in WebAssembly, `core::fmt` costs a few thousand instructions per call,
/// as much as scoring a contact's page visits. A rule that words one reason per award builds
/// it with `push_str` and this instead.
///
/// ```
/// use leadgate_plugin_sdk::text::push_integer;
///
/// let mut reason = String::from("bought ");
/// push_integer(&mut reason, 12_u32);
/// reason.push_str(" licenses");
/// assert_eq!(reason, "bought 12 licenses");
/// ```
pub fn push_integer(text: &mut String, value: impl itoa::Integer) {
    text.push_str(itoa::Buffer::new().format(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_written_as_display_writes_them() {
        for value in [0, 7, -7, 10, 99, 100, 12_345, i64::MAX, i64::MIN] {
            let mut text = String::from("n=");
            push_integer(&mut text, value);
            assert_eq!(text, format!("n={value}"));
        }
        let mut text = String::new();
        push_integer(&mut text, u64::MAX);
        assert_eq!(text, u64::MAX.to_string());
    }

    #[test]
    fn equality_ignores_case() {
        assert!(eq_ignore_case("Microsoft Office", "microsoft OFFICE"));
        assert!(!eq_ignore_case("Microsoft Office", "Microsoft Office 365"));
        assert!(eq_ignore_case("STRASSE Äpfel", "strasse äPFEL"));
        assert!(!eq_ignore_case("Äpfel", "Apfel"));
        assert!(eq_ignore_case("", ""));
    }

    #[test]
    fn prefixes_suffixes_and_substrings() {
        assert!(starts_with_ignore_case("VP Sales", "vp "));
        assert!(!starts_with_ignore_case("VP", "vp sales"));
        assert!(starts_with_ignore_case("Élan vital", "éLAN"));
        assert!(starts_with_ignore_case("anything", ""));
        assert!(ends_with_ignore_case("jane@Example.COM", "@example.com"));
        assert!(!ends_with_ignore_case("com", "example.com"));
        assert!(ends_with_ignore_case("Ärztin Müller", "MÜLLER"));
        assert!(contains_ignore_case("IT Director EMEA", "director"));
        assert!(!contains_ignore_case("IT Direct", "director"));
        assert!(contains_ignore_case("Geschäftsführer", "FÜHRER"));
        assert!(contains_ignore_case("", ""));
        assert!(!contains_ignore_case("", "x"));
    }

    #[test]
    fn blank_values_are_absent() {
        assert_eq!(non_blank(Some("  Acme \n")), Some("Acme"));
        assert_eq!(non_blank(Some(" \t ")), None);
        assert_eq!(non_blank(None), None);
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate_chars("hello", 10), "hello");
        assert_eq!(truncate_chars("hello", 5), "hello");
        assert_eq!(truncate_chars("hello", 3), "hel");
        assert_eq!(truncate_chars("hello", 0), "");
        // Four characters, nine bytes: a byte-based cut would split "é" or "€".
        assert_eq!(truncate_chars("é€ab", 2), "é€");
        assert_eq!(truncate_chars("é€ab", 1), "é");
        assert_eq!(truncate_chars("日本語テキスト", 3), "日本語");
    }
}
