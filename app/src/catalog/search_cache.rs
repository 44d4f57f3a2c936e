//! Recent catalog searches' results, shared by everyone. Server-only.
//!
//! The catalog is read-only while the server runs, so a search's results
//! depend only on the (checked) query. With 100,000 courses a broad search
//! ranks thousands of matches (tens of milliseconds of database work); people
//! repeat the popular searches, and paging back and forth repeats one's own.
//! Results are kept for a short while (the server's catalog cache setting),
//! bounded in number; the page around them is still rendered per request.

use std::time::Duration;

use super::{CatalogPage, CatalogQuery};
use crate::expiring_cache::ExpiringCache;

/// Searches kept at most: a page of results is a few kilobytes.
const SEARCHES_KEPT: usize = 5_000;

/// Provided to server functions by the server (absent: no caching).
pub type SearchCache = ExpiringCache<CatalogQuery, CatalogPage>;

/// Keeps results for `lifetime`; `None` when it is zero (caching off).
pub fn new(lifetime: Duration) -> Option<SearchCache> {
    ExpiringCache::new(SEARCHES_KEPT, lifetime)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expiring_cache::Clock;

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
        let clock = Clock::stopped();
        let cache = new(Duration::from_secs(30))
            .unwrap()
            .with_clock(clock.clone());
        cache.insert(query("python"), page(7));
        assert_eq!(cache.get(&query("python")).map(|page| page.total), Some(7));
        assert_eq!(cache.get(&query("rust")), None);
        let mut second_page = query("python");
        second_page.page = 2;
        assert_eq!(cache.get(&second_page), None, "each page is its own entry");
        clock.advance(Duration::from_secs(30));
        assert_eq!(cache.get(&query("python")), None);
    }

    #[test]
    fn a_zero_lifetime_turns_it_off() {
        assert!(new(Duration::ZERO).is_none());
    }
}
