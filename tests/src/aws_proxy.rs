//! A loopback HTTP proxy between the real AWS SDK and moto server that counts operations and
//! can make SQS report some batch entries as failed (which moto never does by itself). The
//! entries it "fails" are withheld from moto, so a retry is the only way they arrive — just
//! as when SQS really fails an entry. It can also answer the next calls of one operation
//! with an AWS error (throttling, an outage) instead of passing them on.

use axum::{body::Bytes, extract::State, http::HeaderMap, response::Response, Router};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct Inner {
    calls: HashMap<String, u64>,
    /// How many more SendMessageBatch calls get every other entry failed.
    fail_batches: u32,
    /// Operation → (how many more calls fail, HTTP status, AWS error code).
    fail_calls: HashMap<String, (u32, u16, String)>,
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

    /// The next `n` calls of `operation` (e.g. "GetSecretValue") are answered with `status`
    /// and the AWS error `code` (e.g. 400 "ThrottlingException"), never reaching moto.
    pub fn fail_calls(&self, operation: &str, n: u32, status: u16, code: &str) {
        self.inner
            .lock()
            .unwrap()
            .fail_calls
            .insert(operation.to_string(), (n, status, code.to_string()));
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
    let refused = {
        let mut g = inner.lock().unwrap();
        match g.fail_calls.get_mut(&target) {
            Some((n, status, code)) if *n > 0 => {
                *n -= 1;
                Some((*status, code.clone()))
            }
            _ => None,
        }
    };
    if let Some((status, code)) = refused {
        *inner.lock().unwrap().calls.entry(target).or_default() += 1;
        let body = serde_json::json!({"__type": code, "message": "injected by the test proxy"});
        let mut response = Response::new(axum::body::Body::from(body.to_string()));
        *response.status_mut() = axum::http::StatusCode::from_u16(status).unwrap();
        response.headers_mut().insert(
            "content-type",
            axum::http::HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        return response;
    }
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
