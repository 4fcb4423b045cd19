//! Running one direction's transforms on one value: case transforms in the order given,
//! then the value table, then the maximum length. Values are always trimmed, and an empty
//! result is no value (a write never clears a field).

use super::error::{shown, MappingError};
use super::model::{Case, Chain, Overflow, Unknown};
use super::Direction;

/// Who a value belongs to, for the error that names it.
pub(super) struct Subject<'a> {
    pub object: &'static str,
    pub field: &'a str,
    pub ipaas: String,
    pub direction: Direction,
}

impl Chain {
    /// The value after this direction's transforms; `None` when nothing is to be written
    /// (an empty result, or a value table's unknown value under `skip`).
    pub(super) fn apply(
        &self,
        value: &str,
        who: &Subject<'_>,
    ) -> Result<Option<String>, MappingError> {
        let mut v = value.trim().to_string();
        for c in &self.cases {
            v = match c {
                Case::Trim => v.trim().to_string(),
                Case::Lower => v.to_lowercase(),
                Case::Upper => v.to_uppercase(),
            };
        }
        if let Some(t) = &self.table {
            v = match t.entries.get(&v) {
                Some(mapped) => mapped.clone(),
                None => match &t.unknown {
                    Unknown::Skip => return Ok(None),
                    Unknown::Default(d) => d.clone(),
                    Unknown::Fail => {
                        return Err(MappingError::UnknownValue {
                            object: who.object,
                            field: who.field.to_string(),
                            ipaas: who.ipaas.clone(),
                            direction: who.direction,
                            value: shown(&v),
                        })
                    }
                },
            };
        }
        if let Some(max) = self.max_length {
            let length = v.chars().count();
            if length > max.length {
                match max.overflow {
                    Overflow::Truncate => v = v.chars().take(max.length).collect(),
                    Overflow::Fail => {
                        return Err(MappingError::TooLong {
                            object: who.object,
                            field: who.field.to_string(),
                            ipaas: who.ipaas.clone(),
                            direction: who.direction,
                            length,
                            max: max.length,
                        })
                    }
                }
            }
        }
        let v = v.trim();
        Ok((!v.is_empty()).then(|| v.to_string()))
    }
}
