//! `sfsync bench`: the local stack at a chosen size, with simulated network latency on
//! every API call, phase by phase, so each flow's API calls can be counted on their own:
//! poll, Account TO, Contact TO, the webhook echoes of our own writes, Account FROM,
//! Contact FROM. Prints records per second, API calls per record per system and flow, peak
//! memory and the size of each Lambda binary.

use crate::cost::{Cost, PriceList, Usage};
use crate::stack::{LocalStack, StackOptions};
use crate::stack_backend::{AwsCalls, Billed};
use serde_json::json;
use shared::flow::Flow;
use shared::http::retry::RetryPolicy;
use sim::faults::Faults;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Records made on each side (a quarter Accounts/Companies, the rest Contacts/Customers).
    pub records: usize,
    pub salesforce_latency: Duration,
    pub ipaas_latency: Duration,
    /// Added to every state store call (DynamoDB's own time) when in memory.
    pub dynamodb_latency: Duration,
    /// Added to every queue send (SQS's own time) when in memory.
    pub sqs_latency: Duration,
    /// Messages per worker invocation (SQS batch size).
    pub batch_size: usize,
    /// Worker invocations at once.
    pub concurrency: usize,
    /// The records exist before the deployment first polls (see `sfsync bench --help`).
    pub initial_load: bool,
    /// An AWS endpoint (moto server) for the queues, state and secrets, through the
    /// functions' own AWS adapters; every call counted.
    pub aws_endpoint: Option<String>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            records: 1_000,
            salesforce_latency: Duration::from_millis(50),
            ipaas_latency: Duration::from_millis(30),
            dynamodb_latency: Duration::from_millis(5),
            sqs_latency: Duration::from_millis(15),
            batch_size: 10,
            concurrency: 10,
            initial_load: false,
            aws_endpoint: None,
        }
    }
}

/// One measured phase.
#[derive(Debug, Clone)]
pub struct Phase {
    pub name: &'static str,
    pub records: usize,
    pub elapsed: Duration,
    pub salesforce_calls: u64,
    pub ipaas_calls: u64,
    /// How the phase's messages ended (created, updated, unchanged, failed…), summed over
    /// its flows.
    pub outcomes: std::collections::BTreeMap<&'static str, usize>,
    /// Worker invocations (SQS batches) the phase took.
    pub invocations: u64,
    /// Every function's invocations and billed time in the phase (the webhook's for the
    /// deliveries that brought its records in).
    pub billed: std::collections::BTreeMap<&'static str, Billed>,
    /// AWS calls in the phase.
    pub aws: AwsCalls,
    /// Bytes the functions logged (their JSON lines at `info`, as in Lambda).
    pub log_bytes: u64,
}

impl Phase {
    pub fn salesforce_per_record(&self) -> f64 {
        self.salesforce_calls as f64 / self.records.max(1) as f64
    }
    pub fn ipaas_per_record(&self) -> f64 {
        self.ipaas_calls as f64 / self.records.max(1) as f64
    }
    pub fn per_record(&self, n: u64) -> f64 {
        n as f64 / self.records.max(1) as f64
    }
    pub fn records_per_second(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// What the phase used on AWS.
    pub fn usage(&self) -> Usage {
        let (read_units, write_units) = self.aws.dynamodb.dynamodb_units();
        let mut u = Usage {
            sqs_requests: self.aws.sqs.sqs_requests(),
            read_units,
            write_units,
            secrets_calls: self.aws.secrets.total() as f64,
            log_bytes: self.log_bytes as f64 + self.emf_bytes(),
            ..Default::default()
        };
        for b in self.billed.values() {
            u.invocations += b.invocations as f64;
            u.billed_ms += b.billed_ms;
        }
        u
    }

    /// The metrics line each worker and poller invocation writes (EMF), priced as logs.
    fn emf_bytes(&self) -> f64 {
        let lines: u64 = ["worker", "poller"]
            .iter()
            .filter_map(|f| self.billed.get(f))
            .map(|b| b.invocations)
            .sum();
        lines as f64 * EMF_LINE_BYTES
    }

    /// The AWS cost of a million records like the phase's.
    pub fn cost_per_million(&self, prices: &PriceList) -> Cost {
        Cost::of(&self.usage().per(self.records as f64, 1e6), prices)
    }
}

/// One worker invocation's metrics line (Embedded Metric Format), bytes: the size of the
/// line tests/tests/emf_lines.rs reads from a worker under `cargo lambda watch`.
pub const EMF_LINE_BYTES: f64 = 900.0;

pub struct BenchReport {
    pub options: BenchOptions,
    pub phases: Vec<Phase>,
    pub peak_memory_kib: Option<u64>,
    pub binaries: Vec<(String, Option<u64>)>,
    /// Error Log entries the run raised (a clean run raises none).
    pub errors: Vec<String>,
}

/// Bytes written by the functions' JSON log layer (`sfsync bench` installs it at `info`,
/// the functions' default, writing nowhere but here).
pub static LOG_BYTES: AtomicU64 = AtomicU64::new(0);

/// A `MakeWriter` that counts what it is given into `LOG_BYTES`.
#[derive(Clone, Copy, Default)]
pub struct LogCounter;

impl std::io::Write for LogCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG_BYTES.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct Meter<'a> {
    stack: &'a LocalStack,
    started: Instant,
    sf: u64,
    ipaas: u64,
    tally: crate::stack::Tally,
    invocations: u64,
    billed: std::collections::BTreeMap<&'static str, Billed>,
    aws: AwsCalls,
    log_bytes: u64,
}

impl<'a> Meter<'a> {
    fn start(stack: &'a LocalStack) -> Self {
        Meter {
            stack,
            started: Instant::now(),
            sf: stack.salesforce.counters().total(),
            ipaas: stack.ipaas.counters().total(),
            tally: stack.tally(),
            invocations: stack.invocations(),
            billed: stack.billed.snapshot(),
            aws: (stack.backend.calls)(),
            log_bytes: LOG_BYTES.load(Ordering::Relaxed),
        }
    }

    /// The clock starts now; what was counted since `start` stays (the webhook deliveries
    /// that brought a FROM phase's records in while people made them).
    fn restart_clock(mut self) -> Self {
        self.started = Instant::now();
        self
    }

    fn stop(self, name: &'static str, records: usize) -> Phase {
        let billed_now = self.stack.billed.snapshot();
        let billed = billed_now
            .iter()
            .map(|(f, b)| {
                let was = self.billed.get(f).copied().unwrap_or_default();
                (
                    *f,
                    Billed {
                        invocations: b.invocations - was.invocations,
                        billed_ms: b.billed_ms - was.billed_ms,
                    },
                )
            })
            .filter(|(_, b)| b.invocations > 0)
            .collect();
        Phase {
            name,
            records,
            elapsed: self.started.elapsed(),
            salesforce_calls: self.stack.salesforce.counters().total() - self.sf,
            ipaas_calls: self.stack.ipaas.counters().total() - self.ipaas,
            outcomes: outcomes_since(&self.tally, &self.stack.tally()),
            invocations: self.stack.invocations() - self.invocations,
            billed,
            aws: (self.stack.backend.calls)().since(&self.aws),
            log_bytes: LOG_BYTES.load(Ordering::Relaxed) - self.log_bytes,
        }
    }
}

pub async fn run(opts: &BenchOptions) -> anyhow::Result<BenchReport> {
    let stack = LocalStack::start(StackOptions {
        batch_size: opts.batch_size.clamp(1, 10_000),
        concurrency: opts.concurrency.max(1),
        retry: RetryPolicy::default(),
        aws_endpoint: opts.aws_endpoint.clone(),
        aws_latency: crate::stack_backend::AwsLatency {
            dynamodb: opts.dynamodb_latency,
            sqs: opts.sqs_latency,
        },
        ..Default::default()
    })
    .await?;
    let accounts = (opts.records / 4).max(1);
    let contacts = opts.records.saturating_sub(accounts).max(1);
    stack.salesforce.set_faults(Faults {
        latency: opts.salesforce_latency,
        ..Default::default()
    });
    stack.ipaas.set_faults(Faults {
        latency: opts.ipaas_latency,
        ..Default::default()
    });
    // The session is opened before measuring: one token per container, not per record.
    stack.ctx.salesforce.integration_user_id().await?;
    if !opts.initial_load {
        // The steady state: the deployment has been polling for a minute when people make
        // these records, so they are newer than its first poll (`poller::EPOCH`).
        let started = chrono::Utc::now() - chrono::Duration::seconds(60);
        stack
            .backend
            .state
            .advance_cursor(
                shared::poller::EPOCH,
                &shared::state::Cursor::at(started, ""),
            )
            .await?;
    }

    let mut account_ids = Vec::with_capacity(accounts);
    for i in 0..accounts {
        account_ids.push(stack.person_creates("Account", json!({"Name": format!("Bench Account {i:06}"), "Phone": format!("+1 555 01{i:05}"), "BillingCity": "Springfield"})));
    }
    for i in 0..contacts {
        stack.person_creates(
            "Contact",
            json!({"LastName": format!("Bench Contact {i:06}"), "Email": format!("c{i}@bench.example"), "AccountId": account_ids[i % accounts].as_str()}),
        );
    }

    let mut phases = Vec::new();
    let meter = Meter::start(&stack);
    loop {
        let reports = stack.poll().await?;
        if reports.iter().all(|(_, r)| !r.backlog) {
            break;
        }
    }
    phases.push(meter.stop("poll (Salesforce → queues)", accounts + contacts));
    let meter = Meter::start(&stack);
    stack.drain_flows(&[Flow::AccountToIpaas]).await;
    phases.push(meter.stop("Account TO iPaaS.com", accounts));
    let meter = Meter::start(&stack);
    stack.drain_flows(&[Flow::ContactToIpaas]).await;
    phases.push(meter.stop("Contact TO iPaaS.com", contacts));
    stack.ipaas.deliveries_settled().await;
    let meter = Meter::start(&stack);
    stack
        .drain_flows(&[Flow::AccountFromIpaas, Flow::ContactFromIpaas])
        .await;
    phases.push(meter.stop("echoes of our writes (FROM)", accounts + contacts));

    let meter = Meter::start(&stack);
    let mut companies = Vec::with_capacity(accounts);
    for i in 0..accounts {
        companies.push(stack.ipaas.edit_company_as_person(
            None,
            json!({"name": format!("Bench Company {i:06}"), "phone_number": format!("+1 555 02{i:05}")}),
        ));
    }
    stack.ipaas.deliveries_settled().await;
    let meter = meter.restart_clock();
    stack.drain_flows(&[Flow::AccountFromIpaas]).await;
    phases.push(meter.stop("Account FROM iPaaS.com", accounts));
    let meter = Meter::start(&stack);
    for i in 0..contacts {
        stack.ipaas.edit_customer_as_person(
            None,
            json!({"last_name": format!("Bench Customer {i:06}"), "email_address": format!("u{i}@bench.example"), "company_id": companies[i % accounts]}),
        );
    }
    stack.ipaas.deliveries_settled().await;
    let meter = meter.restart_clock();
    stack.drain_flows(&[Flow::ContactFromIpaas]).await;
    phases.push(meter.stop("Contact FROM iPaaS.com", contacts));

    Ok(BenchReport {
        options: opts.clone(),
        phases,
        peak_memory_kib: peak_memory_kib(),
        binaries: binary_sizes(),
        errors: stack
            .error_log()
            .into_iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    e.flow.map(|f| f.to_string()).unwrap_or_default(),
                    e.message
                )
            })
            .collect(),
    })
}

/// The messages that ended each way between two tallies, over all flows.
fn outcomes_since(
    before: &crate::stack::Tally,
    after: &crate::stack::Tally,
) -> std::collections::BTreeMap<&'static str, usize> {
    let mut out = std::collections::BTreeMap::new();
    for (flow, counts) in after {
        for (label, n) in counts {
            let was = before
                .get(flow)
                .and_then(|c| c.get(label))
                .copied()
                .unwrap_or(0);
            if *n > was {
                *out.entry(*label).or_default() += n - was;
            }
        }
    }
    out
}

/// Peak resident memory of this process (Linux `VmHWM`).
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Each function's release `bootstrap` (`cargo lambda build --release`), if built.
pub fn binary_sizes() -> Vec<(String, Option<u64>)> {
    let functions = [
        "salesforce-poller",
        "ipaas-webhook",
        "account-to-ipaas",
        "contact-to-ipaas",
        "account-from-ipaas",
        "contact-from-ipaas",
    ];
    let root = crate::coldstart::lambda_dir();
    functions
        .iter()
        .map(|f| {
            let size = std::fs::metadata(root.join(f).join("bootstrap"))
                .ok()
                .map(|m| m.len());
            (f.to_string(), size)
        })
        .collect()
}

/// The naive implementation's measured rates (records/s, ten workers, the table),
/// by phase name, for its cost computed the same way.
pub const NAIVE_RECORDS_PER_SECOND: [(&str, f64); 5] = [
    ("Account TO iPaaS.com", 101.4),
    ("Contact TO iPaaS.com", 76.6),
    ("echoes of our writes (FROM)", 69.1),
    ("Account FROM iPaaS.com", 57.6),
    ("Contact FROM iPaaS.com", 48.2),
];

fn synced(p: &Phase) -> bool {
    !p.name.starts_with("poll") && !p.name.starts_with("echo")
}

pub fn render(r: &BenchReport) -> String {
    let mut out = String::new();
    let o = &r.options;
    let prices = crate::cost::US_EAST_1;
    let _ = writeln!(
        out,
        "sfsync bench: {} records per side, latency per call: Salesforce {} ms, iPaaS.com {} ms, {}; batch {}, concurrency {}, {}\n",
        o.records,
        o.salesforce_latency.as_millis(),
        o.ipaas_latency.as_millis(),
        match &o.aws_endpoint {
            Some(e) => format!("AWS at {e}"),
            None => format!(
                "DynamoDB {} ms, SQS send {} ms (in memory)",
                o.dynamodb_latency.as_millis(),
                o.sqs_latency.as_millis()
            ),
        },
        o.batch_size,
        o.concurrency,
        if o.initial_load {
            "records made before the deployment first polled (--initial-load)"
        } else {
            "records made while the deployment runs"
        }
    );
    let _ = writeln!(
        out,
        "{:<30} {:>8} {:>8} {:>10} {:>9} {:>9}  outcomes",
        "phase", "records", "seconds", "records/s", "SF/rec", "iPaaS/rec"
    );
    for p in &r.phases {
        let outcomes: Vec<String> = p.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            out,
            "{:<30} {:>8} {:>8.2} {:>10.1} {:>9.4} {:>9.2}  {}",
            p.name,
            p.records,
            p.elapsed.as_secs_f64(),
            p.records_per_second(),
            p.salesforce_per_record(),
            p.ipaas_per_record(),
            outcomes.join(", ")
        );
    }
    let synced_records: usize = r
        .phases
        .iter()
        .filter(|p| synced(p))
        .map(|p| p.records)
        .sum();
    let secs: f64 = r.phases.iter().map(|p| p.elapsed.as_secs_f64()).sum();
    let _ = writeln!(
        out,
        "\n{synced_records} records synced in {secs:.2} s (every phase counted): {:.1} records/s overall",
        synced_records as f64 / secs.max(1e-9)
    );

    let measured = r.phases.first().is_some_and(|p| p.aws.measured);
    let _ = writeln!(
        out,
        "\nAWS per record ({}):",
        if measured {
            "SDK calls to the AWS endpoint, counted"
        } else {
            "the in-memory adapters' calls, counted as the AWS adapters make them; --aws-endpoint counts real ones"
        }
    );
    let _ = writeln!(
        out,
        "{:<30} {:>8} {:>9} {:>8} {:>8} {:>7} {:>9} {:>9} {:>10}",
        "phase",
        "Lambda",
        "billed ms",
        "DynamoDB",
        "RRU+WRU",
        "SQS",
        "Secrets",
        "log B",
        "$/M records"
    );
    let mut total = Usage::default();
    for p in &r.phases {
        let u = p.usage();
        total.add(&u);
        let per = u.per(p.records as f64, 1.0);
        let _ = writeln!(
            out,
            "{:<30} {:>8.3} {:>9.2} {:>8.2} {:>8.2} {:>7.3} {:>9.4} {:>9.0} {:>10.2}",
            p.name,
            per.invocations,
            per.billed_ms,
            p.per_record(p.aws.dynamodb.total()),
            per.read_units + per.write_units,
            per.sqs_requests,
            per.secrets_calls,
            per.log_bytes,
            p.cost_per_million(&prices).total()
        );
    }
    let _ = writeln!(out, "DynamoDB calls per record, by operation:");
    for p in &r.phases {
        let ops: Vec<String> = p
            .aws
            .dynamodb
            .calls
            .iter()
            .map(|(op, t)| format!("{op} {:.2}", p.per_record(t.calls)))
            .collect();
        let _ = writeln!(out, "  {:<30} {}", p.name, ops.join(", "));
    }
    let whole = Cost::of(&total.per(synced_records as f64, 1e6), &prices);
    let _ = writeln!(
        out,
        "a million records synced, every phase's share included: {}",
        whole.line()
    );

    // The naive implementation, priced the same way from its measured rates.
    let webhook_ms = r
        .phases
        .iter()
        .filter_map(|p| p.billed.get("webhook"))
        .fold((0.0, 0u64), |(ms, n), b| {
            (ms + b.billed_ms, n + b.invocations)
        });
    let webhook_ms = webhook_ms.0 / webhook_ms.1.max(1) as f64;
    let _ = writeln!(
        out,
        "\nper million records, next to the naive implementation (one record per invocation, its measured rate, priced the same way):"
    );
    let mut naive_total = Usage::default();
    for p in &r.phases {
        let Some((_, rate)) = NAIVE_RECORDS_PER_SECOND.iter().find(|(n, _)| *n == p.name) else {
            continue;
        };
        let from = p.name.contains("FROM");
        let naive = crate::cost::naive_usage(*rate, 10.0, from.then_some(webhook_ms));
        naive_total.add(&naive.per(1.0, p.records as f64));
        let _ = writeln!(
            out,
            "  {:<30} sfsync {:>8}   naive {:>8}",
            p.name,
            format!("${:.2}", p.cost_per_million(&prices).total()),
            format!("${:.2}", Cost::of(&naive.per(1.0, 1e6), &prices).total())
        );
    }
    let naive_whole = Cost::of(&naive_total.per(synced_records as f64, 1e6), &prices);
    let _ = writeln!(
        out,
        "  {:<30} sfsync {:>8}   naive {:>8}",
        "whole run",
        format!("${:.2}", whole.total()),
        format!("${:.2}", naive_whole.total())
    );
    let _ = write!(out, "{}", crate::cost::render_prices(&prices));

    if r.errors.is_empty() {
        let _ = writeln!(out, "\nError Log: no entries");
    } else {
        let _ = writeln!(
            out,
            "\nError Log: {} entries (the figures above include failed records):",
            r.errors.len()
        );
        for e in r.errors.iter().take(10) {
            let _ = writeln!(out, "  {e}");
        }
    }
    if let Some(kib) = r.peak_memory_kib {
        let _ = writeln!(
            out,
            "peak memory (whole local stack, both simulators included): {:.1} MiB",
            kib as f64 / 1024.0
        );
    }
    let _ = writeln!(
        out,
        "\nLambda binaries (release bootstrap, `cargo lambda build --release`):"
    );
    for (name, size) in &r.binaries {
        match size {
            Some(b) => {
                let _ = writeln!(
                    out,
                    "  {name:<20} {:>6.1} MiB",
                    *b as f64 / (1024.0 * 1024.0)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  {name:<20} not built (cargo lambda build --release -p {name})"
                );
            }
        }
    }
    out
}
