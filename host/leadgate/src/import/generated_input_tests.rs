//! Tests over generated input: files too big or too many to check in, and readers that fail.

use std::io::{self, Read};

use super::corpus_tests::{contact_ids, issue, lines, some, split};
use super::*;

#[test]
fn rows_of_empty_cells_are_skipped_like_blank_lines() {
    let mut csv = "id,email\nc-1,a@example.com\n,\n , \n,,\nc-2,\n".to_owned();
    csv.push_str(&",\n".repeat(100_000));
    csv.push_str("c-3,\n");
    let (records, issues) = split(contacts(csv.as_bytes(), "sparse.csv", InputFormat::Csv).unwrap());
    assert_eq!(issues, []);
    assert_eq!(contact_ids(&records), ["c-1", "c-2", "c-3"]);
    assert_eq!(lines(&records), [2, 6, 100_007]);
}

#[test]
fn a_field_over_64_kib_is_rejected_without_quoting_it() {
    let mut csv = b"id,notes\nc-1,\"".to_vec();
    csv.resize(csv.len() + 70_000, b'x');
    csv.extend_from_slice(b"\"\nc-2,short\n");
    let (records, issues) = split(contacts(csv.as_slice(), "huge.csv", InputFormat::Csv).unwrap());
    assert_eq!(contact_ids(&records), ["c-2"]);
    assert_eq!(lines(&records), [3]);
    assert_eq!(
        issues,
        [issue(
            "huge.csv",
            2,
            Some("notes"),
            "is 70000 bytes long, over the limit of 64 KiB for one field"
        )]
    );

    let json = format!(
        "{{\"id\":\"c-1\",\"notes\":\"{}\"}}\n{{\"id\":\"c-2\"}}\n",
        "x".repeat(70_000)
    );
    let (records, issues) = split(contacts(json.as_bytes(), "huge.jsonl", InputFormat::JsonLines).unwrap());
    assert_eq!(contact_ids(&records), ["c-2"]);
    assert_eq!(
        issues,
        [issue(
            "huge.jsonl",
            1,
            Some("notes"),
            "is 70000 bytes long, over the limit of 64 KiB for one field"
        )]
    );
}

#[test]
fn a_row_over_the_memory_limit_stops_reading_with_an_issue_and_an_error() {
    let prefix = b"id,notes\nc-1,ok\nc-2,\"".as_slice();
    let input = prefix.chain(io::repeat(b'x').take(MAX_ROW_BYTES as u64 + 1024 * 1024));
    let mut rows = contacts(input, "endless.csv", InputFormat::Csv).unwrap();
    let first = rows.next().unwrap().unwrap();
    assert_eq!((first.line, first.record.id.as_str()), (2, "c-1"));
    assert_eq!(
        rows.next().unwrap().unwrap_err().to_string(),
        "endless.csv:3: the row starting here is longer than 64 MiB (is a quote never closed?); the rest of the file was not read"
    );
    assert!(rows.next().is_none());
    let error = rows.finish().unwrap_err();
    assert!(
        matches!(
            error,
            ImportError::RowTooLong {
                line: 3,
                limit_mib: 64,
                ..
            }
        ),
        "{error:?}"
    );
}

/// Hands out `data`, then fails.
struct FailingReader<'a> {
    data: &'a [u8],
}

impl Read for FailingReader<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let count = self.data.len().min(buffer.len());
        buffer[..count].copy_from_slice(&self.data[..count]);
        self.data = &self.data[count..];
        Ok(count)
    }
}

#[test]
fn an_io_error_part_way_yields_an_issue_and_fails_the_finish() {
    for (name, format, data) in [
        ("broken.csv", InputFormat::Csv, "id\nc-1\nc-2\n"),
        (
            "broken.jsonl",
            InputFormat::JsonLines,
            "{\"id\":\"c-1\"}\n{\"id\":\"c-2\"}\n",
        ),
    ] {
        let mut rows = contacts(
            FailingReader {
                data: data.as_bytes(),
            },
            name,
            format,
        )
        .unwrap();
        let found: Vec<_> = rows.by_ref().collect();
        assert_eq!(found.len(), 3, "{name}: {found:?}");
        let last = found[2].as_ref().unwrap_err();
        assert_eq!(
            (last.line, last.reason.as_str()),
            (
                if format == InputFormat::Csv { 4 } else { 3 },
                "reading stopped here: disk on fire; the rest of the file was not read"
            ),
            "{name}"
        );
        assert!(
            matches!(rows.finish(), Err(ImportError::ReadFailed { .. })),
            "{name}"
        );
    }
}

#[test]
fn a_file_that_cannot_be_read_at_all_is_an_error() {
    for format in [InputFormat::Csv, InputFormat::JsonLines] {
        let error = match contacts(FailingReader { data: b"" }, "gone.csv", format) {
            Ok(_) => panic!("opened"),
            Err(error) => error,
        };
        assert_eq!(error.to_string(), "gone.csv: cannot read the file: disk on fire");
    }
    let error = open(Path::new("/nonexistent/contacts.csv")).unwrap_err();
    assert!(matches!(error, ImportError::Unreadable { .. }), "{error:?}");
    let error = open(Path::new("contacts.txt")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "contacts.txt: unknown file type\nhint: name the file `.csv`, `.jsonl`, `.ndjson` or `.json` (JSON Lines)"
    );
}

/// A generated contact file: a header, then `rows` rows (row `n` is contact `c-n`).
fn generated_contacts(rows: usize) -> Vec<u8> {
    let mut csv =
        b"id,email,first_name,last_name,company,title,phone,city,country,industry,employees\n".to_vec();
    for row in 0..rows {
        csv.extend_from_slice(
            format!(
                "c-{row},person{row}@example{}.com,First{row},Last {row},\"Company {}, Inc\",Engineer,+1 555 {row:07},Springfield,US,Software,{}\n",
                row % 97,
                row % 1000,
                row % 5000
            )
            .as_bytes(),
        );
    }
    csv
}

/// A generated activity file: a header, then `rows` rows.
fn generated_activities(rows: usize) -> Vec<u8> {
    let mut csv = b"contact_id,kind,occurred_at,subject,quantity,value,channel\n".to_vec();
    let kinds = ["purchase", "page-visit", "email-open", "form-submission"];
    for row in 0..rows {
        csv.extend_from_slice(
            format!(
                "c-{},{},2026-03-{:02}T{:02}:{:02}:00Z,Product {},{},{}.99,web\n",
                row % 10_000,
                kinds[row % kinds.len()],
                row % 28 + 1,
                row % 24,
                row % 60,
                row % 50,
                row % 10,
                row % 100
            )
            .as_bytes(),
        );
    }
    csv
}

#[test]
fn ten_thousand_generated_rows_all_come_through_in_order() {
    let data = generated_contacts(10_000);
    let (records, issues) = split(contacts(data.as_slice(), "generated.csv", InputFormat::Csv).unwrap());
    assert_eq!(issues, []);
    assert_eq!(records.len(), 10_000);
    for (index, (line, record)) in records.iter().enumerate() {
        assert_eq!(*line, index as u64 + 2);
        assert_eq!(record.id, format!("c-{index}"));
    }
    assert_eq!(records[42].1.company, some("Company 42, Inc"));

    let data = generated_activities(10_000);
    let (records, issues) = split(activities(data.as_slice(), "generated.csv", InputFormat::Csv).unwrap());
    assert_eq!(issues, []);
    assert_eq!(records.len(), 10_000);
    let distinct: std::collections::HashSet<&str> =
        records.iter().map(|(_, record)| record.id.as_str()).collect();
    assert_eq!(distinct.len(), 10_000);
}

/// Counts (records, issues) of a whole file.
fn count_rows<T>(rows: impl Iterator<Item = Result<T, ImportIssue>>) -> (usize, usize) {
    rows.fold((0, 0), |(records, issues), row| match row {
        Ok(_) => (records + 1, issues),
        Err(_) => (records, issues + 1),
    })
}

/// The CPU time this thread has used, when Linux tells (the machine may be busy with other
/// work, which would make wall-clock times meaningless).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanoseconds: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanoseconds / 1e9)
}

/// Parse throughput of 1M-row files (best of three runs, generation not counted), by hand:
/// `cargo test --release -p leadgate --lib import -- --ignored --nocapture`
#[test]
#[ignore = "a timing run, read by hand"]
fn parse_throughput_of_a_million_rows() {
    const ROWS: usize = 1_000_000;
    let runs: [(&str, InputFormat, Vec<u8>); 3] = [
        ("contacts CSV", InputFormat::Csv, generated_contacts(ROWS)),
        ("activities CSV", InputFormat::Csv, generated_activities(ROWS)),
        (
            "contacts JSON Lines",
            InputFormat::JsonLines,
            generated_contacts_json(ROWS),
        ),
    ];
    for (what, format, data) in runs {
        let (mut best_wall, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..3 {
            let (start, start_cpu) = (std::time::Instant::now(), thread_cpu_seconds());
            let counts = if what.starts_with("contacts") {
                count_rows(contacts(data.as_slice(), what, format).unwrap())
            } else {
                count_rows(activities(data.as_slice(), what, format).unwrap())
            };
            best_wall = best_wall.min(start.elapsed().as_secs_f64());
            if let (Some(before), Some(after)) = (start_cpu, thread_cpu_seconds()) {
                best_cpu = best_cpu.min(after - before);
            }
            assert_eq!(counts, (ROWS, 0));
        }
        println!(
            "{what}: {ROWS} rows, {:.0} MB: wall {best_wall:.3} s = {:.0} rows/s; CPU {best_cpu:.3} s = {:.0} rows/s, {:.0} MB/s",
            data.len() as f64 / 1e6,
            ROWS as f64 / best_wall,
            ROWS as f64 / best_cpu,
            data.len() as f64 / 1e6 / best_cpu
        );
    }
}

/// [`generated_contacts`] as JSON Lines.
fn generated_contacts_json(rows: usize) -> Vec<u8> {
    let mut jsonl = Vec::new();
    for row in 0..rows {
        jsonl.extend_from_slice(
            format!(
                "{{\"id\":\"c-{row}\",\"email\":\"person{row}@example{}.com\",\"first_name\":\"First{row}\",\"last_name\":\"Last {row}\",\"company\":\"Company {}, Inc\",\"title\":\"Engineer\",\"phone\":\"+1 555 {row:07}\",\"city\":\"Springfield\",\"country\":\"US\",\"attributes\":{{\"industry\":\"Software\",\"employees\":{}}}}}\n",
                row % 97,
                row % 1000,
                row % 5000
            )
            .as_bytes(),
        );
    }
    jsonl
}
