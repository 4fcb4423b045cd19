//! `sfsync cold-start`: how fast each release `bootstrap` is ready, next to the smallest
//! possible `lambda_runtime` function built the same way. Each binary is started the way
//! Lambda starts it, against a local copy of the Lambda Runtime API (this module), and timed
//! from process start to its first request for an event (its init) and to its answer to
//! that event. The runtime API is the same one `cargo lambda watch` emulates; running the
//! binaries directly keeps compilation out of the numbers.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The functions, with the fixture each is handed (hello-lambda gets `{}`).
pub const FUNCTIONS: [(&str, Option<&str>); 7] = [
    ("hello-lambda", None),
    ("salesforce-poller", Some("schedule.json")),
    ("ipaas-webhook", Some("wrong-key.json")),
    ("account-to-ipaas", Some("sqs.json")),
    ("contact-to-ipaas", Some("sqs.json")),
    ("account-from-ipaas", Some("sqs.json")),
    ("contact-from-ipaas", Some("sqs.json")),
];

#[derive(Debug, Clone)]
pub struct Measured {
    pub function: String,
    pub size: Option<u64>,
    /// Process start → first `GET /runtime/invocation/next` (Lambda's Init Duration).
    pub init: Option<Duration>,
    /// Process start → its answer to the first event.
    pub first_answer: Option<Duration>,
    pub note: Option<String>,
}

#[derive(Default)]
struct Seen {
    asked_for_event: Option<Instant>,
    answered: Option<Instant>,
    init_error: Option<String>,
}

#[derive(Clone)]
struct Api {
    event: Arc<serde_json::Value>,
    seen: Arc<Mutex<Seen>>,
    done: Arc<Notify>,
    served: Arc<Mutex<bool>>,
}

async fn next(State(api): State<Api>) -> Response {
    {
        let mut seen = api.seen.lock().unwrap();
        seen.asked_for_event.get_or_insert_with(Instant::now);
    }
    let first = {
        let mut served = api.served.lock().unwrap();
        !std::mem::replace(&mut *served, true)
    };
    if !first {
        // One event per measurement; the process is stopped after its answer.
        std::future::pending::<()>().await;
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        "lambda-runtime-aws-request-id",
        HeaderValue::from_static("cold-start-1"),
    );
    headers.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from(u64::MAX / 2),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:000000000000:function:cold-start"),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        HeaderValue::from_static("Root=1-00000000-000000000000000000000000"),
    );
    (StatusCode::OK, headers, api.event.to_string()).into_response()
}

async fn answered(State(api): State<Api>, Path(_id): Path<String>) -> StatusCode {
    api.seen
        .lock()
        .unwrap()
        .answered
        .get_or_insert_with(Instant::now);
    api.done.notify_one();
    StatusCode::ACCEPTED
}

async fn init_error(State(api): State<Api>, body: String) -> StatusCode {
    api.seen.lock().unwrap().init_error = Some(body.chars().take(200).collect());
    api.done.notify_one();
    StatusCode::ACCEPTED
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where `cargo lambda build` puts the bootstraps: `<target dir>/lambda/<function>/`. The
/// target directory is the one cargo uses for this workspace (`CARGO_TARGET_DIR`, or
/// `build.target-dir` in a cargo config, else `<workspace>/target`), asked of
/// `cargo metadata` so every way of setting it counts.
pub fn lambda_dir() -> PathBuf {
    let asked =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(workspace())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| serde_json::from_slice::<serde_json::Value>(&o.stdout).ok())
            .and_then(|m| m["target_directory"].as_str().map(PathBuf::from));
    let target = asked
        .or_else(|| std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from))
        .unwrap_or_else(|| workspace().join("target"));
    target.join("lambda")
}

/// Starts `function`'s release bootstrap against a local runtime API and times it once.
pub async fn measure_once(
    function: &str,
    fixture: Option<&str>,
    env: &[(String, String)],
) -> anyhow::Result<Measured> {
    let binary = lambda_dir().join(function).join("bootstrap");
    let size = std::fs::metadata(&binary).ok().map(|m| m.len());
    if size.is_none() {
        return Ok(Measured {
            function: function.into(),
            size,
            init: None,
            first_answer: None,
            note: Some(format!(
                "not built (no {}): cargo lambda build --release -p {function}",
                binary.display()
            )),
        });
    }
    let event: serde_json::Value = match fixture {
        Some(f) => serde_json::from_str(&std::fs::read_to_string(
            workspace()
                .join("functions")
                .join(function)
                .join("events")
                .join(f),
        )?)?,
        None => serde_json::json!({}),
    };
    let api = Api {
        event: Arc::new(event),
        seen: Arc::default(),
        done: Arc::default(),
        served: Arc::default(),
    };
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(answered),
        )
        .route("/2018-06-01/runtime/invocation/{id}/error", post(answered))
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(api.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let mut cmd = tokio::process::Command::new(&binary);
    cmd.env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", function)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "cold-start")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "cold-start")
        .env("LOG_LEVEL", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    // Done when it answers or reports an init error, or when it exits without either.
    let exited = tokio::select! {
        _ = api.done.notified() => None,
        status = child.wait() => Some(status.map_or("could not be watched".to_string(), |s| s.to_string())),
        _ = tokio::time::sleep(Duration::from_secs(60)) => Some("no answer within 60 s".to_string()),
    };
    let _ = child.kill().await;
    server.abort();
    let seen = api.seen.lock().unwrap();
    let since = |t: Option<Instant>| t.map(|t| t.duration_since(started));
    Ok(Measured {
        function: function.into(),
        size,
        init: since(seen.asked_for_event),
        first_answer: since(seen.answered),
        note: match (&seen.init_error, exited) {
            (Some(e), _) => Some(format!("init error: {e}")),
            (None, Some(why)) if seen.answered.is_none() => Some(format!("stopped: {why}")),
            _ => None,
        },
    })
}

/// Median of `runs` measurements per function.
pub async fn run(runs: usize, env: &[(String, String)]) -> anyhow::Result<Vec<Measured>> {
    let mut out = Vec::new();
    for (function, fixture) in FUNCTIONS {
        let mut all = Vec::new();
        for _ in 0..runs.max(1) {
            all.push(measure_once(function, fixture, env).await?);
        }
        let median = |pick: fn(&Measured) -> Option<Duration>| {
            let mut v: Vec<Duration> = all.iter().filter_map(pick).collect();
            v.sort();
            v.get(v.len() / 2).copied()
        };
        out.push(Measured {
            function: function.into(),
            size: all[0].size,
            init: median(|m| m.init),
            first_answer: median(|m| m.first_answer),
            note: all.iter().find_map(|m| m.note.clone()),
        });
    }
    Ok(out)
}

pub fn render(rows: &[Measured], runs: usize) -> String {
    let mut out = format!(
        "cold start (median of {runs} starts; release bootstrap, local Lambda Runtime API)\n\n"
    );
    let _ = writeln!(
        out,
        "{:<20} {:>9} {:>10} {:>16}  note",
        "function", "size MiB", "init ms", "first answer ms"
    );
    let ms = |d: Option<Duration>| {
        d.map_or("-".to_string(), |d| {
            format!("{:.1}", d.as_secs_f64() * 1000.0)
        })
    };
    for r in rows {
        let _ = writeln!(
            out,
            "{:<20} {:>9} {:>10} {:>16}  {}",
            r.function,
            r.size
                .map_or("-".into(), |b| format!("{:.1}", b as f64 / 1048576.0)),
            ms(r.init),
            ms(r.first_answer),
            r.note.as_deref().unwrap_or("")
        );
    }
    out
}

/// What the functions talk to during the measurement: both simulators (seeded with the
/// records the fixtures name) and, on the AWS endpoint (moto server), the secrets, queues
/// and state table the functions read at start.
pub struct Backends {
    pub env: Vec<(String, String)>,
    _salesforce: sim::salesforce::SalesforceSim,
    _ipaas: sim::ipaas::IpaasSim,
}

pub async fn environment(aws_endpoint: &str) -> anyhow::Result<Backends> {
    crate::local_aws::reachable(aws_endpoint).await?;
    let sf = sim::salesforce::SalesforceSim::start(Default::default()).await?;
    let ipaas = sim::ipaas::IpaasSim::start(Default::default()).await?;
    crate::local_aws::seed_fixture_records(&sf, &ipaas);
    let env = crate::local_aws::provision(aws_endpoint, "cold-start", &sf, &ipaas).await?;
    Ok(Backends {
        env,
        _salesforce: sf,
        _ipaas: ipaas,
    })
}
