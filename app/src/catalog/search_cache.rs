//! Recent catalog searches' results, shared by everyone. Server-only.
//!
//! The catalog is read-only while the server runs, so a search's results
//! depend only on the (checked) query. With 100,000 courses a broad search
//! ranks thousands of matches (tens of milliseconds of database work); people
//! repeat the popular searches, and paging back and forth repeats one's own.
//! Results are kept for a short while (the server's catalog cache setting),
//! bounded in number; the page around them is still rendered per request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::Cache;

use super::{CatalogPage, CatalogQuery};

/// Searches kept at most: a page of results is a few kilobytes.
const SEARCHES_KEPT: usize = 5_000;

/// Provided to server functions by the server (absent: no caching).
#[derive(Clone)]
pub struct SearchCache {
    results: Arc<Cache<CatalogQuery, (Instant, CatalogPage)>>,
    ttl: Duration,
}

impl SearchCache {
    /// Keeps results for `ttl`; `None` when `ttl` is zero (caching off).
    pub fn new(ttl: Duration) -> Option<Self> {
        (!ttl.is_zero()).then(|| Self {
            results: Arc::new(Cache::new(SEARCHES_KEPT)),
            ttl,
        })
    }

    pub fn get(&self, query: &CatalogQuery) -> Option<CatalogPage> {
        self.results
            .get(query)
            .filter(|(stored_at, _)| stored_at.elapsed() < self.ttl)
            .map(|(_, page)| page)
    }

    pub fn insert(&self, query: CatalogQuery, page: CatalogPage) {
        self.results.insert(query, (Instant::now(), page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(text: &str) -> CatalogQuery {
        CatalogQuery {
            text: text.to_owned(),
            ..CatalogQuery::default()
        }
    }

    fn page(total: i64) -> CatalogPage {
        CatalogPage {
            total,
            ..CatalogPage::default()
        }
    }

    #[test]
    fn results_are_kept_per_query_until_they_expire() {
        let cache = SearchCache::new(Duration::from_millis(40)).unwrap();
        cache.insert(query("python"), page(7));
        assert_eq!(cache.get(&query("python")).map(|page| page.total), Some(7));
        assert_eq!(cache.get(&query("rust")), None);
        let mut second_page = query("python");
        second_page.page = 2;
        assert_eq!(cache.get(&second_page), None, "each page is its own entry");
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&query("python")), None);
    }

    #[test]
    fn a_zero_lifetime_turns_it_off() {
        assert!(SearchCache::new(Duration::ZERO).is_none());
    }
}
