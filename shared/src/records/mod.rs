//! Typed Salesforce records as the flows read and write them. Only the fields the mapping
//! uses are named; writes carry only non-empty values (writes to Salesforce are partial: an
//! empty source field never clears the target).

mod account;
mod contact;
pub mod sf_time;

pub use account::Account;
pub use contact::Contact;

use serde_json::{Map, Value};

/// A postal address as Salesforce splits it (Billing*, Shipping*, Mailing*).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SfAddress {
    pub street: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

impl SfAddress {
    pub(crate) fn read(fields: &Map<String, Value>, prefix: &str) -> Self {
        let get = |f: &str| text(fields, &format!("{prefix}{f}"));
        SfAddress {
            street: get("Street"),
            city: get("City"),
            state: get("State"),
            postal_code: get("PostalCode"),
            country: get("Country"),
        }
    }

    pub(crate) fn write(&self, out: &mut Map<String, Value>, prefix: &str) {
        for (f, v) in [
            ("Street", &self.street),
            ("City", &self.city),
            ("State", &self.state),
            ("PostalCode", &self.postal_code),
            ("Country", &self.country),
        ] {
            put(out, &format!("{prefix}{f}"), v);
        }
    }

    /// The parts whose field names (`{prefix}City`…) `keep` accepts; the others emptied.
    pub fn only(&self, prefix: &str, keep: impl Fn(&str) -> bool) -> SfAddress {
        let pick = |part: &str, v: &Option<String>| {
            keep(&format!("{prefix}{part}"))
                .then(|| v.clone())
                .flatten()
        };
        SfAddress {
            street: pick("Street", &self.street),
            city: pick("City", &self.city),
            state: pick("State", &self.state),
            postal_code: pick("PostalCode", &self.postal_code),
            country: pick("Country", &self.country),
        }
    }

    /// Each part from `self`, else from `other`.
    pub fn or(&self, other: &SfAddress) -> SfAddress {
        SfAddress {
            street: self.street.clone().or_else(|| other.street.clone()),
            city: self.city.clone().or_else(|| other.city.clone()),
            state: self.state.clone().or_else(|| other.state.clone()),
            postal_code: self
                .postal_code
                .clone()
                .or_else(|| other.postal_code.clone()),
            country: self.country.clone().or_else(|| other.country.clone()),
        }
    }

    pub fn is_empty(&self) -> bool {
        [
            &self.street,
            &self.city,
            &self.state,
            &self.postal_code,
            &self.country,
        ]
        .iter()
        .all(|v| v.is_none())
    }

    /// The field names of one address, for SOQL field lists.
    pub fn soql_fields(prefix: &str) -> Vec<String> {
        ["Street", "City", "State", "PostalCode", "Country"]
            .iter()
            .map(|f| format!("{prefix}{f}"))
            .collect()
    }
}

/// A non-blank string field (Salesforce returns null for empty text).
pub(crate) fn text(fields: &Map<String, Value>, name: &str) -> Option<String> {
    fields
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Adds a field only when it has a value: a partial write never clears.
pub(crate) fn put(out: &mut Map<String, Value>, name: &str, value: &Option<String>) {
    if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        out.insert(name.to_string(), Value::String(v.to_string()));
    }
}
