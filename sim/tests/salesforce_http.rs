//! The simulated org over real HTTP, as a client sees it.

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};
use sim::faults::Faults;
use sim::salesforce::{Condition, Operation, SalesforceSim, SalesforceSimConfig, ValidationRule};
use std::time::Duration;

#[path = "salesforce_http/admin.rs"]
mod admin;
#[path = "salesforce_http/collections.rs"]
mod collections;
#[path = "salesforce_http/custom_fields.rs"]
mod custom_fields;
#[path = "salesforce_http/duplicate_rules.rs"]
mod duplicate_rules;
#[path = "salesforce_http/limits_and_faults.rs"]
mod limits_and_faults;
#[path = "salesforce_http/lost_answers.rs"]
mod lost_answers;
#[path = "salesforce_http/oauth.rs"]
mod oauth;
#[path = "salesforce_http/query.rs"]
mod query;
#[path = "salesforce_http/records.rs"]
mod records;
#[path = "salesforce_http/recycle_bin.rs"]
mod recycle_bin;
#[path = "salesforce_http/slow_commits.rs"]
mod slow_commits;
#[path = "salesforce_http/upsert.rs"]
mod upsert;

const V: &str = "/services/data/v64.0";

struct Org {
    sim: SalesforceSim,
    http: Client,
    token: String,
}

impl Org {
    async fn start(config: SalesforceSimConfig) -> Org {
        let sim = SalesforceSim::start(config).await.expect("sim starts");
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        let refresh = sim.issue_refresh_token();
        let body = token(&http, &sim, &refresh_form(&sim, &refresh)).await;
        let token = body["access_token"]
            .as_str()
            .expect("access token")
            .to_string();
        Org { sim, http, token }
    }

    async fn default() -> Org {
        Org::start(SalesforceSimConfig::default()).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{V}{path}", self.sim.url())
    }

    async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("sent")
    }

    async fn post(&self, path: &str, body: &Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("sent")
    }

    async fn patch(&self, path: &str, body: &Value) -> Response {
        self.http
            .patch(self.url(path))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
            .expect("sent")
    }

    async fn query(&self, q: &str) -> Response {
        self.http
            .get(self.url("/query"))
            .query(&[("q", q)])
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("sent")
    }
}

fn refresh_form(sim: &SalesforceSim, refresh: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "refresh_token".into()),
        ("client_id", sim.config().consumer_key.clone()),
        ("client_secret", sim.config().consumer_secret.clone()),
        ("refresh_token", refresh.into()),
    ]
}

async fn token(http: &Client, sim: &SalesforceSim, form: &[(&str, String)]) -> Value {
    let r = http
        .post(format!("{}/services/oauth2/token", sim.url()))
        .form(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

async fn token_error(http: &Client, sim: &SalesforceSim, form: &[(&str, String)]) -> Value {
    let r = http
        .post(format!("{}/services/oauth2/token", sim.url()))
        .form(form)
        .send()
        .await
        .expect("sent");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    r.json().await.expect("json")
}

/// Status and JSON body (Null when empty).
async fn parts(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn error_code(r: Response) -> (StatusCode, String) {
    let (status, body) = parts(r).await;
    (
        status,
        body[0]["errorCode"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    )
}
