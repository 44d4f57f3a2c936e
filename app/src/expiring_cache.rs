//! A bounded in-memory map whose entries count for a fixed time after they
//! were stored. Server-only; the server's caches (catalog searches, catalog
//! pages, recently read sessions) all keep things this way.
//!
//! Only plain `get`/`insert` are offered, never a "get or compute" guard: a
//! miss never makes one request wait on another's work.

use std::hash::Hash;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;
use quick_cache::{UnitWeighter, Weighter};

/// Entries kept at most by count (`W` = `UnitWeighter`), or by whatever
/// `W` weighs (bytes, for pages); the least recently used go first.
#[derive(Clone)]
pub struct ExpiringCache<K, V, W = UnitWeighter> {
    entries: Arc<Cache<K, Stored<V>, W>>,
    lifetime: Duration,
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
        })
    }

    /// The value stored under `key`, unless its lifetime has ended.
    pub fn get(&self, key: &K) -> Option<V> {
        self.entries
            .get(key)
            .filter(|stored| stored.stored_at.elapsed() < self.lifetime)
            .map(|stored| stored.value)
    }

    pub fn insert(&self, key: K, value: V) {
        let stored = Stored {
            stored_at: Instant::now(),
            value,
        };
        self.entries.insert(key, stored);
    }

    pub fn remove(&self, key: &K) {
        self.entries.remove(key);
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
        let cache = ExpiringCache::new(10, Duration::from_millis(40)).unwrap();
        cache.insert("python", 7);
        assert_eq!(cache.get(&"python"), Some(7));
        assert_eq!(cache.get(&"rust"), None);
        std::thread::sleep(Duration::from_millis(60));
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
