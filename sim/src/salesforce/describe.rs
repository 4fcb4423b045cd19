//! `GET …/sobjects/{object}/describe`: the object and its fields as the integration user
//! sees them (hidden fields left out, read-only ones neither createable nor updateable), with
//! Salesforce's type names, lengths and flags, custom fields included.

use super::errors::{json_response, SfError};
use super::records::object_of;
use super::rules::{Operation, Rules};
use super::schema::{self, Field, FieldAccess, Kind, Schema};
use super::state::Shared;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

pub async fn describe(
    State(state): State<Shared>,
    Path((_version, object)): Path<(String, String)>,
) -> Result<Response, SfError> {
    let object = object_of(&object)?;
    let org = state.org();
    // Without read access the object does not exist for this user.
    org.rules
        .check_access(object, Operation::Read)
        .map_err(|_| SfError::not_found())?;
    let body = object_json(&org.store.schema, &org.rules, object);
    Ok(json_response(StatusCode::OK, &body))
}

fn object_json(schema: &Schema, rules: &Rules, object: &'static str) -> Value {
    let allowed = |op| rules.check_access(object, op).is_ok();
    let fields: Vec<Value> = schema
        .api_fields(object)
        .map(|f| field_json(schema, object, f))
        .collect();
    json!({
        "name": object,
        "label": object,
        "labelPlural": format!("{object}s"),
        "custom": false,
        "keyPrefix": schema::key_prefix(object),
        "createable": allowed(Operation::Create),
        "updateable": allowed(Operation::Update),
        "deletable": allowed(Operation::Delete),
        "queryable": true,
        "retrieveable": true,
        "fields": fields,
    })
}

fn field_json(schema: &Schema, object: &str, f: Field) -> Value {
    let writable = f.writable && schema.access(object, f.name) == FieldAccess::ReadWrite;
    let (precision, scale) = match f.kind {
        Kind::Number { precision, scale } => (precision, scale),
        _ => (0, 0),
    };
    let reference_to: Vec<&str> = match f.kind {
        Kind::Reference(target) => vec![target],
        _ => Vec::new(),
    };
    let picklist: Vec<Value> = match f.kind {
        Kind::Picklist { values, .. } => values
            .iter()
            .map(|v| json!({"value": v, "label": v, "active": true, "defaultValue": false}))
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "name": f.name,
        "label": f.label,
        "type": f.kind.describe_type(),
        "length": f.kind.max_len().unwrap_or(0),
        "precision": precision,
        "scale": scale,
        "createable": writable,
        "updateable": writable,
        "nillable": f.writable && !f.required && f.kind != Kind::Boolean,
        "defaultedOnCreate": !f.writable || f.kind == Kind::Boolean,
        "externalId": f.external_id,
        "unique": f.unique,
        "custom": f.custom,
        "referenceTo": reference_to,
        "picklistValues": picklist,
        "restrictedPicklist": matches!(f.kind, Kind::Picklist { restricted: true, .. }),
        "idLookup": f.kind == Kind::Id || f.external_id,
        "filterable": true,
        "sortable": !matches!(f.kind, Kind::TextArea(n) if n > 255),
    })
}
