//! The rules every imported field follows: ids, e-mail addresses, text and attribute names.
//!
//! Each check takes the raw value and returns the cleaned value or a reason (without the column
//! name; the caller adds it).

use std::borrow::Cow;

use super::import_issue::quoted;

/// The largest single field, in bytes, before any other check.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// The longest id (contact, activity), in characters.
pub const MAX_ID_CHARS: usize = 255;
/// The longest text value (including attribute values), in characters.
pub const MAX_TEXT_CHARS: usize = 1_000;
/// The longest attribute name, in characters.
pub const MAX_ATTRIBUTE_NAME_CHARS: usize = 255;
/// The longest e-mail address, in characters.
pub const MAX_EMAIL_CHARS: usize = 254;
/// The longest local part (before the `@`) of an e-mail address, in characters.
pub const MAX_EMAIL_LOCAL_CHARS: usize = 64;
/// The longest label of an e-mail domain, in characters.
pub const MAX_DOMAIN_LABEL_CHARS: usize = 63;

/// Rejects a field over [`MAX_FIELD_BYTES`] before anything else looks at it.
pub(crate) fn check_field_size(bytes: usize) -> Result<(), String> {
    if bytes > MAX_FIELD_BYTES {
        return Err(format!(
            "is {bytes} bytes long, over the limit of {} KiB for one field",
            MAX_FIELD_BYTES / 1024
        ));
    }
    Ok(())
}

/// The reason for a field that is not UTF-8.
pub(crate) fn not_utf8(raw: &[u8], error: std::str::Utf8Error) -> String {
    let position = error.valid_up_to();
    let byte = raw.get(position).copied().unwrap_or_default();
    format!(
        "is not valid UTF-8 (byte 0x{byte:02X} at byte {} of the value); save the file as UTF-8",
        position + 1
    )
}

/// Replaces `\r\n` and lone `\r` with `\n` (CSV input gets this from its reader; JSON text gets
/// it here, so both accept the same text).
pub(crate) fn normalize_newlines(value: &str) -> Cow<'_, str> {
    if !value.contains('\r') {
        return Cow::Borrowed(value);
    }
    Cow::Owned(value.replace("\r\n", "\n").replace('\r', "\n"))
}

/// `value` without leading and trailing whitespace; quick when there is none to remove.
pub(crate) fn trimmed(value: &str) -> &str {
    match (value.as_bytes().first(), value.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => value,
        _ => value.trim(),
    }
}

/// An id: trimmed, not empty, at most [`MAX_ID_CHARS`] characters, no control characters at all.
pub(crate) fn id(value: &str) -> Result<String, String> {
    let value = trimmed(value);
    if value.is_empty() {
        return Err("is empty".to_owned());
    }
    check_length(value, MAX_ID_CHARS)?;
    if let Some(control) = first_control(value, false) {
        return Err(control_reason(value, control, "an id"));
    }
    Ok(value.to_owned())
}

/// A text value: trimmed; empty means absent; at most [`MAX_TEXT_CHARS`] characters; no control
/// characters other than tab and newline.
pub(crate) fn text(value: &str) -> Result<Option<String>, String> {
    let value = trimmed(value);
    if value.is_empty() {
        return Ok(None);
    }
    check_length(value, MAX_TEXT_CHARS)?;
    if let Some(control) = first_control(value, true) {
        return Err(control_reason(value, control, "text"));
    }
    Ok(Some(value.to_owned()))
}

/// An attribute name (a CSV header or a JSON key, trimmed): not empty, at most
/// [`MAX_ATTRIBUTE_NAME_CHARS`] characters, no control characters.
pub(crate) fn attribute_name(name: &str) -> Result<&str, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("an attribute name is empty".to_owned());
    }
    if name.chars().count() > MAX_ATTRIBUTE_NAME_CHARS {
        return Err(format!(
            "the attribute name {} is over the limit of {MAX_ATTRIBUTE_NAME_CHARS} characters",
            quoted(name)
        ));
    }
    if let Some(control) = name.chars().find(|character| character.is_control()) {
        return Err(format!(
            "the attribute name {} contains the control character U+{:04X}",
            quoted(name),
            u32::from(control)
        ));
    }
    Ok(name)
}

/// An e-mail address: trimmed; empty means absent; otherwise at most [`MAX_EMAIL_CHARS`]
/// characters with exactly one `@`, a local part of 1 to 64 characters without spaces or
/// control characters, and a domain of at least two dot-separated labels made of letters,
/// digits and hyphens (no empty label, none starting or ending with a hyphen, none over 63
/// characters). The address is kept as written; only a contact keyed by its address gets it
/// lowercased as its id.
pub(crate) fn email(value: &str) -> Result<Option<String>, String> {
    let value = trimmed(value);
    if value.is_empty() {
        return Ok(None);
    }
    match email_problem(value) {
        None => Ok(Some(value.to_owned())),
        Some(problem) => Err(format!("{} is not an e-mail address ({problem})", quoted(value))),
    }
}

fn email_problem(value: &str) -> Option<String> {
    if value.len() > MAX_EMAIL_CHARS && value.chars().count() > MAX_EMAIL_CHARS {
        return Some(format!("over {MAX_EMAIL_CHARS} characters"));
    }
    let Some(at) = value.bytes().position(|byte| byte == b'@') else {
        return Some("no `@`".to_owned());
    };
    let (local, domain) = (&value[..at], &value[at + 1..]);
    if domain.as_bytes().contains(&b'@') {
        return Some("more than one `@`".to_owned());
    }
    if local.is_empty() {
        return Some("nothing before the `@`".to_owned());
    }
    if domain.is_empty() {
        return Some("nothing after the `@`".to_owned());
    }
    if local.len() > MAX_EMAIL_LOCAL_CHARS && local.chars().count() > MAX_EMAIL_LOCAL_CHARS {
        return Some(format!("over {MAX_EMAIL_LOCAL_CHARS} characters before the `@`"));
    }
    let clean_local = if local.is_ascii() {
        !local.bytes().any(|byte| byte <= b' ' || byte == 0x7F)
    } else {
        !local
            .chars()
            .any(|character| character.is_whitespace() || character.is_control())
    };
    if !clean_local {
        let bad = local
            .chars()
            .find(|character| character.is_whitespace() || character.is_control())
            .unwrap_or(' ');
        return Some(if bad.is_control() {
            format!("the control character U+{:04X} before the `@`", u32::from(bad))
        } else {
            "a space before the `@`".to_owned()
        });
    }
    if !domain.as_bytes().contains(&b'.') {
        return Some(format!("the domain `{domain}` has no dot"));
    }
    for label in domain.split('.') {
        if let Some(problem) = domain_label_problem(label) {
            return Some(problem);
        }
    }
    None
}

/// What is wrong with one label of an e-mail domain, if anything.
fn domain_label_problem(label: &str) -> Option<String> {
    if label.is_empty() {
        return Some("an empty label in the domain".to_owned());
    }
    let well_formed = if label.is_ascii() {
        label.len() <= MAX_DOMAIN_LABEL_CHARS
            && label
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
    } else {
        label.chars().count() <= MAX_DOMAIN_LABEL_CHARS
            && label
                .chars()
                .all(|character| character.is_alphanumeric() || character == '-')
    };
    if !well_formed {
        if label.len() > MAX_DOMAIN_LABEL_CHARS && label.chars().count() > MAX_DOMAIN_LABEL_CHARS {
            return Some(format!("a domain label over {MAX_DOMAIN_LABEL_CHARS} characters"));
        }
        let bad = label
            .chars()
            .find(|&character| !(character.is_alphanumeric() || character == '-'))
            .unwrap_or('?');
        return Some(if bad.is_control() {
            format!("the control character U+{:04X} in the domain", u32::from(bad))
        } else if bad.is_whitespace() {
            "a space in the domain".to_owned()
        } else {
            format!("`{bad}` in the domain")
        });
    }
    if label.starts_with('-') || label.ends_with('-') {
        return Some(format!("the domain label `{label}` starts or ends with a hyphen"));
    }
    None
}

/// Rejects a value over `limit` characters (counting only when the bytes could be over).
pub(crate) fn check_length(value: &str, limit: usize) -> Result<(), String> {
    if value.len() > limit {
        let chars = value.chars().count();
        if chars > limit {
            return Err(format!("is {chars} characters long, over the limit of {limit}"));
        }
    }
    Ok(())
}

/// The first control character in `value` (other than tab and newline when `text`), if any.
fn first_control(value: &str, text: bool) -> Option<char> {
    // Fast path on bytes: C0 controls and DEL are single bytes; C1 controls (U+0080..U+009F)
    // start with the byte 0xC2.
    let suspicious = value.bytes().any(|byte| {
        (byte < 0x20 && !(text && (byte == b'\t' || byte == b'\n'))) || byte == 0x7F || byte == 0xC2
    });
    if !suspicious {
        return None;
    }
    value
        .chars()
        .find(|&character| character.is_control() && !(text && (character == '\t' || character == '\n')))
}

fn control_reason(value: &str, control: char, what: &str) -> String {
    let allowed = if what == "text" {
        "; only tab and newline are allowed in text"
    } else {
        ""
    };
    let name = if control == '\0' {
        "NUL character"
    } else {
        "control character"
    };
    format!(
        "{} contains the {name} U+{:04X}{allowed}",
        quoted(value),
        u32::from(control)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_trimmed_and_must_be_short_and_printable() {
        assert_eq!(id("  c-1 ").as_deref(), Ok("c-1"));
        assert_eq!(id("  ").unwrap_err(), "is empty");
        assert_eq!(id(&"x".repeat(255)).map(|id| id.len()), Ok(255));
        assert_eq!(
            id(&"x".repeat(256)).unwrap_err(),
            "is 256 characters long, over the limit of 255"
        );
        assert_eq!(
            id("a\tb").unwrap_err(),
            "`a\\tb` contains the control character U+0009"
        );
        assert_eq!(id(&"é".repeat(255)).map(|id| id.chars().count()), Ok(255));
    }

    #[test]
    fn text_allows_tabs_and_newlines_but_no_other_control_characters() {
        assert_eq!(text("  "), Ok(None));
        assert_eq!(text(" a\tb\nc "), Ok(Some("a\tb\nc".to_owned())));
        assert_eq!(
            text("a\0b").unwrap_err(),
            "`a\\u{0}b` contains the NUL character U+0000; only tab and newline are allowed in text"
        );
        assert_eq!(
            text("bell\u{7}").unwrap_err(),
            "`bell\\u{7}` contains the control character U+0007; only tab and newline are allowed in text"
        );
        assert!(text("c1 \u{85} control").unwrap_err().contains("U+0085"));
        assert_eq!(text("Ünïcödé ü"), Ok(Some("Ünïcödé ü".to_owned())));
        assert_eq!(text(&"é".repeat(1000)).map(|text| text.is_some()), Ok(true));
        assert_eq!(
            text(&"é".repeat(1001)).unwrap_err(),
            "is 1001 characters long, over the limit of 1000"
        );
    }

    #[test]
    fn valid_email_addresses_pass_as_written() {
        for address in [
            "ada@example.com",
            " Ada.Lovelace+news@Example.CO.uk ",
            "x@a-b.c",
            "info@bücher.de",
            "o'brien@example.org",
        ] {
            assert_eq!(email(address), Ok(Some(address.trim().to_owned())), "{address}");
        }
        assert_eq!(email(" "), Ok(None));
        let longest_local = format!("{}@example.com", "l".repeat(64));
        assert!(email(&longest_local).is_ok());
    }

    #[test]
    fn invalid_email_addresses_say_why() {
        let cases = [
            ("foo@", "`foo@` is not an e-mail address (nothing after the `@`)"),
            ("foo", "`foo` is not an e-mail address (no `@`)"),
            (
                "@example.com",
                "`@example.com` is not an e-mail address (nothing before the `@`)",
            ),
            (
                "a@b@example.com",
                "`a@b@example.com` is not an e-mail address (more than one `@`)",
            ),
            (
                "a b@example.com",
                "`a b@example.com` is not an e-mail address (a space before the `@`)",
            ),
            (
                "ada@localhost",
                "`ada@localhost` is not an e-mail address (the domain `localhost` has no dot)",
            ),
            (
                "ada@example..com",
                "`ada@example..com` is not an e-mail address (an empty label in the domain)",
            ),
            (
                "ada@.example.com",
                "`ada@.example.com` is not an e-mail address (an empty label in the domain)",
            ),
            (
                "ada@example.com.",
                "`ada@example.com.` is not an e-mail address (an empty label in the domain)",
            ),
            (
                "ada@-example.com",
                "`ada@-example.com` is not an e-mail address (the domain label `-example` starts or ends with a hyphen)",
            ),
            (
                "ada@exa_mple.com",
                "`ada@exa_mple.com` is not an e-mail address (`_` in the domain)",
            ),
            (
                "ada@exa mple.com",
                "`ada@exa mple.com` is not an e-mail address (a space in the domain)",
            ),
        ];
        for (address, reason) in cases {
            assert_eq!(email(address).unwrap_err(), reason, "{address}");
        }
        let long_local = format!("{}@example.com", "l".repeat(65));
        assert!(
            email(&long_local)
                .unwrap_err()
                .ends_with("(over 64 characters before the `@`)")
        );
        let long = format!("a@{}.com", "d".repeat(250));
        assert!(email(&long).unwrap_err().ends_with("(over 254 characters)"));
        let long_label = format!("a@{}.com", "d".repeat(64));
        assert!(
            email(&long_label)
                .unwrap_err()
                .ends_with("(a domain label over 63 characters)")
        );
        assert!(
            email("a\u{1}b@example.com")
                .unwrap_err()
                .ends_with("(the control character U+0001 before the `@`)")
        );
    }

    #[test]
    fn attribute_names_must_be_printable_and_short() {
        assert_eq!(attribute_name(" Industry "), Ok("Industry"));
        assert_eq!(attribute_name(" ").unwrap_err(), "an attribute name is empty");
        assert!(
            attribute_name(&"n".repeat(256))
                .unwrap_err()
                .contains("over the limit of 255")
        );
        assert!(attribute_name("a\u{1b}b").unwrap_err().contains("U+001B"));
    }

    #[test]
    fn oversized_fields_and_bad_utf8_are_reported_without_the_value() {
        assert_eq!(check_field_size(MAX_FIELD_BYTES), Ok(()));
        assert_eq!(
            check_field_size(MAX_FIELD_BYTES + 1).unwrap_err(),
            "is 65537 bytes long, over the limit of 64 KiB for one field"
        );
        let raw = b"M\xfcller";
        let error = std::str::from_utf8(std::hint::black_box(raw)).unwrap_err();
        assert_eq!(
            not_utf8(raw, error),
            "is not valid UTF-8 (byte 0xFC at byte 2 of the value); save the file as UTF-8"
        );
    }

    #[test]
    fn newlines_are_normalized_to_line_feeds() {
        assert_eq!(normalize_newlines("a\r\nb\rc\n"), "a\nb\nc\n");
        assert!(matches!(normalize_newlines("plain"), Cow::Borrowed("plain")));
    }
}
