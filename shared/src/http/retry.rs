//! When to try a failed call again and how long to wait first: capped exponential backoff
//! with full jitter, stretched to honour a server's `Retry-After`. Nothing here knows which
//! system is being called, so any client can use it.

use rand::Rng;
use std::time::Duration;

/// How many times to try a call and how long to wait between tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Ceiling of the first wait; each later ceiling doubles.
    pub base_delay: Duration,
    /// No single wait is longer than this, whatever the server asks: a Lambda has a deadline.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (useful where the caller retries on its own).
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether a call that has failed `attempt` times (1-based) may be tried again.
    pub fn should_retry(&self, attempt: u32) -> bool {
        attempt < self.max_attempts
    }

    /// The wait before the next try after failed try number `attempt` (1-based).
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.ceiling(attempt);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        // Full jitter: callers that failed together spread out instead of retrying in step.
        let jittered = Duration::from_millis(rand::thread_rng().gen_range(0..=ceiling_ms));
        match retry_after {
            Some(asked) => jittered.max(asked).min(self.max_delay),
            None => jittered,
        }
    }

    /// `min(max_delay, base_delay * 2^(attempt-1))`, without overflow.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        self.base_delay
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP date. Unusable values are ignored
/// (the normal backoff applies) rather than failing the call.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
        }
    }

    #[test]
    fn ceilings_double_and_cap() {
        let p = policy();
        assert_eq!(p.ceiling(1), Duration::from_millis(100));
        assert_eq!(p.ceiling(2), Duration::from_millis(200));
        assert_eq!(p.ceiling(4), Duration::from_millis(800));
        assert_eq!(p.ceiling(5), Duration::from_millis(1000));
        assert_eq!(p.ceiling(u32::MAX), Duration::from_millis(1000));
    }

    #[test]
    fn delays_stay_under_the_ceiling_and_honour_retry_after_up_to_the_cap() {
        let p = policy();
        for attempt in 1..10 {
            assert!(p.delay(attempt, None) <= p.ceiling(attempt));
        }
        let asked = Some(Duration::from_millis(700));
        assert!(p.delay(1, asked) >= Duration::from_millis(700));
        let too_long = Some(Duration::from_secs(3600));
        assert_eq!(p.delay(1, too_long), Duration::from_millis(1000));
    }

    #[test]
    fn attempts_are_counted_from_one() {
        let p = policy();
        assert!(p.should_retry(3));
        assert!(!p.should_retry(4));
        assert!(!RetryPolicy::none().should_retry(1));
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates_and_ignores_garbage() {
        let now = chrono::Utc
            .with_ymd_and_hms(2015, 10, 21, 7, 28, 0)
            .unwrap();
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }
}
