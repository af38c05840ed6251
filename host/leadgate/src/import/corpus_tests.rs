//! Tests over the files in `tests/fixtures/import/` (described in its README).

use std::collections::BTreeMap;

use leadgate_model::{ActivityRecord, ContactRecord};

use super::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/import/");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPUS}{name}")).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn format_of(name: &str) -> InputFormat {
    InputFormat::from_path(Path::new(name)).unwrap()
}

/// The good rows (line, record) and the issues of a contact file.
fn read_contacts(name: &str) -> (Vec<(u64, ContactRecord)>, Vec<ImportIssue>) {
    let data = fixture(name);
    let rows = contacts(data.as_slice(), name, format_of(name)).unwrap();
    split(rows)
}

/// The good rows (line, record) and the issues of an activity file.
fn read_activities(name: &str) -> (Vec<(u64, ActivityRecord)>, Vec<ImportIssue>) {
    let data = fixture(name);
    let rows = activities(data.as_slice(), name, format_of(name)).unwrap();
    split(rows)
}

pub(super) fn split<T>(
    rows: impl Iterator<Item = Result<Parsed<T>, ImportIssue>>,
) -> (Vec<(u64, T)>, Vec<ImportIssue>) {
    let mut records = Vec::new();
    let mut issues = Vec::new();
    for row in rows {
        match row {
            Ok(parsed) => records.push((parsed.line, parsed.record)),
            Err(issue) => issues.push(issue),
        }
    }
    (records, issues)
}

pub(super) fn issue(source: &str, line: u64, column: Option<&str>, reason: &str) -> ImportIssue {
    ImportIssue {
        source: source.to_owned(),
        line,
        column: column.map(str::to_owned),
        reason: reason.to_owned(),
    }
}

fn contact(id: &str) -> ContactRecord {
    ContactRecord {
        id: id.to_owned(),
        ..ContactRecord::default()
    }
}

pub(super) fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn attributes(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

pub(super) fn lines<T>(records: &[(u64, T)]) -> Vec<u64> {
    records.iter().map(|(line, _)| *line).collect()
}

pub(super) fn contact_ids(records: &[(u64, ContactRecord)]) -> Vec<&str> {
    records.iter().map(|(_, record)| record.id.as_str()).collect()
}

#[test]
fn a_valid_contact_file_maps_every_documented_column_and_keeps_the_rest_as_attributes() {
    let (records, issues) = read_contacts("contacts-valid.csv");
    assert_eq!(issues, []);
    assert_eq!(lines(&records), [2, 3, 4]);
    assert_eq!(
        records[0].1,
        ContactRecord {
            email: some("ada@example.com"),
            first_name: some("Ada"),
            last_name: some("Lovelace"),
            company: some("Engines Ltd"),
            title: some("Countess"),
            phone: some("+44 20 1234"),
            street: some("12 St James's Square"),
            city: some("London"),
            state: None,
            postal_code: some("SW1Y 4JH"),
            country: some("UK"),
            attributes: attributes(&[("Employees", "250"), ("Industry", "Software")]),
            ..contact("c-1")
        }
    );
    assert_eq!(records[1].1.company, some("Navy, US"));
    assert_eq!(records[1].1.attributes, BTreeMap::new());
    let third = &records[2].1;
    assert_eq!(
        (third.email.as_deref(), third.first_name.as_deref()),
        (None, Some("Édouard"))
    );
    assert_eq!(third.street, some("Rue de l'École\nBâtiment B"));
    assert_eq!(third.attributes, attributes(&[("Industry", "Mathematics")]));
}

#[test]
fn a_bom_and_crlf_line_endings_are_handled_and_email_keys_are_lowercased() {
    let (records, issues) = read_contacts("bom-crlf.csv");
    assert_eq!(issues, []);
    assert_eq!(
        records,
        [
            (
                2,
                ContactRecord {
                    email: some("Ada@Example.com"),
                    first_name: some("Ada"),
                    attributes: attributes(&[("notes", "line one\nline two")]),
                    ..contact("ada@example.com")
                }
            ),
            (
                5,
                ContactRecord {
                    email: some("grace@example.com"),
                    first_name: some("Grace"),
                    ..contact("grace@example.com")
                }
            ),
        ]
    );
}

#[test]
fn mixed_line_endings_and_blank_lines_keep_line_numbers_exact() {
    let (records, issues) = read_contacts("mixed-line-endings.csv");
    assert_eq!(issues, []);
    assert_eq!(lines(&records), [2, 3, 6, 7]);
    assert_eq!(contact_ids(&records), ["c-1", "c-2", "c-3", "c-4"]);
    assert_eq!(records[1].1.company, some("B\nB2"));
}

#[test]
fn an_unterminated_quote_rejects_its_row_and_keeps_the_rows_before() {
    let (records, issues) = read_contacts("unterminated-quote.csv");
    assert_eq!(contact_ids(&records), ["c-1"]);
    assert_eq!(
        issues,
        [issue(
            "unterminated-quote.csv",
            3,
            Some("company"),
            "a quoted value starts in this row and is never closed: it runs to the end of the file"
        )]
    );
}

#[test]
fn rows_with_the_wrong_number_of_values_are_rejected() {
    let (records, issues) = read_contacts("wrong-column-count.csv");
    assert_eq!(contact_ids(&records), ["c-1", "c-4"]);
    assert_eq!(lines(&records), [2, 5]);
    let file = "wrong-column-count.csv";
    assert_eq!(
        issues,
        [
            issue(file, 3, None, "has 2 values but the header has 3 columns"),
            issue(file, 4, None, "has 4 values but the header has 3 columns"),
        ]
    );
}

#[test]
fn invalid_utf8_names_the_line_and_column() {
    let (records, issues) = read_contacts("invalid-utf8.csv");
    assert_eq!(contact_ids(&records), ["c-3"]);
    let file = "invalid-utf8.csv";
    assert_eq!(
        issues,
        [
            issue(
                file,
                2,
                Some("last_name"),
                "is not valid UTF-8 (byte 0xFC at byte 2 of the value); save the file as UTF-8"
            ),
            issue(
                file,
                3,
                Some("city"),
                "is not valid UTF-8 (byte 0xF6 at byte 2 of the value); save the file as UTF-8"
            ),
        ]
    );
}

#[test]
fn bad_email_addresses_are_rejected_with_the_reason() {
    let (records, issues) = read_contacts("bad-emails.csv");
    assert_eq!(lines(&records), [2, 11]);
    assert_eq!(
        records[1].1,
        ContactRecord {
            email: some("Grace@Example.COM"),
            first_name: some("Grace"),
            ..contact("grace@example.com")
        }
    );
    let file = "bad-emails.csv";
    let email = Some("email");
    assert_eq!(
        issues,
        [
            issue(
                file,
                3,
                email,
                "`foo@` is not an e-mail address (nothing after the `@`)"
            ),
            issue(file, 4, email, "`no-at-sign` is not an e-mail address (no `@`)"),
            issue(
                file,
                5,
                email,
                "`two@@example.com` is not an e-mail address (more than one `@`)"
            ),
            issue(
                file,
                6,
                email,
                "`with space@example.com` is not an e-mail address (a space before the `@`)"
            ),
            issue(
                file,
                7,
                email,
                "`ada@localhost` is not an e-mail address (the domain `localhost` has no dot)"
            ),
            issue(
                file,
                8,
                email,
                "`ada@example..com` is not an e-mail address (an empty label in the domain)"
            ),
            issue(
                file,
                9,
                email,
                "`ada@-example.com` is not an e-mail address (the domain label `-example` starts or ends with a hyphen)"
            ),
            issue(
                file,
                10,
                email,
                "is empty, and the contact has no `id` to key it by"
            ),
        ]
    );
    assert_eq!(
        issues[0].to_string(),
        "bad-emails.csv:3: column `email`: `foo@` is not an e-mail address (nothing after the `@`)"
    );
}

#[test]
fn bad_ids_are_rejected() {
    let (records, issues) = read_contacts("bad-ids.csv");
    assert_eq!(contact_ids(&records), ["c-1", "c-5"]);
    let file = "bad-ids.csv";
    assert_eq!(
        issues,
        [
            issue(file, 3, Some("id"), "is empty"),
            issue(
                file,
                4,
                Some("id"),
                "`a\\tb` contains the control character U+0009"
            ),
            issue(
                file,
                5,
                Some("id"),
                "is 256 characters long, over the limit of 255"
            ),
        ]
    );
}

#[test]
fn control_characters_long_text_and_unnamed_columns_are_rejected() {
    let (records, issues) = read_contacts("bad-text.csv");
    assert_eq!(contact_ids(&records), ["c-1", "c-7"]);
    assert_eq!(records[0].1.attributes, attributes(&[("notes", "fine")]));
    assert_eq!(lines(&records), [2, 8]);
    assert_eq!(
        (
            records[1].1.first_name.as_deref(),
            records[1].1.company.as_deref()
        ),
        (Some("Tab\tok"), Some("Multi\nline"))
    );
    let file = "bad-text.csv";
    assert_eq!(
        issues,
        [
            issue(
                file,
                3,
                Some("first_name"),
                "`Bell\\u{7}` contains the control character U+0007; only tab and newline are allowed in text"
            ),
            issue(
                file,
                4,
                Some("first_name"),
                "`Nul\\u{0}` contains the NUL character U+0000; only tab and newline are allowed in text"
            ),
            issue(
                file,
                5,
                Some("company"),
                "is 1001 characters long, over the limit of 1000"
            ),
            issue(
                file,
                6,
                None,
                "column 4 has no name in the header, but holds `surprise`"
            ),
            issue(
                file,
                7,
                Some("notes"),
                "is 1001 characters long, over the limit of 1000"
            ),
        ]
    );
}

fn contact_file_error(name: &str) -> ImportError {
    let data = fixture(name);
    match contacts(data.as_slice(), name, format_of(name)) {
        Ok(_) => panic!("{name} opened"),
        Err(error) => error,
    }
}

const CONTACT_COLUMNS_HINT: &str = "hint: the columns leadgate knows are `id`, `email`, `first_name`, `last_name`, `company`, `title`, `phone`, `street`, `city`, `state`, `postal_code`, `country` (case does not matter, and `-`, `_` and spaces are the same); every other column becomes an attribute";

#[test]
fn a_contact_file_without_id_or_email_stops_with_a_hint() {
    let error = contact_file_error("missing-id-and-email.csv");
    assert!(matches!(&error, ImportError::MissingColumn { missing, .. } if missing == "`id` or `email`"));
    assert_eq!(
        error.to_string(),
        format!("missing-id-and-email.csv: the header has no `id` or `email` column\n{CONTACT_COLUMNS_HINT}")
    );
}

#[test]
fn a_semicolon_separated_file_gets_a_hint_about_it() {
    let error = contact_file_error("semicolons.csv");
    assert_eq!(
        error.to_string(),
        format!(
            "semicolons.csv: the header has no `id` or `email` column\n{CONTACT_COLUMNS_HINT}\nhint: the header looks separated by `;`: leadgate reads comma-separated files"
        )
    );
}

#[test]
fn an_empty_file_has_no_header() {
    let error = contact_file_error("empty.csv");
    assert_eq!(
        error.to_string(),
        format!(
            "empty.csv: the file is empty: a CSV file starts with a header row naming its columns\n{CONTACT_COLUMNS_HINT}"
        )
    );
}

#[test]
fn a_column_named_twice_stops_the_file() {
    let error = contact_file_error("duplicate-columns.csv");
    assert_eq!(
        error.to_string(),
        format!(
            "duplicate-columns.csv: the header names one column twice: `Email` (column 2) and `e-mail` (column 3)\n{CONTACT_COLUMNS_HINT}"
        )
    );
}

#[test]
fn an_unclosed_quote_in_the_header_stops_the_file() {
    let error = contact_file_error("unclosed-header.csv");
    assert_eq!(
        error.to_string(),
        "unclosed-header.csv: line 1: the header has a quote (`\"`) that is never closed"
    );
}

#[test]
fn json_lines_contacts_reject_bad_lines_and_keep_the_good_ones() {
    let (records, issues) = read_contacts("not-json.jsonl");
    assert_eq!(lines(&records), [1, 9, 14]);
    assert_eq!(
        records[0].1,
        ContactRecord {
            email: some("ada@example.com"),
            first_name: some("Ada"),
            attributes: attributes(&[("Industry", "Software"), ("employees", "250"), ("vip", "true")]),
            ..contact("c-1")
        }
    );
    assert_eq!(
        records[1].1,
        ContactRecord {
            email: some("Alan@Example.com"),
            attributes: attributes(&[("Employees", "12")]),
            ..contact("alan@example.com")
        }
    );
    assert_eq!(
        records[2].1,
        ContactRecord {
            first_name: some("Numeric"),
            attributes: attributes(&[("ok", "false"), ("score", "1.5")]),
            ..contact("42")
        }
    );
    let file = "not-json.jsonl";
    assert_eq!(
        issues,
        [
            issue(
                file,
                2,
                None,
                "not valid JSON at column 39: EOF while parsing an object"
            ),
            issue(file, 4, None, "the line is an array, not a JSON object"),
            issue(file, 5, None, "not valid JSON at column 2: expected ident"),
            issue(
                file,
                6,
                Some("tags"),
                "is an array; only text, numbers, booleans and null are accepted here"
            ),
            issue(
                file,
                7,
                Some("address"),
                "is an object; only text, numbers, booleans and null are accepted here"
            ),
            issue(
                file,
                8,
                Some("attributes"),
                "is text; it must be an object of attribute names to text, numbers or booleans"
            ),
            issue(file, 10, Some("Email"), "`email` is given twice"),
            issue(
                file,
                11,
                Some("attributes.industry"),
                "the attribute `industry` is given twice"
            ),
            issue(
                file,
                12,
                None,
                "has neither an `id` nor an `email`; a contact needs one of them as its key"
            ),
            issue(file, 13, Some("id"), "is empty"),
        ]
    );
}

fn activity(contact_id: &str, kind: &str, occurred_at: i64) -> ActivityRecord {
    ActivityRecord {
        contact_id: contact_id.to_owned(),
        id: String::new(),
        kind: kind.to_owned(),
        occurred_at,
        subject: None,
        quantity: None,
        value: None,
        attributes: BTreeMap::new(),
    }
}

/// The record with its derived id filled in.
fn with_derived_id(mut record: ActivityRecord) -> ActivityRecord {
    record.id = derived_activity_id(&record);
    record
}

const MARCH_1_10H: i64 = 1_772_359_200_000;
const MARCH_1: i64 = 1_772_323_200_000;

#[test]
fn a_valid_activity_file_normalizes_kinds_times_and_numbers() {
    let (records, issues) = read_activities("activities-valid.csv");
    assert_eq!(issues, []);
    assert_eq!(lines(&records), [2, 3, 4, 5, 6, 7]);
    let purchase = with_derived_id(ActivityRecord {
        subject: some("Microsoft Office"),
        quantity: Some(2500),
        value: Some(12.5),
        attributes: attributes(&[("channel", "web")]),
        ..activity("c-1", "purchase", MARCH_1_10H)
    });
    let expected = [
        purchase.clone(),
        with_derived_id(ActivityRecord {
            subject: some("/pricing"),
            ..activity("c-1", "page-visit", MARCH_1_10H)
        }),
        with_derived_id(ActivityRecord {
            subject: some("Spring newsletter"),
            ..activity("c-2", "email-open", MARCH_1_10H)
        }),
        ActivityRecord {
            id: "a-42".to_owned(),
            subject: some("Rust Conf"),
            ..activity("c-2", "event-attendance", MARCH_1)
        },
        with_derived_id(ActivityRecord {
            subject: some("Wasm 101"),
            quantity: Some(1),
            value: Some(0.0),
            attributes: attributes(&[("channel", "partner")]),
            ..activity("c-3", "webinar-replay", 1_772_440_200_500)
        }),
        // The same purchase again (`12.5` written as `12.50` above): the same id.
        purchase,
    ];
    let found: Vec<ActivityRecord> = records.into_iter().map(|(_, record)| record).collect();
    assert_eq!(found, expected);
    assert!(found[0].id.starts_with("h-"));
    assert_eq!(found[0].id, found[5].id);
}

#[test]
fn reading_the_same_file_twice_gives_identical_records_and_ids() {
    for name in ["activities-valid.csv", "activities.jsonl", "bad-numbers.csv"] {
        assert_eq!(read_activities(name), read_activities(name), "{name}");
    }
    for name in ["contacts-valid.csv", "not-json.jsonl", "bom-crlf.csv"] {
        assert_eq!(read_contacts(name), read_contacts(name), "{name}");
    }
}

#[test]
fn bad_timestamps_are_rejected_with_the_accepted_forms() {
    let (records, issues) = read_activities("bad-timestamps.csv");
    assert_eq!(lines(&records), [2]);
    let file = "bad-timestamps.csv";
    let column = Some("occurred_at");
    let not_a_time = |value: &str| {
        format!(
            "`{value}` is not a time: use RFC 3339 such as `2026-03-01T10:00:00Z` (or with an offset such as `+02:00`), milliseconds since the Unix epoch, or a date such as `2026-03-01`"
        )
    };
    assert_eq!(
        issues,
        [
            issue(file, 3, column, &not_a_time("yesterday")),
            issue(
                file,
                4,
                column,
                "`2026-03-01T10:00:00` has no UTC offset: add `Z` for UTC or an offset such as `+02:00`"
            ),
            issue(file, 5, column, "`2026-02-30` is not a valid date"),
            issue(
                file,
                6,
                column,
                "`99999999999999999999` is out of range for milliseconds since the Unix epoch (years -9999 to 9999)"
            ),
            issue(file, 7, column, &not_a_time("03/01/2026")),
            issue(file, 8, column, "is empty"),
            issue(file, 9, column, &not_a_time("2026-13-01T00:00:00Z")),
        ]
    );
}

#[test]
fn bad_quantities_and_values_are_rejected() {
    let (records, issues) = read_activities("bad-numbers.csv");
    assert_eq!(lines(&records), [2, 11]);
    assert_eq!((records[0].1.quantity, records[0].1.value), (Some(3), Some(9.99)));
    assert_eq!(
        (records[1].1.quantity, records[1].1.value),
        (Some(u32::MAX), Some(-0.5))
    );
    let file = "bad-numbers.csv";
    let out_of_range =
        |value: &str| format!("`{value}` is out of range: a quantity is an integer from 0 to 4294967295");
    assert_eq!(
        issues,
        [
            issue(file, 3, Some("quantity"), "`2.5` is not an integer"),
            issue(file, 4, Some("quantity"), &out_of_range("-1")),
            issue(file, 5, Some("quantity"), &out_of_range("4294967296")),
            issue(file, 6, Some("quantity"), "`3,000` is not an integer"),
            issue(
                file,
                7,
                Some("value"),
                "`12,50` is not a number (use `.` as the decimal separator, and no thousands separators)"
            ),
            issue(file, 8, Some("value"), "`NaN` is not a finite number"),
            issue(file, 9, Some("value"), "`inf` is not a finite number"),
            issue(file, 10, Some("value"), "`abc` is not a number"),
        ]
    );
}

#[test]
fn bad_kinds_and_empty_contact_ids_are_rejected() {
    let (records, issues) = read_activities("activities-bad-kinds.csv");
    assert_eq!(lines(&records), [2, 8]);
    assert_eq!(records[1].1.kind, "webinar-replay");
    let file = "activities-bad-kinds.csv";
    let not_a_kind = |value: &str| {
        format!(
            "{value} is not an activity kind: use `purchase`, `page-visit`, `form-submission`, `email-open`, `email-click`, `event-attendance`, or a custom name of lowercase letters, digits and hyphens (at most 64 characters)"
        )
    };
    let long_kind = "k".repeat(65);
    assert_eq!(
        issues,
        [
            issue(file, 3, Some("kind"), "is empty"),
            issue(file, 4, Some("kind"), &not_a_kind("`page--visit`")),
            issue(file, 5, Some("kind"), &not_a_kind("`Käufe`")),
            issue(
                file,
                6,
                Some("kind"),
                &not_a_kind(&format!("`{}…` (65 characters)", &long_kind[..40]))
            ),
            issue(file, 7, Some("contact_id"), "is empty"),
        ]
    );
}

#[test]
fn an_activity_file_without_its_required_columns_stops_with_a_hint() {
    let data = fixture("activities-missing-columns.csv");
    let Err(error) = activities(
        data.as_slice(),
        "activities-missing-columns.csv",
        InputFormat::Csv,
    ) else {
        panic!("opened");
    };
    assert_eq!(
        error.to_string(),
        "activities-missing-columns.csv: the header has no `contact_id` or `occurred_at` column\nhint: the columns leadgate knows are `contact_id`, `kind`, `occurred_at`, `id`, `subject`, `quantity`, `value` (case does not matter, and `-`, `_` and spaces are the same); every other column becomes an attribute"
    );
}

#[test]
fn json_lines_activities_follow_the_csv_rules_and_derive_the_same_ids() {
    let (records, issues) = read_activities("activities.jsonl");
    let (csv_records, _) = read_activities("activities-valid.csv");
    assert_eq!(lines(&records), [1, 2, 8]);
    // The same purchase as the first row of `activities-valid.csv`, the same id.
    assert_eq!(records[0].1, csv_records[0].1);
    assert_eq!(
        records[1].1,
        with_derived_id(ActivityRecord {
            attributes: attributes(&[("utm", "spring")]),
            ..activity("c-1", "page-visit", MARCH_1_10H)
        })
    );
    assert_eq!(
        records[2].1,
        ActivityRecord {
            id: "own-id".to_owned(),
            value: Some(12.5),
            ..activity("c-2", "purchase", MARCH_1)
        }
    );
    let file = "activities.jsonl";
    assert_eq!(
        issues,
        [
            issue(
                file,
                3,
                Some("occurred_at"),
                "`1500000000000.0` is not a time: use RFC 3339 such as `2026-03-01T10:00:00Z` (or with an offset such as `+02:00`), milliseconds since the Unix epoch, or a date such as `2026-03-01`"
            ),
            issue(file, 4, Some("quantity"), "`2.5` is not an integer"),
            issue(file, 5, Some("quantity"), "`true` is not an integer"),
            issue(file, 6, Some("contact_id"), "is missing"),
            issue(file, 7, Some("kind"), "is missing"),
        ]
    );
}
