//! The Lambda's translator: Function URL request -> `shared::webhook::receive` -> response.

#[cfg(feature = "local")]
pub mod local;

use lambda_http::{Body, Request, RequestExt, Response};
use shared::queue::WorkQueue;
use shared::webhook::{self, WebhookKey};

pub struct Handler<Q> {
    pub key: WebhookKey,
    pub queue: Q,
}

impl<Q: WorkQueue> Handler<Q> {
    pub async fn handle(&self, req: Request) -> Result<Response<Body>, lambda_http::Error> {
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
        Ok(Response::builder()
            .status(answer.status)
            .header("content-type", "application/json")
            .body(Body::from(answer.body.to_string()))?)
    }
}
