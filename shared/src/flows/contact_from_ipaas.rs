//! Contact FROM iPaaS.com: a changed iPaaS.com Customer becomes a Salesforce Contact under
//! the Account linked to the Customer's Company.
//!
//! Target: the Customer's link, else the ledger, else the one Contact with the Customer's
//! Email (SOQL, escaped, one query for the batch) → link and update; else create. When the
//! email lookup cannot be made or is ambiguous the Contact is created anyway with the
//! warning "Unable to dynamically link…". A Customer without Company, or whose Company
//! cannot be brought to Salesforce, is "AccountId is null or empty…"; a linked Account that
//! does not exist is "Could not locate account by Id…" (Salesforce refuses the reference
//! in the write itself, so no query is spent checking it first). A Company not yet in Salesforce is
//! synced first (Account FROM), so the Contact does not wait for a person.

use super::account_from_ipaas;
use super::context::{ipaas_transient, FlowContext, FlowSettings};
use super::from_ipaas::{create_unlinked, precheck, recover, update_linked, Kind, Plan};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Customer, LinkTable};
use crate::mapping::customer_to_contact;
use crate::queue::WorkMessage;
use crate::salesforce::{soql, SalesforceId};
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const KIND: Kind = Kind {
    flow: Flow::ContactFromIpaas,
    object: "Contact",
    table: LinkTable::Customer,
    rejected: MessageId::ContactRejected,
    recover_by: "LastName",
    parent_field: Some("AccountId"),
};

pub async fn run(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    messages: &[WorkMessage],
) -> Vec<Outcome> {
    let mut out: Vec<Option<Outcome>> = vec![None; messages.len()];
    let mut plans = Vec::new();
    for (slot, m) in messages.iter().enumerate() {
        let Ok(id) = m.record_id.trim().parse::<u64>() else {
            out[slot] = Some(account_from_ipaas::not_an_id(&m.record_id));
            continue;
        };
        let record = RecordRef::new(System::Ipaas, "Customer", id.to_string());
        let customer = match ctx.ipaas.get_customer(id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                out[slot] = Some(Outcome::Skipped {
                    reason: "the Customer no longer exists in iPaaS.com".into(),
                });
                continue;
            }
            Err(e) => {
                out[slot] = Some(
                    ctx.fail(KIND.flow, record, e.to_raised(), ipaas_transient(&e))
                        .await,
                );
                continue;
            }
        };
        match plan(ctx, account_settings, slot, id, record, &customer).await {
            Ok(p) => plans.push(p),
            Err(o) => out[slot] = Some(o),
        }
    }
    let plans = link_by_email(ctx, plans).await;

    let mut linked = Vec::new();
    let mut new = Vec::new();
    for mut p in plans {
        if let Err(e) = recover(ctx, &KIND, &mut p).await {
            out[p.slot] = Some(
                ctx.fail(KIND.flow, p.record.clone(), e.to_raised(), true)
                    .await,
            );
            continue;
        }
        if p.target.is_some() {
            linked.push(p);
        } else if !settings.sync_type.may_create() {
            out[p.slot] = Some(Outcome::Skipped {
                reason: "sync type Update: no linked Contact to update".into(),
            });
        } else if !p.fields.contains_key("AccountId") {
            let raised = Raised::new(MessageId::CustomerCompanyMissing).detail(format!(
                "Customer {} has no company linked to a Salesforce Account",
                p.ipaas_id
            ));
            out[p.slot] = Some(ctx.fail(KIND.flow, p.record.clone(), raised, false).await);
        } else {
            new.push(p);
        }
    }
    update_linked(ctx, &KIND, settings, linked, &mut out).await;
    create_unlinked(ctx, &KIND, settings, new, &mut out).await;
    out.into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Deferred {
                reason: "not reached".into(),
            })
        })
        .collect()
}

async fn plan(
    ctx: &FlowContext,
    account_settings: FlowSettings,
    slot: usize,
    id: u64,
    record: RecordRef,
    customer: &Customer,
) -> Result<Plan, Outcome> {
    let source = id.to_string();
    let entry = ctx
        .ledger(KIND.flow, &source)
        .await
        .map_err(|e| super::context::state_failure(KIND.flow, &source, e))?;
    let own_link = customer
        .link_for(ctx.ipaas.system_id())
        .and_then(|s| SalesforceId::parse(s).ok());
    let target = own_link.clone().or_else(|| {
        entry
            .target_id
            .as_deref()
            .and_then(|t| SalesforceId::parse(t).ok())
    });
    let account = match customer.company_id {
        Some(company) => {
            account_of(ctx, account_settings, company, &record, target.is_none()).await?
        }
        None => None,
    };
    let plan = Plan {
        slot,
        ipaas_id: id,
        record,
        version: customer.last_modified_date,
        fields: customer_to_contact(customer, account).to_fields(),
        linked: own_link.is_some(),
        found: false,
        target,
        entry,
    };
    match precheck(&plan) {
        Some(o) => Err(o),
        None => Ok(plan),
    }
}

/// The Salesforce Account of an iPaaS.com Company, syncing the Company first when it is not
/// in Salesforce yet. For a Contact to create, no Account is the catalog's error; for an
/// update, the Contact keeps the Account it has.
async fn account_of(
    ctx: &FlowContext,
    account_settings: FlowSettings,
    company_id: u64,
    record: &RecordRef,
    creating: bool,
) -> Result<Option<SalesforceId>, Outcome> {
    let company = match ctx.ipaas.get_company(company_id).await {
        Ok(c) => c,
        Err(e) => {
            return Err(ctx
                .fail(
                    KIND.flow,
                    record.clone(),
                    e.to_raised(),
                    ipaas_transient(&e),
                )
                .await)
        }
    };
    let Some(company) = company else {
        return Ok(None);
    };
    if let Some(id) = company.link_for(ctx.ipaas.system_id()) {
        return Ok(SalesforceId::parse(id).ok());
    }
    if !creating {
        return Ok(None);
    }
    tracing::info!(
        company = company_id,
        "the Customer's Company is not in Salesforce yet; syncing it first"
    );
    let company_record = RecordRef::new(System::Ipaas, "Company", company_id.to_string());
    let mut slot = [None];
    match account_from_ipaas::plan(ctx, 0, company_id, company_record, &company).await {
        Ok(p) => account_from_ipaas::apply(ctx, account_settings, vec![p], &mut slot).await,
        Err(o) => slot[0] = Some(o),
    }
    match slot[0].take() {
        Some(
            Outcome::Created { target }
            | Outcome::Updated { target }
            | Outcome::Linked { target }
            | Outcome::Unchanged { target },
        ) => Ok(SalesforceId::parse(&target).ok()),
        _ => {
            let raised = Raised::new(MessageId::CustomerCompanyMissing).detail(format!(
                "Company {company_id} could not be brought to Salesforce yet"
            ));
            Err(ctx.fail(KIND.flow, record.clone(), raised, true).await)
        }
    }
}

/// For Customers with no link: one query for their emails. One Contact → link to it; none →
/// create; several, no usable email, or a failed lookup → create with the warning.
async fn link_by_email(ctx: &FlowContext, mut plans: Vec<Plan>) -> Vec<Plan> {
    let wanted: Vec<(usize, String)> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.target.is_none())
        .map(|(i, p)| {
            (
                i,
                p.fields
                    .get("Email")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_lowercase(),
            )
        })
        .collect();
    if wanted.is_empty() {
        return plans;
    }
    let usable: Vec<&str> = wanted
        .iter()
        .map(|(_, e)| e.as_str())
        .filter(|e| !e.is_empty() && soql::quote(e).is_ok())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut by_email: HashMap<String, Vec<String>> = HashMap::new();
    let mut lookup_failed = None;
    for chunk in usable.chunks(100) {
        let Ok(list) = soql::string_list(chunk.iter().copied()) else {
            continue;
        };
        match ctx
            .salesforce
            .query(&format!(
                "SELECT Id, Email FROM Contact WHERE Email IN {list}"
            ))
            .await
        {
            Ok(rows) => {
                for r in rows {
                    if let (Some(id), Some(email)) = (
                        r.get("Id").and_then(Value::as_str),
                        r.get("Email").and_then(Value::as_str),
                    ) {
                        by_email
                            .entry(email.trim().to_lowercase())
                            .or_default()
                            .push(id.to_string());
                    }
                }
            }
            Err(e) => lookup_failed = Some(e.to_string()),
        }
    }
    for (i, email) in wanted {
        let p = &mut plans[i];
        let why = if email.is_empty() {
            Some("the Customer has no email address".to_string())
        } else if soql::quote(&email).is_err() {
            Some("the email address cannot be looked up".to_string())
        } else if let Some(e) = &lookup_failed {
            Some(format!("the email lookup failed: {e}"))
        } else {
            match by_email.get(&email).map(Vec::as_slice) {
                Some([one]) => {
                    p.target = SalesforceId::parse(one).ok();
                    p.found = true;
                    None
                }
                Some(many) if many.len() > 1 => {
                    Some(format!("{} Contacts have this email address", many.len()))
                }
                _ => None,
            }
        };
        // An interrupted create of ours is recognised later; it needs no warning.
        if let (Some(why), None) = (why, p.entry.creating_since) {
            let raised = Raised::new(MessageId::EmailLinkFailed).detail(why);
            ctx.log(KIND.flow, p.record.clone(), raised).await;
        }
    }
    plans
}
