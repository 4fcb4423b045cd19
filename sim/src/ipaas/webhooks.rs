//! Outbound webhooks: registered destinations `{url, key}`; each change a person makes in
//! the iPaaS.com UI is POSTed to every destination from a background task, retried with
//! backoff, and every attempt is recorded. `settled` waits for all deliveries in flight.

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::watch;

/// Attempts per notification and destination, the first included.
pub const MAX_ATTEMPTS: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub url: String,
    pub key: String,
}

/// One delivery attempt as it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub url: String,
    /// 1 for the first try.
    pub attempt: u32,
    /// The destination's answer, when it answered.
    pub status: Option<u16>,
    /// Why there was no answer (connection refused, timeout …).
    pub error: Option<String>,
    pub scope: String,
    /// The record's id, as in the notification.
    pub id: String,
}

impl Delivery {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

pub struct Webhooks {
    destinations: Mutex<Vec<Destination>>,
    deliveries: Mutex<Vec<Delivery>>,
    /// Deliveries not yet finished (succeeded or given up).
    pending: watch::Sender<usize>,
    http: reqwest::Client,
    retry_base: Duration,
    runtime: tokio::runtime::Handle,
}

impl Webhooks {
    /// Must be called inside a tokio runtime; deliveries run on it.
    pub fn new(retry_base: Duration) -> Arc<Webhooks> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(2))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Arc::new(Webhooks {
            destinations: Mutex::default(),
            deliveries: Mutex::default(),
            pending: watch::Sender::new(0),
            http,
            retry_base,
            runtime: tokio::runtime::Handle::current(),
        })
    }

    /// Adds a destination; registering a known url again replaces its key.
    pub fn register(&self, url: &str, key: &str) {
        let mut list = lock(&self.destinations);
        list.retain(|d| d.url != url);
        list.push(Destination {
            url: url.to_string(),
            key: key.to_string(),
        });
    }

    pub fn destinations(&self) -> Vec<Destination> {
        lock(&self.destinations).clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.deliveries).clone()
    }

    /// Sends `{"notifications":[{scope, id, timestamp}]}` to every destination.
    pub fn notify(self: &Arc<Self>, scope: &str, id: u64) {
        let body = json!({"notifications": [{
            "scope": scope,
            "id": id.to_string(),
            "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        }]});
        for dest in self.destinations() {
            // Counted before the task exists, so `settled` cannot miss it.
            let guard = Pending::start(self);
            let this = Arc::clone(self);
            let body = body.clone();
            let scope = scope.to_string();
            self.runtime.spawn(async move {
                this.deliver(&dest, &body, &scope, id).await;
                drop(guard);
            });
        }
    }

    async fn deliver(&self, dest: &Destination, body: &Value, scope: &str, id: u64) {
        for attempt in 1..=MAX_ATTEMPTS {
            let sent = self
                .http
                .post(&dest.url)
                .bearer_auth(&dest.key)
                .json(body)
                .send()
                .await;
            let delivery = Delivery {
                url: dest.url.clone(),
                attempt,
                status: sent.as_ref().ok().map(|r| r.status().as_u16()),
                error: sent.as_ref().err().map(|e| e.to_string()),
                scope: scope.to_string(),
                id: id.to_string(),
            };
            let ok = delivery.succeeded();
            lock(&self.deliveries).push(delivery);
            if ok {
                return;
            }
            if attempt < MAX_ATTEMPTS {
                tokio::time::sleep(self.retry_base.saturating_mul(1 << (attempt - 1))).await;
            }
        }
        tracing::warn!(url = %dest.url, scope, id, "webhook given up after {MAX_ATTEMPTS} attempts");
    }

    /// Returns once no delivery is in flight (at once when none is).
    pub async fn settled(&self) {
        let mut rx = self.pending.subscribe();
        // The sender lives as long as `self`, so this only ends when the count is 0.
        let _ = rx.wait_for(|n| *n == 0).await;
    }
}

/// One delivery in flight; the count goes down however the task ends (even if dropped).
struct Pending(watch::Sender<usize>);

impl Pending {
    fn start(hooks: &Webhooks) -> Pending {
        hooks.pending.send_modify(|n| *n += 1);
        Pending(hooks.pending.clone())
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unreachable_destination_is_tried_five_times_then_settles() {
        let hooks = Webhooks::new(Duration::from_millis(1));
        hooks.settled().await;
        // Port 9 on loopback (discard) is closed on test machines: connection refused.
        hooks.register("http://127.0.0.1:9/hook", "k");
        hooks.register("http://127.0.0.1:9/hook", "k2");
        assert_eq!(hooks.destinations().len(), 1);
        hooks.notify("customer/created", 5);
        hooks.settled().await;
        let d = hooks.deliveries();
        assert_eq!(d.len(), MAX_ATTEMPTS as usize);
        assert_eq!(d.last().map(|d| d.attempt), Some(MAX_ATTEMPTS));
        assert!(d.iter().all(|d| d.status.is_none() && d.error.is_some()));
        assert_eq!(d[0].scope, "customer/created");
        assert_eq!(d[0].id, "5");
    }
}
