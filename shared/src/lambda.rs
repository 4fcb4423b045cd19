//! Production wiring, shared by the function binaries so each `main.rs` stays a few lines:
//! configuration from the environment (a bad value fails the start naming its variable),
//! AWS clients and both API clients built once per container, then the Lambda runtime.

mod settings;

pub use settings::{
    own_queue, ClientSettings, PollerSettings, POLL_DAYS_RANGE, POLL_MAX_PER_TICK_RANGE,
};

use crate::config::{Env, ProcessEnv};
use crate::error_log::ErrorLog;
use crate::flow::Flow;
use crate::flows::env::settings_from_env;
use crate::flows::{run_batch, FlowContext, Worker};
use crate::metrics::{Calls, InvocationMetrics};
use crate::poller::{poll_all, PollSettings, SoqlChangeSource};
use crate::queue::{QueueUrls, SqsWorkQueue};
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::sync::Arc;

/// Everything a flow needs, from the environment (see [`ClientSettings`] for the variables
/// and their ranges), with the names it holds checked at cold start.
pub async fn context_from_env(
    env: &dyn Env,
    aws: &aws_types::SdkConfig,
) -> Result<FlowContext, Error> {
    checked_context(ClientSettings::from_env(env)?, env, aws).await
}

/// The start checks that need the network (the names, the mapping against the org), then
/// the context; the settings were read and range-checked before.
async fn checked_context(
    settings: ClientSettings,
    env: &dyn Env,
    aws: &aws_types::SdkConfig,
) -> Result<FlowContext, Error> {
    settings.check_names(aws).await?;
    let mapping = crate::mapping::document::load_from_env(env, aws).await?;
    let ctx = settings.build(aws, mapping)?;
    check_mapping(&ctx).await?;
    Ok(ctx)
}

/// The mapping against the org's `describe` before any record is touched: a field that does
/// not exist, cannot be written the way it is mapped, or cannot hold the values the mapping
/// writes stops the function at start with a message naming it. Warnings are logged. An org
/// that cannot be asked now (an outage) is left to the first record.
async fn check_mapping(ctx: &FlowContext) -> Result<(), Error> {
    use crate::mapping::document::{check_org, Finding};
    match check_org(&ctx.mapping, &ctx.salesforce).await {
        Ok(findings) => {
            for f in findings.iter().filter(|f| !f.is_error()) {
                tracing::warn!(finding = %f, "mapping");
            }
            Finding::stop_on_errors(&findings)?;
            check_external_ids(ctx).await
        }
        Err(e) if unaskable(&e) => {
            tracing::warn!(error = %e, "the mapping could not be checked against Salesforce now; the first record will tell");
            Ok(())
        }
        Err(e) => Err(crate::config::ConfigError::Invalid {
            name: crate::mapping::document::MAPPING_PARAMETER,
            reason: format!("the mapping could not be checked against Salesforce: {e}"),
        }
        .into()),
    }
}

/// Salesforce cannot be asked now: an outage, or no usable session yet (a deployment not
/// connected yet, a revoked token). The records will say so, each with the Error Log entry
/// that tells the user to re-authenticate; stopping the start would only hide that.
fn unaskable(e: &crate::salesforce::SalesforceError) -> bool {
    e.is_transient() || matches!(e, crate::salesforce::SalesforceError::Auth(_))
}

/// The External ID fields creates go through must exist, be External IDs, and be writable
/// by the integration user: otherwise every create would fail, each with an entry, instead of
/// the function stopping once with the reason.
async fn check_external_ids(ctx: &FlowContext) -> Result<(), Error> {
    for (object, variable) in [
        ("Account", "SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT"),
        ("Contact", "SALESFORCE_EXTERNAL_ID_FIELD_CONTACT"),
    ] {
        let Some(field) = ctx.external_ids.of(object) else {
            continue;
        };
        let invalid = |reason: String| crate::config::ConfigError::Invalid {
            name: variable,
            reason,
        };
        let describe = match ctx.salesforce.describe(object).await {
            Ok(d) => d,
            Err(e) if unaskable(&e) => {
                tracing::warn!(error = %e, variable, "could not be checked now; the first create will tell");
                continue;
            }
            Err(e) => return Err(invalid(format!("{object} could not be described: {e}")).into()),
        };
        let Some(f) = describe
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(field))
        else {
            return Err(invalid(format!(
                "{object}.{field} does not exist, or the integration user cannot see it"
            ))
            .into());
        };
        if !f.external_id {
            return Err(invalid(format!("{object}.{field} is not an External ID field")).into());
        }
        if !(f.createable && f.updateable) {
            return Err(invalid(format!(
                "the integration user cannot write {object}.{field} (field-level security)"
            ))
            .into());
        }
    }
    Ok(())
}

/// The environment variable holding a flow's queue URL.
pub fn queue_variable(flow: Flow) -> &'static str {
    match flow {
        Flow::AccountToIpaas => "ACCOUNT_TO_IPAAS_QUEUE_URL",
        Flow::ContactToIpaas => "CONTACT_TO_IPAAS_QUEUE_URL",
        Flow::AccountFromIpaas => "ACCOUNT_FROM_IPAAS_QUEUE_URL",
        Flow::ContactFromIpaas => "CONTACT_FROM_IPAAS_QUEUE_URL",
    }
}

/// What a function still has to check at cold start over the network (that the names it
/// holds point at something, that the mapping fits the org) before it touches a record.
/// The checks run when the first event has come, before it is worked: a cold start is
/// caused by an event that is already waiting, so running them earlier would save nothing
/// and would compete with the runtime for the CPU while it asks for that event (they load
/// the system's root certificates and build the clients). A check that fails stops the
/// function with its sentence, naming the variable, before any record is read.
pub struct StartChecks<T> {
    checks: std::sync::Mutex<Option<StartFuture<T>>>,
    ready: tokio::sync::OnceCell<T>,
}

type StartFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error>> + Send>>;

impl<T: Send + Sync + 'static> StartChecks<T> {
    /// Holds the checks for the first event. Outside a Lambda runtime (no
    /// `AWS_LAMBDA_RUNTIME_API`, as when a binary is started by hand or by a test) the
    /// runtime would stop on its own missing variables first: the checks run here, so a bad
    /// start still ends with its sentence.
    pub async fn prepare(
        checks: impl std::future::Future<Output = Result<T, Error>> + Send + 'static,
    ) -> Self {
        Self::prepare_for(checks, std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()).await
    }

    async fn prepare_for(
        checks: impl std::future::Future<Output = Result<T, Error>> + Send + 'static,
        in_lambda: bool,
    ) -> Self {
        let checks = StartChecks {
            checks: std::sync::Mutex::new(Some(Box::pin(checks))),
            ready: tokio::sync::OnceCell::new(),
        };
        if !in_lambda {
            checks.get().await;
        }
        checks
    }

    /// What the checks made, once they have passed (at once after the first time).
    pub async fn get(&self) -> &T {
        self.ready
            .get_or_init(|| async {
                let checks = self.checks.lock().map(|mut c| c.take()).ok().flatten();
                match checks {
                    Some(checks) => started(checks.await),
                    // Only if the first event's handling was dropped midway through them.
                    None => started(Err("the start checks were interrupted")),
                }
            })
            .await
    }
}

/// A worker Lambda: SQS batch in, `batchItemFailures` out. `run` is the flow's code
/// (`flows::code::…`), named by the Lambda so its bootstrap holds no other flow's.
pub async fn run_worker(flow: Flow, run: crate::flows::FlowCode) -> Result<(), Error> {
    started(crate::telemetry::init_lambda());
    let aws = crate::aws::from_env().await;
    // Every setting is read and range-checked now; the names are looked up, and the mapping
    // checked against the org, when the first event has come (`StartChecks`).
    let settings = started(ClientSettings::from_env(&ProcessEnv));
    let flow_settings = started(settings_from_env(&ProcessEnv).map_err(Error::from));
    // The worker's own queue, for messages it puts off (API budget, a create in progress).
    let own_queue = started(own_queue(&ProcessEnv, flow));
    if own_queue.is_none() {
        tracing::warn!(
            variable = queue_variable(flow),
            "not set: put-off messages come back after the visibility timeout instead"
        );
    }
    let metrics = started(InvocationMetrics::init(&ProcessEnv).map_err(Error::from));
    let worker = StartChecks::prepare(async move {
        // Built here, not before the runtime: an SDK client loads the system's root
        // certificates when it is made, which was most of the workers' init.
        let requeue = own_queue.map(|url| {
            Arc::new(SqsWorkQueue::new(
                aws_sdk_sqs::Client::new(&aws),
                QueueUrls::new().with(flow, url),
            )) as Arc<dyn crate::queue::WorkQueue>
        });
        let ctx = checked_context(settings, &ProcessEnv, &aws).await?;
        Ok(Worker {
            flow,
            run,
            ctx,
            settings: flow_settings,
            requeue,
        })
    })
    .await;
    let (worker, metrics) = (&worker, &metrics);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let worker = worker.get().await;
        let before = Calls::of(&worker.ctx);
        let (response, report) = run_batch(worker, event.payload).await;
        let calls = Calls::of(&worker.ctx).since(before);
        crate::metrics::record_batch(flow, &report, calls, &worker.ctx);
        metrics.flush();
        log_batch(flow, &report);
        Ok::<SqsBatchResponse, Error>(response)
    }))
    .await
}

/// The batch's counts as numbers of the log line (queryable in CloudWatch Logs Insights).
fn log_batch(flow: Flow, report: &crate::flows::BatchReport) {
    let n = |label: &str| report.counts.get(label).copied().unwrap_or(0);
    tracing::info!(%flow, created = n("created"), updated = n("updated"), linked = n("linked"),
        unchanged = n("unchanged"), skipped = n("skipped"), stale = n("stale"),
        failed = n("failed"), postponed = n("postponed"), deferred = n("deferred"),
        rejected = n("rejected"), malformed = report.malformed, "batch done");
}

/// The scheduled poller's state between ticks (built once per container).
pub struct Poller {
    pub ctx: FlowContext,
    pub queue: SqsWorkQueue,
    pub settings: PollSettings,
}

impl Poller {
    /// The poller from the environment (see [`PollerSettings`] for the variables and their
    /// ranges), with the names it holds checked at cold start.
    pub async fn from_env(env: &dyn Env, aws: &aws_types::SdkConfig) -> Result<Poller, Error> {
        let settings = PollerSettings::from_env(env)?;
        settings.clients.check_names(aws).await?;
        // The poller reads the fields the TO flows map and hands each row on in its message:
        // the same document, checked the same way.
        let mapping = crate::mapping::document::load_from_env(env, aws).await?;
        let ctx = settings.clients.build(aws, mapping)?;
        check_mapping(&ctx).await?;
        Ok(Poller {
            ctx,
            queue: SqsWorkQueue::new(aws_sdk_sqs::Client::new(aws), settings.queues),
            settings: settings.poll,
        })
    }

    /// One tick. Salesforce read failures are in the Error Log; queue or state failures
    /// fail the invocation (the cursor has not moved, the next tick resends).
    pub async fn tick(&self) -> Result<Value, Error> {
        let source = SoqlChangeSource {
            client: self.ctx.salesforce.clone(),
            fields: crate::flows::polled_fields(&self.ctx),
            budget_share: self.ctx.pacing.budget_share,
            budget_window: self.ctx.pacing.budget_delay,
        };
        let results = poll_all(
            &source,
            &self.queue,
            self.ctx.state.as_ref(),
            self.ctx.errors.as_ref() as &dyn ErrorLog,
            &self.settings,
            chrono::Utc::now(),
        )
        .await;
        let mut summary = serde_json::Map::new();
        for (flow, result) in results {
            match result {
                Ok(r) => {
                    crate::metrics::record_poll(flow, Some(&r));
                    summary.insert(
                        flow.slug().into(),
                        json!({"enqueued": r.enqueued, "skipped_no_account": r.skipped_no_account, "backlog": r.backlog, "paused_for_budget": r.paused}),
                    );
                }
                Err(crate::poller::PollError::Source(raised)) => {
                    crate::metrics::record_poll(flow, None);
                    summary.insert(flow.slug().into(), json!({"error": raised.message}));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Value::Object(summary))
    }
}

/// The poller Lambda: any event (the EventBridge schedule's) runs one tick.
pub async fn run_poller() -> Result<(), Error> {
    started(crate::telemetry::init_lambda());
    let aws = crate::aws::from_env().await;
    // Read and range-checked now; the names and the mapping are checked when the first
    // event has come (`StartChecks`).
    started(PollerSettings::from_env(&ProcessEnv));
    let metrics = started(InvocationMetrics::init(&ProcessEnv).map_err(Error::from));
    let poller =
        StartChecks::prepare(async move { Poller::from_env(&ProcessEnv, &aws).await }).await;
    let (poller, metrics) = (&poller, &metrics);
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        let poller = poller.get().await;
        let before = Calls::of(&poller.ctx);
        let summary = poller.tick().await;
        crate::metrics::record_poll_calls(Calls::of(&poller.ctx).since(before), &poller.ctx);
        metrics.flush();
        summary
    }))
    .await
}

/// Stops a function whose configuration is unusable, with the reason in words (naming the
/// variable) rather than a debug dump.
pub fn started<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "the function cannot start");
            eprintln!("configuration error: {e}");
            std::process::exit(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::StartChecks;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn counted(
        runs: &Arc<AtomicUsize>,
    ) -> impl std::future::Future<Output = Result<u8, lambda_runtime::Error>> {
        let runs = runs.clone();
        async move {
            runs.fetch_add(1, Ordering::SeqCst);
            Ok(7)
        }
    }

    /// In Lambda nothing of the checks runs before the first event (init is the runtime's
    /// alone); they run once, on the first event, and their result is kept.
    #[tokio::test]
    async fn in_lambda_the_checks_wait_for_the_first_event_and_run_once() {
        let runs = Arc::new(AtomicUsize::new(0));
        let checks = StartChecks::prepare_for(counted(&runs), true).await;
        // A spawned task would get its turn here (this test's runtime has one thread).
        tokio::task::yield_now().await;
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        assert_eq!(*checks.get().await, 7);
        assert_eq!(*checks.get().await, 7);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }

    /// Started by hand (no runtime API), the checks run at start, so a bad start ends with
    /// its sentence rather than the runtime's missing-variable panic.
    #[tokio::test]
    async fn outside_lambda_the_checks_run_at_start() {
        let runs = Arc::new(AtomicUsize::new(0));
        let checks = StartChecks::prepare_for(counted(&runs), false).await;
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(*checks.get().await, 7);
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
