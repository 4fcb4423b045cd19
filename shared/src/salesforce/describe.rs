//! `GET /services/data/vXX.X/sobjects/{object}/describe`: an object's fields as the
//! integration user sees them (a field it cannot see is not listed; one it cannot write is
//! neither createable nor updateable), with Salesforce's type names, lengths and picklists.
//! The mapping check reads it before any record is touched.

use super::client::{Call, SalesforceClient};
use super::error::SalesforceError;
use reqwest::Method;
use serde::Deserialize;

/// An object's describe, as far as the mapping check needs it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Describe {
    pub name: String,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    pub fields: Vec<DescribeField>,
}

/// One field of a describe (Salesforce's `Field` type, the parts the mapping uses).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeField {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// Salesforce's type name: `string`, `textarea`, `picklist`, `double`, `boolean`, …
    #[serde(rename = "type")]
    pub field_type: String,
    /// The longest text the field holds (0 for types without a length).
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub precision: u32,
    #[serde(default)]
    pub scale: u32,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub nillable: bool,
    /// Salesforce fills it on create when no value is given (so it need not be sent).
    #[serde(default)]
    pub defaulted_on_create: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
    /// Only the listed values are accepted.
    #[serde(default)]
    pub restricted_picklist: bool,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// What a field holds, as far as writing text into it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text: string, textarea, phone, url, email, combobox, encryptedstring.
    Text,
    Picklist,
    MultiPicklist,
    /// double, currency, percent, int, long.
    Number,
    Boolean,
    Date,
    DateTime,
    Time,
    /// A lookup or the record's own Id.
    Reference,
    /// A compound field (address, location) or binary data: not one text value.
    Compound,
    /// A type this check does not know.
    Other,
}

impl DescribeField {
    pub fn kind(&self) -> FieldKind {
        match self.field_type.as_str() {
            "string" | "textarea" | "phone" | "url" | "email" | "combobox" | "encryptedstring" => {
                FieldKind::Text
            }
            "picklist" => FieldKind::Picklist,
            "multipicklist" => FieldKind::MultiPicklist,
            "double" | "currency" | "percent" | "int" | "long" => FieldKind::Number,
            "boolean" => FieldKind::Boolean,
            "date" => FieldKind::Date,
            "datetime" => FieldKind::DateTime,
            "time" => FieldKind::Time,
            "reference" | "id" => FieldKind::Reference,
            "address" | "location" | "base64" | "complexvalue" => FieldKind::Compound,
            _ => FieldKind::Other,
        }
    }

    /// The active picklist values.
    pub fn active_values(&self) -> impl Iterator<Item = &str> {
        self.picklist_values
            .iter()
            .filter(|p| p.active)
            .map(|p| p.value.as_str())
    }
}

impl Describe {
    /// A field by API name (not case-sensitive, as in Salesforce).
    pub fn field(&self, name: &str) -> Option<&DescribeField> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

impl SalesforceClient {
    /// The object's describe. An object the integration user cannot read answers 404
    /// (`NOT_FOUND`), like one that does not exist.
    pub async fn describe(&self, object: &str) -> Result<Describe, SalesforceError> {
        super::records::check_object(object)?;
        let call = Call::new(
            Method::GET,
            self.data_path(&format!("sobjects/{object}/describe")),
        );
        self.json(&call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_salesforce_describe_json_and_kinds() {
        let d: Describe = serde_json::from_value(json!({
            "name": "Account", "createable": true, "updateable": true, "custom": false,
            "fields": [
                {"name": "Tier__c", "type": "picklist", "length": 255, "createable": true,
                 "updateable": true, "nillable": true, "custom": true, "externalId": false,
                 "unique": false, "defaultedOnCreate": false, "restrictedPicklist": true,
                 "picklistValues": [{"value": "Gold", "label": "Gold", "active": true},
                                    {"value": "Old", "label": "Old", "active": false}]},
                {"name": "NumberOfEmployees", "type": "int", "length": 0},
                {"name": "BillingAddress", "type": "address"},
                {"name": "Geo", "type": "json"}
            ]
        }))
        .unwrap();
        let tier = d.field("tier__C").unwrap();
        assert_eq!(tier.kind(), FieldKind::Picklist);
        assert!(tier.restricted_picklist && tier.custom);
        assert_eq!(tier.active_values().collect::<Vec<_>>(), ["Gold"]);
        assert_eq!(
            d.field("NumberOfEmployees").unwrap().kind(),
            FieldKind::Number
        );
        assert_eq!(
            d.field("BillingAddress").unwrap().kind(),
            FieldKind::Compound
        );
        assert_eq!(d.field("Geo").unwrap().kind(), FieldKind::Other);
        assert!(d.field("Missing").is_none());
    }
}
