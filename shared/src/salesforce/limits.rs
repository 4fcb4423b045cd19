//! The org's API allowance as Salesforce reports it on every answer:
//! `Sforce-Limit-Info: api-usage=USED/MAX` (possibly with `per-app-api-usage=…` after it).

use std::sync::atomic::{AtomicU64, Ordering};

/// Daily API requests used and allowed, as of the last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Reads the header value; anything unreadable is `None` (the header is informative).
    pub fn parse(header: &str) -> Option<ApiUsage> {
        header.split(',').find_map(|part| {
            let (name, value) = part.trim().split_once('=')?;
            if name.trim() != "api-usage" {
                return None;
            }
            let (used, max) = value.trim().split_once('/')?;
            Some(ApiUsage {
                used: used.trim().parse().ok()?,
                max: max.trim().parse().ok()?,
            })
        })
    }

    /// Share of the daily allowance spent, 0.0–1.0 (1.0 when the allowance is zero).
    pub fn share(&self) -> f64 {
        if self.max == 0 {
            1.0
        } else {
            self.used as f64 / self.max as f64
        }
    }
}

/// The latest usage seen by one client, shared by its clones without a lock.
#[derive(Debug)]
pub(crate) struct UsageCell {
    used: AtomicU64,
    // 0 = nothing seen yet.
    max: AtomicU64,
    // When it was seen, in milliseconds after `epoch`.
    seen_ms: AtomicU64,
    epoch: std::time::Instant,
}

impl Default for UsageCell {
    fn default() -> Self {
        UsageCell {
            used: AtomicU64::new(0),
            max: AtomicU64::new(0),
            seen_ms: AtomicU64::new(0),
            epoch: std::time::Instant::now(),
        }
    }
}

impl UsageCell {
    pub fn store(&self, usage: ApiUsage) {
        self.used.store(usage.used, Ordering::Relaxed);
        self.max.store(usage.max, Ordering::Relaxed);
        let ms = u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.seen_ms.store(ms, Ordering::Relaxed);
    }

    /// How long ago the reading was taken.
    pub fn age(&self) -> std::time::Duration {
        let seen = std::time::Duration::from_millis(self.seen_ms.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(seen)
    }

    pub fn load(&self) -> Option<ApiUsage> {
        let max = self.max.load(Ordering::Relaxed);
        (max > 0).then(|| ApiUsage {
            used: self.used.load(Ordering::Relaxed),
            max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_header_forms() {
        assert_eq!(
            ApiUsage::parse("api-usage=18/15000"),
            Some(ApiUsage {
                used: 18,
                max: 15000
            })
        );
        assert_eq!(
            ApiUsage::parse("api-usage=25/5000, per-app-api-usage=17/250(appName=sample-app)"),
            Some(ApiUsage {
                used: 25,
                max: 5000
            })
        );
        assert_eq!(ApiUsage::parse("per-app-api-usage=17/250"), None);
        assert_eq!(ApiUsage::parse("api-usage=x/1"), None);
        assert_eq!(ApiUsage::parse(""), None);
        assert!((ApiUsage { used: 50, max: 200 }.share() - 0.25).abs() < 1e-9);
    }
}
