//! A bounded in-memory map whose entries count for a fixed time after they
//! were stored. Server-only; the server's caches (catalog searches, catalog
//! pages, recently read sessions) all keep things this way.
//!
//! Only plain `get`/`insert` are offered, never a "get or compute" guard: a
//! miss never makes one request wait on another's work.

use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{UnitWeighter, Weighter};

/// Where a cache reads the time: the system's monotonic clock, or (in
/// tests) a clock that moves only when told to, so expiry is tested without
/// sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    stopped_at: Option<Arc<Mutex<Instant>>>,
}

impl Clock {
    /// A clock standing still at the present, until [`Clock::advance`].
    pub fn stopped() -> Self {
        Self {
            stopped_at: Some(Arc::new(Mutex::new(Instant::now()))),
        }
    }

    pub fn now(&self) -> Instant {
        match &self.stopped_at {
            Some(at) => *at.lock().unwrap_or_else(PoisonError::into_inner),
            None => Instant::now(),
        }
    }

    /// Moves a stopped clock on; the system clock moves by itself.
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.stopped_at {
            *at.lock().unwrap_or_else(PoisonError::into_inner) += by;
        }
    }
}

/// Entries kept at most by count (`W` = `UnitWeighter`), or by whatever
/// `W` weighs (bytes, for pages); the least recently used go first.
#[derive(Clone)]
pub struct ExpiringCache<K, V, W = UnitWeighter> {
    entries: Arc<Cache<K, Stored<V>, W>>,
    lifetime: Duration,
    clock: Clock,
}

/// A value with the moment it was stored; weighers see it whole.
#[derive(Clone)]
pub struct Stored<V> {
    stored_at: Instant,
    pub value: V,
}

impl<K: Eq + Hash, V: Clone> ExpiringCache<K, V> {
    /// At most `capacity` entries, each for `lifetime`; `None` when
    /// `lifetime` is zero (nothing is kept).
    pub fn new(capacity: usize, lifetime: Duration) -> Option<Self> {
        (!lifetime.is_zero()).then(|| Self {
            entries: Arc::new(Cache::new(capacity)),
            lifetime,
            clock: Clock::default(),
        })
    }
}

impl<K: Eq + Hash, V: Clone, W: Weighter<K, Stored<V>> + Clone> ExpiringCache<K, V, W> {
    /// At most `capacity` in `weighter`'s units, each entry for `lifetime`;
    /// `estimated_entries` only sizes the table up front. `None` when either
    /// bound is zero (nothing is kept).
    pub fn with_weighter(
        estimated_entries: usize,
        capacity: u64,
        weighter: W,
        lifetime: Duration,
    ) -> Option<Self> {
        (!lifetime.is_zero() && capacity > 0).then(|| Self {
            entries: Arc::new(Cache::with_weighter(estimated_entries, capacity, weighter)),
            lifetime,
            clock: Clock::default(),
        })
    }

    /// The same cache reading the time from `clock`.
    pub fn with_clock(self, clock: Clock) -> Self {
        Self { clock, ..self }
    }

    /// The value stored under `key`, unless its lifetime has ended.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries
            .get(key)
            .filter(|stored| self.clock.now() - stored.stored_at < self.lifetime)
            .map(|stored| stored.value)
    }

    pub fn insert(&self, key: K, value: V) {
        let stored = Stored {
            stored_at: self.clock.now(),
            value,
        };
        self.entries.insert(key, stored);
    }

    pub fn remove(&self, key: &K) {
        self.entries.remove(key);
    }

    pub fn clear(&self) {
        self.entries.clear();
    }

    /// Entries held, expired ones included until they are evicted.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries' total weight, in `W`'s units.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_count_until_their_lifetime_ends() {
        let clock = Clock::stopped();
        let cache = ExpiringCache::new(10, Duration::from_secs(10))
            .unwrap()
            .with_clock(clock.clone());
        cache.insert("python", 7);
        assert_eq!(cache.get(&"python"), Some(7));
        assert_eq!(cache.get(&"rust"), None);
        clock.advance(Duration::from_millis(9_999));
        assert_eq!(cache.get(&"python"), Some(7), "still within its lifetime");
        clock.advance(Duration::from_millis(1));
        assert_eq!(cache.get(&"python"), None);
    }

    #[test]
    fn removed_entries_are_gone() {
        let cache = ExpiringCache::new(10, Duration::from_secs(60)).unwrap();
        cache.insert("python", 7);
        cache.remove(&"python");
        assert_eq!(cache.get(&"python"), None);
    }

    #[test]
    fn no_lifetime_or_no_room_keeps_nothing() {
        assert!(ExpiringCache::<&str, i32>::new(10, Duration::ZERO).is_none());
        assert!(
            ExpiringCache::<&str, i32>::with_weighter(10, 0, UnitWeighter, Duration::from_secs(1))
                .is_none()
        );
    }
}
