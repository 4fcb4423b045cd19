//! Linked records: one read of their current Salesforce values, a three-way decision per
//! record, and one sObject Collections update of the fields to write.

use super::{finish, Kind, Plan};
use crate::catalog::{MessageId, Raised};
use crate::flows::context::FlowContext;
use crate::flows::merge::{agreed, applied, decide, values, Later, Values};
use crate::flows::{FlowSettings, Outcome};
use crate::records::sf_time;
use crate::salesforce::SalesforceId;
use serde_json::{Map, Value};

/// The fields read back from Salesforce to compare: the mapped ones plus SystemModstamp.
fn read_fields(kind: &Kind) -> Vec<String> {
    match kind.object {
        "Account" => crate::records::Account::soql_fields(),
        _ => crate::records::Contact::soql_fields(),
    }
}

/// The record's values as the mapping names them (the fields this flow writes).
fn current_values(kind: &Kind, row: &Map<String, Value>) -> Values {
    let fields = match kind.object {
        "Account" => crate::records::Account::from_fields(row).to_fields(),
        _ => crate::records::Contact::from_fields(row).to_fields(),
    };
    values(&fields)
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
        .query_by_ids(kind.object, &read_fields(kind), &ids)
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
        let now = current_values(kind, row);
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
        if decision.write.is_empty() {
            let base = agreed(&p.source, &now, p.base());
            out[p.slot] = Some(finish(ctx, kind, &p, &target, &base, false).await);
        } else if !settings.sync_type.may_update() && p.how != super::How::Recovered {
            out[p.slot] = Some(Outcome::Skipped {
                reason: format!("sync type Add: existing {}s are not updated", kind.object),
            });
        } else {
            let fields: Map<String, Value> = decision
                .write
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            writes.push((target, fields));
            pending.push((p, now, decision.write));
        }
    }
    if writes.is_empty() {
        return;
    }
    let results = match ctx.salesforce.update_many(kind.object, &writes, None).await {
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
    for (((p, now, write), (target, _)), r) in pending.into_iter().zip(writes).zip(results) {
        out[p.slot] = Some(match r.into_result() {
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
        });
    }
}
