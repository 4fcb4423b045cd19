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
    /// `target` was made by this plan's own create just now: nothing else can hold it, so
    /// there is no pair to claim before linking it.
    pub fresh: bool,
    /// A Company's name, to be looked up among the creates Account TO has under way before
    /// this plan creates anything (`origin::pending`).
    pub origin_name: Option<String>,
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
            fresh: false,
            origin_name: None,
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
    pub pair: crate::mapping::document::Pair,
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
    // A pair whose link is not on the iPaaS.com record yet (its write failed after the
    // ledger settled) goes on, so the link is written.
    if !plan.linked {
        return None;
    }
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
    let mut entry = p.entry.clone();
    if !p.linked {
        // Claimed in both ledgers before the link: an indistinguishable twin's recovery
        // can never take the same record. (A record this plan's create just made has no
        // one else to be taken by.)
        if !p.fresh {
            match ctx
                .pair_up(kind.flow, &p.source_id(), entry, target.as_str())
                .await
            {
                Ok(Some(e)) => entry = e,
                Ok(None) => {
                    return Outcome::Postponed {
                        delay: ctx.pacing.create_lease,
                        reason: format!(
                            "Salesforce {} {target} is paired with another record; looking again",
                            kind.object
                        ),
                    }
                }
                Err(e) => return state_failure(kind.flow, &p.source_id(), e),
            }
        }
    }
    // The link and the ledger are written at once: a link whose write fails is written
    // again by the next delivery (`precheck` lets an unlinked pair through).
    let link = async {
        if p.linked {
            Ok(())
        } else {
            ctx.ipaas
                .write_link(kind.table, target.as_str(), p.ipaas_id)
                .await
        }
    };
    let source_id = p.source_id();
    let settled = ctx.settle(
        kind.flow,
        &source_id,
        entry,
        target.as_str(),
        base,
        p.version,
    );
    let (link, settled) = tokio::join!(link, settled);
    if let Err(e) = link {
        let retry = super::context::ipaas_transient(&e);
        return ctx
            .fail(kind.flow, p.record.clone(), e.to_raised(), retry)
            .await;
    }
    if let Err(e) = settled {
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
            out[p.slot] = Some(match theirs(ctx, kind, &p).await {
                Some(wait) => wait,
                None => ctx.fail(kind.flow, p.record.clone(), raised, false).await,
            });
        } else {
            new.push(p);
        }
    }
    update_linked(ctx, kind, settings, linked, out).await;
    create_unlinked(ctx, kind, settings, new, out).await;
}

/// The wait of a plan whose record the other direction is creating (`origin`): it is left
/// to that flow to link. `None` when it is not (or the plan has no name to look up).
pub(super) async fn theirs(ctx: &FlowContext, kind: &Kind, p: &Plan) -> Option<Outcome> {
    let name = p.origin_name.as_deref()?;
    match super::origin::pending(ctx, name).await {
        Ok(false) => None,
        Ok(true) => Some(Outcome::Postponed {
            delay: ctx.pacing.create_lease,
            reason: "a Company of this name is being created by Account TO iPaaS.com; it is left to that flow to link".into(),
        }),
        Err(e) => Some(state_failure(kind.flow, &p.source_id(), e)),
    }
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
