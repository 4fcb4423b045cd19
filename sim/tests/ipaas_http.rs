//! The simulated iPaaS.com tenant over real HTTP, as a client sees it (docs/ipaas-api.md).

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use std::time::Duration;

#[path = "ipaas_http/faults_and_logs.rs"]
mod faults_and_logs;
#[path = "ipaas_http/links_and_paging.rs"]
mod links_and_paging;
#[path = "ipaas_http/lost_answers.rs"]
mod lost_answers;
#[path = "ipaas_http/records.rs"]
mod records;
#[path = "ipaas_http/webhooks.rs"]
mod webhooks;

struct Tenant {
    sim: IpaasSim,
    http: Client,
}

impl Tenant {
    async fn start(config: IpaasSimConfig) -> Tenant {
        let sim = IpaasSim::start(config).await.expect("sim starts");
        let http = Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Tenant { sim, http }
    }

    async fn default() -> Tenant {
        Tenant::start(IpaasSimConfig::default()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sim.url())
    }

    fn key(&self) -> String {
        self.sim.config().api_key.clone()
    }

    async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(self.key())
            .send()
            .await
            .expect("GET answers")
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> Response {
        self.http
            .request(method, self.url(path))
            .bearer_auth(self.key())
            .json(body)
            .send()
            .await
            .expect("request answers")
    }

    async fn post(&self, path: &str, body: &Value) -> Response {
        self.send(reqwest::Method::POST, path, body).await
    }

    async fn put(&self, path: &str, body: &Value) -> Response {
        self.send(reqwest::Method::PUT, path, body).await
    }
}

/// Status and JSON body of an answer.
async fn json_of(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, body)
}

fn header(resp: &Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// A valid customer body.
fn ada() -> Value {
    json!({
        "first_name": "Ada", "last_name": "Lovelace", "email_address": "Ada@Example.com",
        "addresses": [{"type": "Billing", "address_1": "12 St James's Square", "city": "London",
                       "country": "GB", "postal_code": "SW1Y 4JH", "is_primary_billing": true}],
    })
}

#[tokio::test]
async fn every_api_call_needs_the_bearer_key() {
    let t = Tenant::default().await;
    let calls = [
        ("GET", "/customers/v2/Customer/1"),
        ("GET", "/customers/v2/Customers"),
        ("POST", "/customers/v2/Customer/Company"),
        ("POST", "/customers/v2/External/LookupSpecial"),
        ("GET", "/integrations/v2/ErrorLogs"),
    ];
    for (method, path) in calls {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let none = t.http.request(m.clone(), t.url(path)).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(header(&none, "www-authenticate").as_deref(), Some("Bearer"));
        let (_, body) = json_of(none).await;
        assert_eq!(
            (body["title"].as_str(), body["status"].as_u64()),
            (Some("Unauthorized"), Some(401))
        );
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
        let wrong = t
            .http
            .request(m, t.url(path))
            .bearer_auth("nope")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    let basic = t
        .http
        .get(t.url("/customers/v2/Customers"))
        .basic_auth(t.key(), None::<&str>);
    assert_eq!(
        basic.send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // The dashboard page and the admin surface need no key.
    let page = t
        .http
        .get(t.url(sim::ipaas::DASHBOARD_PATH))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let admin = t.http.get(t.url("/__sim/counters")).send().await.unwrap();
    assert_eq!(admin.status(), StatusCode::OK);
    // 401s are still counted calls.
    assert_eq!(t.sim.counters().get("customer_get"), 2);
}
