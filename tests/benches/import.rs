//! Import throughput: contacts and activities CSV files, generated here, read, validated and
//! written to a real sled store through the same code as `leadgate import`. Prints rows/s.
//!
//! `cargo bench -p leadgate-tests --bench import`; `LEADGATE_BENCH_CONTACTS` (default 100,000)
//! and `LEADGATE_BENCH_ACTIVITIES_PER_CONTACT` (default 10) scale it, e.g. 1,000,000 and 10 for
//! the 1M contacts / 10M activities of the issue.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use leadgate::import::{self, InputFormat};
use leadgate::ingest;
use leadgate::store::Store;
use leadgate_tests::generate::{Lcg, START_OF_2026};

/// The allocator of the `leadgate` binary, so the numbers are the command's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let measuring = std::env::args().any(|argument| argument == "--bench");
    let contacts: usize =
        env_number("LEADGATE_BENCH_CONTACTS").unwrap_or(if measuring { 100_000 } else { 1_000 });
    let per_contact: usize = env_number("LEADGATE_BENCH_ACTIVITIES_PER_CONTACT").unwrap_or(10);
    let directory = tempfile::tempdir().unwrap_or_else(|error| panic!("temp dir: {error}"));
    let contacts_file = directory.path().join("contacts.csv");
    let activities_file = directory.path().join("activities.csv");
    let generated = Instant::now();
    write_contacts(&contacts_file, contacts);
    write_activities(&activities_file, contacts, per_contact);
    let generation = generated.elapsed();

    let store = Store::open(&directory.path().join("data")).unwrap_or_else(|error| panic!("store: {error}"));
    let contacts_time = timed(|| {
        let file = File::open(&contacts_file).unwrap_or_else(|error| panic!("{error}"));
        let mut rows = import::contacts(file, "contacts.csv", InputFormat::Csv)
            .unwrap_or_else(|error| panic!("{error}"));
        let summary =
            ingest::ingest_contacts(&store, rows.by_ref(), false).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(summary.inserted as usize, contacts);
    });
    let activities_time = timed(|| {
        let file = File::open(&activities_file).unwrap_or_else(|error| panic!("{error}"));
        let mut rows = import::activities(file, "activities.csv", InputFormat::Csv)
            .unwrap_or_else(|error| panic!("{error}"));
        let summary = ingest::ingest_activities(&store, rows.by_ref(), false, "activities.csv")
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(summary.inserted as usize, contacts * per_contact);
    });
    let parse_only = timed(|| {
        let file = File::open(&activities_file).unwrap_or_else(|error| panic!("{error}"));
        let rows = import::activities(file, "activities.csv", InputFormat::Csv)
            .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(rows.filter(Result::is_ok).count(), contacts * per_contact);
    });
    store.flush().unwrap_or_else(|error| panic!("{error}"));

    let activities = contacts * per_contact;
    println!();
    println!(
        "import {contacts} contacts and {activities} activities (CSV generated in {:.1} s)",
        generation.as_secs_f64()
    );
    println!(
        "{:<34} {:>9.2} s {:>12.0} rows/s",
        "contacts: read, validate, store",
        contacts_time,
        contacts as f64 / contacts_time
    );
    println!(
        "{:<34} {:>9.2} s {:>12.0} rows/s",
        "activities: read, validate, store",
        activities_time,
        activities as f64 / activities_time
    );
    println!(
        "{:<34} {:>9.2} s {:>12.0} rows/s",
        "activities: read and validate only",
        parse_only,
        activities as f64 / parse_only
    );
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.replace('_', "").parse().ok()
}

fn timed(work: impl FnOnce()) -> f64 {
    let started = Instant::now();
    work();
    started.elapsed().as_secs_f64()
}

fn write_contacts(path: &Path, count: usize) {
    let mut out = BufWriter::new(File::create(path).unwrap_or_else(|error| panic!("{error}")));
    let mut line = String::new();
    let _ = writeln!(
        out,
        "id,email,first_name,last_name,company,title,city,country,industry"
    );
    for index in 0..count {
        line.clear();
        let _ = writeln!(
            line,
            "c-{index},person{index}@example.com,Pat,Person {index},Company {},{},Berlin,DE,Software",
            index % 997,
            if index % 3 == 0 { "IT Director" } else { "Engineer" }
        );
        let _ = out.write_all(line.as_bytes());
    }
    let _ = out.flush();
}

fn write_activities(path: &Path, contacts: usize, per_contact: usize) {
    let mut out = BufWriter::new(File::create(path).unwrap_or_else(|error| panic!("{error}")));
    let mut random = Lcg::new(7);
    let _ = writeln!(out, "contact_id,id,kind,occurred_at,subject,quantity");
    let mut line = String::new();
    for contact in 0..contacts {
        for position in 0..per_contact {
            line.clear();
            let at = START_OF_2026 + i64::try_from(random.below(330 * 86_400)).unwrap_or(0) * 1000;
            if random.below(2) == 0 {
                let _ = writeln!(
                    line,
                    "c-{contact},a-{contact}-{position},purchase,{at},Microsoft Office,{}",
                    1 + random.below(50)
                );
            } else {
                let _ = writeln!(
                    line,
                    "c-{contact},a-{contact}-{position},page-visit,{at},https://shop.example/pricing,"
                );
            }
            let _ = out.write_all(line.as_bytes());
        }
    }
    let _ = out.flush();
}
