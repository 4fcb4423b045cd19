//! What each invocation did, as CloudWatch metrics: Embedded Metric Format (EMF) lines on
//! stdout, which CloudWatch Logs turns into metrics without an API call or a permission.
//! A worker writes one line per batch (dimension `Flow`); the poller one line per polled flow
//! (`Flow`) and one for its own API spending (`Function`). The documents are made by
//! `metrics_cloudwatch_embedded` behind the `metrics` facade: one recorder per process, which
//! suits Lambda (one invocation at a time per container).

use crate::config::{ConfigError, Env};
use crate::flow::Flow;
use crate::flows::{BatchReport, FlowContext};
use crate::poller::PollReport;
use ::metrics::{counter, describe_counter, describe_gauge, gauge, Unit};
use metrics_cloudwatch_embedded::Collector;

/// Where the namespace comes from (the template sets `sfsync/<stack name>`).
pub const NAMESPACE_VARIABLE: &str = "METRICS_NAMESPACE";
pub const DEFAULT_NAMESPACE: &str = "sfsync";

/// Per-flow outcome counts, in the order the demo report shows them.
pub const OUTCOMES: [&str; 8] = [
    "Created",
    "Updated",
    "Linked",
    "Unchanged",
    "Skipped",
    "Stale",
    "Failed",
    "Postponed",
];
/// Messages a worker was handed (the denominator of the failure rate).
pub const MESSAGES: &str = "Messages";
pub const SALESFORCE_CALLS: &str = "SalesforceCalls";
pub const IPAAS_CALLS: &str = "IpaasCalls";
/// Share of the org's daily API allowance used, as of the last Salesforce answer (Percent).
pub const API_BUDGET_USED: &str = "ApiBudgetUsed";
/// Records the poller handed to a flow's queue.
pub const ENQUEUED: &str = "Enqueued";
/// Poll ticks whose Salesforce read failed (the Error Log has the entry).
pub const POLL_FAILURES: &str = "PollFailures";
/// The dimension of the poller's own line.
pub const POLLER_FUNCTION: &str = "salesforce-poller";

/// Every metric name the functions write (the dashboard and alarms may use only these).
pub fn names() -> Vec<&'static str> {
    let mut all = OUTCOMES.to_vec();
    all.extend([
        MESSAGES,
        SALESFORCE_CALLS,
        IPAAS_CALLS,
        API_BUDGET_USED,
        ENQUEUED,
        POLL_FAILURES,
    ]);
    all
}

/// The metric a batch outcome label counts towards. Messages put back for a reason of our
/// own (`deferred`) come again like put-off ones; unusable ones (`rejected`) fail.
pub fn metric_of(label: &str) -> Option<&'static str> {
    Some(match label {
        "created" => "Created",
        "updated" => "Updated",
        "linked" => "Linked",
        "unchanged" => "Unchanged",
        "skipped" => "Skipped",
        "stale" => "Stale",
        "failed" | "rejected" => "Failed",
        "postponed" | "deferred" => "Postponed",
        _ => return None,
    })
}

/// API requests a flow context's clients have sent so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Calls {
    pub salesforce: u64,
    pub ipaas: u64,
}

impl Calls {
    pub fn of(ctx: &FlowContext) -> Calls {
        Calls {
            salesforce: ctx.salesforce.calls(),
            ipaas: ctx.ipaas.calls(),
        }
    }

    pub fn since(self, before: Calls) -> Calls {
        Calls {
            salesforce: self.salesforce.saturating_sub(before.salesforce),
            ipaas: self.ipaas.saturating_sub(before.ipaas),
        }
    }
}

/// The process's metrics recorder; `flush` writes what was recorded since the last flush.
pub struct InvocationMetrics {
    collector: &'static Collector,
}

impl InvocationMetrics {
    /// Installs the recorder. Call once per process (a second call is an error).
    pub fn init(env: &dyn Env) -> Result<InvocationMetrics, ConfigError> {
        let namespace = namespace(env)?;
        let collector = metrics_cloudwatch_embedded::Builder::new()
            .cloudwatch_namespace(namespace)
            // A quiet batch still reports its zeros, so a rate has a denominator.
            .emit_zeros(true)
            .init()
            .map_err(|e| ConfigError::Invalid {
                name: NAMESPACE_VARIABLE,
                reason: format!("the metrics recorder could not start: {e}"),
            })?;
        for name in names().into_iter().filter(|n| *n != API_BUDGET_USED) {
            describe_counter!(name, Unit::Count, "");
        }
        describe_gauge!(API_BUDGET_USED, Unit::Percent, "");
        Ok(InvocationMetrics { collector })
    }

    /// Writes the lines recorded since the last flush to stdout, in one write so no log
    /// line lands inside them.
    pub fn flush(&self) {
        let mut lines = Vec::new();
        if let Err(e) = self.collector.flush(&mut lines) {
            tracing::warn!(error = %e, "could not write the invocation metrics");
            return;
        }
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(&lines).and_then(|_| out.flush()) {
            tracing::warn!(error = %e, "could not write the invocation metrics");
        }
    }
}

/// Records a worker's batch: its outcomes and the API calls it spent. (Like the two below,
/// a no-op in a process without a recorder, such as the local stack.)
pub fn record_batch(flow: Flow, report: &BatchReport, calls: Calls, ctx: &FlowContext) {
    let flow = flow.slug();
    let mut by_metric: std::collections::BTreeMap<&'static str, u64> =
        OUTCOMES.iter().map(|m| (*m, 0)).collect();
    // A message that is not even readable fails too (it goes on to the dead-letter queue).
    *by_metric.entry("Failed").or_default() += report.malformed as u64;
    let mut messages = report.malformed as u64;
    for (label, n) in &report.counts {
        messages += *n as u64;
        if let Some(metric) = metric_of(label) {
            *by_metric.entry(metric).or_default() += *n as u64;
        }
    }
    for (name, n) in by_metric {
        counter!(name, "Flow" => flow).increment(n);
    }
    counter!(MESSAGES, "Flow" => flow).increment(messages);
    counter!(SALESFORCE_CALLS, "Flow" => flow).increment(calls.salesforce);
    counter!(IPAAS_CALLS, "Flow" => flow).increment(calls.ipaas);
    if let Some(usage) = ctx.salesforce.api_usage() {
        gauge!(API_BUDGET_USED, "Flow" => flow).set(usage.share() * 100.0);
    }
}

/// Records one flow's poll: records handed on and Contacts skipped by design; `None` = the
/// read failed.
pub fn record_poll(flow: Flow, report: Option<&PollReport>) {
    let flow = flow.slug();
    let (enqueued, skipped) = report.map_or((0, 0), |r| (r.enqueued, r.skipped_no_account));
    counter!(ENQUEUED, "Flow" => flow).increment(enqueued as u64);
    counter!("Skipped", "Flow" => flow).increment(skipped as u64);
    counter!(POLL_FAILURES, "Function" => POLLER_FUNCTION).increment(report.is_none().into());
}

/// Records the poller's API spending in one tick.
pub fn record_poll_calls(calls: Calls, ctx: &FlowContext) {
    counter!(SALESFORCE_CALLS, "Function" => POLLER_FUNCTION).increment(calls.salesforce);
    counter!(IPAAS_CALLS, "Function" => POLLER_FUNCTION).increment(calls.ipaas);
    if let Some(usage) = ctx.salesforce.api_usage() {
        gauge!(API_BUDGET_USED, "Function" => POLLER_FUNCTION).set(usage.share() * 100.0);
    }
}

/// `METRICS_NAMESPACE`, checked against CloudWatch's rules for a namespace.
pub fn namespace(env: &dyn Env) -> Result<String, ConfigError> {
    let ns = env
        .var(NAMESPACE_VARIABLE)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".-_/#:".contains(c);
    if ns.len() > 255 || !ns.chars().all(allowed) || ns.starts_with("AWS/") {
        return Err(ConfigError::Invalid {
            name: NAMESPACE_VARIABLE,
            reason: format!(
                "{ns:?} is not a CloudWatch namespace (up to 255 of A-Z a-z 0-9 . - _ / # :, not starting with AWS/)"
            ),
        });
    }
    Ok(ns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_outcome_label_has_its_metric() {
        for label in [
            "created",
            "updated",
            "linked",
            "unchanged",
            "skipped",
            "stale",
            "failed",
            "deferred",
            "rejected",
            "postponed",
        ] {
            assert!(metric_of(label).is_some(), "{label}");
        }
    }

    #[test]
    fn namespace_follows_cloudwatch_rules() {
        let env = |v: &str| HashMap::from([(NAMESPACE_VARIABLE.to_string(), v.to_string())]);
        assert_eq!(namespace(&HashMap::new()).unwrap(), "sfsync");
        assert_eq!(namespace(&env("sfsync/prod-1")).unwrap(), "sfsync/prod-1");
        for bad in ["AWS/Lambda", "with space", "é"] {
            assert!(namespace(&env(bad)).is_err(), "{bad}");
        }
    }
}
