//! Production wiring, shared by the function binaries so each `main.rs` stays a few lines:
//! configuration from the environment (a bad value fails the start naming its variable),
//! AWS clients and both API clients built once per container, then the Lambda runtime.

use crate::config::{parsed, required, ConfigError, Env, ProcessEnv};
use crate::error_log::{ErrorLog, IpaasErrorLog};
use crate::flow::Flow;
use crate::flows::env::settings_from_env;
use crate::flows::{run_batch, ExternalIdFields, FlowContext, Pacing, Worker};
use crate::ipaas::{IpaasClient, IpaasConfig};
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
        external_ids: external_id_fields(env)?,
    })
}

/// `SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT` / `_CONTACT`: the External ID field (e.g.
/// `Ipaas_Id__c`) the FROM flows create through, by upsert, so a create is safe to send
/// again. Unset: creates are claimed in the ledger and recovered after a lost answer.
fn external_id_fields(env: &dyn Env) -> Result<ExternalIdFields, ConfigError> {
    let field = |name: &'static str| -> Result<Option<String>, ConfigError> {
        let Some(v) = env
            .var(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        let api_name = v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && v.starts_with(|c: char| c.is_ascii_alphabetic())
            && v.len() <= 80;
        if !api_name {
            return Err(ConfigError::Invalid {
                name,
                reason: format!("{v:?} is not a Salesforce field API name (e.g. Ipaas_Id__c)"),
            });
        }
        Ok(Some(v))
    };
    Ok(ExternalIdFields {
        account: field("SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT")?,
        contact: field("SALESFORCE_EXTERNAL_ID_FIELD_CONTACT")?,
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
    let worker = &worker;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let (response, report) = run_batch(worker, event.payload).await;
        tracing::info!(%flow, counts = ?report.counts, malformed = report.malformed, "batch done");
        Ok::<SqsBatchResponse, Error>(response)
    }))
    .await
}

/// The scheduled poller's state between ticks (built once per container).
pub struct Poller {
    pub ctx: FlowContext,
    pub queue: SqsWorkQueue,
    pub settings: PollSettings,
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
        let overlap: i64 = parsed(env, "POLL_OVERLAP_SECONDS", defaults.overlap.num_seconds())?;
        if !(0..=86_400).contains(&overlap) {
            return Err(ConfigError::Invalid {
                name: "POLL_OVERLAP_SECONDS",
                reason: format!("{overlap} is not between 0 and 86400 seconds"),
            }
            .into());
        }
        let settings = PollSettings {
            poll_days: parsed(env, "POLL_DAYS", defaults.poll_days)?,
            max_per_tick: parsed(env, "POLL_MAX_PER_TICK", defaults.max_per_tick)?,
            overlap: chrono::Duration::seconds(overlap),
            ..defaults
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
        })
    }

    /// One tick. Salesforce read failures are in the Error Log; queue or state failures
    /// fail the invocation (the cursor has not moved, the next tick resends).
    pub async fn tick(&self) -> Result<Value, Error> {
        let source = SoqlChangeSource {
            client: self.ctx.salesforce.clone(),
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
                    summary.insert(
                        flow.slug().into(),
                        json!({"enqueued": r.enqueued, "skipped_no_account": r.skipped_no_account, "backlog": r.backlog, "paused_for_budget": r.paused}),
                    );
                }
                Err(crate::poller::PollError::Source(raised)) => {
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
    let poller = &poller;
    lambda_runtime::run(service_fn(move |_: LambdaEvent<Value>| async move {
        poller.tick().await
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
