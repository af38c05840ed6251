//! Generated contacts and activities for benchmarks and volume tests: deterministic (a fixed
//! seed gives the same data on every machine), shaped like a web shop's visitors.

use leadgate_plugin_runtime::types::{Activity, ActivityKind, Address, Contact, ContactActivities};

/// The product the seed scenario counts.
pub const OFFICE: &str = "Microsoft Office";

const PRODUCTS: [&str; 4] = [OFFICE, "Visio", "Windows Server", "Project"];
const PAGES: [&str; 4] = [
    "https://shop.example/pricing",
    "https://shop.example/products/office",
    "https://shop.example/blog/licensing",
    "https://shop.example/support",
];

/// 2026-01-01T00:00:00Z in milliseconds.
pub const START_OF_2026: i64 = 1_767_225_600_000;
const DAY: i64 = 86_400_000;

/// A small, fast, deterministic pseudo-random generator (64-bit LCG, high bits).
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9e37_79b9_7f4a_7c15)
    }

    /// The next number below `bound`.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound.max(1)
    }
}

/// `contacts` contacts with `activities_per_contact` activities each: about half purchases
/// (a quarter of them of Microsoft Office), half page visits, spread over 2026.
pub fn contacts(contacts: usize, activities_per_contact: usize, seed: u64) -> Vec<ContactActivities> {
    let mut random = Lcg::new(seed);
    (0..contacts)
        .map(|index| {
            let mut activities: Vec<Activity> = (0..activities_per_contact)
                .map(|position| {
                    let occurred_at = START_OF_2026 + i64::try_from(random.below(330)).unwrap_or(0) * DAY;
                    if random.below(2) == 0 {
                        Activity {
                            id: format!("a{position}"),
                            kind: ActivityKind::Purchase,
                            occurred_at,
                            subject: Some(PRODUCTS[random.below(4) as usize].to_owned()),
                            quantity: Some(1 + random.below(50) as u32),
                            value: Some(99.0),
                            attributes: Vec::new(),
                        }
                    } else {
                        Activity {
                            id: format!("a{position}"),
                            kind: ActivityKind::PageVisit,
                            occurred_at,
                            subject: Some(PAGES[random.below(4) as usize].to_owned()),
                            quantity: None,
                            value: None,
                            attributes: Vec::new(),
                        }
                    }
                })
                .collect();
            activities.sort_by_key(|activity| activity.occurred_at);
            ContactActivities {
                contact: contact(index),
                activities,
            }
        })
        .collect()
}

/// A plausible contact with id `c-<index>`.
pub fn contact(index: usize) -> Contact {
    Contact {
        id: format!("c-{index}"),
        email: Some(format!("person{index}@example.com")),
        first_name: Some("Pat".to_owned()),
        last_name: Some(format!("Person {index}")),
        company: Some(format!("Company {}", index % 97)),
        title: Some(
            if index.is_multiple_of(3) {
                "IT Director"
            } else {
                "Engineer"
            }
            .to_owned(),
        ),
        phone: None,
        address: Address {
            street: None,
            city: Some("Berlin".to_owned()),
            state: None,
            postal_code: None,
            country: Some("DE".to_owned()),
        },
        attributes: Vec::new(),
    }
}
