//! Account TO iPaaS.com: a changed Salesforce Account becomes an iPaaS.com Company (with its
//! billing and shipping addresses) linked to the Account's Id.
//!
//! Target: the link, else the ledger, else (after an interrupted create) the unlinked
//! Company of the same name. Unchanged Companies are not written (no ping-pong); a message
//! older than the change already applied is stale. The create is announced in the ledger
//! first, so a crash between create and link never makes a second Company.

use super::context::{
    ipaas_transient, is_stale, salesforce_transient, state_failure, FlowContext, FlowSettings,
};
use super::Outcome;
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::LinkTable;
use crate::mapping::{account_to_company, fingerprint};
use crate::queue::WorkMessage;
use crate::records::Account;
use crate::salesforce::SalesforceId;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

const FLOW: Flow = Flow::AccountToIpaas;

/// Processes a batch: one SOQL read for all Accounts, then one sync per Account.
pub async fn run(
    ctx: &FlowContext,
    settings: FlowSettings,
    messages: &[WorkMessage],
) -> Vec<Outcome> {
    let ids: Vec<Option<SalesforceId>> = messages
        .iter()
        .map(|m| SalesforceId::parse(&m.record_id).ok())
        .collect();
    let valid: Vec<&SalesforceId> = ids.iter().flatten().collect();
    let accounts = match read_accounts(ctx, &valid).await {
        Ok(a) => a,
        Err(outcome) => return messages.iter().map(|_| outcome.clone()).collect(),
    };
    let mut out = Vec::with_capacity(messages.len());
    for (m, id) in messages.iter().zip(&ids) {
        let Some(id) = id else {
            out.push(rejected(&m.record_id));
            continue;
        };
        out.push(match accounts.get(id.as_str()) {
            Some(account) => sync(ctx, settings, account, m.changed_at).await,
            None => Outcome::Skipped {
                reason: "the Account no longer exists in Salesforce (deletes are not synced)"
                    .into(),
            },
        });
    }
    out
}

pub(super) fn rejected(raw: &str) -> Outcome {
    let reason = format!("{raw:?} is not a Salesforce Id");
    tracing::error!(flow = %FLOW, %reason, "message refused");
    Outcome::Rejected { reason }
}

/// Reads Accounts by Id in one query (per 200 Ids).
pub(super) async fn read_accounts(
    ctx: &FlowContext,
    ids: &[&SalesforceId],
) -> Result<HashMap<String, Account>, Outcome> {
    let rows = ctx
        .salesforce
        .query_by_ids("Account", &Account::soql_fields(), ids)
        .await
        .map_err(|e| Outcome::Failed {
            retry: salesforce_transient(&e),
            raised: e.to_raised(),
        })?;
    Ok(rows
        .into_iter()
        .map(|(id, fields)| (id, Account::from_fields(&fields)))
        .collect())
}

/// Syncs one Account that has been read from Salesforce.
pub async fn sync(
    ctx: &FlowContext,
    settings: FlowSettings,
    account: &Account,
    changed_at: Option<DateTime<Utc>>,
) -> Outcome {
    let Some(sf_id) = account.id.as_ref().map(|i| i.to_string()) else {
        return rejected("(no Id)");
    };
    let record = RecordRef::new(System::Salesforce, "Account", sf_id.clone());
    let mut entry = match ctx.ledger(FLOW, &sf_id).await {
        Ok(e) => e,
        Err(e) => return state_failure(FLOW, &sf_id, e),
    };
    let version = account.system_modstamp.or(changed_at);
    if is_stale(&entry, version) {
        return Outcome::Stale;
    }

    // Find the Company: the link first, then our own ledger, then an interrupted create.
    let ipaas = &ctx.ipaas;
    let linked = match ipaas.lookup_link(LinkTable::Company, &sf_id).await {
        Ok(found) => found,
        Err(e) => {
            return ctx
                .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                .await
        }
    };
    let target = linked.or_else(|| entry.target_id.as_deref().and_then(|t| t.parse().ok()));
    let target = match (target, entry.creating_since) {
        (None, Some(since)) => match recover_created(ctx, account, since).await {
            Ok(found) => found,
            Err(e) => {
                return ctx
                    .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                    .await
            }
        },
        (t, _) => t,
    };
    let existing = match target {
        Some(id) => match ipaas.get_company(id).await {
            Ok(c) => c,
            Err(e) => {
                return ctx
                    .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                    .await
            }
        },
        None => None,
    };

    let company = account_to_company(account, existing.as_ref());
    let hash = fingerprint(&serde_json::to_value(&company).unwrap_or_default());
    let outcome = match existing {
        Some(current) => {
            let id = current.id.unwrap_or_default();
            if current == company {
                Outcome::Unchanged {
                    target: id.to_string(),
                }
            } else if !settings.sync_type.may_update() {
                return Outcome::Skipped {
                    reason: "sync type Add: existing Companies are not updated".into(),
                };
            } else {
                match ipaas.update_company(id, &company).await {
                    Ok(_) => Outcome::Updated {
                        target: id.to_string(),
                    },
                    Err(e) => {
                        return ctx
                            .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                            .await
                    }
                }
            }
        }
        None => {
            if !settings.sync_type.may_create() {
                return Outcome::Skipped {
                    reason: "sync type Update: no linked Company to update".into(),
                };
            }
            if let Some(wait) = ctx.pending_create(&entry) {
                return wait;
            }
            entry = match ctx.creating(FLOW, &sf_id, entry).await {
                Ok(e) => e,
                Err(outcome) => return outcome,
            };
            let created = match ipaas.create_company(&company).await {
                Ok(c) => c,
                Err(e) => {
                    if matches!(e, crate::ipaas::IpaasError::Status { .. }) {
                        // iPaaS.com answered with an error: nothing was created.
                        ctx.abandon_create(FLOW, &sf_id, &mut entry).await;
                    }
                    return ctx
                        .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                        .await;
                }
            };
            let id = created.id.unwrap_or_default();
            if let Err(e) = ipaas.write_link(LinkTable::Company, &sf_id, id).await {
                return ctx
                    .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                    .await;
            }
            Outcome::Created {
                target: id.to_string(),
            }
        }
    };
    let target_id = match &outcome {
        Outcome::Created { target }
        | Outcome::Updated { target }
        | Outcome::Unchanged { target } => target.clone(),
        _ => return outcome,
    };
    // A Company known by ledger only (created before the link call failed) is linked now.
    if linked.is_none() && !matches!(outcome, Outcome::Created { .. }) {
        if let Ok(id) = target_id.parse::<u64>() {
            if let Err(e) = ipaas.write_link(LinkTable::Company, &sf_id, id).await {
                return ctx
                    .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                    .await;
            }
        }
    }
    if let Err(e) = ctx
        .applied(FLOW, &sf_id, entry, &target_id, Some(hash), version)
        .await
    {
        return state_failure(FLOW, &sf_id, e);
    }
    // The Company's webhook will come back to Account FROM iPaaS.com; tell that flow what
    // Salesforce already holds, so the echo costs no Salesforce call.
    let echo = crate::mapping::company_to_account(&company).to_fields();
    ctx.note_in_sync(Flow::AccountFromIpaas, &target_id, &sf_id, &echo)
        .await;
    outcome
}

/// After a create that may have happened before a crash: the Company of this name, changed
/// since the attempt began and linked to nothing in this Salesforce org, is ours.
async fn recover_created(
    ctx: &FlowContext,
    account: &Account,
    since: DateTime<Utc>,
) -> Result<Option<u64>, crate::ipaas::IpaasError> {
    let Some(name) = account
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        return Ok(None);
    };
    let system = ctx.ipaas.system_id();
    let candidates = ctx.ipaas.find_companies_by_name(name).await?;
    let ours: Vec<u64> = candidates
        .iter()
        .filter(|c| c.link_for(system).is_none())
        .filter(|c| {
            c.last_modified_date
                .is_none_or(|t| t >= since - chrono::Duration::seconds(5))
        })
        .filter_map(|c| c.id)
        .collect();
    Ok(match ours.as_slice() {
        [one] => Some(*one),
        _ => None,
    })
}
