use super::{put, sf_time, text, SfAddress};
use crate::salesforce::SalesforceId;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A Salesforce Account, as far as the Account ⇄ Company mapping goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Account {
    pub id: Option<SalesforceId>,
    pub name: Option<String>,
    pub account_number: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub website: Option<String>,
    pub description: Option<String>,
    pub billing: SfAddress,
    pub shipping: SfAddress,
    pub system_modstamp: Option<DateTime<Utc>>,
    /// Who created the record and when: a record the integration created belongs to the
    /// iPaaS.com record it was made from, never to an email match.
    pub created_by_id: Option<String>,
    pub created_date: Option<DateTime<Utc>>,
}

impl Account {
    pub const OBJECT: &'static str = "Account";

    /// Every field the flows read, for SOQL.
    pub fn soql_fields() -> Vec<String> {
        let mut f: Vec<String> = [
            "Id",
            "Name",
            "AccountNumber",
            "Phone",
            "Fax",
            "Website",
            "Description",
            "SystemModstamp",
            "CreatedById",
            "CreatedDate",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        f.extend(SfAddress::soql_fields("Billing"));
        f.extend(SfAddress::soql_fields("Shipping"));
        f
    }

    pub fn from_fields(fields: &Map<String, Value>) -> Self {
        Account {
            id: text(fields, "Id").and_then(|s| SalesforceId::parse(&s).ok()),
            name: text(fields, "Name"),
            account_number: text(fields, "AccountNumber"),
            phone: text(fields, "Phone"),
            fax: text(fields, "Fax"),
            website: text(fields, "Website"),
            description: text(fields, "Description"),
            billing: SfAddress::read(fields, "Billing"),
            shipping: SfAddress::read(fields, "Shipping"),
            system_modstamp: text(fields, "SystemModstamp").and_then(|s| sf_time::parse(&s)),
            created_by_id: text(fields, "CreatedById"),
            created_date: text(fields, "CreatedDate").and_then(|s| sf_time::parse(&s)),
        }
    }

    /// The writable fields that have values (never Id or system fields).
    pub fn to_fields(&self) -> Map<String, Value> {
        let mut out = Map::new();
        put(&mut out, "Name", &self.name);
        put(&mut out, "AccountNumber", &self.account_number);
        put(&mut out, "Phone", &self.phone);
        put(&mut out, "Fax", &self.fax);
        put(&mut out, "Website", &self.website);
        put(&mut out, "Description", &self.description);
        self.billing.write(&mut out, "Billing");
        self.shipping.write(&mut out, "Shipping");
        out
    }
}
