//! Fault injection shared by every simulator. Before a request is served: added latency,
//! forced 401s, random 500/503/429 answers and dropped connections. After a write has been
//! applied: a lost answer (a 500/502/504 in the simulator's own dialect, a dropped
//! connection, or an answer held back until the client gives up). Salesforce alone also
//! rolls slow commits here. Each simulator renders error bodies in its own dialect; the faults
//! can be changed while the server runs, and one seed replays the same run of dice.

mod layer;

pub use layer::{apply, Render, Scope};

use axum::http::{Method, StatusCode};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to inject. Pre-apply rates are probabilities in 0..=1, checked in the order 500, 503,
/// 429, drop; only a request that passes them is served, and only a served write can then
/// lose its answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    pub rate_500: f64,
    pub rate_503: f64,
    pub rate_429: f64,
    /// Added before every faultable request (milliseconds on the wire).
    #[serde(with = "millis")]
    pub latency: Duration,
    /// Share of requests whose connection breaks instead of answering.
    pub drop_rate: f64,
    /// The next N requests (that honour it) answer 401, as if the session had expired.
    pub force_401: u32,
    /// Restarts the dice from this seed, so a test's run of faults repeats exactly.
    pub seed: Option<u64>,
    /// When not empty, faults hit only requests whose path contains one of these (e.g. the
    /// link endpoint alone, to stop a flow between a create and its link).
    pub only_paths: Vec<String>,
    /// Share of writes (POST, PUT, PATCH, DELETE) that are applied in full and then lose
    /// their answer. Never on an OAuth token endpoint.
    pub lost_answer_rate: f64,
    /// How an answer is lost; empty means any of the five, picked by the dice.
    pub lost_answer_kinds: Vec<LostAnswer>,
    /// How long a `hang` holds the applied answer before dropping the connection
    /// (milliseconds on the wire). Longer than a client's timeout, the client sees a timeout.
    #[serde(with = "millis")]
    pub hang: Duration,
    /// Salesforce only: share of record writes whose transaction commits late. Until then
    /// every reader sees the record as it was, although its SystemModstamp is already set.
    pub slow_commit_rate: f64,
    /// How late a slow commit becomes visible (milliseconds on the wire).
    #[serde(with = "millis")]
    pub slow_commit_delay: Duration,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate_500: 0.0,
            rate_503: 0.0,
            rate_429: 0.0,
            latency: Duration::ZERO,
            drop_rate: 0.0,
            force_401: 0,
            seed: None,
            only_paths: Vec::new(),
            lost_answer_rate: 0.0,
            lost_answer_kinds: Vec::new(),
            hang: Duration::from_millis(2000),
            slow_commit_rate: 0.0,
            slow_commit_delay: Duration::ZERO,
        }
    }
}

/// How the answer of an applied write is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LostAnswer {
    /// The simulator's own 500 body, as if the server failed after committing.
    #[serde(rename = "500")]
    Status500,
    /// A 502 from a gateway in front of the server.
    #[serde(rename = "502")]
    Status502,
    /// A 504 from a gateway that stopped waiting.
    #[serde(rename = "504")]
    Status504,
    /// The connection is reset instead of answering.
    #[serde(rename = "drop")]
    Drop,
    /// No answer for `hang`, then the connection is reset.
    #[serde(rename = "hang")]
    Hang,
}

impl LostAnswer {
    pub const ALL: [LostAnswer; 5] = [
        LostAnswer::Status500,
        LostAnswer::Status502,
        LostAnswer::Status504,
        LostAnswer::Drop,
        LostAnswer::Hang,
    ];

    /// The status a gateway or server answers in place of the real answer, if any.
    pub fn status(self) -> Option<StatusCode> {
        match self {
            LostAnswer::Status500 => Some(StatusCode::INTERNAL_SERVER_ERROR),
            LostAnswer::Status502 => Some(StatusCode::BAD_GATEWAY),
            LostAnswer::Status504 => Some(StatusCode::GATEWAY_TIMEOUT),
            LostAnswer::Drop | LostAnswer::Hang => None,
        }
    }
}

mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_millis(u64::deserialize(d)?))
    }
}

/// The live faults of one simulator, shared by its layers and its control handle.
#[derive(Clone)]
pub struct FaultHandle(Arc<Mutex<Inner>>);

struct Inner {
    faults: Faults,
    rng: StdRng,
    retry_after_secs: u64,
}

/// The outcome of one roll of the dice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Serve,
    Status(StatusCode),
    Drop,
}

/// Whether a method changes something (the only requests whose answer can be lost).
pub fn is_write(method: &Method) -> bool {
    [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method)
}

impl FaultHandle {
    pub fn new(retry_after_secs: u64) -> Self {
        FaultHandle(Arc::new(Mutex::new(Inner {
            faults: Faults::default(),
            rng: StdRng::from_entropy(),
            retry_after_secs,
        })))
    }

    pub fn set(&self, faults: Faults) {
        let mut inner = self.lock();
        if let Some(seed) = faults.seed {
            inner.rng = StdRng::seed_from_u64(seed);
        }
        inner.faults = faults;
    }

    pub fn get(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub fn retry_after_secs(&self) -> u64 {
        self.lock().retry_after_secs
    }

    /// Decides one request's fate and the latency to add before it.
    pub fn roll(&self, honours_401: bool, path: &str) -> (Duration, Fate) {
        let mut inner = self.lock();
        let latency = inner.faults.latency;
        if !inner.targets(path) {
            return (latency, Fate::Serve);
        }
        if honours_401 && inner.faults.force_401 > 0 {
            inner.faults.force_401 -= 1;
            return (latency, Fate::Status(StatusCode::UNAUTHORIZED));
        }
        let f = inner.faults.clone();
        let r: f64 = inner.rng.gen();
        let table = [
            (f.rate_500, Fate::Status(StatusCode::INTERNAL_SERVER_ERROR)),
            (f.rate_503, Fate::Status(StatusCode::SERVICE_UNAVAILABLE)),
            (f.rate_429, Fate::Status(StatusCode::TOO_MANY_REQUESTS)),
            (f.drop_rate, Fate::Drop),
        ];
        let mut edge = 0.0;
        for (rate, fate) in table {
            edge += rate.clamp(0.0, 1.0);
            if r < edge {
                return (latency, fate);
            }
        }
        (latency, Fate::Serve)
    }

    /// After a served request: whether its answer is lost, and how (writes only). The hang
    /// time comes along so the caller needs no second look at the faults.
    pub fn roll_lost_answer(&self, method: &Method, path: &str) -> Option<(LostAnswer, Duration)> {
        let mut inner = self.lock();
        let rate = inner.faults.lost_answer_rate.clamp(0.0, 1.0);
        if !is_write(method) || rate <= 0.0 || !inner.targets(path) {
            return None;
        }
        if inner.rng.gen::<f64>() >= rate {
            return None;
        }
        let kinds = if inner.faults.lost_answer_kinds.is_empty() {
            LostAnswer::ALL.to_vec()
        } else {
            inner.faults.lost_answer_kinds.clone()
        };
        let kind = kinds[inner.rng.gen_range(0..kinds.len())];
        Some((kind, inner.faults.hang))
    }

    /// Whether a record write at `path` commits late, and by how much.
    pub fn roll_slow_commit(&self, path: &str) -> Option<Duration> {
        let mut inner = self.lock();
        let rate = inner.faults.slow_commit_rate.clamp(0.0, 1.0);
        if rate <= 0.0 || !inner.targets(path) {
            return None;
        }
        let delay = inner.faults.slow_commit_delay;
        (inner.rng.gen::<f64>() < rate).then_some(delay)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// Whether `only_paths` lets faults hit `path`.
    fn targets(&self, path: &str) -> bool {
        let only = &self.faults.only_paths;
        only.is_empty() || only.iter().any(|p| path.contains(p.as_str()))
    }
}

#[cfg(test)]
mod tests;
