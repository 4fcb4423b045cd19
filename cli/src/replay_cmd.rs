//! `sfsync replay`: sends a flow's dead-letter messages back to its queue.

use anyhow::{anyhow, Context};
use shared::flow::Flow;
use std::collections::HashSet;

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
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| {
            anyhow!(
                "no {what} for {flow}: pass --{} or set {name} (the stack outputs list both)",
                what.to_ascii_lowercase().replace('_', "-")
            )
        })
}

pub async fn run(opts: ReplayOptions) -> anyhow::Result<String> {
    let queue = url(opts.queue_url, opts.flow, "QUEUE_URL")?;
    let dlq = url(opts.dlq_url, opts.flow, "DLQ_URL")?;
    let client = aws_sdk_sqs::Client::new(&aws_config::load_from_env().await);
    let records: HashSet<String> = opts.records.into_iter().collect();
    let report = shared::queue::replay(&client, &dlq, &queue, &records)
        .await
        .context("replay did not finish; run it again to move the rest")?;
    Ok(format!(
        "{}: moved {} message(s) from the dead-letter queue back to the queue{}.",
        opts.flow,
        report.moved,
        if report.left > 0 {
            format!("; {} other message(s) left in place", report.left)
        } else {
            String::new()
        }
    ))
}
