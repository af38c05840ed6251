//! Shared pieces of command output: tables, times, progress bars.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

/// Renders rows as a left-aligned text table with a header; the last column is not padded.
pub(super) fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|title| title.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let cells: Vec<&str> = cells.collect();
        for (index, cell) in cells.iter().enumerate() {
            if index + 1 == cells.len() {
                text.push_str(cell);
            } else {
                let padding = widths[index].saturating_sub(cell.chars().count()) + 2;
                text.push_str(cell);
                text.push_str(&" ".repeat(padding));
            }
        }
        text.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    text
}

/// A moment as RFC 3339 text (UTC).
pub(super) fn timestamp(millis: i64) -> String {
    jiff::Timestamp::from_millisecond(millis).map_or_else(|_| format!("{millis} ms"), |time| time.to_string())
}

/// A progress bar on stderr when it is a terminal; hidden otherwise (logs and pipes stay clean).
pub(super) fn progress_bar(length: u64, message: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(length);
    if let Ok(style) = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({per_sec}, {eta})") {
        bar.set_style(style);
    }
    bar.set_message(message.to_owned());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_by_characters() {
        let text = table(
            &["id", "name"],
            &[
                vec!["c-1".into(), "Zoë".into()],
                vec!["contact-22".into(), "Al".into()],
            ],
        );
        assert_eq!(text, "id          name\nc-1         Zoë\ncontact-22  Al\n");
    }
}
