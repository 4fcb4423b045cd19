//! Account FROM iPaaS.com: a changed iPaaS.com Company becomes a Salesforce Account.
//!
//! Target: the Company's link, else the ledger, else (after an unanswered create) the Account
//! the integration user created for it since the claim. A Company that Account TO iPaaS.com
//! is creating (its answer lost, no link yet) is left to that flow. Sync type `Update` with
//! no linked Account is "Account Id is null or empty…". The batching, the merge and the
//! creates are in `from_ipaas`.

use super::context::{ipaas_transient, state_failure, FlowContext, FlowSettings};
use super::from_ipaas::{self, apply, collect, precheck, Kind, Plan};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Company, LinkTable};
use crate::mapping::document::{Direction, Pair};
use crate::queue::WorkMessage;
use crate::salesforce::SalesforceId;
use futures::StreamExt;

pub(super) const KIND: Kind = Kind {
    flow: Flow::AccountFromIpaas,
    pair: Pair::Account,
    object: "Account",
    prefix: "001",
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
    // The Companies are read at once (bounded): iPaaS.com has no batch read.
    let work: Vec<_> = messages
        .iter()
        .enumerate()
        .map(|(slot, m)| plan_message(ctx, slot, m))
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
    apply_all(ctx, settings, plans, &mut out).await;
    collect(out)
}

/// One message: the Company it names, and what the flow needs to decide about it.
async fn plan_message(ctx: &FlowContext, slot: usize, m: &WorkMessage) -> Result<Plan, Outcome> {
    let Ok(id) = m.record_id.trim().parse::<u64>() else {
        return Err(from_ipaas::misrouted(ctx, KIND.flow, "Company", &m.record_id).await);
    };
    let record = RecordRef::new(System::Ipaas, "Company", id.to_string());
    // The Company and what the ledger knows of it, read at once.
    let source = id.to_string();
    let (company, entry) = tokio::join!(ctx.ipaas.get_company(id), ctx.ledger(KIND.flow, &source));
    let entry = entry.map_err(|e| state_failure(KIND.flow, &source, e))?;
    let company = match company {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(Outcome::Skipped {
                reason: "the Company no longer exists in iPaaS.com".into(),
            })
        }
        Err(e) => {
            let retry = ipaas_transient(&e);
            return Err(ctx.fail(KIND.flow, record, e.to_raised(), retry).await);
        }
    };
    plan(ctx, slot, id, record, &company, entry).await
}

/// Decides what the flow does with one Company, given its ledger entry.
pub(super) async fn plan(
    ctx: &FlowContext,
    slot: usize,
    id: u64,
    record: RecordRef,
    company: &Company,
    entry: crate::state::LedgerEntry,
) -> Result<Plan, Outcome> {
    let own_link = company
        .link_for(ctx.ipaas.system_id())
        .and_then(|s| SalesforceId::parse(s).ok());
    let fields = match mapped_fields(ctx, company) {
        Ok(f) => f,
        Err(e) => {
            let raised = super::mapped::refused_to_salesforce(KIND.rejected, &e);
            return Err(ctx.fail(KIND.flow, record, raised, false).await);
        }
    };
    let p = Plan::new(
        slot,
        id,
        record,
        entry,
        company.last_modified_date,
        fields,
        own_link,
    );
    if let Some(o) = precheck(&p) {
        return Err(o);
    }
    let mut p = p;
    if p.target.is_none() && p.entry.creating_since.is_none() {
        // Account TO may be creating this very Company (`origin`): looked at before any
        // create, at the same time as the create is claimed.
        p.origin_name = Some(company.name.clone().unwrap_or_default());
    }
    Ok(p)
}

/// The Account fields the mapping writes for a Company.
fn mapped_fields(
    ctx: &FlowContext,
    company: &Company,
) -> Result<serde_json::Map<String, serde_json::Value>, crate::mapping::document::MappingError> {
    let values = super::mapped::ipaas_values(ctx, Pair::Account, company, Direction::FromIpaas)?;
    ctx.mapping.account().write_salesforce(&values, None)
}

/// Applies the plans; a Company with no linked Account under sync type `Update` is the
/// catalog's "Account Id is null or empty…".
pub(super) async fn apply_all(
    ctx: &FlowContext,
    settings: FlowSettings,
    plans: Vec<Plan>,
    out: &mut [Option<Outcome>],
) {
    apply(ctx, &KIND, settings, plans, out, |p| {
        (!settings.sync_type.may_create()).then(|| {
            Raised::new(MessageId::AccountIdMissing).detail(format!(
                "sync type Update and Company {} has no linked Salesforce Account",
                p.ipaas_id
            ))
        })
    })
    .await
}
