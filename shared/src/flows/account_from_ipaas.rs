//! Account FROM iPaaS.com: a changed iPaaS.com Company becomes a Salesforce Account.
//!
//! Target: the Company's link, else the ledger, else (after an unanswered create) the Account
//! the integration user created for it since the claim. A Company that Account TO iPaaS.com
//! is creating (its answer lost, no link yet) is left to that flow. Sync type `Update` with
//! no linked Account is "Account Id is null or empty…". The batching, the merge and the
//! creates are in `from_ipaas`.

use super::context::{ipaas_transient, state_failure, FlowContext, FlowSettings};
use super::from_ipaas::{self, apply, collect, precheck, Kind, Plan};
use super::{origin, Outcome};
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef, System};
use crate::ipaas::{Company, LinkTable};
use crate::mapping::company_to_account;
use crate::queue::WorkMessage;
use crate::salesforce::SalesforceId;

pub(super) const KIND: Kind = Kind {
    flow: Flow::AccountFromIpaas,
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
    for (slot, m) in messages.iter().enumerate() {
        let Ok(id) = m.record_id.trim().parse::<u64>() else {
            out[slot] = Some(from_ipaas::misrouted(ctx, KIND.flow, "Company", &m.record_id).await);
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
    apply_all(ctx, settings, plans, &mut out).await;
    collect(out)
}

/// Reads what the flow needs to decide about one Company.
pub(super) async fn plan(
    ctx: &FlowContext,
    slot: usize,
    id: u64,
    record: RecordRef,
    company: &Company,
) -> Result<Plan, Outcome> {
    let source = id.to_string();
    let entry = ctx
        .ledger(KIND.flow, &source)
        .await
        .map_err(|e| state_failure(KIND.flow, &source, e))?;
    let own_link = company
        .link_for(ctx.ipaas.system_id())
        .and_then(|s| SalesforceId::parse(s).ok());
    let p = Plan::new(
        slot,
        id,
        record,
        entry,
        company.last_modified_date,
        company_to_account(company).to_fields(),
        own_link,
    );
    if let Some(o) = precheck(&p) {
        return Err(o);
    }
    if p.target.is_none() && p.entry.creating_since.is_none() {
        let name = company.name.as_deref().unwrap_or("");
        let theirs = origin::pending(ctx, name)
            .await
            .map_err(|e| state_failure(KIND.flow, &source, e))?;
        if theirs {
            return Err(Outcome::Postponed {
                delay: ctx.pacing.create_lease,
                reason: "a Company of this name is being created by Account TO iPaaS.com; it is left to that flow to link".into(),
            });
        }
    }
    Ok(p)
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
