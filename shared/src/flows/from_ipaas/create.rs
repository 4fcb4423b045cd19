//! New records: each create is claimed in the ledger, then all are sent in one Collections
//! call. With an External ID field the call is an upsert on the iPaaS.com id (sending it
//! again updates what the first one made); without, a call whose outcome is unknown is never
//! sent again: its claims stay and the next delivery recovers what it made.

use super::{collide, finish, How, Kind, Plan};
use crate::flows::context::FlowContext;
use crate::flows::merge::agreed;
use crate::flows::{FlowSettings, Outcome};
use crate::salesforce::{SalesforceError, SaveResult};
use futures::StreamExt;
use serde_json::{Map, Value};

/// Creates the unlinked plans in one Collections call, then links each new record.
pub(crate) async fn create_unlinked(
    ctx: &FlowContext,
    kind: &Kind,
    settings: FlowSettings,
    plans: Vec<Plan>,
    out: &mut [Option<Outcome>],
) {
    let mut go = Vec::new();
    let mut claims = Vec::new();
    for p in plans {
        match ctx.pending_create(&p.entry) {
            Some(wait) => out[p.slot] = Some(wait),
            None => claims.push(claim(ctx, kind, p)),
        }
    }
    // The creates are claimed at once (bounded).
    let claimed: Vec<Result<Plan, (usize, Outcome)>> = futures::stream::iter(claims)
        .buffered(ctx.pacing.concurrency.max(1))
        .collect()
        .await;
    for c in claimed {
        match c {
            Ok(p) => go.push(p),
            Err((slot, outcome)) => out[slot] = Some(outcome),
        }
    }
    if go.is_empty() {
        return;
    }
    let external = ctx.external_ids.of(kind.object).map(str::to_string);
    let records: Vec<Map<String, Value>> =
        go.iter().map(|p| body(p, external.as_deref())).collect();
    let sent = match &external {
        Some(field) => {
            ctx.salesforce
                .upsert_many(kind.object, field, &records, None)
                .await
        }
        None => {
            ctx.salesforce
                .create_many(kind.object, &records, None)
                .await
        }
    };
    let results = match sent {
        Ok(r) => r,
        Err(e @ (SalesforceError::Ambiguous { .. } | SalesforceError::Decode { .. })) => {
            // Salesforce may have made some or all of them: the claims stay.
            for p in go {
                out[p.slot] = Some(ctx.create_unconfirmed(kind.object, &e.to_string()));
            }
            return;
        }
        Err(e) => {
            // An answer that refuses the whole call: nothing was created.
            for mut p in go {
                ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
                    .await;
                let (raised, retry) = kind.raise_create(&e, &p.fields);
                out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, retry).await);
            }
            return;
        }
    };
    let work: Vec<_> = go
        .into_iter()
        .zip(results)
        .map(|(p, r)| async move {
            let slot = p.slot;
            (slot, one_result(ctx, kind, settings, p, r).await)
        })
        .collect();
    let done: Vec<(usize, Outcome)> = futures::stream::iter(work)
        .buffer_unordered(ctx.pacing.concurrency.max(1))
        .collect()
        .await;
    for (slot, o) in done {
        out[slot] = Some(o);
    }
}

/// Claims one create in the ledger; at the same time, looks whether the other direction is
/// creating the record (then the claim is given back and the plan waits).
async fn claim(ctx: &FlowContext, kind: &Kind, p: Plan) -> Result<Plan, (usize, Outcome)> {
    let source_id = p.source_id();
    let (claimed, theirs) = tokio::join!(
        ctx.creating(kind.flow, &source_id, p.entry.clone()),
        super::theirs(ctx, kind, &p)
    );
    match (claimed, theirs) {
        (Ok(entry), None) => Ok(Plan { entry, ..p }),
        (Ok(mut entry), Some(wait)) => {
            ctx.abandon_create(kind.flow, &p.source_id(), &mut entry)
                .await;
            Err((p.slot, wait))
        }
        (Err(outcome), _) => Err((p.slot, outcome)),
    }
}

/// The record to send: the plan's fields, plus the External ID field holding the
/// iPaaS.com id when creates go by upsert.
fn body(p: &Plan, external: Option<&str>) -> Map<String, Value> {
    let mut fields = p.fields.clone();
    if let Some(field) = external {
        fields.insert(field.to_string(), Value::String(p.source_id()));
    }
    fields
}

async fn one_result(
    ctx: &FlowContext,
    kind: &Kind,
    settings: FlowSettings,
    mut p: Plan,
    r: SaveResult,
) -> Outcome {
    // An upsert that updated found the record an earlier, unanswered call made.
    let updated = r.created == Some(false);
    match r.into_result() {
        Ok(id) => {
            p.how = if updated { How::Recovered } else { How::Linked };
            p.linked = false;
            p.fresh = !updated;
            let base = agreed(&p.source, &p.source, None);
            let outcome = finish(ctx, kind, &p, &id, &base, true).await;
            match outcome {
                Outcome::Linked { target } if !updated => Outcome::Created { target },
                other => other,
            }
        }
        Err(SalesforceError::Duplicates { message, .. }) => {
            collide::collide(ctx, kind, settings, p, message).await
        }
        Err(e) => {
            // Salesforce answered for this record: it was not created.
            ctx.abandon_create(kind.flow, &p.source_id(), &mut p.entry)
                .await;
            let (raised, retry) = kind.raise_create(&e, &p.fields);
            ctx.fail(kind.flow, p.record.clone(), raised, retry).await
        }
    }
}
