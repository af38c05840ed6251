//! Handing batches to scoring workers.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Batch indexes `0..count`, split into one contiguous segment per worker.
///
/// Each worker works through its own segment first, so at any moment the workers write the
/// outcomes of contacts far apart in key order: taking batches in turns had them writing
/// neighbouring keys, which sled stores in the same node, and their updates kept colliding
/// and being retried. A worker that runs out helps the others with what is left of theirs.
#[derive(Debug)]
pub(crate) struct BatchQueue {
    segments: Vec<Segment>,
}

#[derive(Debug)]
struct Segment {
    next: AtomicUsize,
    end: usize,
}

impl BatchQueue {
    /// `count` batches for `workers` workers (at least one).
    pub(crate) fn new(count: usize, workers: usize) -> Self {
        let workers = workers.max(1);
        let segments = (0..workers)
            .map(|worker| Segment {
                next: AtomicUsize::new(count * worker / workers),
                end: count * (worker + 1) / workers,
            })
            .collect();
        Self { segments }
    }

    /// The next batch for `worker`, or `None` when every batch has been handed out.
    pub(crate) fn next(&self, worker: usize) -> Option<usize> {
        let count = self.segments.len();
        (0..count)
            .map(|offset| &self.segments[(worker + offset) % count])
            .find_map(|segment| {
                let index = segment.next.fetch_add(1, Ordering::Relaxed);
                (index < segment.end).then_some(index)
            })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_batch_is_handed_out_once_own_segment_first() {
        let queue = BatchQueue::new(10, 3);
        assert_eq!(queue.next(0), Some(0));
        assert_eq!(queue.next(1), Some(3));
        assert_eq!(queue.next(2), Some(6));
        let mut seen: BTreeSet<usize> = [0, 3, 6].into();
        // Worker 2 alone drains everything that is left.
        while let Some(index) = queue.next(2) {
            assert!(seen.insert(index), "{index} handed out twice");
        }
        assert_eq!(seen, (0..10).collect());
        assert_eq!(queue.next(0), None);
        assert_eq!(BatchQueue::new(0, 2).next(1), None);
    }
}
