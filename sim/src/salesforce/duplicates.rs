//! The exact DUPLICATES_DETECTED error a standard duplicate rule raises.

use super::errors::SfError;
use super::store::Record;
use super::API_VERSION;
use serde_json::{json, Value};

pub const ERROR_MESSAGE: &str =
    "You're creating a duplicate record. We recommend you use an existing record instead.";

/// Builds the error for `object` matching `matches`; with `details` each matched record
/// carries its fields, as `includeRecordDetails=true` asks.
pub fn detected(object: &str, matches: &[&Record], details: bool) -> SfError {
    let records: Vec<Value> = matches
        .iter()
        .map(|r| {
            let id = r.get("Id").and_then(Value::as_str).unwrap_or_default();
            let mut rec = json!({
                "attributes": {"type": object, "url": record_url(object, id)},
                "Id": id,
            });
            if details {
                for (k, v) in r.iter() {
                    rec[k.as_str()] = v.clone();
                }
            }
            json!({
                "additionalInformation": [],
                "fieldDiffs": [],
                "matchConfidence": 100.0,
                "record": rec,
            })
        })
        .collect();
    let result = json!({
        "allowSave": false,
        "duplicateRule": format!("Standard_{object}_Duplicate_Rule"),
        "duplicateRuleEntityType": object,
        "errorMessage": ERROR_MESSAGE,
        "matchResults": [{
            "entityType": object,
            "errors": [],
            "matchEngine": "FuzzyMatchEngine",
            "matchRecords": records,
            "rule": format!("Standard_{object}_Match_Rule_v1_0"),
            "size": matches.len(),
            "success": true,
        }],
    });
    let mut e = SfError::bad("DUPLICATES_DETECTED", "Use one of these records?");
    e.duplicate_result = Some(result);
    e
}

pub fn record_url(object: &str, id: &str) -> String {
    format!("/services/data/v{API_VERSION}/sobjects/{object}/{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_matches_the_documented_shape() {
        let rec: Record = json!({"Id": "001000000000001AAA", "Name": "Acme"})
            .as_object()
            .cloned()
            .unwrap_or_default();
        let e = detected("Account", &[&rec], false);
        let body = e.rest_json();
        assert_eq!(body["errorCode"], "DUPLICATES_DETECTED");
        assert_eq!(body["message"], "Use one of these records?");
        let d = &body["duplicateResult"];
        assert_eq!(d["allowSave"], false);
        assert_eq!(d["duplicateRule"], "Standard_Account_Duplicate_Rule");
        let m = &d["matchResults"][0];
        assert_eq!(m["size"], 1);
        assert_eq!(m["matchEngine"], "FuzzyMatchEngine");
        assert_eq!(m["matchRecords"][0]["matchConfidence"], 100.0);
        assert_eq!(m["matchRecords"][0]["record"]["Id"], "001000000000001AAA");
        assert!(m["matchRecords"][0]["record"].get("Name").is_none());
        let with = detected("Account", &[&rec], true).rest_json();
        assert_eq!(
            with["duplicateResult"]["matchResults"][0]["matchRecords"][0]["record"]["Name"],
            "Acme"
        );
    }
}
