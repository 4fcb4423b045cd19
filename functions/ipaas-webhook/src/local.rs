//! Serves the Lambda handler over plain HTTP on loopback (feature `local`), so the local demo
//! and tests drive the exact code a Function URL runs.

use crate::Handler;
use axum::body::{to_bytes, Body as AxumBody};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use lambda_http::Body;
use shared::queue::WorkQueue;
use std::net::SocketAddr;
use std::sync::Arc;

/// Starts the receiver on `addr` (port 0 = any) and returns its URL.
pub async fn serve<Q: WorkQueue + 'static>(
    handler: Arc<Handler<Q>>,
    addr: SocketAddr,
) -> std::io::Result<String> {
    let app = Router::new().fallback(forward::<Q>).with_state(handler);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

async fn forward<Q: WorkQueue + 'static>(
    State(handler): State<Arc<Handler<Q>>>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    // One byte over the receiver's own limit, so it answers 413 itself.
    let limit = shared::webhook::MAX_BODY_BYTES + 1;
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return Response::builder()
                .status(413)
                .body(AxumBody::from(
                    r#"{"error":"bad request","reason":"body too large"}"#,
                ))
                .unwrap_or_default()
        }
    };
    let lambda_req = lambda_http::http::Request::from_parts(parts, Body::from(bytes.to_vec()));
    match handler.handle(lambda_req).await {
        Ok(resp) => {
            let (parts, body) = resp.into_parts();
            Response::from_parts(parts, AxumBody::from(body.as_ref().to_vec()))
        }
        Err(e) => Response::builder()
            .status(500)
            .body(AxumBody::from(format!("{{\"error\":\"{e}\"}}")))
            .unwrap_or_default(),
    }
}
