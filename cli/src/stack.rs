//! The whole system on one machine: both simulators on loopback, the real clients talking to
//! them over HTTP, the webhook receiver's Lambda handler served over HTTP, in-memory queue,
//! state and Error Log adapters, and the same poller and SQS batch handler code the Lambdas
//! run. `sfsync demo`, the end-to-end tests and the benchmarks all drive this.

use crate::stack_backend::{AwsLatency, Backend, Invocations, TimedQueue};
use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use rand::Rng;
use shared::error_log::{ErrorLogEntry, IpaasErrorLog, MemoryErrorLog, TeeErrorLog};
use shared::flow::Flow;
use shared::flows::{
    run_batch, AllSettings, ExternalIdFields, FlowContext, Outcome, Pacing, Worker,
};
use shared::http::retry::RetryPolicy;
use shared::ipaas::{IpaasClient, IpaasConfig};
use shared::poller::{poll_all, PollSettings, SoqlChangeSource};
use shared::queue::{MemoryWorkQueue, QueueError, WorkMessage, WorkQueue};
use shared::salesforce::{SalesforceClient, SalesforceConfig};
use shared::secrets::InMemorySecretStore;
use shared::state::MemoryStateStore;
use shared::webhook::WebhookKey;
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SALESFORCE_SECRET: &str = "sfsync/salesforce";
pub const IPAAS_SECRET: &str = "sfsync/ipaas";
pub const WEBHOOK_KEY: &str = "local-webhook-key";
/// The Salesforce subscription's system id in the simulated iPaaS.com tenant.
pub const SYSTEM_ID: u64 = 1;

#[derive(Debug, Clone)]
pub struct StackOptions {
    pub settings: AllSettings,
    /// Messages per worker invocation (the SQS batch size).
    pub batch_size: usize,
    /// Deliveries before a message goes to the dead-letter queue (SQS maxReceiveCount).
    pub max_receives: u32,
    /// Share of messages SQS delivers twice in the same batch (at-least-once).
    pub duplicate_rate: f64,
    /// Share of worker invocations killed at a random moment (then redelivered whole, as
    /// SQS does when a Lambda dies without answering).
    pub kill_rate: f64,
    /// Worker invocations running at once (Lambda concurrency).
    pub concurrency: usize,
    pub retry: RetryPolicy,
    pub poll: PollSettings,
    pub pacing: Pacing,
    /// Salesforce External ID fields the FROM flows create through (upsert).
    pub external_ids: ExternalIdFields,
    /// Each HTTP request's deadline in both clients (an answer held longer is a timeout).
    pub request_timeout: Duration,
    /// The field mapping (`sfsync demo --mapping FILE`; the built-in default otherwise).
    pub mapping: Arc<shared::mapping::document::Mapping>,
    /// An AWS endpoint (moto server) to keep the queues, state and secrets on, through the
    /// functions' own AWS adapters; in process memory when `None`.
    pub aws_endpoint: Option<String>,
    /// In memory: time added to each state store and queue call (the AWS services' own).
    pub aws_latency: AwsLatency,
}

impl Default for StackOptions {
    fn default() -> Self {
        StackOptions {
            settings: AllSettings::default(),
            batch_size: 10,
            max_receives: 5,
            duplicate_rate: 0.0,
            kill_rate: 0.0,
            concurrency: 1,
            retry: RetryPolicy {
                max_attempts: 6,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
            },
            poll: PollSettings::default(),
            // Short lease: a killed create is retried within the test, not minutes later.
            pacing: Pacing {
                create_lease: Duration::from_millis(300),
                budget_share: 0.9,
                budget_delay: Duration::from_millis(200),
                origin_horizon: Duration::from_secs(30),
                concurrency: 10,
            },
            external_ids: ExternalIdFields::default(),
            request_timeout: Duration::from_secs(30),
            mapping: Arc::default(),
            aws_endpoint: None,
            aws_latency: AwsLatency::default(),
        }
    }
}

/// Per flow, how many messages ended each way.
pub type Tally = BTreeMap<Flow, BTreeMap<&'static str, usize>>;

pub struct LocalStack {
    pub salesforce: SalesforceSim,
    pub ipaas: IpaasSim,
    pub secrets: Arc<InMemorySecretStore>,
    pub queue: Arc<MemoryWorkQueue>,
    pub state: Arc<MemoryStateStore>,
    pub errors: Arc<MemoryErrorLog>,
    pub ctx: FlowContext,
    pub options: StackOptions,
    pub webhook_url: String,
    /// What the flows, the poller and the webhook use: the memory adapters above (counted),
    /// or the AWS ones on `options.aws_endpoint`.
    pub backend: Backend,
    dead_letters: Mutex<Vec<WorkMessage>>,
    /// Messages put off, with the moment they become visible again (SQS DelaySeconds).
    delayed: Arc<Mutex<Vec<(Instant, WorkMessage)>>>,
    receives: Mutex<HashMap<String, u32>>,
    tally: Mutex<Tally>,
    kills: std::sync::atomic::AtomicUsize,
    /// Worker invocations so far (each one SQS batch, as a Lambda invocation).
    invocations: std::sync::atomic::AtomicU64,
    /// Every function's invocations and billed time (workers, poller ticks, deliveries).
    pub billed: Arc<Invocations>,
    _sims: SimRuntime,
    on_processed: Mutex<Option<Progress>>,
    /// Held by every worker invocation (shared) and by a person's burst of edits
    /// (exclusive): see `people_at_work`.
    desk: tokio::sync::RwLock<()>,
}

type Progress = Arc<dyn Fn(usize) + Send + Sync>;

impl LocalStack {
    pub async fn start(options: StackOptions) -> anyhow::Result<LocalStack> {
        Self::start_with(
            SalesforceSimConfig::default(),
            IpaasSimConfig::default(),
            options,
        )
        .await
    }

    pub async fn start_with(
        sf_config: SalesforceSimConfig,
        ipaas_config: IpaasSimConfig,
        options: StackOptions,
    ) -> anyhow::Result<LocalStack> {
        // The simulators stand for remote services: they run on their own threads, so their
        // work is scheduled by the OS next to the integration's, not queued in its runtime.
        let sims = SimRuntime::start()?;
        let salesforce = sims.handle.spawn(SalesforceSim::start(sf_config)).await??;
        let ipaas = sims.handle.spawn(IpaasSim::start(ipaas_config)).await??;
        let secrets = Arc::new(InMemorySecretStore::new());
        secrets.insert(
            SALESFORCE_SECRET,
            &salesforce_secret(&salesforce, &salesforce.issue_refresh_token()),
        );
        secrets.insert(
            IPAAS_SECRET,
            &serde_json::json!({"api_key": ipaas.config().api_key, "webhook_key": WEBHOOK_KEY})
                .to_string(),
        );
        let queue = Arc::new(MemoryWorkQueue::new());
        let state = Arc::new(MemoryStateStore::new());
        let errors = Arc::new(MemoryErrorLog::new());
        let backend = match &options.aws_endpoint {
            None => Backend::memory(
                state.clone(),
                secrets.clone(),
                queue.clone(),
                options.aws_latency,
            ),
            Some(endpoint) => aws_backend(endpoint, &salesforce, &ipaas).await?,
        };
        let ctx = context(&ipaas, &backend, &errors, &options)?;

        let billed = Arc::new(Invocations::default());
        let handler = ipaas_webhook::Handler {
            key: WebhookKey::new(WEBHOOK_KEY).expect("a non-empty key"),
            queue: Arc::new(TimedQueue {
                inner: backend.queue.clone(),
                invocations: billed.clone(),
            }) as Arc<dyn WorkQueue>,
            path: Default::default(),
        };
        let webhook_url =
            ipaas_webhook::local::serve(Arc::new(handler), ([127, 0, 0, 1], 0).into()).await?;
        ipaas.register_webhook(&webhook_url, WEBHOOK_KEY);

        Ok(LocalStack {
            salesforce,
            ipaas,
            secrets,
            queue,
            state,
            errors,
            ctx,
            options,
            webhook_url,
            backend,
            dead_letters: Mutex::default(),
            delayed: Arc::default(),
            receives: Mutex::default(),
            tally: Mutex::default(),
            on_processed: Mutex::default(),
            desk: tokio::sync::RwLock::new(()),
            kills: Default::default(),
            invocations: Default::default(),
            billed,
            _sims: sims,
        })
    }

    /// New clients over the current secrets (as a fresh Lambda container would build).
    pub fn restart_clients(&mut self) -> anyhow::Result<()> {
        self.ctx = context(&self.ipaas, &self.backend, &self.errors, &self.options)?;
        Ok(())
    }

    /// A record a person makes in Salesforce (so the poller picks it up).
    pub fn person_creates(
        &self,
        object: &str,
        mut fields: serde_json::Value,
    ) -> shared::salesforce::SalesforceId {
        fields["LastModifiedById"] = self.salesforce.person_user_id().into();
        fields["CreatedById"] = self.salesforce.person_user_id().into();
        self.salesforce.insert(object, fields)
    }

    /// One poller tick (the EventBridge schedule's work); what it did per flow.
    pub async fn poll(&self) -> anyhow::Result<Vec<(Flow, shared::poller::PollReport)>> {
        let source = SoqlChangeSource {
            client: self.ctx.salesforce.clone(),
            fields: shared::flows::polled_fields(&self.ctx),
            budget_share: self.options.pacing.budget_share,
            budget_window: self.options.pacing.budget_delay,
        };
        let mut reports = Vec::new();
        let started = Instant::now();
        for (flow, result) in poll_all(
            &source,
            self.backend.queue.as_ref(),
            self.backend.state.as_ref(),
            self.ctx.errors.as_ref(),
            &self.options.poll,
            chrono::Utc::now(),
        )
        .await
        {
            match result {
                Ok(r) => reports.push((flow, r)),
                Err(e) => tracing::warn!(%flow, error = %e, "poll failed"),
            }
        }
        self.billed.note("poller", started.elapsed());
        Ok(reports)
    }

    /// Runs the workers until every queue is empty, nothing is put off and no webhook
    /// delivery is pending; up to `concurrency` invocations at once.
    pub async fn drain(&self) {
        self.drain_flows(&Flow::ALL).await
    }

    /// `drain`, working only the queues of `flows` (others keep their messages).
    pub async fn drain_flows(&self, flows: &[Flow]) {
        use futures::StreamExt;
        loop {
            self.ipaas.deliveries_settled().await;
            self.release_delayed(Instant::now()).await;
            let mut batches = Vec::new();
            for &flow in flows {
                loop {
                    let batch = self
                        .backend
                        .mailbox
                        .take(flow, self.options.batch_size)
                        .await;
                    if batch.is_empty() {
                        break;
                    }
                    batches.push((flow, batch));
                }
            }
            if batches.is_empty() {
                // Only put-off messages remain: wait until the first is visible again.
                let next = self
                    .delayed
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|(_, m)| flows.contains(&m.flow))
                    .map(|(t, _)| *t)
                    .min();
                match next {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => break,
                }
                continue;
            }
            futures::stream::iter(batches)
                .for_each_concurrent(
                    self.options.concurrency.max(1),
                    |(flow, batch)| async move {
                        self.invoke(flow, batch).await;
                    },
                )
                .await;
        }
    }

    async fn release_delayed(&self, now: Instant) {
        let ready: Vec<WorkMessage> = {
            let mut delayed = self.delayed.lock().unwrap();
            let (ready, wait): (Vec<_>, Vec<_>) = delayed.drain(..).partition(|(t, _)| *t <= now);
            *delayed = wait;
            ready.into_iter().map(|(_, m)| m).collect()
        };
        for flow in Flow::ALL {
            let of_flow: Vec<WorkMessage> =
                ready.iter().filter(|m| m.flow == flow).cloned().collect();
            if !of_flow.is_empty() {
                self.backend.mailbox.put_back(flow, &of_flow).await;
            }
        }
    }

    /// Poll, then drain: one full pass of the system.
    pub async fn sync(&self) -> anyhow::Result<()> {
        self.poll().await?;
        self.drain().await;
        Ok(())
    }

    /// Called with the number of messages after each worker invocation (a progress bar).
    pub fn on_processed(&self, f: impl Fn(usize) + Send + Sync + 'static) {
        *self.on_processed.lock().unwrap() = Some(Arc::new(f));
    }

    /// One worker invocation over `batch`, through the SQS batch handler the Lambda runs.
    /// Failed messages come back (as SQS would) until `max_receives`, then go to the DLQ;
    /// put-off messages come back after their delay.
    pub async fn invoke(&self, flow: Flow, batch: Vec<WorkMessage>) -> Vec<Outcome> {
        let _desk = self.desk.read().await;
        self.invocations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (deliveries, kill_after) = {
            let mut rng = rand::thread_rng();
            let mut deliveries = Vec::with_capacity(batch.len());
            for m in batch {
                if rng.gen_bool(self.options.duplicate_rate.clamp(0.0, 1.0)) {
                    deliveries.push(m.clone());
                }
                deliveries.push(m);
            }
            let kill = rng.gen_bool(self.options.kill_rate.clamp(0.0, 1.0));
            (
                deliveries,
                kill.then(|| Duration::from_micros(rng.gen_range(0..20_000))),
            )
        };
        let worker = self.worker(flow);
        let mut event = SqsEvent::default();
        event.records = deliveries
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut record = SqsMessage::default();
                record.message_id = Some(i.to_string());
                record.body = Some(m.to_json());
                record
            })
            .collect();
        let started = Instant::now();
        let handled = run_batch(&worker, event);
        let (response, report) = match kill_after {
            None => {
                let done = handled.await;
                self.billed.note("worker", started.elapsed());
                done
            }
            Some(after) => match tokio::time::timeout(after, handled).await {
                Ok(done) => done,
                Err(_) => {
                    // Killed between (or during) calls: no answer, the whole batch returns.
                    tracing::info!(%flow, "worker killed (chaos); the batch will be delivered again");
                    self.kills
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let (again, dead): (Vec<WorkMessage>, Vec<WorkMessage>) = deliveries
                        .iter()
                        .cloned()
                        .partition(|m| !self.received_too_often(m));
                    self.backend.mailbox.put_back(flow, &again).await;
                    self.backend.mailbox.done(flow, &dead).await;
                    return Vec::new();
                }
            },
        };
        let failed: Vec<usize> = response
            .batch_item_failures
            .iter()
            .filter_map(|f| f.item_identifier.parse().ok())
            .collect();
        let mut again = Vec::new();
        let mut finished: Vec<WorkMessage> = Vec::new();
        for (i, m) in deliveries.iter().enumerate() {
            if !failed.contains(&i) || self.received_too_often(m) {
                finished.push(m.clone());
            } else {
                again.push(m.clone());
            }
        }
        {
            let mut tally = self.tally.lock().unwrap();
            let t = tally.entry(flow).or_default();
            for (_, o) in &report.outcomes {
                // Failures count once, when the message finally goes to the dead-letter
                // queue; put-off messages when they are finally worked.
                if !o.redeliver() && !matches!(o, Outcome::Postponed { .. }) {
                    *t.entry(o.label()).or_default() += 1;
                }
            }
            let dead = self
                .dead_letters
                .lock()
                .unwrap()
                .iter()
                .filter(|m| m.flow == flow)
                .count();
            t.insert("failed", dead);
        }
        self.backend.mailbox.done(flow, &finished).await;
        if !again.is_empty() {
            self.backend.mailbox.put_back(flow, &again).await;
        }
        let progress = self.on_processed.lock().unwrap().clone();
        if let Some(f) = progress {
            f(report.outcomes.len());
        }
        report.outcomes.into_iter().map(|(_, o)| o).collect()
    }

    /// Counts a delivery that did not succeed; past `max_receives` the message goes to the
    /// dead-letter queue (true).
    fn received_too_often(&self, m: &WorkMessage) -> bool {
        let key = format!("{}|{}|{}", m.flow.slug(), m.record_id, m.trace_id);
        let n = {
            let mut r = self.receives.lock().unwrap();
            let n = r.entry(key).or_default();
            *n += 1;
            *n
        };
        if n >= self.options.max_receives {
            self.dead_letters.lock().unwrap().push(m.clone());
            true
        } else {
            false
        }
    }

    /// Waits until no worker invocation is running and holds them off while the guard
    /// lives: a person's edits of one record on both sides land together, never between a
    /// worker's read of that record and its write. (Neither API offers conditional writes
    /// fine enough to detect an edit landing in that window of milliseconds; docs/flows.md.)
    pub async fn people_at_work(&self) -> tokio::sync::RwLockWriteGuard<'_, ()> {
        self.desk.write().await
    }

    /// Worker invocations so far.
    pub fn invocations(&self) -> u64 {
        self.invocations.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Worker invocations killed so far (chaos).
    pub fn kills(&self) -> usize {
        self.kills.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn worker(&self, flow: Flow) -> Worker {
        Worker {
            flow,
            run: shared::flows::code::of(flow),
            ctx: self.ctx.clone(),
            settings: self.options.settings,
            // The flow's own queue, with SQS DelaySeconds: put-off messages come back later.
            requeue: Some(Arc::new(DelayQueue(self.delayed.clone()))),
        }
    }

    pub fn tally(&self) -> Tally {
        self.tally.lock().unwrap().clone()
    }

    pub fn dead_letters(&self) -> Vec<WorkMessage> {
        self.dead_letters.lock().unwrap().clone()
    }

    pub fn error_log(&self) -> Vec<ErrorLogEntry> {
        self.errors.entries()
    }
}

/// The Salesforce secret for a simulated org.
pub fn salesforce_secret(sim: &SalesforceSim, refresh_token: &str) -> String {
    serde_json::json!({
        "consumer_key": sim.config().consumer_key,
        "consumer_secret": sim.config().consumer_secret,
        "refresh_token": refresh_token,
        "login_url": sim.url(),
    })
    .to_string()
}

/// The queues, table and secrets on an AWS endpoint (created there, named after a prefix of
/// their own), used through the production adapters with every call counted.
async fn aws_backend(
    endpoint: &str,
    salesforce: &SalesforceSim,
    ipaas: &IpaasSim,
) -> anyhow::Result<Backend> {
    let prefix = format!("sfsync-stack-{:08x}", rand::random::<u32>());
    let env = crate::local_aws::provision(endpoint, &prefix, salesforce, ipaas).await?;
    let conf = crate::local_aws::loader()
        .endpoint_url(endpoint)
        .region("us-east-1")
        .test_credentials()
        .load()
        .await;
    let var = |name: &str| {
        env.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut urls = shared::queue::QueueUrls::new();
    for flow in Flow::ALL {
        urls = urls.with(flow, var(shared::lambda::queue_variable(flow)));
    }
    let secret_ids = (var("SALESFORCE_SECRET_ID"), var("IPAAS_SECRET_ID"));
    Ok(Backend::aws(&conf, &var("STATE_TABLE"), urls, secret_ids))
}

fn context(
    ipaas: &IpaasSim,
    backend: &Backend,
    errors: &Arc<MemoryErrorLog>,
    options: &StackOptions,
) -> anyhow::Result<FlowContext> {
    let (sf_secret, ipaas_secret) = (&backend.salesforce_secret, &backend.ipaas_secret);
    let secrets = backend.secrets.clone();
    let mut sf_config = SalesforceConfig::new(sf_secret.as_str());
    sf_config.retry = options.retry.clone();
    sf_config.reread_delay = Duration::from_millis(20);
    sf_config.request_timeout = options.request_timeout;
    let sf = SalesforceClient::new(secrets.clone(), sf_config)?;
    let mut ipaas_config = IpaasConfig::new(ipaas.url(), ipaas_secret.as_str(), SYSTEM_ID);
    ipaas_config.retry = options.retry.clone();
    ipaas_config.request_timeout = options.request_timeout;
    let ipaas_client = IpaasClient::new(secrets.clone(), ipaas_config)?;
    Ok(FlowContext {
        salesforce: sf,
        ipaas: ipaas_client.clone(),
        state: backend.state.clone(),
        errors: Arc::new(TeeErrorLog {
            first: errors.clone(),
            second: IpaasErrorLog::new(ipaas_client),
        }),
        pacing: options.pacing,
        external_ids: options.external_ids.clone(),
        mapping: options.mapping.clone(),
        epoch: Arc::default(),
    })
}

/// The worker queues' delay: what a worker re-sends with a delay becomes visible again
/// when the delay has passed (SQS DelaySeconds).
struct DelayQueue(Arc<Mutex<Vec<(Instant, WorkMessage)>>>);

#[async_trait::async_trait]
impl WorkQueue for DelayQueue {
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError> {
        self.enqueue_after(messages, Duration::ZERO).await
    }

    async fn enqueue_after(
        &self,
        messages: &[WorkMessage],
        delay: Duration,
    ) -> Result<(), QueueError> {
        let at = Instant::now() + delay;
        let mut delayed = self.0.lock().unwrap();
        delayed.extend(messages.iter().map(|m| (at, m.clone())));
        Ok(())
    }
}

/// The simulators' own tokio runtime, on threads of its own; stopped when dropped.
struct SimRuntime {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SimRuntime {
    fn start() -> std::io::Result<SimRuntime> {
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("simulators".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("simulator")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = handle_tx.send(Err(e));
                        return;
                    }
                };
                let _ = handle_tx.send(Ok(rt.handle().clone()));
                rt.block_on(async {
                    let _ = stopped.await;
                });
            })?;
        let handle = handle_rx
            .recv()
            .map_err(|_| std::io::Error::other("the simulators' runtime did not start"))??;
        Ok(SimRuntime {
            handle,
            stop: Some(stop),
        })
    }
}

impl Drop for SimRuntime {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
