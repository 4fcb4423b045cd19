//! The Lambda's translator: Function URL request -> `shared::webhook::{route, receive}` ->
//! response.

#[cfg(feature = "local")]
pub mod local;

use lambda_http::{Body, Request, RequestExt, Response};
use shared::queue::WorkQueue;
use shared::webhook::{self, WebhookKey, WebhookPath, WebhookResponse};

pub struct Handler<Q> {
    pub key: WebhookKey,
    pub queue: Q,
    /// The only path deliveries are accepted on (`WEBHOOK_PATH`, default `/`).
    pub path: WebhookPath,
}

impl<Q: WorkQueue> Handler<Q> {
    pub async fn handle(&self, req: Request) -> Result<Response<Body>, lambda_http::Error> {
        // A Function URL gives the raw path; a request built elsewhere (local serving,
        // tests) has only its URI.
        let path = match req.raw_http_path() {
            "" => req.uri().path(),
            raw => raw,
        };
        if let Some(refused) = webhook::route(req.method().as_str(), path, &self.path) {
            return respond(refused);
        }
        let authorization = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        let trace_id = req
            .lambda_context_ref()
            .map(|c| c.request_id.clone())
            .unwrap_or_default();
        let answer = webhook::receive(
            authorization,
            req.body().as_ref(),
            &self.key,
            &self.queue,
            &trace_id,
        )
        .await;
        respond(answer)
    }
}

fn respond(answer: WebhookResponse) -> Result<Response<Body>, lambda_http::Error> {
    let mut builder = Response::builder()
        .status(answer.status)
        .header("content-type", "application/json");
    for (name, value) in &answer.headers {
        builder = builder.header(*name, value);
    }
    Ok(builder.body(Body::from(answer.body.to_string()))?)
}
