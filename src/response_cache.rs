//! Answers of repeated searches and comparisons, kept for the index generation that gave them.
//!
//! Staff across the country ask the same questions (「目的外の入手」, ⑤物理的対策 of 7. 保管・消去):
//! the answer of a GET search or comparison depends only on the request and the index, so it is
//! kept, as the JSON sent, until the index changes. A new generation empties the cache (the
//! first request that sees it does), so no answer outlives the index it came from. The server
//! says which answers were kept (`x-hyoka-cache: hit`), and the page says it beside the time.
//!
//! Only GET requests of the search API are kept (searches, comparisons, the answers tally, the
//! slots and the bodies list); a draft (`/api/similar`, `/api/draft/*`, sent in
//! a POST body) is the user's and is never kept. The cache lives in memory only and is bounded
//! by bytes; the least recently used answers go first.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// The header that says whether an answer came from the cache.
pub const CACHE_HEADER: &str = "x-hyoka-cache";

/// An answer bigger than this share of the cache is not kept (it would push out many others).
const LARGEST_SHARE: usize = 8;

/// Kept answers, by request, for one index generation.
pub struct ResponseCache {
    capacity_bytes: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: String,
    answers: HashMap<String, Kept>,
    bytes: usize,
    clock: u64,
    hits: u64,
    misses: u64,
}

struct Kept {
    body: Bytes,
    last_used: u64,
}

/// What the cache holds, for `/healthz`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CacheFigures {
    pub capacity_bytes: usize,
    pub bytes: usize,
    pub answers: usize,
    pub hits: u64,
    pub misses: u64,
}

impl ResponseCache {
    /// A cache of at most `capacity_bytes` of answers; 0 keeps nothing.
    pub fn new(capacity_bytes: usize) -> ResponseCache {
        ResponseCache {
            capacity_bytes,
            inner: Mutex::new(Inner::default()),
        }
    }

    pub fn is_off(&self) -> bool {
        self.capacity_bytes == 0
    }

    /// The answer kept for `request` under `generation`, if any. A generation other than the
    /// one the cache holds empties it first.
    pub fn get(&self, generation: &str, request: &str) -> Option<Bytes> {
        if self.is_off() {
            return None;
        }
        let mut inner = self.lock();
        inner.switch_to(generation);
        inner.clock += 1;
        let now = inner.clock;
        match inner.answers.get_mut(request) {
            Some(kept) => {
                kept.last_used = now;
                let body = kept.body.clone();
                inner.hits += 1;
                Some(body)
            }
            None => {
                inner.misses += 1;
                None
            }
        }
    }

    /// Keeps `body` as the answer to `request` under `generation` (an answer computed while the
    /// index changed is dropped: it may be of the old generation).
    pub fn put(&self, generation: &str, request: String, body: Bytes) {
        let size = body.len() + request.len();
        if self.is_off() || size > self.capacity_bytes / LARGEST_SHARE {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        inner.clock += 1;
        let now = inner.clock;
        if let Some(old) = inner.answers.insert(
            request.clone(),
            Kept {
                body,
                last_used: now,
            },
        ) {
            inner.bytes -= old.body.len() + request.len();
        }
        inner.bytes += size;
        if inner.bytes > self.capacity_bytes {
            inner.evict_down_to(self.capacity_bytes * 3 / 4);
        }
    }

    pub fn figures(&self) -> CacheFigures {
        let inner = self.lock();
        CacheFigures {
            capacity_bytes: self.capacity_bytes,
            bytes: inner.bytes,
            answers: inner.answers.len(),
            hits: inner.hits,
            misses: inner.misses,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Inner {
    fn switch_to(&mut self, generation: &str) {
        if self.generation != generation {
            self.answers.clear();
            self.bytes = 0;
            self.generation = generation.to_string();
        }
    }

    /// Drops the least recently used answers until at most `target` bytes are kept (one pass:
    /// eviction is rare next to lookups, and a quarter of the cache goes at once).
    fn evict_down_to(&mut self, target: usize) {
        let mut by_age: Vec<(u64, String)> = self
            .answers
            .iter()
            .map(|(request, kept)| (kept.last_used, request.clone()))
            .collect();
        by_age.sort_unstable();
        for (_, request) in by_age {
            if self.bytes <= target {
                break;
            }
            if let Some(kept) = self.answers.remove(&request) {
                self.bytes -= kept.body.len() + request.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_kept_for_its_generation_only() {
        let cache = ResponseCache::new(1 << 20);
        cache.put("g1", "/api/search?q=a".into(), Bytes::from_static(b"{}"));
        // Not kept: the cache had not seen g1 yet (nothing was asked under it).
        assert!(cache.get("g1", "/api/search?q=a").is_none());
        cache.put("g1", "/api/search?q=a".into(), Bytes::from_static(b"{}"));
        assert_eq!(
            cache.get("g1", "/api/search?q=a").as_deref(),
            Some(&b"{}"[..])
        );
        assert!(cache.get("g2", "/api/search?q=a").is_none());
        assert_eq!(cache.figures().answers, 0);
    }

    #[test]
    fn the_least_recently_used_answers_go_first() {
        let cache = ResponseCache::new(8 * 100);
        assert!(cache.get("g", "warm").is_none());
        for number in 0..20 {
            let request = format!("r{number:02}");
            cache.put("g", request.clone(), Bytes::from(vec![b' '; 40]));
            // r00 is used after every put: it stays.
            let _ = cache.get("g", "r00");
        }
        let figures = cache.figures();
        assert!(figures.bytes <= 800, "{figures:?}");
        assert!(cache.get("g", "r00").is_some());
        assert!(cache.get("g", "r01").is_none());
        assert!(cache.get("g", "r19").is_some());
    }

    #[test]
    fn a_cache_of_no_bytes_keeps_nothing() {
        let cache = ResponseCache::new(0);
        assert!(cache.get("g", "r").is_none());
        cache.put("g", "r".into(), Bytes::from_static(b"{}"));
        assert!(cache.get("g", "r").is_none());
    }
}
