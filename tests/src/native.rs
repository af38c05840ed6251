//! Native Rust versions of example plugins, as the yardstick for the Wasm runtime's speed and
//! as a second opinion on the plugins' results.

use leadgate_plugin_runtime::types::{ActivityKind, Award, ContactActivities};

/// `purchase-count` without `valid-days`: `points` per unit of `product` bought (matched
/// case-insensitively, ignoring surrounding spaces), capped at `max_points`, as one award.
#[derive(Debug, Clone)]
pub struct PurchaseCount {
    product: String,
    points: i64,
    max_points: Option<i64>,
}

impl PurchaseCount {
    /// The rule for `product`, `points` per unit, optionally capped.
    pub fn new(product: &str, points: i64, max_points: Option<i64>) -> Self {
        Self {
            product: product.trim().to_lowercase(),
            points,
            max_points,
        }
    }

    /// The awards for one contact.
    pub fn score(&self, input: &ContactActivities) -> Vec<Award> {
        let mut units: i64 = 0;
        let mut purchases = 0usize;
        for activity in &input.activities {
            if activity.kind != ActivityKind::Purchase {
                continue;
            }
            let Some(subject) = &activity.subject else {
                continue;
            };
            if !subject.trim().eq_ignore_ascii_case(&self.product) {
                continue;
            }
            units += i64::from(activity.quantity.unwrap_or(1));
            purchases += 1;
        }
        if units == 0 {
            return Vec::new();
        }
        let mut points = units * self.points;
        if let Some(max_points) = self.max_points {
            points = points.min(max_points);
        }
        vec![Award {
            points,
            reason: format!(
                "bought {units} × {} in {purchases} purchase{}",
                self.product,
                if purchases == 1 { "" } else { "s" }
            ),
            expires_at: None,
        }]
    }
}
