//! Linked records: one read of their current Salesforce values, a three-way decision per
//! record, and one sObject Collections update of the fields to write.

use super::{finish, Kind, Plan};
use crate::catalog::{MessageId, Raised};
use crate::flows::context::FlowContext;
use crate::flows::merge::{agreed, applied, decide, Later, Values};
use crate::flows::{FlowSettings, Outcome};
use crate::mapping::document::Direction;
use crate::records::sf_time;
use crate::salesforce::SalesforceId;
use futures::StreamExt;
use serde_json::{Map, Value};

/// The fields read back from Salesforce to compare: the mapping's, with SystemModstamp.
fn read_fields(ctx: &FlowContext, kind: &Kind) -> Vec<String> {
    crate::flows::mapped::read_fields(ctx, kind.pair)
}

/// The record's values as the mapping names them (the fields this flow writes).
fn current_values(ctx: &FlowContext, kind: &Kind, row: &Map<String, Value>) -> Values {
    crate::flows::mapped::salesforce_values(ctx, kind.pair, row, Direction::FromIpaas)
}

pub(crate) async fn update_linked(
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
    let current = match ctx
        .salesforce
        .query_by_ids(kind.object, &read_fields(ctx, kind), &ids)
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
        let Some(row) = current.get(target.as_str()) else {
            let raised =
                Raised::with(MessageId::SalesforceHttpError, &[("code", "404")]).detail(format!(
                    "the linked Salesforce {} {target} does not exist or was deleted (deletes are not synced: restore it from the recycle bin, or remove the link in iPaaS.com so a new one is made)",
                    kind.object
                ));
            out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, false).await);
            continue;
        };
        let now = current_values(ctx, kind, row);
        let modstamp = row
            .get("SystemModstamp")
            .and_then(Value::as_str)
            .and_then(sf_time::parse);
        // iPaaS.com is the source here: its change wins only when strictly later.
        let later = match (p.version, modstamp) {
            (Some(i), Some(s)) if i > s => Later::Source,
            (Some(_), Some(_)) => Later::Target,
            _ => Later::Source,
        };
        let decision = decide(&p.source, &now, p.base(), later);
        tracing::debug!(flow = %kind.flow, record = p.ipaas_id, target = %target, ?later,
            write = ?decision.write.keys().collect::<Vec<_>>(), kept = ?decision.kept, "merged");
        if decision.write.is_empty() {
            let base = agreed(&p.source, &now, p.base());
            out[p.slot] = Some(finish(ctx, kind, &p, &target, &base, false).await);
        } else if !settings.sync_type.may_update() && p.how != super::How::Recovered {
            out[p.slot] = Some(Outcome::Skipped {
                reason: format!("sync type Add: existing {}s are not updated", kind.object),
            });
        } else {
            let only: std::collections::BTreeSet<String> = decision.write.keys().cloned().collect();
            let fields = match ctx
                .mapping
                .pair(kind.pair)
                .write_salesforce(&p.source, Some(&only))
            {
                Ok(f) => f,
                Err(e) => {
                    let raised = crate::flows::mapped::refused_to_salesforce(kind.rejected, &e);
                    out[p.slot] = Some(ctx.fail(kind.flow, p.record.clone(), raised, false).await);
                    continue;
                }
            };
            writes.push((target, fields));
            pending.push((p, now, decision.write));
        }
    }
    if writes.is_empty() {
        return;
    }
    // A linked record is written as itself: a duplicate rule that only alerts (the standard
    // rules on edit) must not stop the sync of an existing pair (collision handling is for
    // creates). Rules that block still block.
    let allow = crate::salesforce::DuplicateRuleHeader {
        allow_save: true,
        include_record_details: false,
        run_as_current_user: false,
    };
    let results = match ctx
        .salesforce
        .update_many(kind.object, &writes, Some(allow))
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let (raised, retry) = kind.raise(&e);
            for (p, _, _) in pending {
                out[p.slot] = Some(
                    ctx.fail(kind.flow, p.record.clone(), raised.clone(), retry)
                        .await,
                );
            }
            return;
        }
    };
    // Each written record is linked and settled at once (bounded).
    let work: Vec<_> = pending
        .into_iter()
        .zip(writes)
        .zip(results)
        .map(|(((p, now, write), (target, _)), r)| written(ctx, kind, p, now, write, target, r))
        .collect();
    let done: Vec<(usize, Outcome)> = futures::stream::iter(work)
        .buffer_unordered(ctx.pacing.concurrency.max(1))
        .collect()
        .await;
    for (slot, o) in done {
        out[slot] = Some(o);
    }
}

/// One record's result of the Collections update: linked and settled, or its failure.
async fn written(
    ctx: &FlowContext,
    kind: &Kind,
    p: Plan,
    now: Values,
    write: Values,
    target: crate::salesforce::SalesforceId,
    r: crate::salesforce::SaveResult,
) -> (usize, Outcome) {
    let outcome = match r.into_result() {
        Ok(_) => {
            let base = agreed(&p.source, &applied(&now, &write), p.base());
            finish(ctx, kind, &p, &target, &base, true).await
        }
        Err(e) => {
            let (raised, retry) = match kind.missing_parent(&e, &p.fields) {
                Some(r) => (r, false),
                None => kind.raise(&e),
            };
            ctx.fail(kind.flow, p.record.clone(), raised, retry).await
        }
    };
    (p.slot, outcome)
}
