//! The Salesforce side both FROM flows share, batched per invocation: linked records are read
//! in one query and only changed fields are written, in one sObject Collections update;
//! new records are created in one Collections create, then linked. Duplicate-rule hits go
//! through the flow's collision-handling method.

use super::context::{is_stale, salesforce_transient, state_failure, FlowContext, FlowSettings};
use super::{CollisionMethod, Outcome};
use crate::catalog::{MessageId, Raised};
use crate::flow::{Flow, RecordRef};
use crate::ipaas::LinkTable;
use crate::mapping::fingerprint;
use crate::salesforce::{soql, SalesforceError, SalesforceId};
use crate::state::LedgerEntry;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// One iPaaS.com record on its way to Salesforce.
pub(super) struct Plan {
    /// Position of its message in the batch.
    pub slot: usize,
    /// The iPaaS.com id (ledger key and link's internal id).
    pub ipaas_id: u64,
    pub record: RecordRef,
    pub entry: LedgerEntry,
    pub version: Option<DateTime<Utc>>,
    /// The Salesforce fields to write (non-empty values only: writes are partial).
    pub fields: Map<String, Value>,
    /// The linked Salesforce record, if any.
    pub target: Option<SalesforceId>,
    /// Whether `target` came from the iPaaS.com record's own link (else it must be written).
    pub linked: bool,
    /// Found by a lookup (email, interrupted create) rather than a link: reported as linked.
    pub found: bool,
}

/// What differs between one object's two flows.
pub(super) struct Kind {
    pub flow: Flow,
    pub object: &'static str,
    pub table: LinkTable,
    /// "Salesforce rejected the new account/contact."
    pub rejected: MessageId,
    /// The field an interrupted create is recognised by (Name / LastName).
    pub recover_by: &'static str,
    /// The lookup to the parent record (AccountId), whose refusal has its own message.
    pub parent_field: Option<&'static str>,
}

impl Kind {
    fn raise(&self, e: &SalesforceError) -> (Raised, bool) {
        (e.to_raised(), salesforce_transient(e))
    }

    /// Salesforce refused the parent lookup (no such Account): "Could not locate account by
    /// Id: {id}…". Salesforce checks the reference in the same call that writes the record,
    /// so no separate query is spent on it.
    fn missing_parent(&self, e: &SalesforceError, fields: &Map<String, Value>) -> Option<Raised> {
        let field = self.parent_field?;
        let hit = e.api_errors().iter().any(|x| {
            x.error_code == "INVALID_CROSS_REFERENCE_KEY"
                && (x.fields.is_empty() || x.fields.iter().any(|f| f == field))
        });
        let id = fields.get(field).and_then(Value::as_str)?;
        hit.then(|| Raised::with(MessageId::AccountNotFound, &[("id", id)]).detail(e.to_string()))
    }
}

/// Whether this plan should go on: stale messages and sync types decide first.
/// Whether the plan can stop here: a change older than one applied is stale; values the
/// ledger says Salesforce already holds (our own write echoed back by webhook, or the same
/// change delivered again) are unchanged, without a Salesforce call.
pub(super) fn precheck(plan: &Plan) -> Option<Outcome> {
    if is_stale(&plan.entry, plan.version) {
        return Some(Outcome::Stale);
    }
    let target = plan.target.as_ref()?;
    let hash = fingerprint(&Value::Object(plan.fields.clone()));
    (plan.entry.written_hash.as_deref() == Some(hash.as_str())).then(|| Outcome::Unchanged {
        target: target.to_string(),
    })
}

/// Recognises a record an interrupted create made: written by the integration user, since
/// the attempt began, with the same recognising field. Exactly one such record is ours.
pub(super) async fn recover(
    ctx: &FlowContext,
    kind: &Kind,
    plan: &mut Plan,
) -> Result<(), SalesforceError> {
    let (Some(since), None) = (plan.entry.creating_since, &plan.target) else {
        return Ok(());
    };
    let Some(value) = plan.fields.get(kind.recover_by).and_then(Value::as_str) else {
        return Ok(());
    };
    let Ok(literal) = soql::quote(value) else {
        return Ok(());
    };
    let user = soql::quote(&ctx.salesforce.integration_user_id().await?)
        .map_err(|e| SalesforceError::Invalid(e.to_string()))?;
    let q = format!(
        "SELECT Id FROM {} WHERE {} = {literal} AND LastModifiedById = {user} AND SystemModstamp >= {}",
        kind.object,
        kind.recover_by,
        soql::datetime(&(since - chrono::Duration::seconds(5))),
    );
    let rows = ctx.salesforce.query(&q).await?;
    if let [one] = rows.as_slice() {
        if let Some(id) = one
            .get("Id")
            .and_then(Value::as_str)
            .and_then(|s| SalesforceId::parse(s).ok())
        {
            tracing::info!(object = kind.object, id = %id, "found the record an interrupted create made");
            plan.target = Some(id);
            plan.found = true;
        }
    }
    Ok(())
}

/// Writes the linked plans: one read of the current records, then one Collections update
/// of the changed fields only.
pub(super) async fn update_linked(
    ctx: &FlowContext,
    kind: &Kind,
    settings: FlowSettings,
    plans: Vec<Plan>,
    out: &mut [Option<Outcome>],
) {
    if plans.is_empty() {
        return;
    }
    let ids: Vec<&SalesforceId> = plans.iter().filter_map(|p| p.target.as_ref()).collect();
    let fields = match kind.object {
        "Account" => crate::records::Account::soql_fields(),
        _ => crate::records::Contact::soql_fields(),
    };
    let current = match ctx
        .salesforce
        .query_by_ids(kind.object, &fields, &ids)
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            let (raised, retry) = kind.raise(&e);
            for p in plans {
                out[p.slot] = Some(
                    ctx.fail(kind.flow, p.record.clone(), raised.clone(), retry)
                        .await,
                );
            }
            return;
        }
    };
    let mut writes = Vec::new();
    let mut pending = Vec::new();
    for p in plans {
        let target = p.target.clone().expect("linked plans have a target");
        let Some(now) = current.get(target.as_str()) else {
            let raised =
                Raised::with(MessageId::SalesforceHttpError, &[("code", "404")]).detail(format!(
                    "the linked Salesforce {} {target} does not exist (deleted?)",
                    kind.object
                ));
            out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, false).await);
            continue;
        };
        let changed: Map<String, Value> = p
            .fields
            .iter()
            .filter(|(k, v)| now.get(k.as_str()) != Some(v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if changed.is_empty() {
            out[p.slot] = Some(finish(ctx, kind, &p, &target, Wrote::Nothing).await);
        } else if !settings.sync_type.may_update() {
            out[p.slot] = Some(Outcome::Skipped {
                reason: format!("sync type Add: existing {}s are not updated", kind.object),
            });
        } else {
            writes.push((target, changed));
            pending.push(p);
        }
    }
    if writes.is_empty() {
        return;
    }
    match ctx.salesforce.update_many(kind.object, &writes, None).await {
        Ok(results) => {
            for ((p, (target, _)), r) in pending.into_iter().zip(writes).zip(results) {
                match r.into_result() {
                    Ok(_) => {
                        out[p.slot] = Some(finish(ctx, kind, &p, &target, Wrote::Updated).await)
                    }
                    Err(e) => {
                        let (raised, retry) = match kind.missing_parent(&e, &p.fields) {
                            Some(r) => (r, false),
                            None => kind.raise(&e),
                        };
                        out[p.slot] =
                            Some(ctx.fail(kind.flow, p.record.clone(), raised, retry).await);
                    }
                }
            }
        }
        Err(e) => {
            let (raised, retry) = kind.raise(&e);
            for p in pending {
                out[p.slot] = Some(
                    ctx.fail(kind.flow, p.record.clone(), raised.clone(), retry)
                        .await,
                );
            }
        }
    }
}

/// Creates the unlinked plans in one Collections call, then links each new record.
pub(super) async fn create_unlinked(
    ctx: &FlowContext,
    kind: &Kind,
    settings: FlowSettings,
    plans: Vec<Plan>,
    out: &mut [Option<Outcome>],
) {
    let mut go = Vec::new();
    for p in plans {
        if let Some(wait) = ctx.pending_create(&p.entry) {
            out[p.slot] = Some(wait);
            continue;
        }
        match ctx
            .creating(kind.flow, &p.ipaas_id.to_string(), p.entry.clone())
            .await
        {
            Ok(entry) => go.push(Plan { entry, ..p }),
            Err(outcome) => out[p.slot] = Some(outcome),
        }
    }
    if go.is_empty() {
        return;
    }
    let records: Vec<Map<String, Value>> = go.iter().map(|p| p.fields.clone()).collect();
    let results = match ctx
        .salesforce
        .create_many(kind.object, &records, None)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let (raised, retry) = kind.raise(&e);
            // An answer (not a lost connection) means Salesforce created nothing.
            let answered = !matches!(e, SalesforceError::Transport { .. });
            for mut p in go {
                if answered {
                    ctx.abandon_create(kind.flow, &p.ipaas_id.to_string(), &mut p.entry)
                        .await;
                }
                out[p.slot] = Some(
                    ctx.fail(kind.flow, p.record.clone(), raised.clone(), retry)
                        .await,
                );
            }
            return;
        }
    };
    for (mut p, r) in go.into_iter().zip(results) {
        let result = r.into_result();
        if result.is_err() {
            // Salesforce said this record was not created: no interrupted create to find.
            ctx.abandon_create(kind.flow, &p.ipaas_id.to_string(), &mut p.entry)
                .await;
        }
        match result {
            Ok(id) => {
                p.target = Some(id.clone());
                out[p.slot] = Some(finish(ctx, kind, &p, &id, Wrote::Created).await);
            }
            Err(SalesforceError::Duplicates { message, .. }) => {
                let slot = p.slot;
                out[slot] = Some(collide(ctx, kind, settings, p, message).await);
            }
            Err(e @ SalesforceError::Rejected { .. }) => {
                let raised = kind
                    .missing_parent(&e, &p.fields)
                    .unwrap_or_else(|| Raised::new(kind.rejected).detail(e.to_string()));
                out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, false).await);
            }
            Err(e) => {
                let (raised, retry) = kind.raise(&e);
                out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, retry).await);
            }
        }
    }
}

/// A duplicate rule matched on create: the flow's collision-handling method decides.
async fn collide(
    ctx: &FlowContext,
    kind: &Kind,
    settings: FlowSettings,
    mut p: Plan,
    message: String,
) -> Outcome {
    let duplicate =
        || Raised::new(MessageId::DuplicatesDetected).detail(format!("{}: {message}", kind.object));
    if settings.collision == CollisionMethod::Error {
        return ctx
            .fail(kind.flow, p.record.clone(), duplicate(), false)
            .await;
    }
    // Collections results carry no matched Ids; one single create asks for them.
    let matched = match ctx.salesforce.create(kind.object, &p.fields).await {
        Err(SalesforceError::Duplicates { matches, .. }) => matches
            .into_iter()
            .find_map(|m| SalesforceId::parse(&m).ok()),
        Ok(id) => {
            // The rule let it through this time: it is a plain create after all.
            p.target = Some(id.clone());
            return finish(ctx, kind, &p, &id, Wrote::Created).await;
        }
        Err(e) => {
            let (raised, retry) = kind.raise(&e);
            return ctx.fail(kind.flow, p.record.clone(), raised, retry).await;
        }
    };
    let Some(matched) = matched else {
        return ctx
            .fail(kind.flow, p.record.clone(), duplicate(), false)
            .await;
    };
    let link = |ctx: &FlowContext, id: &SalesforceId| {
        let table = kind.table;
        let external = id.to_string();
        let internal = p.ipaas_id;
        let ipaas = ctx.ipaas.clone();
        async move { ipaas.write_link(table, &external, internal).await }
    };
    if settings.collision == CollisionMethod::RemapAndLink {
        if let Err(e) = link(ctx, &matched).await {
            return ctx
                .fail(
                    kind.flow,
                    p.record.clone(),
                    e.to_raised(),
                    super::context::ipaas_transient(&e),
                )
                .await;
        }
    }
    // The matched record is the duplicate by definition: its update must not be stopped by
    // the same rule (the header only passes rules that alert, never ones that block).
    let allow = crate::salesforce::DuplicateRuleHeader {
        allow_save: true,
        include_record_details: false,
        run_as_current_user: false,
    };
    if let Err(e) = ctx
        .salesforce
        .update_with(kind.object, &matched, &p.fields, Some(allow))
        .await
    {
        let (raised, retry) = kind.raise(&e);
        return ctx.fail(kind.flow, p.record.clone(), raised, retry).await;
    }
    match settings.collision {
        CollisionMethod::UpdateAndLink => {
            if let Err(e) = link(ctx, &matched).await {
                return ctx
                    .fail(
                        kind.flow,
                        p.record.clone(),
                        e.to_raised(),
                        super::context::ipaas_transient(&e),
                    )
                    .await;
            }
        }
        CollisionMethod::UpdateAndNoLink => {
            // Not linked on purpose: the ledger keeps no target either, so the next change
            // meets the duplicate rule again and updates the same record again.
            let mut entry = p.entry.clone();
            entry.creating_since = None;
            if let Err(e) = ctx
                .save_ledger(kind.flow, &p.ipaas_id.to_string(), &entry)
                .await
            {
                return state_failure(kind.flow, &p.ipaas_id.to_string(), e);
            }
            return Outcome::Updated {
                target: matched.to_string(),
            };
        }
        _ => {}
    }
    let source = p.ipaas_id.to_string();
    let hash = Some(fingerprint(&Value::Object(p.fields.clone())));
    if let Err(e) = ctx
        .applied(
            kind.flow,
            &source,
            p.entry.clone(),
            matched.as_str(),
            hash,
            p.version,
        )
        .await
    {
        return state_failure(kind.flow, &source, e);
    }
    Outcome::Linked {
        target: matched.to_string(),
    }
}

/// What was written to the target before `finish`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Wrote {
    Created,
    Updated,
    Nothing,
}

/// After a write (or a confirmed no-op) on `target`: link it if the iPaaS.com record does
/// not carry the link yet, and remember it in the ledger.
async fn finish(
    ctx: &FlowContext,
    kind: &Kind,
    p: &Plan,
    target: &SalesforceId,
    wrote: Wrote,
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
    let source = p.ipaas_id.to_string();
    let hash = Some(fingerprint(&Value::Object(p.fields.clone())));
    if let Err(e) = ctx
        .applied(
            kind.flow,
            &source,
            p.entry.clone(),
            target.as_str(),
            hash,
            p.version,
        )
        .await
    {
        return state_failure(kind.flow, &source, e);
    }
    let target = target.to_string();
    match wrote {
        Wrote::Created => Outcome::Created { target },
        _ if p.found || !p.linked => Outcome::Linked { target },
        Wrote::Updated => Outcome::Updated { target },
        Wrote::Nothing => Outcome::Unchanged { target },
    }
}
