//! Issue 12: a mapping the org cannot take stops a worker at start, before any record is
//! touched, with a message naming the field: the real cold-start path
//! (`shared::lambda::context_from_env`) against moto (the SSM parameter, the table, the
//! secrets) and the Salesforce simulator (its `describe`).

use e2e::{aws_config, unique};
use shared::config::Env;
use shared::secrets::{AwsSecretStore, SecretStore};
use shared::state::DynamoStateStore;
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use sim::salesforce::{CustomField, CustomKind, FieldAccess, SalesforceSim, SalesforceSimConfig};
use std::collections::HashMap;

struct Vars(HashMap<String, String>);

impl Env for Vars {
    fn var(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

const ACCOUNT_FIELDS: &str = r#"
[[account.fields]]
salesforce = "Name"
ipaas = "name"
"#;
const CONTACT: &str = r#"
[[contact.fields]]
salesforce = "LastName"
ipaas = "last_name"
"#;

/// Starts a worker's context with `document` in the mapping parameter; the error, if any.
async fn start(sim: &SalesforceSim, document: &str) -> Option<String> {
    start_with(sim, document, &[]).await
}

async fn start_with(sim: &SalesforceSim, document: &str, extra: &[(&str, &str)]) -> Option<String> {
    let conf = aws_config().await;
    let table = unique("state");
    DynamoStateStore::create_table(aws_sdk_dynamodb::Client::new(&conf), &table)
        .await
        .unwrap();
    let secrets = AwsSecretStore::from_conf(&conf);
    let (sf, ip) = (unique("sfsync/salesforce"), unique("sfsync/ipaas"));
    let token = sim.issue_refresh_token();
    secrets
        .write(&sf, &sfsync::stack::salesforce_secret(sim, &token))
        .await
        .unwrap();
    let ipaas = IpaasSim::start(IpaasSimConfig::default()).await.unwrap();
    secrets
        .write(
            &ip,
            &serde_json::json!({"api_key": ipaas.config().api_key, "webhook_key": "k"}).to_string(),
        )
        .await
        .unwrap();
    let parameter = format!("/{}/mapping", unique("stack"));
    aws_sdk_ssm::Client::new(&conf)
        .put_parameter()
        .name(&parameter)
        .value(document)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .unwrap();
    let env = Vars(
        [
            ("SALESFORCE_SECRET_ID", sf),
            ("IPAAS_SECRET_ID", ip),
            ("IPAAS_SYSTEM_ID", "1".into()),
            ("IPAAS_BASE_URL", ipaas.url()),
            ("STATE_TABLE", table),
            ("MAPPING_PARAMETER", parameter),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .chain(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())))
        .collect(),
    );
    shared::lambda::context_from_env(&env, &conf)
        .await
        .err()
        .map(|e| e.to_string())
}

#[tokio::test]
async fn a_mapping_the_org_cannot_take_stops_the_start_naming_the_field() {
    let sim = SalesforceSim::start(SalesforceSimConfig::default())
        .await
        .unwrap();
    // The org has a short custom field and a field the integration user may only read.
    sim.add_custom_field(
        "Account",
        CustomField {
            name: "Short__c".into(),
            label: "Short".into(),
            kind: CustomKind::Text { length: 10 },
            external_id: false,
            unique: false,
            required: false,
        },
    )
    .unwrap();
    sim.set_field_access("Account", "Fax", FieldAccess::ReadOnly);
    let missing = format!(
        "version = 1\n{ACCOUNT_FIELDS}[[account.fields]]\nsalesforce = \"Bogus__c\"\nipaas = \"custom_fields.Bogus\"\n{CONTACT}"
    );
    let read_only = format!(
        "version = 1\n{ACCOUNT_FIELDS}[[account.fields]]\nsalesforce = \"Fax\"\nipaas = \"fax_number\"\n{CONTACT}"
    );
    let too_short = format!(
        "version = 1\n{ACCOUNT_FIELDS}[[account.fields]]\nsalesforce = \"Short__c\"\nipaas = \"custom_fields.Short\"\nmax_length = 40\n{CONTACT}"
    );
    for (document, field) in [
        (missing, "Bogus__c"),
        (read_only, "Fax"),
        (too_short, "Short__c"),
    ] {
        let e = start(&sim, &document)
            .await
            .unwrap_or_else(|| panic!("{field}: the start should stop"));
        assert!(e.contains("MAPPING_PARAMETER") && e.contains(field), "{e}");
    }
    // The same org with the built-in mapping starts.
    let fine = format!("version = 1\n{ACCOUNT_FIELDS}{CONTACT}");
    assert_eq!(start(&sim, &fine).await, None);
    // An External ID field for creates that is not one (or is not there) stops it too.
    for field in ["Short__c", "Nope__c"] {
        let e = start_with(
            &sim,
            &fine,
            &[("SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT", field)],
        )
        .await
        .expect("the start should stop");
        assert!(
            e.contains("SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT") && e.contains(field),
            "{e}"
        );
    }
}
