//! Webhooks to a tiny receiver: body, bearer key, retries, settling without sleeps.

use super::*;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// What arrived: the Authorization header and the body.
type Received = Vec<(Option<String>, Value)>;

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Received>>,
    /// Answer 500 to this many requests first.
    fail_first: Arc<AtomicU32>,
}

impl Receiver {
    /// Serves the receiver; answers its URL.
    async fn start(&self) -> String {
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/hook")
    }

    fn received(&self) -> Received {
        self.got.lock().unwrap().clone()
    }
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> AxumStatus {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    r.got.lock().unwrap().push((auth, body));
    let failing = r
        .fail_first
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
    if failing.is_ok() {
        AxumStatus::INTERNAL_SERVER_ERROR
    } else {
        AxumStatus::OK
    }
}

fn fast() -> IpaasSimConfig {
    IpaasSimConfig {
        webhook_retry_base: Duration::from_millis(10),
        ..IpaasSimConfig::default()
    }
}

#[tokio::test]
async fn person_edits_notify_every_destination_with_its_key() {
    let t = Tenant::start(fast()).await;
    let (a, b) = (Receiver::default(), Receiver::default());
    let (url_a, url_b) = (a.start().await, b.start().await);
    t.sim.register_webhook(&url_a, "key-a");
    t.sim.register_webhook(&url_b, "key-b");

    let id = t.sim.edit_customer_as_person(
        None,
        json!({"last_name": "Hopper", "email_address": "grace@navy.mil"}),
    );
    t.sim.deliveries_settled().await;
    let got = a.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.as_deref(), Some("Bearer key-a"));
    let n = &got[0].1["notifications"];
    assert_eq!(n.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (n[0]["scope"].as_str(), n[0]["id"].as_str()),
        (Some("customer/created"), Some(id.to_string().as_str()))
    );
    assert!(chrono::DateTime::parse_from_rfc3339(n[0]["timestamp"].as_str().unwrap()).is_ok());
    assert_eq!(b.received()[0].0.as_deref(), Some("Bearer key-b"));
    assert_eq!(t.sim.customer(id).unwrap()["last_name"], "Hopper");

    t.sim
        .edit_customer_as_person(Some(id), json!({"first_name": "Grace"}));
    let company = t.sim.edit_company_as_person(None, json!({"name": "Navy"}));
    t.sim
        .edit_company_as_person(Some(company), json!({"url": "https://navy.mil"}));
    t.sim.deliveries_settled().await;
    let mut scopes: Vec<String> = a
        .received()
        .iter()
        .map(|(_, b)| b["notifications"][0]["scope"].as_str().unwrap().to_string())
        .collect();
    scopes.sort();
    assert_eq!(
        scopes,
        [
            "customer/company/created",
            "customer/company/updated",
            "customer/created",
            "customer/updated"
        ]
    );
    assert_eq!(t.sim.customer(id).unwrap()["first_name"], "Grace");
    assert_eq!(t.sim.deliveries().len(), 8);
    assert!(t
        .sim
        .deliveries()
        .iter()
        .all(|d| d.attempt == 1 && d.status == Some(200)));
    // No record, no notification.
    assert_eq!(t.sim.edit_customer_as_person(Some(999), json!({})), 0);
    t.sim.deliveries_settled().await;
    assert_eq!(t.sim.deliveries().len(), 8);
    assert_eq!(
        t.sim.counters().total(),
        0,
        "a person's edits are not API calls"
    );
}

#[tokio::test]
async fn a_failing_destination_gets_the_notification_on_attempt_three() {
    let t = Tenant::start(fast()).await;
    let r = Receiver::default();
    r.fail_first.store(2, Ordering::SeqCst);
    t.sim.register_webhook(&r.start().await, "k");
    let id = t.sim.insert_company(json!({"name": "Acme"}));
    t.sim
        .edit_company_as_person(Some(id), json!({"description": "renamed by a person"}));
    t.sim.deliveries_settled().await;
    let tries: Vec<(u32, Option<u16>)> = t
        .sim
        .deliveries()
        .iter()
        .map(|d| (d.attempt, d.status))
        .collect();
    assert_eq!(tries, [(1, Some(500)), (2, Some(500)), (3, Some(200))]);
    let got = r.received();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .all(|(auth, body)| auth.as_deref() == Some("Bearer k") && body == &got[0].1),
        "every retry carries the same notification"
    );
    assert_eq!(
        got[2].1["notifications"][0]["scope"],
        "customer/company/updated"
    );
}

#[tokio::test]
async fn an_unreachable_destination_is_given_up_after_five_attempts() {
    let t = Tenant::start(fast()).await;
    // Bind then drop a listener: its port now refuses connections.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let admin = t
        .http
        .post(t.url("/__sim/webhooks"))
        .json(&json!({"url": url, "key": "k"}))
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), StatusCode::NO_CONTENT);
    let person = t
        .http
        .post(t.url("/__sim/records/customers/edit-as-person"))
        .json(&json!({"last_name": "L", "email_address": "l@x.io"}))
        .send()
        .await
        .unwrap();
    let (_, made) = json_of(person).await;
    assert!(made["id"].as_u64().is_some());
    // Settled over HTTP too: the call answers once nothing is in flight.
    let (status, all) = json_of(
        t.http
            .post(t.url("/__sim/deliveries/settled"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let all = all.as_array().unwrap().clone();
    assert_eq!(all.len(), sim::ipaas::MAX_WEBHOOK_ATTEMPTS as usize);
    assert!(all
        .iter()
        .all(|d| d["status"].is_null() && d["error"].is_string()));
    assert_eq!(all[4]["attempt"], 5);
}
