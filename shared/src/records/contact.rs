use super::{put, sf_time, text, SfAddress};
use crate::salesforce::SalesforceId;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A Salesforce Contact, as far as the Contact ⇄ Customer mapping goes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    pub id: Option<SalesforceId>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub account_id: Option<SalesforceId>,
    pub mailing: SfAddress,
    pub system_modstamp: Option<DateTime<Utc>>,
    /// Who created the record and when: a record the integration created belongs to the
    /// iPaaS.com record it was made from, never to an email match.
    pub created_by_id: Option<String>,
    pub created_date: Option<DateTime<Utc>>,
}

impl Contact {
    pub const OBJECT: &'static str = "Contact";

    pub fn soql_fields() -> Vec<String> {
        let mut f: Vec<String> = [
            "Id",
            "FirstName",
            "LastName",
            "Email",
            "AccountId",
            "SystemModstamp",
            "CreatedById",
            "CreatedDate",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        f.extend(SfAddress::soql_fields("Mailing"));
        f
    }

    pub fn from_fields(fields: &Map<String, Value>) -> Self {
        Contact {
            id: text(fields, "Id").and_then(|s| SalesforceId::parse(&s).ok()),
            first_name: text(fields, "FirstName"),
            last_name: text(fields, "LastName"),
            email: text(fields, "Email"),
            account_id: text(fields, "AccountId").and_then(|s| SalesforceId::parse(&s).ok()),
            mailing: SfAddress::read(fields, "Mailing"),
            system_modstamp: text(fields, "SystemModstamp").and_then(|s| sf_time::parse(&s)),
            created_by_id: text(fields, "CreatedById"),
            created_date: text(fields, "CreatedDate").and_then(|s| sf_time::parse(&s)),
        }
    }

    pub fn to_fields(&self) -> Map<String, Value> {
        let mut out = Map::new();
        put(&mut out, "FirstName", &self.first_name);
        put(&mut out, "LastName", &self.last_name);
        put(&mut out, "Email", &self.email);
        if let Some(a) = &self.account_id {
            out.insert("AccountId".into(), Value::String(a.to_string()));
        }
        self.mailing.write(&mut out, "Mailing");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_and_writes_only_values() {
        let v = json!({"Id":"0038M0000016Wv8","FirstName":"  ","LastName":"Ng","Email":null,
            "AccountId":"001M000000qfPyS","MailingCity":"Oslo","SystemModstamp":"2024-01-02T03:04:05.000+0000"});
        let c = Contact::from_fields(v.as_object().unwrap());
        assert_eq!(c.id.as_ref().unwrap().as_str(), "0038M0000016Wv8QAE");
        assert_eq!(c.first_name, None);
        assert_eq!(
            c.account_id.as_ref().unwrap().as_str(),
            "001M000000qfPySIAU"
        );
        let out = c.to_fields();
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(out["MailingCity"], "Oslo");
        assert!(!out.contains_key("FirstName"));
    }
}
