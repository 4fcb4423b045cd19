//! Checks a parsed query against the schema (object, fields, literal types) and turns
//! literals into the types of the fields they are compared with.

use super::{Cond, Ident, Lit, Query, Select, SoqlError};
use crate::salesforce::schema::{self, Field, Kind, Schema};
use crate::salesforce::store::{parse_time, Record};
use serde_json::Value;
use shared::salesforce::SalesforceId;

/// Validates `q` and returns it with canonical names and typed literals.
pub fn check(mut q: Query, schema: &Schema) -> Result<(&'static str, Query), SoqlError> {
    let object = schema::object(&q.object.name).ok_or_else(|| SoqlError {
        code: "INVALID_TYPE",
        pos: Some(q.object.pos),
        detail: format!(
            "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
            q.object.name
        ),
    })?;
    if let Select::Fields(fields) = &mut q.select {
        for f in fields.iter_mut() {
            resolve(schema, object, f)?;
        }
    }
    for o in &mut q.order {
        resolve(schema, object, &mut o.field)?;
    }
    if let Some(c) = q.filter.take() {
        q.filter = Some(cond(schema, object, c)?);
    }
    Ok((object, q))
}

/// Renames `f` to the field's canonical name.
fn resolve(schema: &Schema, object: &str, f: &mut Ident) -> Result<Field, SoqlError> {
    let field = schema.api_field(object, &f.name).ok_or_else(|| SoqlError {
        code: "INVALID_FIELD",
        pos: Some(f.pos),
        detail: format!(
            "No such column '{}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
            f.name
        ),
    })?;
    f.name = field.name.to_string();
    Ok(field)
}

fn cond(schema: &Schema, object: &str, c: Cond) -> Result<Cond, SoqlError> {
    Ok(match c {
        Cond::And(terms) => Cond::And(
            terms
                .into_iter()
                .map(|t| cond(schema, object, t))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Or(terms) => Cond::Or(
            terms
                .into_iter()
                .map(|t| cond(schema, object, t))
                .collect::<Result<_, _>>()?,
        ),
        Cond::Not(a) => Cond::Not(Box::new(cond(schema, object, *a)?)),
        Cond::Cmp(mut f, op, lit) => {
            let field = resolve(schema, object, &mut f)?;
            let lit = typed(field, &f, lit)?;
            Cond::Cmp(f, op, lit)
        }
        Cond::In(mut f, negated, vals) => {
            let field = resolve(schema, object, &mut f)?;
            let vals = vals
                .into_iter()
                .map(|l| typed(field, &f, l))
                .collect::<Result<_, _>>()?;
            Cond::In(f, negated, vals)
        }
        Cond::Like(mut f, p) => {
            let field = resolve(schema, object, &mut f)?;
            if !field.kind.is_text() {
                return Err(SoqlError {
                    code: "INVALID_FIELD",
                    pos: Some(f.pos),
                    detail: format!("invalid operator on {} field: LIKE", kind_name(field.kind)),
                });
            }
            Cond::Like(f, p)
        }
    })
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::Picklist { .. } => "picklist",
        k if k.is_text() => "string",
        Kind::Reference(_) | Kind::Id => "id",
        Kind::DateTime => "dateTime",
        Kind::Boolean => "boolean",
        _ => "double",
    }
}

/// A literal as the type of `field`, or Salesforce's complaint about it.
fn typed(field: Field, at: &Ident, lit: Lit) -> Result<Lit, SoqlError> {
    let wrong = |quoted: bool| {
        SoqlError {
        code: "INVALID_FIELD",
        pos: Some(at.pos),
        detail: format!(
            "value of filter criterion for field '{}' must be of type {} and should {}be enclosed in quotes",
            field.name,
            kind_name(field.kind),
            if quoted { "" } else { "not " }
        ),
    }
    };
    match (field.kind, lit) {
        (_, Lit::Null) => Ok(Lit::Null),
        (k, Lit::Str(s)) if k.is_text() => Ok(Lit::Str(s)),
        (k, _) if k.is_text() => Err(wrong(true)),
        (Kind::Id | Kind::Reference(_), Lit::Str(s)) => SalesforceId::parse(&s)
            .map(|id| Lit::Id(id.to_string()))
            .map_err(|_| SoqlError {
                code: "INVALID_QUERY_FILTER_OPERATOR",
                pos: Some(at.pos),
                detail: format!("invalid ID field: {s}"),
            }),
        (Kind::Id | Kind::Reference(_), _) => Err(wrong(true)),
        (Kind::DateTime, Lit::Time(t)) => Ok(Lit::Time(t)),
        (Kind::DateTime, _) => Err(wrong(false)),
        (Kind::Boolean, Lit::Bool(b)) => Ok(Lit::Bool(b)),
        (Kind::Boolean, _) => Err(wrong(false)),
        (Kind::Number { .. }, Lit::Num(n)) => Ok(Lit::Num(n)),
        (_, _) => Err(wrong(false)),
    }
}

/// A stored field value as a literal of the field's type.
pub fn record_value(schema: &Schema, object: &str, rec: &Record, field: &str) -> Lit {
    let kind = schema.field(object, field).map(|f| f.kind);
    match (kind, rec.get(field)) {
        (_, None | Some(Value::Null)) => Lit::Null,
        (Some(Kind::DateTime), Some(Value::String(s))) => {
            parse_time(s).map_or(Lit::Null, Lit::Time)
        }
        (Some(Kind::Id | Kind::Reference(_)), Some(Value::String(s))) => Lit::Id(s.clone()),
        (_, Some(Value::Bool(b))) => Lit::Bool(*b),
        (_, Some(Value::Number(n))) => Lit::Num(n.as_f64().unwrap_or(0.0)),
        (_, Some(Value::String(s))) => Lit::Str(s.clone()),
        (_, Some(other)) => Lit::Str(other.to_string()),
    }
}
