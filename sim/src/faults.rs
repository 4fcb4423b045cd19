//! Fault injection as an axum middleware, shared by every simulator: added latency, forced
//! 401s, random 500/503/429 answers and dropped connections. Each simulator renders the error
//! body in its own dialect; the faults can be changed while the server runs.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What to inject. Rates are probabilities in 0..=1, checked in the order 500, 503, 429, drop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
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
        let only = &inner.faults.only_paths;
        if !only.is_empty() && !only.iter().any(|p| path.contains(p.as_str())) {
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Renders a simulator's own error response for an injected status.
pub type Render = Arc<dyn Fn(StatusCode) -> Response + Send + Sync>;

#[derive(Clone)]
struct LayerState {
    handle: FaultHandle,
    render: Render,
    honours_401: bool,
}

/// Wraps every route of `router` with fault injection. `honours_401` is false for endpoints
/// where a 401 would not be what the real service says (an OAuth token endpoint).
pub fn apply<S>(
    router: Router<S>,
    handle: FaultHandle,
    render: Render,
    honours_401: bool,
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let state = LayerState {
        handle,
        render,
        honours_401,
    };
    router.layer(middleware::from_fn_with_state(state, run))
}

async fn run(State(state): State<LayerState>, req: Request, next: Next) -> Response {
    let (latency, fate) = state.handle.roll(state.honours_401, req.uri().path());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fate {
        Fate::Serve => next.run(req).await,
        Fate::Status(status) => {
            let mut resp = (state.render)(status);
            *resp.status_mut() = status;
            if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE
            {
                let secs = state.handle.retry_after_secs();
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            resp
        }
        Fate::Drop => dropped(),
    }
}

/// A response whose body fails at once: hyper then aborts the connection, so the client sees
/// a transport error rather than an answer (and never hangs).
fn dropped() -> Response {
    let broken = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by fault injection",
        ))
    });
    let mut resp = Response::new(Body::from_stream(broken));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn force_401_counts_down_and_only_where_honoured() {
        let h = FaultHandle::new(1);
        h.set(Faults {
            force_401: 2,
            ..Faults::default()
        });
        assert_eq!(h.roll(false, "/x").1, Fate::Serve);
        assert_eq!(h.roll(true, "/x").1, Fate::Status(StatusCode::UNAUTHORIZED));
        assert_eq!(h.roll(true, "/x").1, Fate::Status(StatusCode::UNAUTHORIZED));
        assert_eq!(h.roll(true, "/x").1, Fate::Serve);
    }

    #[test]
    fn certain_rates_always_fire() {
        let h = FaultHandle::new(1);
        h.set(Faults {
            rate_503: 1.0,
            ..Faults::default()
        });
        for _ in 0..50 {
            assert_eq!(
                h.roll(true, "/x").1,
                Fate::Status(StatusCode::SERVICE_UNAVAILABLE)
            );
        }
        h.set(Faults {
            drop_rate: 1.0,
            ..Faults::default()
        });
        assert_eq!(h.roll(true, "/x").1, Fate::Drop);
        h.set(Faults::default());
        assert_eq!(h.roll(true, "/x").1, Fate::Serve);
    }

    #[test]
    fn faults_round_trip_as_json_with_millisecond_latency() {
        let f: Faults = serde_json::from_str(r#"{"rate_503":0.5,"latency":250}"#).unwrap();
        assert_eq!(f.latency, Duration::from_millis(250));
        assert_eq!(f.rate_503, 0.5);
        assert_eq!(serde_json::to_value(&f).unwrap()["latency"], 250);
    }

    #[test]
    fn faults_can_target_some_paths_only() {
        let h = FaultHandle::new(1);
        h.set(Faults {
            rate_503: 1.0,
            only_paths: vec!["/External/".into()],
            ..Faults::default()
        });
        assert_eq!(h.roll(true, "/customers/v2/Customer/1").1, Fate::Serve);
        assert_eq!(
            h.roll(true, "/customers/v2/External/UpdateExternalId").1,
            Fate::Status(StatusCode::SERVICE_UNAVAILABLE)
        );
    }
}
