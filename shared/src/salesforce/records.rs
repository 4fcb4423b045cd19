//! One record at a time: get, create (optionally telling the duplicate rules what to do) and
//! update. Object names and Ids are checked before they go into a URL.

use super::client::{Call, SalesforceClient};
use super::error::SalesforceError;
use super::id::SalesforceId;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

/// `Sforce-Duplicate-Rule-Header`: whether a create or update may go ahead despite a
/// duplicate rule's alert, and whether the answer lists the matched records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DuplicateRuleHeader {
    pub allow_save: bool,
    pub include_record_details: bool,
    pub run_as_current_user: bool,
}

impl DuplicateRuleHeader {
    fn value(&self) -> HeaderValue {
        HeaderValue::from_str(&format!(
            "allowSave={}; includeRecordDetails={}; runAsCurrentUser={}",
            self.allow_save, self.include_record_details, self.run_as_current_user
        ))
        .expect("booleans make a valid header")
    }

    pub(super) fn header(&self) -> (HeaderName, HeaderValue) {
        (
            HeaderName::from_static("sforce-duplicate-rule-header"),
            self.value(),
        )
    }
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

/// An sObject API name: letters, digits and underscores (custom objects end in `__c`).
pub(super) fn check_object(object: &str) -> Result<(), SalesforceError> {
    let ok = !object.is_empty()
        && object.len() <= 80
        && object
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        && object.starts_with(|c: char| c.is_ascii_alphabetic());
    if ok {
        Ok(())
    } else {
        Err(SalesforceError::Invalid(format!(
            "{object:?} is not an sObject name"
        )))
    }
}

impl SalesforceClient {
    /// The record's fields (all of them, or those named).
    pub async fn get(
        &self,
        object: &str,
        id: &SalesforceId,
        fields: &[&str],
    ) -> Result<Map<String, Value>, SalesforceError> {
        check_object(object)?;
        let mut call = Call::new(
            Method::GET,
            self.data_path(&format!("sobjects/{object}/{id}")),
        );
        if !fields.is_empty() {
            for f in fields {
                check_object(f)?;
            }
            call = call.query("fields", fields.join(","));
        }
        self.json(&call).await
    }

    /// Creates a record and returns its Id.
    pub async fn create(
        &self,
        object: &str,
        fields: &Map<String, Value>,
    ) -> Result<SalesforceId, SalesforceError> {
        self.create_with(object, fields, None).await
    }

    /// Creates a record, sending `Sforce-Duplicate-Rule-Header` when one is given.
    pub async fn create_with(
        &self,
        object: &str,
        fields: &Map<String, Value>,
        duplicates: Option<DuplicateRuleHeader>,
    ) -> Result<SalesforceId, SalesforceError> {
        check_object(object)?;
        let mut call = Call::new(Method::POST, self.data_path(&format!("sobjects/{object}/")))
            .json(&Value::Object(fields.clone()))
            .once();
        if let Some(h) = duplicates {
            let (name, value) = h.header();
            call = call.header(name, value);
        }
        let created: Created = self.json(&call).await?;
        SalesforceId::parse(&created.id).map_err(|e| SalesforceError::Decode {
            method: "POST".into(),
            path: call.path.clone(),
            status: 201,
            excerpt: format!("the new record's Id is not valid: {e}"),
        })
    }

    /// Creates or updates the record whose External ID field `field` holds `value`: `(Id,
    /// created)`. Safe to send again (a second send updates what the first made), so it is
    /// retried like a read. Several records with that value is an error (HTTP 300).
    pub async fn upsert(
        &self,
        object: &str,
        field: &str,
        value: &str,
        fields: &Map<String, Value>,
        duplicates: Option<DuplicateRuleHeader>,
    ) -> Result<(SalesforceId, bool), SalesforceError> {
        check_object(object)?;
        check_object(field)?;
        if value.is_empty()
            || !value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(SalesforceError::Invalid(format!(
                "{value:?} cannot be used as an External ID in a URL"
            )));
        }
        let mut body = fields.clone();
        body.remove(field);
        let mut call = Call::new(
            Method::PATCH,
            self.data_path(&format!("sobjects/{object}/{field}/{value}")),
        )
        .json(&Value::Object(body));
        if let Some(h) = duplicates {
            let (name, value) = h.header();
            call = call.header(name, value);
        }
        let answer = match self.send(&call).await {
            Ok(a) => a,
            // 300 Multiple Choices: the value names several records.
            Err(SalesforceError::Http { status: 300, .. }) => {
                return Err(SalesforceError::Rejected {
                    status: 300,
                    errors: vec![super::error::ApiError {
                        error_code: "DUPLICATE_EXTERNAL_ID".into(),
                        message: format!("several {object} records have {field} = {value}"),
                        fields: vec![field.to_string()],
                        duplicate_result: None,
                    }],
                })
            }
            Err(e) => return Err(e),
        };
        #[derive(Deserialize)]
        struct Upserted {
            id: String,
            #[serde(default)]
            created: Option<bool>,
        }
        let up: Upserted =
            serde_json::from_slice(&answer.body).map_err(|_| SalesforceError::Decode {
                method: "PATCH".into(),
                path: call.path.clone(),
                status: answer.status.as_u16(),
                excerpt: crate::http::text::excerpt(&answer.body),
            })?;
        let id = SalesforceId::parse(&up.id).map_err(|e| SalesforceError::Decode {
            method: "PATCH".into(),
            path: call.path.clone(),
            status: answer.status.as_u16(),
            excerpt: format!("the upserted record's Id is not valid: {e}"),
        })?;
        Ok((id, up.created.unwrap_or(answer.status.as_u16() == 201)))
    }

    /// Writes the given fields of a record (a partial update: fields not named are kept).
    pub async fn update(
        &self,
        object: &str,
        id: &SalesforceId,
        fields: &Map<String, Value>,
    ) -> Result<(), SalesforceError> {
        self.update_with(object, id, fields, None).await
    }

    /// `update`, sending `Sforce-Duplicate-Rule-Header` when one is given.
    pub async fn update_with(
        &self,
        object: &str,
        id: &SalesforceId,
        fields: &Map<String, Value>,
        duplicates: Option<DuplicateRuleHeader>,
    ) -> Result<(), SalesforceError> {
        check_object(object)?;
        let mut call = Call::new(
            Method::PATCH,
            self.data_path(&format!("sobjects/{object}/{id}")),
        )
        .json(&Value::Object(fields.clone()));
        if let Some(h) = duplicates {
            let (name, value) = h.header();
            call = call.header(name, value);
        }
        self.send(&call).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names_are_checked() {
        assert!(check_object("Account").is_ok());
        assert!(check_object("My_Object__c").is_ok());
        for bad in ["", "Account/../x", "Acc ount", "1Account", "Account?x=1"] {
            assert!(check_object(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn duplicate_header_reads_like_salesforce_documents_it() {
        let h = DuplicateRuleHeader {
            allow_save: true,
            include_record_details: true,
            run_as_current_user: false,
        };
        assert_eq!(
            h.value(),
            "allowSave=true; includeRecordDetails=true; runAsCurrentUser=false"
        );
    }
}
