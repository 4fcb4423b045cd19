//! What every Collections request shares: its body, the per-record results, `allOrNone`,
//! unique values within the request, and saving the records that passed as one transaction.

use crate::salesforce::errors::SfError;
use crate::salesforce::org::{Commit, Org};
use crate::salesforce::records::record_body;
use crate::salesforce::store::{Record, Ticket};
use crate::salesforce::unique::{duplicate_value, same_value};
use serde_json::{json, Value};
use shared::salesforce::SalesforceId;

const MAX_RECORDS: usize = 200;

/// One record's fate after the checks: ready to save, or failed.
pub enum Checked {
    Ready {
        object: &'static str,
        id: Option<SalesforceId>,
        changes: Record,
        /// Whether it makes a new record.
        creates: bool,
        /// Upserts report `created` in their results.
        reports_created: bool,
    },
    Failed {
        id: Option<String>,
        error: SfError,
    },
}

/// The request's `allOrNone` and `records`, with the 200-record cap.
pub fn request(body: &[u8]) -> Result<(bool, Vec<Value>), SfError> {
    let mut body = record_body(body)?;
    let all_or_none = body
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let records = match body.remove("records") {
        Some(Value::Array(r)) => r,
        _ => {
            return Err(SfError::bad(
                "INVALID_FIELD",
                "The records field is required and must be an array of sObjects",
            ))
        }
    };
    if records.len() > MAX_RECORDS {
        return Err(SfError::bad(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    Ok((all_or_none, records))
}

pub fn failure(id: Option<String>, e: &SfError) -> Value {
    let mut v = json!({"success": false, "errors": [e.collection_json()]});
    if let Some(id) = id {
        v["id"] = json!(id);
    }
    v
}

fn rolled_back() -> SfError {
    SfError::bad(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
    )
}

/// New records get their Ids before anything is saved, so a unique value written twice in
/// one request can name the record that holds it; the later record fails DUPLICATE_VALUE.
fn unique_within_request(org: &mut Org, checked: &mut [Checked]) {
    let mut seen: Vec<(&'static str, &'static str, Value, String)> = Vec::new();
    for c in checked.iter_mut() {
        let Checked::Ready {
            object,
            id,
            changes,
            ..
        } = c
        else {
            continue;
        };
        let object = *object;
        let own = id
            .get_or_insert_with(|| org.store.new_id(object))
            .to_string();
        let unique: Vec<_> = org
            .store
            .schema
            .fields(object)
            .filter(|f| f.enforces_unique())
            .collect();
        let mut clash = None;
        for f in unique {
            let Some(v) = changes.get(f.name).filter(|v| !v.is_null()) else {
                continue;
            };
            let first = seen
                .iter()
                .find(|(o, n, w, _)| *o == object && *n == f.name && same_value(f.kind, v, w));
            match first {
                Some((_, _, _, holder)) => clash = Some(duplicate_value(f.name, holder)),
                None => seen.push((object, f.name, v.clone(), own.clone())),
            }
        }
        if let Some(error) = clash {
            *c = Checked::Failed { id: None, error };
        }
    }
}

/// Saves what passed (nothing when `allOrNone` and something failed); answers the results in
/// request order and the ticket of a late commit.
pub fn finish(
    org: &mut Org,
    mut checked: Vec<Checked>,
    all_or_none: bool,
    user: &str,
    commit: Commit,
) -> (Vec<Value>, Option<Ticket>) {
    unique_within_request(org, &mut checked);
    let any_failed = checked.iter().any(|c| matches!(c, Checked::Failed { .. }));
    let mut ticket = None;
    let results = checked
        .into_iter()
        .map(|c| match c {
            Checked::Failed { id, error } => failure(id, &error),
            Checked::Ready { id, creates, .. } if all_or_none && any_failed => {
                // A record that would have been created has no Id to report.
                let id = id.filter(|_| !creates);
                failure(id.map(|i| i.to_string()), &rolled_back())
            }
            Checked::Ready {
                object,
                id,
                changes,
                creates,
                reports_created,
            } => {
                let written = org.save(object, id.as_ref(), &changes, user, commit);
                ticket = ticket.or(written.ticket);
                let mut out = json!({"id": written.id.as_str(), "success": true, "errors": []});
                if reports_created {
                    out["created"] = json!(creates);
                }
                out
            }
        })
        .collect();
    (results, ticket)
}
