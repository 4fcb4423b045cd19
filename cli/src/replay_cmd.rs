//! `sfsync replay`: sends a flow's dead-letter messages back to its queue. Both queues are
//! checked first (they exist, they differ), errors are one sentence, and a `--record` that
//! is not in the dead-letter queue is said and fails the command.

use anyhow::anyhow;
use shared::flow::Flow;
use std::collections::{BTreeSet, HashSet};

pub struct ReplayOptions {
    pub flow: Flow,
    pub records: Vec<String>,
    pub queue_url: Option<String>,
    pub dlq_url: Option<String>,
}

/// `ACCOUNT_TO_IPAAS_QUEUE_URL`, `ACCOUNT_TO_IPAAS_DLQ_URL`, …
fn env_name(flow: Flow, what: &str) -> String {
    format!(
        "{}_{what}",
        flow.slug().to_ascii_uppercase().replace('-', "_")
    )
}

fn url(given: Option<String>, flow: Flow, what: &str) -> anyhow::Result<String> {
    let name = env_name(flow, what);
    given
        .or_else(|| std::env::var(&name).ok())
        .map(|u| u.trim().to_string())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            anyhow!(
                "no {} for {flow}: pass --{} or set {name} (the stack outputs list both)",
                what.to_ascii_lowercase().replace('_', " "),
                what.to_ascii_lowercase().replace('_', "-")
            )
        })
}

/// What the command prints on success, and any warnings (printed to stderr).
pub struct Replayed {
    pub summary: String,
    pub warnings: Vec<String>,
}

pub async fn run(opts: ReplayOptions) -> anyhow::Result<Replayed> {
    let queue = url(opts.queue_url, opts.flow, "QUEUE_URL")?;
    let dlq = url(opts.dlq_url, opts.flow, "DLQ_URL")?;
    let client = aws_sdk_sqs::Client::new(&crate::local_aws::loader().load().await);
    let mut warnings: Vec<String> = shared::queue::check_queues(&client, &dlq, &queue)
        .await?
        .into_iter()
        .collect();
    let wanted: HashSet<String> = opts.records.into_iter().collect();
    let report = shared::queue::replay(&client, &dlq, &queue, &wanted)
        .await
        .map_err(|e| anyhow!("{e}. Run the same command again to move the rest."))?;
    let summary = format!(
        "{}: moved {} message(s) from the dead-letter queue back to the queue{}.",
        opts.flow,
        report.moved,
        if report.left > 0 {
            format!("; {} other message(s) left in place", report.left)
        } else {
            String::new()
        }
    );
    let missing: BTreeSet<&String> = wanted
        .iter()
        .filter(|r| !report.records.contains(*r))
        .collect();
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        return Err(anyhow!(
            "{summary}\nNot in the dead-letter queue: record(s) {}. Check the ids (the Error Log entry names the record) and the flow.",
            list.join(", ")
        ));
    }
    if report.moved == 0 {
        warnings.push("the dead-letter queue held no messages".into());
    }
    Ok(Replayed { summary, warnings })
}
