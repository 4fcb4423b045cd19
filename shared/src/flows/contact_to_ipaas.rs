//! Contact TO iPaaS.com: a changed Salesforce Contact becomes an iPaaS.com Customer (with its
//! mailing address as the primary shipping address and its Account's Company), linked to
//! the Contact's Id.
//!
//! Target: the link, else the ledger, else a Customer whose customer_number is this Contact
//! Id, else the one Customer with this email → update and link; otherwise create. A Contact
//! without AccountId is skipped by design. A Contact whose Account has not reached iPaaS.com
//! yet brings it along: the Account is synced first (the prerequisite is handled, not left
//! to a retry), so no person has to step in.

use super::account_to_ipaas;
use super::context::{
    ipaas_transient, is_stale, salesforce_transient, state_failure, FlowContext, FlowSettings,
};
use super::Outcome;
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Customer, IpaasError, LinkTable};
use crate::mapping::{contact_to_customer, fingerprint};
use crate::queue::WorkMessage;
use crate::records::Contact;
use crate::salesforce::SalesforceId;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

const FLOW: Flow = Flow::ContactToIpaas;

/// Processes a batch: one SOQL read for all Contacts, then one sync per Contact.
/// `account_settings` are the Account TO flow's, used when an Account must go first.
pub async fn run(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    messages: &[WorkMessage],
) -> Vec<Outcome> {
    let ids: Vec<Option<SalesforceId>> = messages
        .iter()
        .map(|m| SalesforceId::parse(&m.record_id).ok())
        .collect();
    let valid: Vec<&SalesforceId> = ids.iter().flatten().collect();
    let contacts = match read_contacts(ctx, &valid).await {
        Ok(c) => c,
        Err(outcome) => return messages.iter().map(|_| outcome.clone()).collect(),
    };
    let mut out = Vec::with_capacity(messages.len());
    for (m, id) in messages.iter().zip(&ids) {
        let Some(id) = id else {
            out.push(account_to_ipaas::rejected(&m.record_id));
            continue;
        };
        out.push(match contacts.get(id.as_str()) {
            Some(contact) => sync(ctx, settings, account_settings, contact, m.changed_at).await,
            None => Outcome::Skipped {
                reason: "the Contact no longer exists in Salesforce (deletes are not synced)"
                    .into(),
            },
        });
    }
    out
}

async fn read_contacts(
    ctx: &FlowContext,
    ids: &[&SalesforceId],
) -> Result<HashMap<String, Contact>, Outcome> {
    let rows = ctx
        .salesforce
        .query_by_ids("Contact", &Contact::soql_fields(), ids)
        .await
        .map_err(|e| Outcome::Failed {
            retry: salesforce_transient(&e),
            raised: e.to_raised(),
        })?;
    Ok(rows
        .into_iter()
        .map(|(id, fields)| (id, Contact::from_fields(&fields)))
        .collect())
}

pub async fn sync(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    contact: &Contact,
    changed_at: Option<DateTime<Utc>>,
) -> Outcome {
    let Some(sf_id) = contact.id.as_ref().map(|i| i.to_string()) else {
        return account_to_ipaas::rejected("(no Id)");
    };
    let Some(account_id) = contact.account_id.clone() else {
        tracing::info!(contact = %sf_id, "skipped: contact has no AccountId (by design, not an error)");
        return Outcome::Skipped {
            reason: "the Contact has no AccountId".into(),
        };
    };
    let record = RecordRef::new(System::Salesforce, "Contact", sf_id.clone());
    let fail = |e: IpaasError| async move {
        let retry = ipaas_transient(&e);
        ctx.fail(FLOW, record.clone(), e.to_raised(), retry).await
    };
    let mut entry = match ctx.ledger(FLOW, &sf_id).await {
        Ok(e) => e,
        Err(e) => return state_failure(FLOW, &sf_id, e),
    };
    let version = contact.system_modstamp.or(changed_at);
    if is_stale(&entry, version) {
        return Outcome::Stale;
    }

    let company_id = match company_for(ctx, account_settings, &account_id).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            return Outcome::Deferred {
                reason: format!("the Contact's Account {account_id} has not reached iPaaS.com yet"),
            }
        }
        Err(outcome) => return outcome,
    };

    let ipaas = &ctx.ipaas;
    let linked = match ipaas.lookup_link(LinkTable::Customer, &sf_id).await {
        Ok(found) => found,
        Err(e) => return fail(e).await,
    };
    let known = linked.or_else(|| entry.target_id.as_deref().and_then(|t| t.parse().ok()));
    let existing = match known {
        Some(id) => match ipaas.get_customer(id).await {
            Ok(c) => c,
            Err(e) => return fail(e).await,
        },
        None => match find_by_number_or_email(ctx, contact, &sf_id).await {
            Ok(c) => c,
            Err(e) => return fail(e).await,
        },
    };

    let customer = contact_to_customer(contact, existing.as_ref(), Some(company_id));
    let hash = fingerprint(&serde_json::to_value(&customer).unwrap_or_default());
    let outcome = match existing {
        Some(current) => {
            let id = current.id.unwrap_or_default();
            let found_by_search = known.is_none();
            if current == customer {
                if found_by_search {
                    Outcome::Linked {
                        target: id.to_string(),
                    }
                } else {
                    Outcome::Unchanged {
                        target: id.to_string(),
                    }
                }
            } else if !settings.sync_type.may_update() {
                return Outcome::Skipped {
                    reason: "sync type Add: existing Customers are not updated".into(),
                };
            } else {
                match ipaas.update_customer(id, &customer).await {
                    Ok(_) if found_by_search => Outcome::Linked {
                        target: id.to_string(),
                    },
                    Ok(_) => Outcome::Updated {
                        target: id.to_string(),
                    },
                    Err(e) => return fail(e).await,
                }
            }
        }
        None => {
            if !settings.sync_type.may_create() {
                return Outcome::Skipped {
                    reason: "sync type Update: no linked Customer to update".into(),
                };
            }
            if let Some(wait) = ctx.pending_create(&entry) {
                return wait;
            }
            entry = match ctx.creating(FLOW, &sf_id, entry).await {
                Ok(e) => e,
                Err(outcome) => return outcome,
            };
            match ipaas.create_customer(&customer).await {
                Ok(created) => Outcome::Created {
                    target: created.id.unwrap_or_default().to_string(),
                },
                Err(e) => {
                    if matches!(e, IpaasError::Status { .. }) {
                        ctx.abandon_create(FLOW, &sf_id, &mut entry).await;
                    }
                    return fail(e).await;
                }
            }
        }
    };
    let target_id = match &outcome {
        Outcome::Created { target }
        | Outcome::Updated { target }
        | Outcome::Unchanged { target }
        | Outcome::Linked { target } => target.clone(),
        _ => return outcome,
    };
    if linked.is_none() {
        if let Ok(id) = target_id.parse::<u64>() {
            if let Err(e) = ipaas.write_link(LinkTable::Customer, &sf_id, id).await {
                return fail(e).await;
            }
        }
    }
    if let Err(e) = ctx
        .applied(FLOW, &sf_id, entry, &target_id, Some(hash), version)
        .await
    {
        return state_failure(FLOW, &sf_id, e);
    }
    let echo = crate::mapping::customer_to_contact(&customer, Some(account_id.clone())).to_fields();
    ctx.note_in_sync(Flow::ContactFromIpaas, &target_id, &sf_id, &echo)
        .await;
    outcome
}

/// The iPaaS.com Company of the Contact's Account; syncs the Account first when it has not
/// reached iPaaS.com yet. `Ok(None)`: the Account could not be brought over now.
async fn company_for(
    ctx: &FlowContext,
    account_settings: FlowSettings,
    account_id: &SalesforceId,
) -> Result<Option<u64>, Outcome> {
    let record = RecordRef::new(System::Salesforce, "Account", account_id.to_string());
    match ctx
        .ipaas
        .lookup_link(LinkTable::Company, account_id.as_str())
        .await
    {
        Ok(Some(id)) => return Ok(Some(id)),
        Ok(None) => {}
        Err(e) => {
            return Err(ctx
                .fail(FLOW, record, e.to_raised(), ipaas_transient(&e))
                .await)
        }
    }
    tracing::info!(account = %account_id, "the Contact's Account is not in iPaaS.com yet; syncing it first");
    let accounts = account_to_ipaas::read_accounts(ctx, &[account_id]).await?;
    let Some(account) = accounts.get(account_id.as_str()) else {
        return Ok(None);
    };
    match account_to_ipaas::sync(ctx, account_settings, account, None).await {
        Outcome::Created { target }
        | Outcome::Updated { target }
        | Outcome::Unchanged { target }
        | Outcome::Linked { target } => Ok(target.parse().ok()),
        _ => Ok(None),
    }
}

/// A Customer made for this Contact before (customer_number = Contact Id), else the only
/// Customer with the Contact's email that is not linked to another Contact.
async fn find_by_number_or_email(
    ctx: &FlowContext,
    contact: &Contact,
    sf_id: &str,
) -> Result<Option<Customer>, IpaasError> {
    let Some(email) = contact
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    else {
        return Ok(None);
    };
    let system = ctx.ipaas.system_id();
    let found = ctx.ipaas.find_customers_by_email(email).await?;
    if let Some(c) = found
        .iter()
        .find(|c| c.customer_number.as_deref() == Some(sf_id))
    {
        return Ok(Some(c.clone()));
    }
    let free: Vec<&Customer> = found
        .iter()
        .filter(|c| c.link_for(system).is_none())
        .collect();
    Ok(match free.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    })
}
