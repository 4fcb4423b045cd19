//! Production wiring, shared by the function binaries so each `main.rs` stays a few lines:
//! configuration from the environment (a bad value fails the start naming its variable),
//! AWS clients and both API clients built once per container, then the Lambda runtime.

use crate::config::{parsed, required, ConfigError, Env, ProcessEnv};
use crate::error_log::{ErrorLog, IpaasErrorLog};
use crate::flow::Flow;
use crate::flows::env::settings_from_env;
use crate::flows::{run_batch, FlowContext, Pacing, Worker};
use crate::ipaas::{IpaasClient, IpaasConfig};
use crate::metrics::{Calls, InvocationMetrics};
use crate::poller::{poll_all, PollSettings, SoqlChangeSource};
use crate::queue::{QueueUrls, SqsWorkQueue};
use crate::salesforce::{SalesforceClient, SalesforceConfig, DEFAULT_API_VERSION};
use crate::secrets::AwsSecretStore;
use crate::state::DynamoStateStore;
use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};
use std::sync::Arc;

/// Everything a flow needs, from the environment: `SALESFORCE_SECRET_ID`,
/// `SALESFORCE_API_VERSION`, `IPAAS_SECRET_ID`, `IPAAS_SYSTEM_ID`, `IPAAS_BASE_URL`,
/// `STATE_TABLE`.
pub async fn context_from_env(
    env: &dyn Env,
    aws: &aws_config::SdkConfig,
) -> Result<FlowContext, Error> {
    let secrets = Arc::new(AwsSecretStore::from_conf(aws));
    let mut sf = SalesforceConfig::new(required(
        env,
        "SALESFORCE_SECRET_ID",
        "set it to the secret holding the Salesforce connected-app credentials",
    )?);
    sf.api_version = parsed(
        env,
        "SALESFORCE_API_VERSION",
        DEFAULT_API_VERSION.to_string(),
    )?;
    let budget_share: f64 = parsed(env, "SALESFORCE_API_BUDGET", Pacing::default().budget_share)?;
    if !(0.0..=1.0).contains(&budget_share) {
        return Err(ConfigError::Invalid {
            name: "SALESFORCE_API_BUDGET",
            reason: format!("{budget_share} is not a share between 0 and 1 (e.g. 0.9)"),
        }
        .into());
    }
    let salesforce =
        SalesforceClient::new(secrets.clone(), sf).map_err(|e| ConfigError::Invalid {
            name: "SALESFORCE_API_VERSION",
            reason: e.to_string(),
        })?;
    let ipaas = IpaasClient::new(secrets, IpaasConfig::from_env(env)?).map_err(|e| {
        ConfigError::Invalid {
            name: "IPAAS_BASE_URL",
            reason: e.to_string(),
        }
    })?;
    let table = required(
        env,
        "STATE_TABLE",
        "set it to the DynamoDB table of cursors and links",
    )?;
    Ok(FlowContext {
        salesforce,
        ipaas: ipaas.clone(),
        state: Arc::new(DynamoStateStore::new(
            aws_sdk_dynamodb::Client::new(aws),
            table,
        )),
        errors: Arc::new(IpaasErrorLog::new(ipaas)),
        pacing: Pacing {
            budget_share,
            ..Pacing::default()
        },
    })
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

/// A worker Lambda: SQS batch in, `batchItemFailures` out.
pub async fn run_worker(flow: Flow) -> Result<(), Error> {
    crate::telemetry::init_lambda();
    let aws = aws_config::load_from_env().await;
    // The worker's own queue, for messages it puts off (API budget, a create in progress).
    let own_queue = ProcessEnv
        .var(queue_variable(flow))
        .filter(|u| !u.trim().is_empty());
    if own_queue.is_none() {
        tracing::warn!(
            variable = queue_variable(flow),
            "not set: put-off messages come back after the visibility timeout instead"
        );
    }
    let worker = Worker {
        flow,
        ctx: started(context_from_env(&ProcessEnv, &aws).await),
        settings: started(settings_from_env(&ProcessEnv).map_err(Error::from)),
        requeue: own_queue.map(|url| {
            Arc::new(SqsWorkQueue::new(
                aws_sdk_sqs::Client::new(&aws),
                QueueUrls::new().with(flow, url),
            )) as Arc<dyn crate::queue::WorkQueue>
        }),
    };
    let metrics = started(InvocationMetrics::init(&ProcessEnv).map_err(Error::from));
    let (worker, metrics) = (&worker, &metrics);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
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
    /// `SALESFORCE_INTEGRATION_USER_ID`, or learned from the OAuth identity.
    pub integration_user: Option<String>,
}

impl Poller {
    pub async fn from_env(env: &dyn Env, aws: &aws_config::SdkConfig) -> Result<Poller, Error> {
        let urls = QueueUrls::new()
            .with(
                Flow::AccountToIpaas,
                required(
                    env,
                    "ACCOUNT_TO_IPAAS_QUEUE_URL",
                    "the SQS queue URL of the Account TO iPaaS.com flow",
                )?,
            )
            .with(
                Flow::ContactToIpaas,
                required(
                    env,
                    "CONTACT_TO_IPAAS_QUEUE_URL",
                    "the SQS queue URL of the Contact TO iPaaS.com flow",
                )?,
            );
        let defaults = PollSettings::default();
        let settings = PollSettings {
            poll_days: parsed(env, "POLL_DAYS", defaults.poll_days)?,
            max_per_tick: parsed(env, "POLL_MAX_PER_TICK", defaults.max_per_tick)?,
            page_size: defaults.page_size,
        };
        if settings.poll_days < 0 {
            return Err(ConfigError::Invalid {
                name: "POLL_DAYS",
                reason: "must not be negative".into(),
            }
            .into());
        }
        Ok(Poller {
            ctx: context_from_env(env, aws).await?,
            queue: SqsWorkQueue::new(aws_sdk_sqs::Client::new(aws), urls),
            settings,
            integration_user: env
                .var("SALESFORCE_INTEGRATION_USER_ID")
                .filter(|v| !v.trim().is_empty()),
        })
    }

    /// One tick. Salesforce read failures are in the Error Log; queue or state failures
    /// fail the invocation (the cursor has not moved, the next tick resends).
    pub async fn tick(&self) -> Result<Value, Error> {
        let user = match &self.integration_user {
            Some(u) => u.clone(),
            None => match self.ctx.salesforce.integration_user_id().await {
                Ok(u) => u,
                Err(e) => {
                    let entry =
                        crate::error_log::ErrorLogEntry::from_raised(e.to_raised(), None, None);
                    let _ = self.ctx.errors.record(entry).await;
                    return Err(e.into());
                }
            },
        };
        let source = SoqlChangeSource {
            client: self.ctx.salesforce.clone(),
            integration_user: user,
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
    crate::telemetry::init_lambda();
    let aws = aws_config::load_from_env().await;
    let poller = started(Poller::from_env(&ProcessEnv, &aws).await);
    let metrics = started(InvocationMetrics::init(&ProcessEnv).map_err(Error::from));
    let (poller, metrics) = (&poller, &metrics);
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
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
fn started<T>(result: Result<T, Error>) -> T {
    match result {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "the function cannot start");
            eprintln!("configuration error: {e}");
            std::process::exit(1)
        }
    }
}
