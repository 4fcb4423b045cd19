//! The flows' view of the mapping document: the fields they read and the values they
//! compare and write, all derived from `FlowContext::mapping` (no second list of fields).
//! A record the mapping refuses (a value table's unknown value under `fail`, a value over
//! `max_length` under `fail`) fails with an Error Log entry naming the field: the iPaaS.com
//! message when iPaaS.com is written, the object's "Salesforce rejected…" when Salesforce is.

use super::context::FlowContext;
use super::merge::Values;
use crate::catalog::{MessageId, Raised};
use crate::mapping::document::{Direction, MappingError, Pair};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The Salesforce fields a flow reads: the mapping's, plus those the flow itself needs to
/// find records (an Account's Name, a Contact's LastName and Email).
pub fn read_fields(ctx: &FlowContext, pair: Pair) -> Vec<String> {
    let mut fields = ctx.mapping.pair(pair).soql_fields();
    let own: &[&str] = match pair {
        Pair::Account => &["Name"],
        Pair::Contact => &["LastName", "Email", "AccountId"],
    };
    for f in own {
        if !fields.iter().any(|x| x.eq_ignore_ascii_case(f)) {
            fields.push(f.to_string());
        }
    }
    fields
}

/// What the poller reads of each polled object: exactly what its TO flow reads, so the row
/// it hands on in the message is as good as the flow's own read.
pub fn polled_fields(ctx: &FlowContext) -> std::collections::HashMap<String, Vec<String>> {
    [("Account", Pair::Account), ("Contact", Pair::Contact)]
        .into_iter()
        .map(|(object, pair)| (object.to_string(), read_fields(ctx, pair)))
        .collect()
}

/// The rows the messages carry, by Id, when each holds every field the flow reads (a
/// message from before a mapping change may not); the others are to be read.
pub fn carried_rows(
    ctx: &FlowContext,
    pair: Pair,
    messages: &[crate::queue::WorkMessage],
) -> std::collections::HashMap<String, Map<String, Value>> {
    let fields = read_fields(ctx, pair);
    let mut out = std::collections::HashMap::new();
    for m in messages {
        let Some(row) = &m.row else { continue };
        let whole = fields
            .iter()
            .all(|f| row.keys().any(|k| k.eq_ignore_ascii_case(f)));
        let id = crate::salesforce::SalesforceId::parse(&m.record_id);
        if let (true, Ok(id)) = (whole, id) {
            out.insert(id.as_str().to_string(), row.clone());
        }
    }
    out
}

/// A Salesforce row's values for `direction`.
pub fn salesforce_values(
    ctx: &FlowContext,
    pair: Pair,
    row: &Map<String, Value>,
    direction: Direction,
) -> Values {
    ctx.mapping.pair(pair).salesforce_values(row, direction)
}

/// An iPaaS.com record's values for `direction`, in Salesforce terms.
pub fn ipaas_values<T: Serialize>(
    ctx: &FlowContext,
    pair: Pair,
    record: &T,
    direction: Direction,
) -> Result<Values, MappingError> {
    let json = serde_json::to_value(record).map_err(|e| malformed(pair, e))?;
    ctx.mapping.pair(pair).ipaas_values(&json, direction)
}

/// The iPaaS.com record to send: `existing` with the chosen fields of `values` laid over it.
pub fn write_ipaas<T: Serialize + DeserializeOwned>(
    ctx: &FlowContext,
    pair: Pair,
    existing: Option<&T>,
    values: &Values,
    only: Option<&BTreeSet<String>>,
) -> Result<T, MappingError> {
    let existing = existing
        .map(serde_json::to_value)
        .transpose()
        .map_err(|e| malformed(pair, e))?;
    let written = ctx
        .mapping
        .pair(pair)
        .write_ipaas(existing.as_ref(), values, only)?;
    serde_json::from_value(written).map_err(|e| malformed(pair, e))
}

fn malformed(pair: Pair, e: serde_json::Error) -> MappingError {
    MappingError::Malformed {
        kind: pair.ipaas_kind(),
        field: "(record)".into(),
        problem: e.to_string(),
    }
}

/// The Error Log entry of a record the mapping refuses on its way to iPaaS.com.
pub fn refused_to_ipaas(e: &MappingError) -> Raised {
    Raised::new(MessageId::IpaasApiError)
        .detail(format!("the field mapping refuses the record: {e}"))
}

/// The Error Log entry of a record the mapping refuses on its way to Salesforce.
pub fn refused_to_salesforce(rejected: MessageId, e: &MappingError) -> Raised {
    Raised::new(rejected).detail(format!("the field mapping refuses the record: {e}"))
}
