//! Records one direction is creating, as the other direction sees them before their link.
//!
//! When Account TO iPaaS.com creates a Company and the answer is lost, the Company exists
//! with no link, and its webhook reaches Account FROM iPaaS.com, which would make a second
//! Account for it. Nothing on the Company says where it came from, so the create is noted
//! here by the Company's name before it is sent; the FROM flow leaves an unlinked Company
//! whose name has a pending note alone until the TO flow has found and linked it. (Customers
//! need no note: their customer_number is the Salesforce Contact Id.)

use super::context::FlowContext;
use super::merge::hash;
use crate::flow::Flow;
use crate::state::StateError;

fn key(name: &str) -> String {
    format!("origin-{}", hash(&name.trim().to_lowercase()))
}

/// Notes that the Salesforce Account `sf_id` is creating a Company named `name`.
pub async fn mark(ctx: &FlowContext, name: &str, sf_id: &str) {
    let result = change(ctx, name, |ids| {
        if !ids.iter().any(|i| i == sf_id) {
            ids.push(sf_id.to_string());
        }
    })
    .await;
    if let Err(e) = result {
        tracing::warn!(sf_id, error = %e, "could not note the Company being created");
    }
}

/// The create of `sf_id` is settled (linked, or refused).
pub async fn unmark(ctx: &FlowContext, name: &str, sf_id: &str) {
    if let Err(e) = change(ctx, name, |ids| ids.retain(|i| i != sf_id)).await {
        tracing::warn!(sf_id, error = %e, "could not clear the note of a Company create");
    }
}

/// Whether a Company named `name` is being created by Account TO iPaaS.com (noted less than
/// the origin horizon ago).
pub async fn pending(ctx: &FlowContext, name: &str) -> Result<bool, StateError> {
    let entry = ctx.ledger(Flow::AccountToIpaas, &key(name)).await?;
    let fresh = entry.creating_since.is_some_and(|t| {
        (chrono::Utc::now() - t).to_std().unwrap_or_default() < ctx.pacing.origin_horizon
    });
    Ok(fresh
        && entry
            .target_id
            .as_deref()
            .is_some_and(|ids| !ids.trim().is_empty()))
}

async fn change(
    ctx: &FlowContext,
    name: &str,
    edit: impl Fn(&mut Vec<String>),
) -> Result<(), StateError> {
    let key = key(name);
    let held = ctx.ledger(Flow::AccountToIpaas, &key).await?;
    ctx.update_ledger(Flow::AccountToIpaas, &key, held, |e| {
        let mut ids: Vec<String> = e
            .target_id
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let before = ids.len();
        edit(&mut ids);
        if ids.len() > before {
            e.creating_since = Some(chrono::Utc::now());
        }
        e.target_id = Some(ids.join(" "));
    })
    .await
    .map(|_| ())
}
