//! `sfsync bench`: the local stack at a chosen size, with simulated network latency on
//! every API call, phase by phase, so each flow's API calls can be counted on their own:
//! poll, Account TO, Contact TO, the webhook echoes of our own writes, Account FROM,
//! Contact FROM. Prints records per second, API calls per record per system and flow, peak
//! memory and the size of each Lambda binary.

use crate::stack::{LocalStack, StackOptions};
use serde_json::json;
use shared::flow::Flow;
use shared::http::retry::RetryPolicy;
use sim::faults::Faults;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Records made on each side (a quarter Accounts/Companies, the rest Contacts/Customers).
    pub records: usize,
    pub salesforce_latency: Duration,
    pub ipaas_latency: Duration,
    /// Messages per worker invocation (SQS batch size).
    pub batch_size: usize,
    /// Worker invocations at once.
    pub concurrency: usize,
    /// The records exist before the deployment first polls (see `sfsync bench --help`).
    pub initial_load: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            records: 1_000,
            salesforce_latency: Duration::from_millis(50),
            ipaas_latency: Duration::from_millis(30),
            batch_size: 10,
            concurrency: 10,
            initial_load: false,
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
}

impl Phase {
    pub fn salesforce_per_record(&self) -> f64 {
        self.salesforce_calls as f64 / self.records.max(1) as f64
    }
    pub fn ipaas_per_record(&self) -> f64 {
        self.ipaas_calls as f64 / self.records.max(1) as f64
    }
}

pub struct BenchReport {
    pub options: BenchOptions,
    pub phases: Vec<Phase>,
    pub peak_memory_kib: Option<u64>,
    pub binaries: Vec<(String, Option<u64>)>,
}

struct Meter<'a> {
    stack: &'a LocalStack,
    started: Instant,
    sf: u64,
    ipaas: u64,
    tally: crate::stack::Tally,
    invocations: u64,
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
        }
    }

    fn stop(self, name: &'static str, records: usize) -> Phase {
        Phase {
            name,
            records,
            elapsed: self.started.elapsed(),
            salesforce_calls: self.stack.salesforce.counters().total() - self.sf,
            ipaas_calls: self.stack.ipaas.counters().total() - self.ipaas,
            outcomes: outcomes_since(&self.tally, &self.stack.tally()),
            invocations: self.stack.invocations() - self.invocations,
        }
    }
}

pub async fn run(opts: &BenchOptions) -> anyhow::Result<BenchReport> {
    let stack = LocalStack::start(StackOptions {
        batch_size: opts.batch_size.clamp(1, 10_000),
        concurrency: opts.concurrency.max(1),
        retry: RetryPolicy::default(),
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
        use shared::state::StateStore;
        stack
            .state
            .advance_cursor(shared::poller::EPOCH, &shared::state::Cursor::at(started, ""))
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
    let meter = Meter::start(&stack);
    stack
        .drain_flows(&[Flow::AccountFromIpaas, Flow::ContactFromIpaas])
        .await;
    phases.push(meter.stop("echoes of our writes (FROM)", accounts + contacts));

    let mut companies = Vec::with_capacity(accounts);
    for i in 0..accounts {
        companies.push(stack.ipaas.edit_company_as_person(
            None,
            json!({"name": format!("Bench Company {i:06}"), "phone_number": format!("+1 555 02{i:05}")}),
        ));
    }
    stack.ipaas.deliveries_settled().await;
    let meter = Meter::start(&stack);
    stack.drain_flows(&[Flow::AccountFromIpaas]).await;
    phases.push(meter.stop("Account FROM iPaaS.com", accounts));
    for i in 0..contacts {
        stack.ipaas.edit_customer_as_person(
            None,
            json!({"last_name": format!("Bench Customer {i:06}"), "email_address": format!("u{i}@bench.example"), "company_id": companies[i % accounts]}),
        );
    }
    stack.ipaas.deliveries_settled().await;
    let meter = Meter::start(&stack);
    stack.drain_flows(&[Flow::ContactFromIpaas]).await;
    phases.push(meter.stop("Contact FROM iPaaS.com", contacts));

    Ok(BenchReport {
        options: opts.clone(),
        phases,
        peak_memory_kib: peak_memory_kib(),
        binaries: binary_sizes(),
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
            let was = before.get(flow).and_then(|c| c.get(label)).copied().unwrap_or(0);
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

pub fn render(r: &BenchReport) -> String {
    let mut out = String::new();
    let o = &r.options;
    let _ = writeln!(
        out,
        "sfsync bench: {} records per side, Salesforce latency {} ms, iPaaS.com latency {} ms, batch {}, concurrency {}\n",
        o.records,
        o.salesforce_latency.as_millis(),
        o.ipaas_latency.as_millis(),
        o.batch_size,
        o.concurrency
    );
    let _ = writeln!(
        out,
        "{:<30} {:>8} {:>9} {:>10} {:>14} {:>14}",
        "phase", "records", "seconds", "records/s", "SF calls/rec", "iPaaS calls/rec"
    );
    for p in &r.phases {
        let secs = p.elapsed.as_secs_f64();
        let outcomes: Vec<String> = p.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            out,
            "{:<30} {:>8} {:>9.2} {:>10.1} {:>14.4} {:>14.2}  {} invocations; {}",
            p.name,
            p.records,
            secs,
            p.records as f64 / secs.max(1e-9),
            p.salesforce_per_record(),
            p.ipaas_per_record(),
            p.invocations,
            outcomes.join(", ")
        );
    }
    let synced: usize = r
        .phases
        .iter()
        .filter(|p| !p.name.starts_with("poll") && !p.name.starts_with("echo"))
        .map(|p| p.records)
        .sum();
    let secs: f64 = r.phases.iter().map(|p| p.elapsed.as_secs_f64()).sum();
    let _ = writeln!(
        out,
        "\n{synced} records synced in {secs:.1} s: {:.1} records/s overall",
        synced as f64 / secs.max(1e-9)
    );
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
