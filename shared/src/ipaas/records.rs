//! iPaaS.com Customer, Company, Address and ExternalId as the API sends them (snake_case).
//! Every record keeps the fields it does not know in `extra`, so a read-modify-write never
//! drops what iPaaS.com (or another integration) put there. Empty values are omitted on
//! the wire rather than sent as null, so a write never clears what it did not set.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_primary_billing: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_primary_shipping: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A link between an iPaaS.com record and a record in another system.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExternalId {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_id: Option<u64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    /// The company's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The iPaaS.com Company this customer belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Not mapped; kept as sent because its type is not part of the contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<Value>,
    pub addresses: Vec<Address>,
    pub external_ids: Vec<ExternalId>,
    pub custom_fields: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Company {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fax_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_company_id: Option<u64>,
    pub addresses: Vec<Address>,
    pub external_ids: Vec<ExternalId>,
    pub custom_fields: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_modified_date: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn primary(addresses: &[Address], flag: impl Fn(&Address) -> Option<bool>) -> Option<&Address> {
    addresses.iter().find(|a| flag(a) == Some(true))
}

fn link(external_ids: &[ExternalId], system_id: u64) -> Option<&str> {
    external_ids
        .iter()
        .filter(|e| e.system_id == Some(system_id))
        .find_map(|e| e.external_id.as_deref().filter(|s| !s.is_empty()))
}

/// The helpers both record kinds share.
macro_rules! record_helpers {
    ($t:ty) => {
        impl $t {
            /// The address flagged as primary billing (it may also be primary shipping).
            pub fn primary_billing(&self) -> Option<&Address> {
                primary(&self.addresses, |a| a.is_primary_billing)
            }

            /// The address flagged as primary shipping (it may also be primary billing).
            pub fn primary_shipping(&self) -> Option<&Address> {
                primary(&self.addresses, |a| a.is_primary_shipping)
            }

            /// The id this record is linked to in the system `system_id`, if any.
            pub fn link_for(&self, system_id: u64) -> Option<&str> {
                link(&self.external_ids, system_id)
            }
        }
    };
}

record_helpers!(Customer);
record_helpers!(Company);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_unknown_fields_everywhere() {
        let wire = json!({
            "id": 42, "first_name": "Ada", "last_name": "Lovelace",
            "email_address": "ada@example.com", "company_id": null, "category_id": "vip",
            "loyalty_tier": {"level": 3},
            "addresses": [{"id": 1, "type": "Home", "city": "London",
                           "is_primary_shipping": true, "geo": [51.5, -0.1]}],
            "external_ids": [{"system_id": 9, "external_id": "003AAA", "internal_id": 42,
                              "sync_note": "x"}],
            "custom_fields": [{"name": "Shoe size", "value": "38"}],
            "last_modified_date": "2024-05-01T10:00:00Z"
        });
        let c: Customer = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(c.extra["loyalty_tier"], json!({"level": 3}));
        assert_eq!(c.addresses[0].extra["geo"], json!([51.5, -0.1]));
        assert_eq!(c.addresses[0].kind.as_deref(), Some("Home"));
        assert_eq!(c.external_ids[0].extra["sync_note"], "x");
        assert_eq!(c.category_id, Some(json!("vip")));
        let back = serde_json::to_value(&c).unwrap();
        let mut expected = wire;
        // A null is not sent back: omitting a field never clears it.
        expected.as_object_mut().unwrap().remove("company_id");
        assert_eq!(back, expected);
    }

    #[test]
    fn sparse_and_odd_records_still_parse() {
        let c: Company = serde_json::from_str("{}").unwrap();
        assert_eq!(c, Company::default());
        let c: Company =
            serde_json::from_value(json!({"name": "Ünïcødé & Co", "addresses": []})).unwrap();
        assert_eq!(c.name.as_deref(), Some("Ünïcødé & Co"));
        assert!(serde_json::from_value::<Company>(json!({"id": "not a number"})).is_err());
    }

    #[test]
    fn primary_addresses_and_links() {
        let both = Address {
            city: Some("Both".into()),
            is_primary_billing: Some(true),
            is_primary_shipping: Some(true),
            ..Default::default()
        };
        let other = Address {
            city: Some("Other".into()),
            is_primary_billing: Some(false),
            ..Default::default()
        };
        let mut c = Company {
            addresses: vec![other.clone(), both.clone()],
            ..Default::default()
        };
        assert_eq!(c.primary_billing(), Some(&both));
        assert_eq!(c.primary_shipping(), Some(&both));
        c.addresses = vec![other];
        assert_eq!(c.primary_billing(), None);
        assert_eq!(c.primary_shipping(), None);

        let cust = Customer {
            external_ids: vec![
                ExternalId {
                    system_id: Some(1),
                    external_id: Some("elsewhere".into()),
                    ..Default::default()
                },
                ExternalId {
                    system_id: Some(7),
                    external_id: Some(String::new()),
                    ..Default::default()
                },
                ExternalId {
                    system_id: Some(7),
                    external_id: Some("003XYZ".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(cust.link_for(7), Some("003XYZ"));
        assert_eq!(cust.link_for(1), Some("elsewhere"));
        assert_eq!(cust.link_for(2), None);
    }
}
