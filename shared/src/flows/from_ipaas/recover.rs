//! Finding what an unanswered create made. A create claimed in the ledger whose answer was
//! lost (or whose worker died) may have been applied; before any second create, the records
//! the integration user created since the claim, with the same recognising field, are
//! looked up in one query. Creator and creation time never change, so a person editing the
//! new record in the meantime does not hide it. A candidate the other direction has linked
//! to another record is not ours; among several, the one holding exactly what was sent, else
//! the oldest; two plans of a batch never take the same record.

use super::{How, Kind, Plan};
use crate::flows::context::{same_id, FlowContext};
use crate::flows::merge::values;
use crate::records::sf_time;
use crate::salesforce::{soql, SalesforceError, SalesforceId};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Allowance for the clocks of the two systems (CreatedDate is Salesforce's).
const SKEW_SECS: i64 = 5;

struct Candidate {
    id: SalesforceId,
    created: DateTime<Utc>,
    row: Map<String, Value>,
}

pub(crate) async fn recover(
    ctx: &FlowContext,
    kind: &Kind,
    plans: &mut [Plan],
) -> Result<(), SalesforceError> {
    let wanted: Vec<usize> = plans
        .iter()
        .enumerate()
        .filter(|(_, p)| p.target.is_none() && p.entry.creating_since.is_some())
        .map(|(i, _)| i)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let keys: HashSet<String> = wanted
        .iter()
        .filter_map(|&i| recognised(kind, &plans[i]))
        .collect();
    if keys.is_empty() {
        return Ok(());
    }
    let since = wanted
        .iter()
        .filter_map(|&i| plans[i].entry.creating_since)
        .min()
        .unwrap_or_else(Utc::now)
        - chrono::Duration::seconds(SKEW_SECS);
    let me = soql::quote(&ctx.salesforce.integration_user_id().await?)
        .map_err(|e| SalesforceError::Invalid(e.to_string()))?;
    let mut fields = match kind.object {
        "Account" => crate::records::Account::soql_fields(),
        _ => crate::records::Contact::soql_fields(),
    };
    fields.retain(|f| f != "CreatedDate");
    fields.push("CreatedDate".into());
    let mut by_key: HashMap<String, Vec<Candidate>> = HashMap::new();
    let keys: Vec<String> = keys.into_iter().collect();
    for chunk in keys.chunks(100) {
        let Ok(list) = soql::string_list(chunk.iter().map(String::as_str)) else {
            continue;
        };
        let q = format!(
            "SELECT {} FROM {} WHERE CreatedById = {me} AND CreatedDate >= {} AND {} IN {list} ORDER BY CreatedDate ASC, Id ASC",
            fields.join(", "),
            kind.object,
            soql::datetime(&since),
            kind.recover_by,
        );
        for row in ctx.salesforce.query(&q).await? {
            let id = row
                .get("Id")
                .and_then(Value::as_str)
                .map(SalesforceId::parse);
            let created = row
                .get("CreatedDate")
                .and_then(Value::as_str)
                .and_then(sf_time::parse);
            let key = row
                .get(kind.recover_by)
                .and_then(Value::as_str)
                .map(|s| s.trim().to_lowercase());
            if let (Some(Ok(id)), Some(created), Some(key)) = (id, created, key) {
                by_key
                    .entry(key)
                    .or_default()
                    .push(Candidate { id, created, row });
            }
        }
    }
    let mut taken: HashSet<String> = HashSet::new();
    for i in wanted {
        let Some(key) = recognised(kind, &plans[i]) else {
            continue;
        };
        let p = &plans[i];
        let since =
            p.entry.creating_since.unwrap_or_else(Utc::now) - chrono::Duration::seconds(SKEW_SECS);
        let mut usable = Vec::new();
        for c in by_key.get(&key).into_iter().flatten() {
            if c.created < since || taken.contains(c.id.as_str()) {
                continue;
            }
            if linked_elsewhere(ctx, kind, &c.id, p.ipaas_id).await {
                continue;
            }
            usable.push(c);
        }
        let exact = usable.iter().find(|c| same_values(kind, &c.row, p));
        let Some(pick) = exact.or(usable.first()) else {
            continue;
        };
        tracing::info!(object = kind.object, id = %pick.id, ipaas_id = p.ipaas_id,
            "found the record an unanswered create made");
        taken.insert(pick.id.to_string());
        let p = &mut plans[i];
        p.target = Some(pick.id.clone());
        p.linked = false;
        p.how = How::Recovered;
    }
    Ok(())
}

/// The plan's recognising value, as compared (trimmed, lower case).
fn recognised(kind: &Kind, p: &Plan) -> Option<String> {
    let v = p
        .fields
        .get(kind.recover_by)?
        .as_str()?
        .trim()
        .to_lowercase();
    (!v.is_empty() && soql::quote(&v).is_ok()).then_some(v)
}

/// Whether the candidate holds exactly the values this plan would send.
fn same_values(kind: &Kind, row: &Map<String, Value>, p: &Plan) -> bool {
    let now = match kind.object {
        "Account" => crate::records::Account::from_fields(row).to_fields(),
        _ => crate::records::Contact::from_fields(row).to_fields(),
    };
    values(&now) == p.source
}

/// Whether the other direction's ledger pairs `id` with another iPaaS.com record.
async fn linked_elsewhere(ctx: &FlowContext, kind: &Kind, id: &SalesforceId, mine: u64) -> bool {
    match ctx.ledger(kind.flow.opposite(), id.as_str()).await {
        Ok(e) => e
            .target_id
            .as_deref()
            .is_some_and(|t| !same_id(t, &mine.to_string())),
        // Unknown: better not to take it than to take another record's.
        Err(_) => true,
    }
}
