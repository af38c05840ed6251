//! The one way this crate takes a `std::sync::Mutex`.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking it over when a panic elsewhere poisoned it: every mutex here guards
/// plain values (a session, counters, cached describes) that a panic cannot leave half-written,
/// so failing every later request would only turn one panic into many.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
