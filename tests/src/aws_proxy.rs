//! A loopback HTTP proxy between the real AWS SDK and moto server that counts operations and
//! can make SQS report some batch entries as failed (which moto never does by itself). The
//! entries it "fails" are withheld from moto, so a retry is the only way they arrive — just
//! as when SQS really fails an entry.

use axum::{body::Bytes, extract::State, http::HeaderMap, response::Response, Router};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Inner {
    calls: HashMap<String, u64>,
    /// How many more SendMessageBatch calls get every other entry failed.
    fail_batches: u32,
}

#[derive(Clone)]
pub struct AwsProxy {
    url: String,
    inner: Arc<Mutex<Inner>>,
}

impl AwsProxy {
    pub async fn start(upstream: String) -> AwsProxy {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let state = (upstream, inner.clone(), reqwest::Client::new());
        let app = Router::new().fallback(forward).with_state(Arc::new(state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        AwsProxy { url, inner }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls seen per operation, e.g. `calls("SendMessageBatch")`.
    pub fn calls(&self, operation: &str) -> u64 {
        self.inner
            .lock()
            .unwrap()
            .calls
            .get(operation)
            .copied()
            .unwrap_or(0)
    }

    /// The next `n` SendMessageBatch calls fail every other entry (transiently).
    pub fn fail_batch_entries(&self, n: u32) {
        self.inner.lock().unwrap().fail_batches = n;
    }
}

type ProxyState = Arc<(String, Arc<Mutex<Inner>>, reqwest::Client)>;

async fn forward(
    State(state): State<ProxyState>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (upstream, inner, http) = &*state;
    let target = headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_string();
    let failing = {
        let mut g = inner.lock().unwrap();
        *g.calls.entry(target.clone()).or_default() += 1;
        let f = target == "SendMessageBatch" && g.fail_batches > 0;
        if f {
            g.fail_batches -= 1;
        }
        f
    };

    let mut body = body.to_vec();
    let mut withheld: Vec<String> = Vec::new();
    if failing {
        if let Ok(mut req) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(entries) = req["Entries"].as_array_mut() {
                let mut kept = Vec::new();
                for (i, e) in entries.drain(..).enumerate() {
                    if i % 2 == 1 {
                        withheld.push(e["Id"].as_str().unwrap_or_default().to_string());
                    } else {
                        kept.push(e);
                    }
                }
                *entries = kept;
            }
            body = serde_json::to_vec(&req).unwrap();
        }
    }

    let mut req = http.request(method, format!("{upstream}{uri}"));
    for (k, v) in headers.iter() {
        if k != "host" && k != "content-length" {
            req = req.header(k, v);
        }
    }
    let resp = req.body(body).send().await.expect("moto reachable");
    let status = resp.status();
    let mut out_headers = resp.headers().clone();
    let mut bytes = resp.bytes().await.unwrap_or_default().to_vec();
    if !withheld.is_empty() && status.is_success() {
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            let failed: Vec<_> = withheld
                .iter()
                .map(|id| serde_json::json!({"Id": id, "SenderFault": false, "Code": "InternalError", "Message": "injected by the test proxy"}))
                .collect();
            v["Failed"] = serde_json::Value::Array(failed);
            bytes = serde_json::to_vec(&v).unwrap();
        }
    }
    out_headers.remove("content-length");
    out_headers.remove("transfer-encoding");
    let mut response = Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = out_headers;
    response
}
