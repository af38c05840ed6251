//! Capping the total of the points a rule awards one contact.

/// A budget of points shared by several awards, handed out in order.
///
/// Rules with a `max-points` key build one per contact and ask it for each award, newest
/// first: an award that would overrun the budget is cut down to what is left, and once the
/// budget is spent later awards get nothing. Negative awards are never cut (a cap limits gains,
/// not penalties) and do not change the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointsCap {
    max_points: Option<i64>,
    remaining: i64,
}

/// What a [`PointsCap`] granted for one award.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Granted {
    /// The points to award; 0 when the budget is spent.
    pub points: i64,
    /// True when the cap took points away from this award.
    pub capped: bool,
}

impl PointsCap {
    /// A budget of `max_points` (negative values count as 0), or no limit at all for `None`.
    pub fn new(max_points: Option<i64>) -> Self {
        let max_points = max_points.map(|max| max.max(0));
        Self {
            max_points,
            remaining: max_points.unwrap_or(i64::MAX),
        }
    }

    /// No limit: every award is granted in full.
    pub fn unlimited() -> Self {
        Self::new(None)
    }

    /// The limit, when there is one.
    pub fn max_points(&self) -> Option<i64> {
        self.max_points
    }

    /// True when a limit is set and fully used.
    pub fn is_exhausted(&self) -> bool {
        self.max_points.is_some() && self.remaining == 0
    }

    /// Grants as much of `points` as the budget allows and takes it from the budget.
    pub fn take(&mut self, points: i64) -> Granted {
        if points <= 0 || self.max_points.is_none() {
            return Granted {
                points,
                capped: false,
            };
        }
        let granted = points.min(self.remaining);
        self.remaining -= granted;
        Granted {
            points: granted,
            capped: granted < points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn granted(points: i64, capped: bool) -> Granted {
        Granted { points, capped }
    }

    #[test]
    fn unlimited_grants_everything() {
        let mut cap = PointsCap::unlimited();
        assert_eq!(cap.take(i64::MAX).points, i64::MAX);
        assert_eq!(cap.take(5).points, 5);
        assert!(!cap.is_exhausted());
        assert_eq!(cap.max_points(), None);
    }

    #[test]
    fn cuts_the_award_that_overruns_and_drops_the_rest() {
        let mut cap = PointsCap::new(Some(25));
        assert_eq!(cap.take(10), granted(10, false));
        assert_eq!(cap.take(10), granted(10, false));
        assert_eq!(cap.take(10), granted(5, true));
        assert!(cap.is_exhausted());
        assert_eq!(cap.take(10), granted(0, true));
    }

    #[test]
    fn exact_fit_is_not_capped() {
        let mut cap = PointsCap::new(Some(20));
        assert_eq!(cap.take(20), granted(20, false));
        assert!(cap.is_exhausted());
    }

    #[test]
    fn zero_cap_and_negative_points() {
        let mut cap = PointsCap::new(Some(0));
        assert!(cap.is_exhausted());
        assert_eq!(cap.take(3), granted(0, true));
        assert_eq!(cap.take(-3), granted(-3, false));
        assert_eq!(PointsCap::new(Some(-5)).max_points(), Some(0));
    }
}
