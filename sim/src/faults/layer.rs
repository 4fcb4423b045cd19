//! The axum middleware that applies the dice to every request of a router.

use super::{Fate, FaultHandle, LostAnswer};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use std::sync::Arc;
use std::time::Duration;

/// Renders a simulator's own error response for an injected status.
pub type Render = Arc<dyn Fn(StatusCode) -> Response + Send + Sync>;

/// Which faults a group of routes takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// False where a 401 would not be what the real service says (an OAuth token endpoint).
    pub honours_401: bool,
    /// False where an applied write never loses its answer here (the token endpoint).
    pub loses_answers: bool,
}

#[derive(Clone)]
struct LayerState {
    handle: FaultHandle,
    render: Render,
    scope: Scope,
}

/// Wraps every route of `router` with fault injection.
pub fn apply<S>(router: Router<S>, handle: FaultHandle, render: Render, scope: Scope) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let state = LayerState {
        handle,
        render,
        scope,
    };
    router.layer(middleware::from_fn_with_state(state, run))
}

async fn run(State(state): State<LayerState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let (latency, fate) = state.handle.roll(state.scope.honours_401, &path);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match fate {
        Fate::Serve => {}
        Fate::Status(status) => return status_answer(&state, status),
        Fate::Drop => return dropped(),
    }
    let resp = next.run(req).await;
    if !state.scope.loses_answers {
        return resp;
    }
    match state.handle.roll_lost_answer(&method, &path) {
        None => resp,
        Some((kind, hang)) => lose(&state, resp, kind, hang).await,
    }
}

/// Throws the applied write's answer away and says something else instead.
async fn lose(state: &LayerState, applied: Response, kind: LostAnswer, hang: Duration) -> Response {
    tracing::debug!(?kind, "answer of an applied write lost by fault injection");
    match kind.status() {
        Some(status) => status_answer(state, status),
        None if kind == LostAnswer::Hang => {
            // Held, as a server stuck after its commit would hold it, then never delivered.
            tokio::time::sleep(hang).await;
            drop(applied);
            dropped()
        }
        None => dropped(),
    }
}

fn status_answer(state: &LayerState, status: StatusCode) -> Response {
    let mut resp = (state.render)(status);
    *resp.status_mut() = status;
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        let secs = state.handle.retry_after_secs();
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// A response whose body fails at once: hyper then aborts the connection, so the client sees
/// a transport error rather than an answer (and never hangs).
fn dropped() -> Response {
    let broken = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "connection dropped by fault injection",
        ))
    });
    let mut resp = Response::new(Body::from_stream(broken));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp
}
