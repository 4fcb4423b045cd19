//! External-id links: which iPaaS.com record a Salesforce Id is linked to, for the
//! Salesforce subscription's system id (DESIGN.md §3, "Links").

use super::client::{Call, IpaasClient};
use super::error::IpaasError;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The iPaaS.com table a link belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkTable {
    Customer,
    Company,
}

#[derive(Serialize)]
struct LinkRequest<'a> {
    table_name: LinkTable,
    system_id: u64,
    external_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    internal_id: Option<u64>,
}

#[derive(Deserialize)]
struct LinkAnswer {
    #[serde(default)]
    internal_id: Value,
}

impl IpaasClient {
    /// The link a new record carries in its `external_ids`, so it is linked by its own
    /// create (docs/ipaas-api.md). Whether it was taken is read off the answer
    /// (`link_for`); a server that leaves it out costs the separate `write_link`.
    pub fn link_on_create(&self, external_id: &str) -> super::ExternalId {
        super::ExternalId {
            system_id: Some(self.system_id()),
            external_id: Some(external_id.to_string()),
            ..Default::default()
        }
    }

    /// The iPaaS.com id linked to `external_id`, or `None` when it is not linked (404).
    pub async fn lookup_link(
        &self,
        table: LinkTable,
        external_id: &str,
    ) -> Result<Option<u64>, IpaasError> {
        if external_id.trim().is_empty() {
            // Nothing can be linked to an empty id; asking would only earn a 400.
            return Ok(None);
        }
        let body = LinkRequest {
            table_name: table,
            system_id: self.system_id(),
            external_id,
            internal_id: None,
        };
        let path = self.config().paths.link_lookup.clone();
        let call = Call::new(Method::POST, path).json(&body)?;
        let Some(answer) = self.json_or_none::<LinkAnswer>(&call).await? else {
            return Ok(None);
        };
        internal_id(&answer.internal_id)
            .map(Some)
            .ok_or_else(|| IpaasError::Decode {
                method: call.method.to_string(),
                path: call.path.clone(),
                status: 200,
                reason: "the link has no usable internal_id".into(),
                excerpt: super::error::excerpt(answer.internal_id.to_string().as_bytes()),
            })
    }

    /// Links iPaaS.com record `internal_id` to `external_id` (replacing the record's previous
    /// link for this system).
    pub async fn write_link(
        &self,
        table: LinkTable,
        external_id: &str,
        internal_id: u64,
    ) -> Result<(), IpaasError> {
        if external_id.trim().is_empty() {
            return Err(IpaasError::Invalid(format!(
                "cannot link {table:?} {internal_id} to an empty external id"
            )));
        }
        let body = LinkRequest {
            table_name: table,
            system_id: self.system_id(),
            external_id,
            internal_id: Some(internal_id),
        };
        let path = self.config().paths.link_write.clone();
        self.send(&Call::new(Method::POST, path).json(&body)?)
            .await
            .map(|_| ())
    }
}

/// Ids are integers in the contract; a numeric string is accepted too, to be lenient.
fn internal_id(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_shape_and_lenient_ids() {
        let body = LinkRequest {
            table_name: LinkTable::Company,
            system_id: 7,
            external_id: "001A",
            internal_id: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"table_name": "Company", "system_id": 7, "external_id": "001A"})
        );
        assert_eq!(internal_id(&json!(42)), Some(42));
        assert_eq!(internal_id(&json!("42")), Some(42));
        assert_eq!(internal_id(&json!(-1)), None);
        assert_eq!(internal_id(&json!(null)), None);
    }
}
