//! Account FROM iPaaS.com: a changed iPaaS.com Company becomes a Salesforce Account (create
//! or partial update), linked through the Company's external id.
//!
//! Target: the Company's link, else the ledger, else (after an interrupted create) the
//! Account of that Name the integration user just wrote. Sync type Update with no link is
//! "Account Id is null or empty…"; a duplicate rule on create goes through the collision
//! method; other create errors are "Salesforce rejected the new account." with Salesforce's
//! own errors as detail.

use super::context::{ipaas_transient, state_failure, FlowContext, FlowSettings};
use super::from_ipaas::{create_unlinked, precheck, recover, update_linked, Kind, Plan};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Company, LinkTable};
use crate::mapping::company_to_account;
use crate::queue::WorkMessage;
use crate::salesforce::SalesforceId;

pub(super) const KIND: Kind = Kind {
    flow: Flow::AccountFromIpaas,
    object: "Account",
    table: LinkTable::Company,
    rejected: MessageId::AccountRejected,
    recover_by: "Name",
    parent_field: None,
};

pub async fn run(
    ctx: &FlowContext,
    settings: FlowSettings,
    messages: &[WorkMessage],
) -> Vec<Outcome> {
    let mut out: Vec<Option<Outcome>> = vec![None; messages.len()];
    let mut plans = Vec::new();
    for (slot, m) in messages.iter().enumerate() {
        let Ok(id) = m.record_id.trim().parse::<u64>() else {
            out[slot] = Some(not_an_id(&m.record_id));
            continue;
        };
        let record = RecordRef::new(System::Ipaas, "Company", id.to_string());
        let company = match ctx.ipaas.get_company(id).await {
            Ok(Some(c)) => c,
            Ok(None) => {
                out[slot] = Some(Outcome::Skipped {
                    reason: "the Company no longer exists in iPaaS.com".into(),
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
        match plan(ctx, slot, id, record, &company).await {
            Ok(p) => plans.push(p),
            Err(o) => out[slot] = Some(o),
        }
    }
    apply(ctx, settings, plans, &mut out).await;
    out.into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Deferred {
                reason: "not reached".into(),
            })
        })
        .collect()
}

pub(super) fn not_an_id(raw: &str) -> Outcome {
    let reason = format!("{raw:?} is not an iPaaS.com record id");
    tracing::error!(%reason, "message refused");
    Outcome::Rejected { reason }
}

/// Reads what the flow needs to decide about one Company.
pub(super) async fn plan(
    ctx: &FlowContext,
    slot: usize,
    id: u64,
    record: RecordRef,
    company: &Company,
) -> Result<Plan, Outcome> {
    let entry = ctx
        .ledger(KIND.flow, &id.to_string())
        .await
        .map_err(|e| state_failure(KIND.flow, &id.to_string(), e))?;
    let own_link = company
        .link_for(ctx.ipaas.system_id())
        .and_then(|s| SalesforceId::parse(s).ok());
    let target = own_link.clone().or_else(|| {
        entry
            .target_id
            .as_deref()
            .and_then(|t| SalesforceId::parse(t).ok())
    });
    let plan = Plan {
        slot,
        ipaas_id: id,
        record,
        version: company.last_modified_date,
        fields: company_to_account(company).to_fields(),
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

/// Sorts the plans into updates and creates and applies them (batched).
pub(super) async fn apply(
    ctx: &FlowContext,
    settings: FlowSettings,
    plans: Vec<Plan>,
    out: &mut [Option<Outcome>],
) {
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
            let raised = Raised::new(MessageId::AccountIdMissing).detail(format!(
                "sync type Update and Company {} has no linked Salesforce Account",
                p.ipaas_id
            ));
            out[p.slot] = Some(ctx.fail(KIND.flow, p.record.clone(), raised, false).await);
        } else {
            new.push(p);
        }
    }
    update_linked(ctx, &KIND, settings, linked, out).await;
    create_unlinked(ctx, &KIND, settings, new, out).await;
}
