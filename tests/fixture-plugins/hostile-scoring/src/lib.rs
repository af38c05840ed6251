//! A scoring rule that misbehaves on purpose, to prove the host contains it.
//!
//! Config `mode` picks the misbehaviour; `victim` (a contact id) limits it to that contact, the
//! others get one point per activity like a well-behaved rule:
//! - `well-behaved` (default): one point per activity;
//! - `loop`: spins forever;
//! - `memory-bomb`: allocates until something stops it;
//! - `recursion`: recurses without end;
//! - `huge-output`: returns a 1 MiB reason;
//! - `panic`: panics;
//! - `wrong-count`: returns one result too few for the batch;
//! - `log-flood`: logs 100,000 lines, then behaves;
//! - `probe-sandbox`: reports what it can see of the world (environment, files, clocks,
//!   randomness, network), one award per probe, for the sandbox tests;
//! - `trace`: counts the 8-byte words of its whole linear memory that hold the trace of
//!   config `trace-seed` (the count is the award's points), then fills 1 MiB with that trace
//!   and leaks it, for the test that no byte of one call reaches the next;
//! - `echo`: one award per activity, then one for the contact, whose reasons are the `Debug`
//!   text of what the plugin received, for the test that every way the host lowers its input
//!   delivers the same values.

wit_bindgen::generate!({
    world: "scoring-rule",
    path: "../../../wit",
});

use exports::leadgate::plugin::scoring::{Guest, Requirements};
use leadgate::plugin::config;
use leadgate::plugin::logging::{Level, log};
use leadgate::plugin::types::{Award, ContactActivities, PluginError, PluginInfo, Role};

struct Hostile;

impl Guest for Hostile {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "hostile-scoring".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            role: Role::ScoringRule,
            description: env!("CARGO_PKG_DESCRIPTION").into(),
        }
    }

    fn check_config() -> Result<Requirements, PluginError> {
        Ok(Requirements { activity_kinds: None })
    }

    fn score_batch(contacts: Vec<ContactActivities>, _now: i64) -> Vec<Result<Vec<Award>, PluginError>> {
        let mode = config::get("mode").unwrap_or_else(|| "well-behaved".into());
        let victim = config::get("victim");
        let mut results: Vec<Result<Vec<Award>, PluginError>> = contacts
            .iter()
            .map(|input| {
                let targeted = victim.as_deref().is_none_or(|victim| victim == input.contact.id);
                if targeted && mode == "echo" {
                    Ok(echo(input))
                } else if targeted && mode != "well-behaved" {
                    misbehave(&mode, &input.contact.id)
                } else {
                    well_behaved(input)
                }
            })
            .collect();
        if mode == "wrong-count" {
            results.pop();
        }
        results
    }
}

fn well_behaved(input: &ContactActivities) -> Result<Vec<Award>, PluginError> {
    Ok(vec![Award {
        points: input.activities.len() as i64,
        reason: format!("{} activities", input.activities.len()),
        expires_at: None,
    }])
}

fn echo(input: &ContactActivities) -> Vec<Award> {
    let described = |points: usize, reason: String| Award {
        points: points as i64,
        reason,
        expires_at: None,
    };
    input
        .activities
        .iter()
        .enumerate()
        .map(|(index, activity)| described(index, format!("{activity:?}")))
        .chain([described(input.activities.len(), format!("{:?}", input.contact))])
        .collect()
}

fn misbehave(mode: &str, contact: &str) -> Result<Vec<Award>, PluginError> {
    match mode {
        "loop" => {
            let mut counter: u64 = 0;
            loop {
                counter = std::hint::black_box(counter.wrapping_add(1));
            }
        }
        "memory-bomb" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1024 * 1024]);
                std::hint::black_box(&hoard);
            }
        }
        "recursion" => {
            let depth = recurse(std::hint::black_box(1));
            Ok(vec![Award {
                points: depth as i64,
                reason: "unreachable".into(),
                expires_at: None,
            }])
        }
        "huge-output" => Ok(vec![Award {
            points: 1,
            reason: "x".repeat(1024 * 1024),
            expires_at: None,
        }]),
        "panic" => panic!("boom on contact {contact}"),
        "log-flood" => {
            for line in 0..100_000 {
                log(Level::Info, &format!("flood line {line} for {contact}"));
            }
            Ok(Vec::new())
        }
        "probe-sandbox" => Ok(probe_sandbox()),
        "trace" => Ok(trace()),
        "plugin-error" => Err(PluginError::InvalidInput(format!(
            "contact {contact} is not scorable"
        ))),
        unknown => Err(PluginError::InvalidConfig(format!("unknown mode `{unknown}`"))),
    }
}

/// Words of trace `trace()` leaves: 1 MiB.
const TRACE_WORDS: usize = 128 * 1024;

/// Counts the words of linear memory equal to the trace of `trace-seed`, then leaves
/// `TRACE_WORDS` more. The trace is computed, never stored as such, so only a left trace counts.
fn trace() -> Vec<Award> {
    let seed = config::get("trace-seed").unwrap_or_default();
    let word = seed.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    let memory_bytes = core::arch::wasm32::memory_size::<0>() * 65_536;
    // Address 0 is the null pointer; the scan starts at the next word.
    let found = (8..memory_bytes)
        .step_by(8)
        // SAFETY: every address below `memory_size` is mapped linear memory, 8-byte aligned.
        .filter(|&address| unsafe { core::ptr::read_volatile(address as *const u64) } == word)
        .count();
    std::mem::forget(vec![word; TRACE_WORDS]);
    vec![Award {
        points: found as i64,
        reason: format!("found {found} words of the trace"),
        expires_at: None,
    }]
}

/// What the plugin can see of the world, as `probe=result` reasons.
fn probe_sandbox() -> Vec<Award> {
    use std::hash::BuildHasher;
    use std::time::{Instant, SystemTime, UNIX_EPOCH};

    let wall_clock = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis().to_string())
        .unwrap_or_else(|error| format!("error {error}"));
    let started = Instant::now();
    // Real work between two readings: a real clock would move.
    std::hint::black_box((0..100_000u64).map(std::hint::black_box).sum::<u64>());
    let monotonic = format!("{}ns", started.elapsed().as_nanos());
    let outcome = |result: std::io::Result<()>| match result {
        Ok(()) => "ok".to_owned(),
        Err(_) => "denied".to_owned(),
    };
    let probes = [
        ("env", std::env::vars().count().to_string()),
        ("args", std::env::args().count().to_string()),
        ("read-root", outcome(std::fs::read_dir("/").map(drop))),
        ("read-file", outcome(std::fs::read("/etc/passwd").map(drop))),
        ("write-file", outcome(std::fs::write("escape.txt", b"x"))),
        ("read-relative", outcome(std::fs::read("Cargo.toml").map(drop))),
        (
            "tcp",
            outcome(std::net::TcpStream::connect("127.0.0.1:9").map(drop)),
        ),
        ("wall-clock", wall_clock),
        ("monotonic-elapsed", monotonic),
        (
            "random-hash",
            std::collections::hash_map::RandomState::new()
                .hash_one("leadgate")
                .to_string(),
        ),
    ];
    probes
        .into_iter()
        .map(|(probe, result)| Award {
            points: 0,
            reason: format!("{probe}={result}"),
            expires_at: None,
        })
        .collect()
}

/// Recursion the optimizer cannot turn into a loop: the frame holds data used after the call.
#[inline(never)]
#[expect(
    unconditional_recursion,
    reason = "the point of this mode is to overflow the stack"
)]
fn recurse(depth: u64) -> u64 {
    let frame = std::hint::black_box([depth; 16]);
    let below = recurse(std::hint::black_box(depth + 1));
    below + frame[(depth % 16) as usize]
}

export!(Hostile);
