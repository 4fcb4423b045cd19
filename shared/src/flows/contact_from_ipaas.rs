//! Contact FROM iPaaS.com: a changed iPaaS.com Customer becomes a Salesforce Contact under
//! the Account linked to the Customer's Company.
//!
//! Target: the Customer's link, else the ledger, else the one Contact with the Customer's
//! Email (SOQL, escaped, one query for the batch) that is free — not created by the
//! integration for another Customer, not linked to another Customer in iPaaS.com, and
//! claimed for this one in both directions' ledgers at once — → link and update; else
//! create. When the email lookup cannot be made, is ambiguous or its one match is taken,
//! the Contact is created anyway with the warning "Unable to dynamically link…". A Customer
//! that Contact TO iPaaS.com made (its customer_number is a Contact Id) is left to that flow.
//!
//! A Customer without Company, or whose Company cannot be brought to Salesforce, is
//! "AccountId is null or empty…"; a Company whose create is still in flight is a wait, not
//! an error. A linked Account that does not exist (or is in the recycle bin) is "Could not
//! locate account by Id…" (Salesforce refuses the reference in the write itself).
//! Sync type `Update` with no linked Contact is a skip (counted, logged): the article defines
//! no message for it, and nothing is created for it, not even its Company's Account.

use super::account_from_ipaas;
use super::context::{ipaas_transient, same_id, state_failure, FlowContext, FlowSettings};
use super::from_ipaas::{self, apply, collect, precheck, How, Kind, Plan};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Customer, LinkTable};
use crate::mapping::document::{Direction, Pair};
use crate::queue::WorkMessage;
use crate::salesforce::{soql, SalesforceId};
use futures::StreamExt;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const KIND: Kind = Kind {
    flow: Flow::ContactFromIpaas,
    pair: Pair::Contact,
    object: "Contact",
    prefix: "003",
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
    // The Customers are read at once (bounded): iPaaS.com has no batch read.
    let work: Vec<_> = messages
        .iter()
        .enumerate()
        .map(|(slot, m)| plan_message(ctx, settings, account_settings, slot, m))
        .collect();
    let planned: Vec<_> = futures::stream::iter(work)
        .buffered(ctx.pacing.concurrency.max(1))
        .collect()
        .await;
    for (slot, p) in planned.into_iter().enumerate() {
        match p {
            Ok(p) => plans.push(p),
            Err(o) => out[slot] = Some(o),
        }
    }
    let plans = link_by_email(ctx, plans).await;
    apply(ctx, &KIND, settings, plans, &mut out, |p| {
        (!p.fields.contains_key("AccountId")).then(|| {
            Raised::new(MessageId::CustomerCompanyMissing).detail(format!(
                "Customer {} has no company linked to a Salesforce Account",
                p.ipaas_id
            ))
        })
    })
    .await;
    collect(out)
}

/// One message: the Customer it names, and what the flow needs to decide about it.
async fn plan_message(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    slot: usize,
    m: &WorkMessage,
) -> Result<Plan, Outcome> {
    let Ok(id) = m.record_id.trim().parse::<u64>() else {
        return Err(from_ipaas::misrouted(ctx, KIND.flow, "Customer", &m.record_id).await);
    };
    let record = RecordRef::new(System::Ipaas, "Customer", id.to_string());
    // The Customer and what the ledger knows of it, read at once.
    let source = id.to_string();
    let (customer, entry) =
        tokio::join!(ctx.ipaas.get_customer(id), ctx.ledger(KIND.flow, &source));
    let entry = entry.map_err(|e| state_failure(KIND.flow, &source, e))?;
    let customer = match customer {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(Outcome::Skipped {
                reason: "the Customer no longer exists in iPaaS.com".into(),
            })
        }
        Err(e) => {
            let retry = ipaas_transient(&e);
            return Err(ctx.fail(KIND.flow, record, e.to_raised(), retry).await);
        }
    };
    plan(
        ctx,
        settings,
        account_settings,
        slot,
        id,
        record,
        &customer,
        entry,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn plan(
    ctx: &FlowContext,
    settings: FlowSettings,
    account_settings: FlowSettings,
    slot: usize,
    id: u64,
    record: RecordRef,
    customer: &Customer,
    entry: crate::state::LedgerEntry,
) -> Result<Plan, Outcome> {
    let own_link = customer
        .link_for(ctx.ipaas.system_id())
        .and_then(|s| SalesforceId::parse(s).ok());
    let mut known = own_link.is_some() || entry.target_id.is_some();
    // Whether Contact TO made this Customer, and what the ledger knows of its Company's
    // Account: two reads, at once.
    let made_by = async {
        if !known && entry.creating_since.is_none() {
            made_by_contact_to(ctx, id, customer).await
        } else {
            Ok(None)
        }
    };
    let company_entry = async {
        match customer.company_id {
            Some(c) => Some(ctx.ledger(Flow::AccountFromIpaas, &c.to_string()).await),
            None => None,
        }
    };
    let (origin, company_entry) = tokio::join!(made_by, company_entry);
    let origin = origin?;
    known |= origin.is_some();
    if !known && !settings.sync_type.may_create() {
        tracing::info!(
            customer = id,
            "skipped: sync type Update and no linked Contact"
        );
        return Err(Outcome::Skipped {
            reason: "sync type Update: the Customer has no linked Contact to update".into(),
        });
    }
    let account = match (customer.company_id, company_entry) {
        (Some(company), Some(entry)) => {
            account_of(ctx, account_settings, company, entry, &record, !known).await?
        }
        _ => None,
    };
    let mut fields =
        match super::mapped::ipaas_values(ctx, Pair::Contact, customer, Direction::FromIpaas)
            .and_then(|v| ctx.mapping.contact().write_salesforce(&v, None))
        {
            Ok(f) => f,
            Err(e) => {
                let raised = super::mapped::refused_to_salesforce(KIND.rejected, &e);
                return Err(ctx.fail(KIND.flow, record, raised, false).await);
            }
        };
    // The relationship is the flow's, not the document's.
    fields.remove("AccountId");
    if let Some(a) = &account {
        fields.insert("AccountId".into(), serde_json::Value::String(a.to_string()));
    }
    let mut p = Plan::new(
        slot,
        id,
        record,
        entry,
        customer.last_modified_date,
        fields,
        own_link,
    );
    if let Some(contact) = origin {
        p.target = Some(contact);
        p.how = How::Linked;
    }
    match precheck(&p) {
        Some(o) => Err(o),
        None => Ok(p),
    }
}

/// A Customer Contact TO iPaaS.com made carries the Contact's Id as its customer_number:
/// if that flow's ledger pairs them, the Contact is this Customer's; if its create is still
/// unsettled, the Customer waits for it.
async fn made_by_contact_to(
    ctx: &FlowContext,
    id: u64,
    customer: &Customer,
) -> Result<Option<SalesforceId>, Outcome> {
    let Some(contact) = customer
        .customer_number
        .as_deref()
        .and_then(|n| SalesforceId::parse(n.trim()).ok())
        .filter(|n| n.key_prefix() == "003")
    else {
        return Ok(None);
    };
    let theirs = ctx
        .ledger(Flow::ContactToIpaas, contact.as_str())
        .await
        .map_err(|e| state_failure(KIND.flow, &id.to_string(), e))?;
    match theirs.target_id.as_deref() {
        Some(t) if t == id.to_string() => Ok(Some(contact)),
        Some(_) => Ok(None),
        None if theirs.creating_since.is_some() => Err(Outcome::Postponed {
            delay: ctx.pacing.create_lease,
            reason: format!(
                "this Customer is being created by Contact TO iPaaS.com for Contact {contact}; it is left to that flow to link"
            ),
        }),
        None => Ok(None),
    }
}

/// The Salesforce Account of an iPaaS.com Company: from the Company's own sync (ledger),
/// else its link; a Company not in Salesforce yet is synced first when a Contact is to be
/// created under it. For an update, the Contact keeps the Account it has.
async fn account_of(
    ctx: &FlowContext,
    account_settings: FlowSettings,
    company_id: u64,
    company_entry: Result<crate::state::LedgerEntry, crate::state::StateError>,
    record: &RecordRef,
    creating: bool,
) -> Result<Option<SalesforceId>, Outcome> {
    if let Ok(e) = &company_entry {
        if let Some(id) = e
            .target_id
            .as_deref()
            .and_then(|t| SalesforceId::parse(t).ok())
        {
            return Ok(Some(id));
        }
    }
    let company = match ctx.ipaas.get_company(company_id).await {
        Ok(c) => c,
        Err(e) => {
            let retry = ipaas_transient(&e);
            return Err(ctx
                .fail(KIND.flow, record.clone(), e.to_raised(), retry)
                .await);
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
    let entry = match company_entry {
        Ok(e) => e,
        Err(e) => {
            return Err(state_failure(
                Flow::AccountFromIpaas,
                &company_id.to_string(),
                e,
            ))
        }
    };
    match account_from_ipaas::plan(ctx, 0, company_id, company_record, &company, entry).await {
        Ok(p) => account_from_ipaas::apply_all(ctx, account_settings, vec![p], &mut slot).await,
        Err(o) => slot[0] = Some(o),
    }
    match slot[0].take() {
        Some(
            Outcome::Created { target }
            | Outcome::Updated { target }
            | Outcome::Linked { target }
            | Outcome::Unchanged { target },
        ) => Ok(SalesforceId::parse(&target).ok()),
        // The Company's create is in flight (or put off): the Customer waits with it.
        Some(wait @ Outcome::Postponed { .. }) => Err(wait),
        _ => {
            let raised = Raised::new(MessageId::CustomerCompanyMissing).detail(format!(
                "Company {company_id} could not be brought to Salesforce yet"
            ));
            Err(ctx.fail(KIND.flow, record.clone(), raised, true).await)
        }
    }
}

/// For Customers with no link: one query for their emails. One free Contact → claimed and
/// linked; none → create; several, taken, no usable email, or a failed lookup → create with
/// the warning.
async fn link_by_email(ctx: &FlowContext, mut plans: Vec<Plan>) -> Vec<Plan> {
    let email_of = |p: &Plan| {
        p.fields
            .get("Email")
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_lowercase()
    };
    // An unanswered create of ours is recognised by `recover`; it needs no email match.
    let wanted: Vec<usize> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.target.is_none() && p.entry.creating_since.is_none())
        .map(|(i, _)| i)
        .collect();
    if wanted.is_empty() {
        return plans;
    }
    let emails: Vec<String> = wanted.iter().map(|&i| email_of(&plans[i])).collect();
    let usable: Vec<&str> = emails
        .iter()
        .map(String::as_str)
        .filter(|e| !e.is_empty() && soql::quote(e).is_ok())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let me = ctx
        .salesforce
        .integration_user_id()
        .await
        .unwrap_or_default();
    let mut by_email: HashMap<String, Vec<String>> = HashMap::new();
    let mut lookup_failed = None;
    for chunk in usable.chunks(100) {
        let Ok(list) = soql::string_list(chunk.iter().copied()) else {
            continue;
        };
        let q = format!("SELECT Id, Email, CreatedById FROM Contact WHERE Email IN {list}");
        match ctx.salesforce.query(&q).await {
            Ok(rows) => {
                for r in rows {
                    let get = |k: &str| r.get(k).and_then(Value::as_str);
                    // A Contact the integration created belongs to the Customer it was
                    // made from: never a match for another.
                    if get("CreatedById").is_some_and(|c| same_id(c, &me)) {
                        continue;
                    }
                    if let (Some(id), Some(email)) = (get("Id"), get("Email")) {
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
    for (i, email) in wanted.into_iter().zip(emails) {
        let why = if email.is_empty() {
            Some("the Customer has no email address".to_string())
        } else if soql::quote(&email).is_err() {
            Some("the email address cannot be looked up".to_string())
        } else if let Some(e) = &lookup_failed {
            Some(format!("the email lookup failed: {e}"))
        } else {
            match by_email.get(&email).map(Vec::as_slice) {
                Some([one]) => take(ctx, &mut plans[i], one).await,
                Some(many) if many.len() > 1 => {
                    Some(format!("{} Contacts have this email address", many.len()))
                }
                _ => None,
            }
        };
        if let Some(why) = why {
            let p = &mut plans[i];
            let raised = Raised::new(MessageId::EmailLinkFailed).detail(why);
            ctx.log_on(KIND.flow, p.record.clone(), raised, &mut p.entry)
                .await;
        }
    }
    plans
}

/// Takes the one Contact with the Customer's email when it is free. `Some(why)` when not.
async fn take(ctx: &FlowContext, p: &mut Plan, contact: &str) -> Option<String> {
    let Ok(id) = SalesforceId::parse(contact) else {
        return Some(format!("{contact} is not a Contact Id"));
    };
    match ctx
        .ipaas
        .lookup_link(LinkTable::Customer, id.as_str())
        .await
    {
        Ok(Some(other)) if other != p.ipaas_id => {
            return Some(format!(
                "the one Contact with this email ({id}) is linked to another Customer ({other})"
            ))
        }
        Ok(Some(_)) => {
            p.target = Some(id);
            p.linked = true;
            return None;
        }
        Ok(None) => {}
        Err(e) => return Some(format!("the link of Contact {id} could not be read: {e}")),
    }
    match from_ipaas::claim_pair(ctx, &KIND, p, &id).await {
        Ok(Some(entry)) => {
            p.entry = entry;
            p.target = Some(id);
            p.linked = false;
            p.how = How::Matched;
            None
        }
        Ok(None) => Some(format!(
            "the one Contact with this email ({id}) is being linked to another Customer"
        )),
        Err(e) => Some(format!("the link could not be claimed: {e}")),
    }
}
