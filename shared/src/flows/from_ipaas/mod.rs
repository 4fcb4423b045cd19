//! The Salesforce side both FROM flows share, batched per invocation: linked records are read
//! in one query and only the fields changed in iPaaS.com since the last sync are written
//! (three-way merge), in one sObject Collections update; new records are created in one
//! Collections call (an upsert by External ID when the org has one, safe to send again;
//! otherwise a create that is claimed first and, when its answer is lost, recovered by
//! CreatedById and CreatedDate rather than sent again), then linked. Duplicate-rule hits go
//! through the flow's collision-handling method.

mod collide;
mod create;
mod recover;
mod update;

pub(super) use collide::claim as claim_pair;
pub(super) use create::create_unlinked;
pub(super) use recover::recover;
pub(super) use update::update_linked;

use super::context::{same_id, state_failure, FlowContext};
use super::merge::{nothing_new, Base, Values};
use super::Outcome;
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef};
use crate::ipaas::LinkTable;
use crate::salesforce::{SalesforceError, SalesforceId};
use crate::state::LedgerEntry;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// How a plan's Salesforce record came to be known, for the outcome's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    /// Linked already (the iPaaS.com record's link, or the ledger).
    Linked,
    /// Made by an earlier create of this record whose answer was lost.
    Recovered,
    /// Found by email (or a duplicate rule) and claimed for this record.
    Matched,
}

/// One iPaaS.com record on its way to Salesforce.
pub(super) struct Plan {
    /// Position of its message in the batch.
    pub slot: usize,
    /// The iPaaS.com id (ledger key and link's internal id).
    pub ipaas_id: u64,
    pub record: RecordRef,
    pub entry: LedgerEntry,
    /// The iPaaS.com record's last_modified_date.
    pub version: Option<DateTime<Utc>>,
    /// The Salesforce fields to write (non-empty values only: writes are partial).
    pub fields: Map<String, Value>,
    /// The same, as the merge compares them.
    pub source: Values,
    /// The linked Salesforce record, if any.
    pub target: Option<SalesforceId>,
    /// Whether the iPaaS.com record carries the link to `target` already.
    pub linked: bool,
    pub how: How,
}

impl Plan {
    pub fn new(
        slot: usize,
        ipaas_id: u64,
        record: RecordRef,
        entry: LedgerEntry,
        version: Option<DateTime<Utc>>,
        fields: Map<String, Value>,
        own_link: Option<SalesforceId>,
    ) -> Plan {
        let target = own_link.clone().or_else(|| {
            entry
                .target_id
                .as_deref()
                .and_then(|t| SalesforceId::parse(t).ok())
        });
        Plan {
            slot,
            ipaas_id,
            record,
            version,
            source: super::merge::values(&fields),
            fields,
            linked: own_link.is_some(),
            how: How::Linked,
            target,
            entry,
        }
    }

    pub fn source_id(&self) -> String {
        self.ipaas_id.to_string()
    }

    /// The base of the merge: what both sides agreed on, if it is about this target.
    pub fn base(&self) -> Option<&Base> {
        let target = self.target.as_ref()?;
        let same = self
            .entry
            .target_id
            .as_deref()
            .is_some_and(|t| same_id(t, target.as_str()));
        same.then_some(self.entry.synced.as_ref()).flatten()
    }
}

/// What differs between one object's two flows.
pub(super) struct Kind {
    pub flow: Flow,
    pub object: &'static str,
    /// The Salesforce key prefix of the object's Ids.
    pub prefix: &'static str,
    pub table: LinkTable,
    /// "Salesforce rejected the new account/contact."
    pub rejected: MessageId,
    /// The field an unanswered create is recognised by (Name / LastName).
    pub recover_by: &'static str,
    /// The lookup to the parent record (AccountId), whose refusal has its own message.
    pub parent_field: Option<&'static str>,
}

impl Kind {
    pub fn raise(&self, e: &SalesforceError) -> (Raised, bool) {
        (e.to_raised(), super::context::salesforce_transient(e))
    }

    /// The failure of a create: the parent lookup refused, a permission or validation
    /// problem ("Salesforce rejected the new …", the whole request or this record), or a
    /// call failure ("Error calling SalesForce …").
    pub fn raise_create(&self, e: &SalesforceError, fields: &Map<String, Value>) -> (Raised, bool) {
        if let Some(r) = self.missing_parent(e, fields) {
            return (r, false);
        }
        match e {
            SalesforceError::Rejected { .. } => {
                (Raised::new(self.rejected).detail(e.to_string()), false)
            }
            _ => self.raise(e),
        }
    }

    /// Salesforce refused the parent lookup (no such Account, or one in the recycle bin):
    /// "Could not locate account by Id: {id}…". Salesforce checks the reference in the same
    /// call that writes the record, so no separate query is spent on it.
    pub fn missing_parent(
        &self,
        e: &SalesforceError,
        fields: &Map<String, Value>,
    ) -> Option<Raised> {
        let field = self.parent_field?;
        let hit = e.api_errors().iter().any(|x| {
            matches!(
                x.error_code.as_str(),
                "INVALID_CROSS_REFERENCE_KEY" | "ENTITY_IS_DELETED"
            ) && (x.fields.is_empty() || x.fields.iter().any(|f| f == field))
        });
        let id = fields.get(field).and_then(Value::as_str)?;
        hit.then(|| Raised::with(MessageId::AccountNotFound, &[("id", id)]).detail(e.to_string()))
    }

    /// Whether `id` names a record of this object (a duplicate rule may match a Lead too).
    pub fn owns(&self, id: &str) -> bool {
        SalesforceId::parse(id).is_ok_and(|i| i.key_prefix() == self.prefix)
    }
}

/// Whether the plan can stop here: a change older than one applied is stale; values the
/// ledger says both sides agreed on are nothing new (our own write echoed back by webhook,
/// or the same change delivered again), without a Salesforce call.
pub(super) fn precheck(plan: &Plan) -> Option<Outcome> {
    if super::context::is_stale(&plan.entry, plan.version) {
        return Some(Outcome::Stale);
    }
    let target = plan.target.as_ref()?;
    let base = plan.base()?;
    nothing_new(&plan.source, base).then(|| Outcome::Unchanged {
        target: target.to_string(),
    })
}

/// After a write (or a confirmed no-op) on `target`: link it if the iPaaS.com record does
/// not carry the link yet, and remember the pair and the values both sides now agree on, in
/// this flow's ledger and the other direction's.
pub(super) async fn finish(
    ctx: &FlowContext,
    kind: &Kind,
    p: &Plan,
    target: &SalesforceId,
    base: &Base,
    wrote: bool,
) -> Outcome {
    if !p.linked {
        if let Err(e) = ctx
            .ipaas
            .write_link(kind.table, target.as_str(), p.ipaas_id)
            .await
        {
            let retry = super::context::ipaas_transient(&e);
            return ctx
                .fail(kind.flow, p.record.clone(), e.to_raised(), retry)
                .await;
        }
    }
    if let Err(e) = ctx
        .settle(
            kind.flow,
            &p.source_id(),
            p.entry.clone(),
            target.as_str(),
            base,
            p.version,
        )
        .await
    {
        return state_failure(kind.flow, &p.source_id(), e);
    }
    let target = target.to_string();
    match p.how {
        How::Recovered => Outcome::Created { target },
        How::Matched => Outcome::Linked { target },
        How::Linked if !p.linked => Outcome::Linked { target },
        How::Linked if wrote => Outcome::Updated { target },
        How::Linked => Outcome::Unchanged { target },
    }
}

/// The outcome of every plan not decided yet.
pub(super) fn collect(out: Vec<Option<Outcome>>) -> Vec<Outcome> {
    out.into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Deferred {
                reason: "not reached".into(),
            })
        })
        .collect()
}

/// Sorts the plans into updates and creates and applies them (batched): creates still in
/// their lease wait, unanswered creates are recovered first, and `refuse_new` names the
/// failure of a plan that may not be created.
pub(super) async fn apply(
    ctx: &FlowContext,
    kind: &Kind,
    settings: super::FlowSettings,
    plans: Vec<Plan>,
    out: &mut [Option<Outcome>],
    refuse_new: impl Fn(&Plan) -> Option<Raised>,
) {
    let mut ready = Vec::with_capacity(plans.len());
    for p in plans {
        if p.target.is_none() {
            if let Some(wait) = ctx.pending_create(&p.entry) {
                out[p.slot] = Some(wait);
                continue;
            }
        }
        ready.push(p);
    }
    if let Err(e) = recover(ctx, kind, &mut ready).await {
        // Those whose create must be looked for first wait for the next delivery.
        let (raised, retry) = kind.raise(&e);
        let mut rest = Vec::with_capacity(ready.len());
        for p in ready {
            if p.target.is_none() && p.entry.creating_since.is_some() {
                out[p.slot] = Some(
                    ctx.fail(kind.flow, p.record.clone(), raised.clone(), retry)
                        .await,
                );
            } else {
                rest.push(p);
            }
        }
        ready = rest;
    }
    let mut linked = Vec::new();
    let mut new = Vec::new();
    for p in ready {
        if p.target.is_some() {
            linked.push(p);
        } else if let Some(raised) = refuse_new(&p) {
            out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, false).await);
        } else {
            new.push(p);
        }
    }
    update_linked(ctx, kind, settings, linked, out).await;
    create_unlinked(ctx, kind, settings, new, out).await;
}

/// A message whose record id is not an iPaaS.com id: explained, sent on towards the
/// dead-letter queue.
pub(super) async fn misrouted(ctx: &FlowContext, flow: Flow, kind: &str, raw: &str) -> Outcome {
    let reason =
        format!("misrouted message on the {flow} queue: {raw:?} is not an iPaaS.com {kind} id");
    let record = RecordRef::new(crate::flow::System::Ipaas, kind, raw.to_string());
    let raised = Raised::new(MessageId::IpaasApiError).detail(&reason);
    ctx.log(flow, record, raised).await;
    Outcome::Rejected { reason }
}
