//! Per-endpoint call counters (endpoint name -> count), shared by every simulator and readable
//! by tests and benchmarks. Counting sits outside fault injection, so a retried call that was
//! answered with an injected fault still counts as a call.

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// A snapshot of the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Counters(pub BTreeMap<String, u64>);

impl Counters {
    /// The count for `endpoint`; 0 when it was never called.
    pub fn get(&self, endpoint: &str) -> u64 {
        self.0.get(endpoint).copied().unwrap_or(0)
    }

    pub fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

/// The live, shared counters of one simulator.
#[derive(Clone, Default)]
pub struct CounterSet(Arc<Mutex<BTreeMap<String, u64>>>);

impl CounterSet {
    pub fn hit(&self, endpoint: &str) {
        *self.lock().entry(endpoint.to_string()).or_default() += 1;
    }

    pub fn snapshot(&self) -> Counters {
        Counters(self.lock().clone())
    }

    pub fn reset(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Names the endpoint a request is for; `None` = not counted.
pub type Classify = fn(&Method, &str) -> Option<&'static str>;

/// Counts every request to `router` that `classify` names.
pub fn apply<S>(router: Router<S>, set: CounterSet, classify: Classify) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    router.layer(middleware::from_fn_with_state((set, classify), count))
}

async fn count(
    State((set, classify)): State<(CounterSet, Classify)>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(name) = classify(req.method(), req.uri().path()) {
        set.hit(name);
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_snapshots_and_resets() {
        let set = CounterSet::default();
        set.hit("token");
        set.hit("token");
        set.hit("query");
        let snap = set.snapshot();
        assert_eq!(snap.get("token"), 2);
        assert_eq!(snap.get("query"), 1);
        assert_eq!(snap.get("create"), 0);
        assert_eq!(snap.total(), 3);
        set.reset();
        assert_eq!(set.snapshot().total(), 0);
        assert_eq!(snap.get("token"), 2, "a snapshot does not move");
    }
}
