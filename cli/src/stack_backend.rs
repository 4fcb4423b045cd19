//! Where the local stack keeps its queues, state and secrets: in process memory (the demo,
//! the tests, the default bench), or on an AWS endpoint such as moto server through the
//! functions' own AWS adapters (`sfsync bench --aws-endpoint`), every SDK call counted by
//! [`AwsMeter`]. In memory, the state store's calls are counted by the DynamoDB operation
//! the production adapter makes for each (one call per port method), so both modes give the
//! same per-record table.

use crate::aws_meter::{AwsMeter, OperationTally, Tally};
use async_trait::async_trait;
use shared::flow::Flow;
use shared::queue::{MemoryWorkQueue, QueueError, QueueUrls, SqsWorkQueue, WorkMessage, WorkQueue};
use shared::secrets::{SecretError, SecretStore};
use shared::state::{Cursor, LedgerEntry, StateError, StateStore};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The AWS side the stack runs on.
#[derive(Clone)]
pub struct Backend {
    pub state: Arc<dyn StateStore>,
    pub secrets: Arc<dyn SecretStore>,
    /// Where the poller and the webhook receiver send.
    pub queue: Arc<dyn WorkQueue>,
    /// Where the workers' batches come from (the event source mapping's side).
    pub mailbox: Arc<Mailbox>,
    /// Calls made so far, per AWS service.
    pub calls: Arc<dyn Fn() -> AwsCalls + Send + Sync>,
    /// The ids of the two secrets in `secrets`.
    pub salesforce_secret: String,
    pub ipaas_secret: String,
}

/// AWS calls per service, by operation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AwsCalls {
    pub dynamodb: Tally,
    pub sqs: Tally,
    pub secrets: Tally,
    /// Whether these are real SDK calls (`--aws-endpoint`) or the in-memory adapters' calls
    /// counted as the production adapters would make them.
    pub measured: bool,
}

impl AwsCalls {
    pub fn since(&self, before: &AwsCalls) -> AwsCalls {
        AwsCalls {
            dynamodb: self.dynamodb.since(&before.dynamodb),
            sqs: self.sqs.since(&before.sqs),
            secrets: self.secrets.since(&before.secrets),
            measured: self.measured,
        }
    }
}

/// Time added to each call of the in-memory adapters, standing for the AWS service's own
/// (the bench's defaults; none in the demo and the tests).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AwsLatency {
    pub dynamodb: std::time::Duration,
    pub sqs: std::time::Duration,
}

async fn wait(d: std::time::Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

impl Backend {
    /// In process memory, over the stack's own memory adapters.
    pub fn memory(
        state: Arc<dyn StateStore>,
        secrets: Arc<dyn SecretStore>,
        queue: Arc<MemoryWorkQueue>,
        latency: AwsLatency,
    ) -> Backend {
        let counted_state = Arc::new(CountedState {
            inner: state,
            tally: Mutex::default(),
            latency: latency.dynamodb,
        });
        let counted_queue = Arc::new(CountedQueue {
            inner: queue.clone(),
            tally: Mutex::default(),
            latency: latency.sqs,
        });
        let counted_secrets = Arc::new(CountedSecrets {
            inner: secrets,
            tally: Mutex::default(),
        });
        let mailbox = Arc::new(Mailbox::Memory {
            queue,
            tally: Mutex::default(),
        });
        let (s, q, k, m) = (
            counted_state.clone(),
            counted_queue.clone(),
            counted_secrets.clone(),
            mailbox.clone(),
        );
        Backend {
            salesforce_secret: crate::stack::SALESFORCE_SECRET.into(),
            ipaas_secret: crate::stack::IPAAS_SECRET.into(),
            state: counted_state,
            secrets: counted_secrets,
            queue: counted_queue,
            mailbox,
            calls: Arc::new(move || {
                let mut sqs = q.tally.lock().unwrap().clone();
                if let Mailbox::Memory { tally, .. } = m.as_ref() {
                    for (op, t) in &tally.lock().unwrap().calls {
                        sqs.calls.insert(op.clone(), *t);
                    }
                }
                AwsCalls {
                    dynamodb: s.tally.lock().unwrap().clone(),
                    sqs,
                    secrets: k.tally.lock().unwrap().clone(),
                    measured: false,
                }
            }),
        }
    }

    /// On an AWS endpoint: the production adapters over SDK clients that count every call.
    pub fn aws(
        conf: &aws_config::SdkConfig,
        table: &str,
        urls: QueueUrls,
        secret_ids: (String, String),
    ) -> Backend {
        let (dynamo_meter, sqs_meter, secrets_meter) = (
            AwsMeter::default(),
            AwsMeter::default(),
            AwsMeter::default(),
        );
        let dynamo = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(conf)
                .interceptor(dynamo_meter.clone())
                .build(),
        );
        let sqs = aws_sdk_sqs::Client::from_conf(
            aws_sdk_sqs::config::Builder::from(conf)
                .interceptor(sqs_meter.clone())
                .build(),
        );
        let secrets = aws_sdk_secretsmanager::Client::from_conf(
            aws_sdk_secretsmanager::config::Builder::from(conf)
                .interceptor(secrets_meter.clone())
                .build(),
        );
        Backend {
            salesforce_secret: secret_ids.0,
            ipaas_secret: secret_ids.1,
            state: Arc::new(shared::state::DynamoStateStore::new(dynamo, table)),
            secrets: Arc::new(shared::secrets::AwsSecretStore::new(secrets)),
            queue: Arc::new(SqsWorkQueue::new(sqs.clone(), urls.clone())),
            mailbox: Arc::new(Mailbox::Sqs {
                client: sqs,
                urls,
                receipts: Mutex::default(),
            }),
            calls: Arc::new(move || AwsCalls {
                dynamodb: dynamo_meter.snapshot(),
                sqs: sqs_meter.snapshot(),
                secrets: secrets_meter.snapshot(),
                measured: true,
            }),
        }
    }
}

/// The workers' side of the queues: what Lambda's SQS event source mapping does.
pub enum Mailbox {
    /// Taking a message from memory stands for the mapping's ReceiveMessage, and a batch
    /// worked for its DeleteMessageBatch; both are counted so.
    Memory {
        queue: Arc<MemoryWorkQueue>,
        tally: Mutex<Tally>,
    },
    /// ReceiveMessage, DeleteMessageBatch and ChangeMessageVisibilityBatch on the queues.
    Sqs {
        client: aws_sdk_sqs::Client,
        urls: QueueUrls,
        /// Receipt of each message in flight, by its body.
        receipts: Mutex<HashMap<String, String>>,
    },
}

/// How long a received message stays hidden while the stack works it.
const VISIBILITY_SECS: i32 = 600;

impl Mailbox {
    /// Up to `max` messages of `flow` (SQS hands out at most ten per call).
    pub async fn take(&self, flow: Flow, max: usize) -> Vec<WorkMessage> {
        match self {
            Mailbox::Memory { queue, tally } => {
                let got = queue.take(flow, max);
                if !got.is_empty() {
                    count(tally, "ReceiveMessage", 1, 0);
                }
                got
            }
            Mailbox::Sqs {
                client,
                urls,
                receipts,
            } => {
                let Some(url) = urls.get(flow) else {
                    return Vec::new();
                };
                let answer = client
                    .receive_message()
                    .queue_url(url)
                    .max_number_of_messages(max.clamp(1, 10) as i32)
                    .visibility_timeout(VISIBILITY_SECS)
                    .wait_time_seconds(0)
                    .send()
                    .await;
                let Ok(answer) = answer else {
                    return Vec::new();
                };
                let mut out = Vec::new();
                for m in answer.messages() {
                    let (Some(body), Some(receipt)) = (m.body(), m.receipt_handle()) else {
                        continue;
                    };
                    if let Ok(message) = WorkMessage::parse(body) {
                        receipts
                            .lock()
                            .unwrap()
                            .insert(message.to_json(), receipt.to_string());
                        out.push(message);
                    }
                }
                out
            }
        }
    }

    /// The batch's messages that are finished with: deleted from the queue.
    pub async fn done(&self, flow: Flow, messages: &[WorkMessage]) {
        match self {
            Mailbox::Memory { tally, .. } => {
                if !messages.is_empty() {
                    count(tally, "DeleteMessageBatch", 1, 0);
                }
            }
            Mailbox::Sqs {
                client,
                urls,
                receipts,
            } => {
                let Some(url) = urls.get(flow) else { return };
                let handles: Vec<String> = {
                    let mut r = receipts.lock().unwrap();
                    messages
                        .iter()
                        .filter_map(|m| r.remove(&m.to_json()))
                        .collect()
                };
                for chunk in handles.chunks(10) {
                    let entries: Vec<_> = chunk
                        .iter()
                        .enumerate()
                        .filter_map(|(i, h)| {
                            aws_sdk_sqs::types::DeleteMessageBatchRequestEntry::builder()
                                .id(i.to_string())
                                .receipt_handle(h)
                                .build()
                                .ok()
                        })
                        .collect();
                    let _ = client
                        .delete_message_batch()
                        .queue_url(url)
                        .set_entries(Some(entries))
                        .send()
                        .await;
                }
            }
        }
    }

    /// Messages to be delivered again: visible at once (a received one), or sent anew (one
    /// the stack held back, a put-off message whose delay has passed).
    pub async fn put_back(&self, flow: Flow, messages: &[WorkMessage]) {
        match self {
            Mailbox::Memory { queue, .. } => queue.put_back(messages),
            Mailbox::Sqs {
                client,
                urls,
                receipts,
            } => {
                let Some(url) = urls.get(flow) else { return };
                let mut fresh = Vec::new();
                let mut held = Vec::new();
                {
                    let mut r = receipts.lock().unwrap();
                    for m in messages {
                        match r.remove(&m.to_json()) {
                            Some(h) => held.push(h),
                            None => fresh.push(m.clone()),
                        }
                    }
                }
                for chunk in held.chunks(10) {
                    let entries: Vec<_> = chunk
                        .iter()
                        .enumerate()
                        .filter_map(|(i, h)| {
                            aws_sdk_sqs::types::ChangeMessageVisibilityBatchRequestEntry::builder()
                                .id(i.to_string())
                                .receipt_handle(h)
                                .visibility_timeout(0)
                                .build()
                                .ok()
                        })
                        .collect();
                    let _ = client
                        .change_message_visibility_batch()
                        .queue_url(url)
                        .set_entries(Some(entries))
                        .send()
                        .await;
                }
                if !fresh.is_empty() {
                    let q = SqsWorkQueue::new(client.clone(), urls.clone());
                    if let Err(e) = q.enqueue(&fresh).await {
                        tracing::warn!(error = %e, "could not send messages back");
                    }
                }
            }
        }
    }
}

fn count(tally: &Mutex<Tally>, op: &str, calls: u64, bytes: u64) {
    let mut t = tally.lock().unwrap();
    let e: &mut OperationTally = t.calls.entry(op.to_string()).or_default();
    e.calls += calls;
    e.request_bytes += bytes;
}

/// The memory state store, counted by the DynamoDB call the production adapter makes for
/// each method (GetItem, PutItem, UpdateItem, TransactWriteItems), with the entry's size.
struct CountedState {
    inner: Arc<dyn StateStore>,
    tally: Mutex<Tally>,
    latency: std::time::Duration,
}

impl CountedState {
    async fn note(&self, op: &str, items: u64, bytes: usize) {
        self.count(op, items, bytes);
        wait(self.latency).await;
    }

    fn count(&self, op: &str, items: u64, bytes: usize) {
        let mut t = self.tally.lock().unwrap();
        let e = t.calls.entry(op.to_string()).or_default();
        e.calls += 1;
        e.items += items;
        if op.starts_with("Get") {
            e.answer_bytes += bytes as u64;
        } else {
            e.request_bytes += bytes as u64;
        }
    }
}

fn size_of(entry: &LedgerEntry) -> usize {
    // The item as stored: its values and ids as text, plus the key and attribute names.
    let synced: usize = entry
        .synced
        .iter()
        .flatten()
        .map(|(k, v)| k.len() + v.len() + 8)
        .sum();
    120 + synced
        + entry.target_id.as_deref().map_or(0, str::len)
        + entry.last_error.as_deref().map_or(0, str::len)
}

#[async_trait]
impl StateStore for CountedState {
    async fn cursor(&self, name: &str) -> Result<Option<Cursor>, StateError> {
        let c = self.inner.cursor(name).await?;
        let bytes = c.as_ref().map_or(60, |c| 80 + c.recent.len() * 12);
        self.note("GetItem", 0, bytes).await;
        Ok(c)
    }

    async fn advance_cursor(&self, name: &str, to: &Cursor) -> Result<(), StateError> {
        self.note("PutItem", 0, 80 + to.recent.len() * 12).await;
        self.inner.advance_cursor(name, to).await
    }

    async fn put_ledgers(&self, entries: &[(Flow, &str, &LedgerEntry)]) -> Result<(), StateError> {
        let bytes = entries.iter().map(|(_, _, e)| size_of(e)).sum();
        self.note("TransactWriteItems", entries.len() as u64, bytes)
            .await;
        self.inner.put_ledgers(entries).await
    }

    async fn note_pair(
        &self,
        flow: Flow,
        source_id: &str,
        target_id: &str,
        synced: &BTreeMap<String, String>,
    ) -> Result<(), StateError> {
        let bytes = 120
            + synced
                .iter()
                .map(|(k, v)| k.len() + v.len() + 8)
                .sum::<usize>();
        self.note("UpdateItem", 0, bytes).await;
        self.inner
            .note_pair(flow, source_id, target_id, synced)
            .await
    }

    async fn ledger(&self, flow: Flow, source_id: &str) -> Result<Option<LedgerEntry>, StateError> {
        let e = self.inner.ledger(flow, source_id).await?;
        self.note("GetItem", 0, e.as_ref().map_or(60, size_of))
            .await;
        Ok(e)
    }

    async fn put_ledger(
        &self,
        flow: Flow,
        source_id: &str,
        entry: &LedgerEntry,
    ) -> Result<u64, StateError> {
        self.note("PutItem", 0, size_of(entry)).await;
        self.inner.put_ledger(flow, source_id, entry).await
    }
}

/// The memory queue, counted as the SQS adapter sends: one SendMessageBatch per ten
/// messages of a flow.
struct CountedQueue {
    inner: Arc<MemoryWorkQueue>,
    tally: Mutex<Tally>,
    latency: std::time::Duration,
}

impl CountedQueue {
    fn note(&self, messages: &[WorkMessage]) {
        let mut per_flow: BTreeMap<Flow, Vec<usize>> = BTreeMap::new();
        for m in messages {
            per_flow.entry(m.flow).or_default().push(m.to_json().len());
        }
        for sizes in per_flow.values() {
            for chunk in sizes.chunks(10) {
                count(
                    &self.tally,
                    "SendMessageBatch",
                    1,
                    chunk.iter().sum::<usize>() as u64,
                );
            }
        }
    }
}

#[async_trait]
impl WorkQueue for CountedQueue {
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError> {
        self.note(messages);
        wait(self.latency).await;
        self.inner.enqueue(messages).await
    }

    async fn enqueue_after(
        &self,
        messages: &[WorkMessage],
        delay: std::time::Duration,
    ) -> Result<(), QueueError> {
        self.note(messages);
        wait(self.latency).await;
        self.inner.enqueue_after(messages, delay).await
    }
}

/// The memory secret store, counted as Secrets Manager calls.
struct CountedSecrets {
    inner: Arc<dyn SecretStore>,
    tally: Mutex<Tally>,
}

#[async_trait]
impl SecretStore for CountedSecrets {
    async fn read(&self, id: &str) -> Result<String, SecretError> {
        count(&self.tally, "GetSecretValue", 1, 0);
        self.inner.read(id).await
    }

    async fn write(&self, id: &str, value: &str) -> Result<(), SecretError> {
        count(&self.tally, "PutSecretValue", 1, 0);
        self.inner.write(id, value).await
    }
}

/// Lambda invocations and billed milliseconds (each invocation rounded up), per function.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Billed {
    pub invocations: u64,
    pub billed_ms: f64,
}

/// Per function kind ("worker", "poller", "webhook"), what was invoked so far.
#[derive(Debug, Default)]
pub struct Invocations(Mutex<BTreeMap<&'static str, Billed>>);

impl Invocations {
    pub fn note(&self, function: &'static str, took: std::time::Duration) {
        let mut m = self.0.lock().unwrap();
        let b = m.entry(function).or_default();
        b.invocations += 1;
        b.billed_ms += (took.as_secs_f64() * 1000.0).ceil().max(1.0);
    }

    pub fn snapshot(&self) -> BTreeMap<&'static str, Billed> {
        self.0.lock().unwrap().clone()
    }
}

/// The webhook receiver's queue, timed: each delivery the receiver queues is one invocation
/// of the webhook function, lasting about as long as its send (the rest is parsing).
pub struct TimedQueue {
    pub inner: Arc<dyn WorkQueue>,
    pub invocations: Arc<Invocations>,
}

#[async_trait]
impl WorkQueue for TimedQueue {
    async fn enqueue(&self, messages: &[WorkMessage]) -> Result<(), QueueError> {
        let started = std::time::Instant::now();
        let r = self.inner.enqueue(messages).await;
        self.invocations.note("webhook", started.elapsed());
        r
    }
}
