//! Token buckets by key, on a [`Clock`](crate::Clock)'s milliseconds: what API Gateway's
//! throttles (usage plans, stage and route settings) take a token from per request.

use std::collections::HashMap;

/// A bucket's state.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bucket {
    tokens: f64,
    last_ms: u64,
}

/// Token buckets by key, in memory (losing them refills every bucket).
#[derive(Debug, Default)]
pub struct TokenBuckets {
    buckets: HashMap<String, Bucket>,
}

impl TokenBuckets {
    /// Takes a token from bucket `key`, which refills at `rate` tokens a second up to `burst`,
    /// at `now_ms`; false when it is empty. Neither a rate nor a burst means no limit.
    pub fn take(&mut self, key: &str, rate: f64, burst: i64, now_ms: u64) -> bool {
        if rate <= 0.0 && burst <= 0 {
            return true;
        }
        let capacity = burst.max(1) as f64;
        let bucket = self.buckets.entry(key.to_owned()).or_insert(Bucket {
            tokens: capacity,
            last_ms: now_ms,
        });
        let elapsed = now_ms.saturating_sub(bucket.last_ms) as f64 / 1000.0;
        bucket.tokens = (bucket.tokens + elapsed * rate.max(0.0)).min(capacity);
        bucket.last_ms = now_ms;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TokenBuckets;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let mut buckets = TokenBuckets::default();
        assert!(buckets.take("k", 1.0, 2, 0));
        assert!(buckets.take("k", 1.0, 2, 0));
        assert!(!buckets.take("k", 1.0, 2, 0));
        assert!(!buckets.take("k", 1.0, 2, 500));
        assert!(buckets.take("k", 1.0, 2, 1000));
        assert!(buckets.take("other", 1.0, 2, 1000));
        assert!(buckets.take("free", 0.0, 0, 1000));
        // A long pause refills only up to the burst.
        assert!(buckets.take("k", 1.0, 2, 60_000));
        assert!(buckets.take("k", 1.0, 2, 60_000));
        assert!(!buckets.take("k", 1.0, 2, 60_000));
    }
}
