//! The mapping document where it lives and where it is checked: the SSM parameter the
//! functions read at cold start (moto server, real aws-sdk), the copy the SAM template
//! creates it from, and the check against a simulated org's describe (real HTTP).

use e2e::salesforce::Org;
use e2e::{aws_config, unique};
use shared::config::ConfigError;
use shared::mapping::document::{
    check_org, load_from_env, Finding, Mapping, Severity, MAPPING_PARAMETER,
};
use sim::salesforce::{CustomField, CustomKind, FieldAccess, SalesforceSimConfig};
use std::collections::HashMap;
use std::path::PathBuf;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap()
}

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn put_parameter(name: &str, value: &str) {
    aws_sdk_ssm::Client::new(&aws_config().await)
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(aws_sdk_ssm::types::ParameterType::String)
        .send()
        .await
        .expect("moto stores the parameter");
}

#[tokio::test]
async fn the_functions_read_the_document_from_ssm_or_use_the_default() {
    let aws = aws_config().await;
    // Unset (or blank): the built-in mapping, no call made.
    assert_eq!(
        load_from_env(&env(&[]), &aws).await.unwrap(),
        Mapping::builtin()
    );
    assert_eq!(
        load_from_env(&env(&[(MAPPING_PARAMETER, " ")]), &aws)
            .await
            .unwrap(),
        Mapping::builtin()
    );

    let name = format!("/{}/mapping", unique("sfsync"));
    let custom = read("examples/mapping-custom.toml");
    put_parameter(&name, &custom).await;
    let m = load_from_env(&env(&[(MAPPING_PARAMETER, &name)]), &aws)
        .await
        .unwrap();
    assert_eq!(m, Mapping::parse(&custom).unwrap());
    assert!(m
        .account()
        .soql_fields()
        .contains(&"Customer_Tier__c".to_string()));
}

#[tokio::test]
async fn a_parameter_that_cannot_be_used_stops_the_start_naming_the_setting() {
    let aws = aws_config().await;
    let reason = |e: ConfigError| match e {
        ConfigError::Invalid { name, reason } => {
            assert_eq!(name, MAPPING_PARAMETER);
            reason
        }
        other => panic!("{other:?}"),
    };
    let absent = format!("/{}/mapping", unique("sfsync"));
    let e = reason(
        load_from_env(&env(&[(MAPPING_PARAMETER, &absent)]), &aws)
            .await
            .unwrap_err(),
    );
    assert_eq!(e, format!("the SSM parameter {absent} does not exist"));

    let bad = format!("/{}/mapping", unique("sfsync"));
    put_parameter(&bad, "version = 1\n[account]\nfields = [{ salesforce = \"Name\", ipaas = \"Name\" }]\n[contact]\n").await;
    let e = reason(
        load_from_env(&env(&[(MAPPING_PARAMETER, &bad)]), &aws)
            .await
            .unwrap_err(),
    );
    assert!(e.starts_with(&format!("the mapping document in {bad} is not usable: line 3: \"Name\" is not an iPaaS.com field")), "{e}");

    let e = reason(
        load_from_env(&env(&[(MAPPING_PARAMETER, "no spaces please")]), &aws)
            .await
            .unwrap_err(),
    );
    assert!(e.contains("which no such name can"), "{e}");
}

/// The template creates the parameter from infra/mapping.toml, which ships as the built-in
/// default; the three stay the same.
#[test]
fn the_template_creates_the_parameter_from_infra_mapping_toml() {
    let template = read("infra/template.yaml");
    let start = template
        .find("  MappingParameter:\n")
        .expect("the template has the parameter");
    let rest = &template[start..];
    let value = rest.find("      Value: |\n").expect("an inline value") + "      Value: |\n".len();
    let mut doc = String::new();
    for line in rest[value..].lines() {
        if !line.is_empty() && !line.starts_with("        ") {
            break;
        }
        doc.push_str(line.strip_prefix("        ").unwrap_or(line));
        doc.push('\n');
    }
    let infra = read("infra/mapping.toml");
    assert_eq!(
        doc.trim_end(),
        infra.trim_end(),
        "infra/template.yaml's MappingParameter value differs from infra/mapping.toml"
    );
    assert_eq!(
        infra,
        shared::mapping::document::DEFAULT_DOCUMENT,
        "infra/mapping.toml is the built-in default"
    );
    // Each worker and the poller (which reads the fields the TO flows map) read it, and
    // may read nothing else of SSM.
    assert_eq!(
        template
            .matches("MAPPING_PARAMETER: !Ref MappingParameter")
            .count(),
        5
    );
    assert_eq!(template.matches("[ssm:").count(), 5, "no other SSM action");
    assert_eq!(template.matches("Action: [ssm:GetParameter]").count(), 5);
    assert_eq!(
        template.matches(":parameter${MappingParameter}\"").count(),
        5,
        "on this parameter only"
    );
}

fn custom(name: &str, kind: CustomKind) -> CustomField {
    CustomField {
        name: name.into(),
        label: String::new(),
        kind,
        external_id: false,
        unique: false,
        required: false,
    }
}

/// The built-in Contact pair and `account` added to the built-in Account fields.
fn with_account_fields(extra: &str) -> Mapping {
    let end = "  { salesforce = \"Description\", ipaas = \"description\" },\n";
    let doc = shared::mapping::document::DEFAULT_DOCUMENT.replace(end, &format!("{end}{extra}\n"));
    Mapping::parse(&doc).unwrap()
}

#[tokio::test]
async fn the_check_names_missing_read_only_and_too_short_fields() {
    let org = Org::start(SalesforceSimConfig::default()).await;
    let tier = CustomKind::Picklist {
        values: vec!["Gold".into(), "Silver".into()],
        restricted: true,
    };
    org.sim
        .add_custom_field("Account", custom("Customer_Tier__c", tier))
        .unwrap();
    org.sim
        .add_custom_field(
            "Account",
            custom("Code__c", CustomKind::Text { length: 10 }),
        )
        .unwrap();
    org.sim
        .add_custom_field(
            "Account",
            custom("Score__c", CustomKind::Text { length: 10 }),
        )
        .unwrap();
    org.sim
        .add_custom_field(
            "Account",
            custom("Secret__c", CustomKind::Text { length: 10 }),
        )
        .unwrap();
    org.sim
        .set_field_access("Account", "Score__c", FieldAccess::ReadOnly);
    org.sim
        .set_field_access("Account", "Secret__c", FieldAccess::Hidden);
    let client = org.client();

    let fits = with_account_fields(
        r#"{ salesforce = "Customer_Tier__c", ipaas = "custom_fields.Tier", table = { Gold = "G", Silver = "S" }, unknown = "skip" },
           { salesforce = "Code__c", ipaas = "custom_fields.Code", max_length = 10, overflow = "truncate" },
           { salesforce = "Score__c", ipaas = "custom_fields.Score", direction = "to_ipaas" },"#,
    );
    let found = check_org(&fits, &client).await.unwrap();
    assert!(found.is_empty(), "{found:#?}");
    assert!(check_org(&Mapping::builtin(), &client)
        .await
        .unwrap()
        .is_empty());

    let bad = with_account_fields(
        r#"{ salesforce = "Customer_Tier__c", ipaas = "custom_fields.Tier", table = { Gold = "G", Platinum = "P" }, unknown = "skip" },
           { salesforce = "Code__c", ipaas = "custom_fields.Code", max_length = 20, overflow = "truncate" },
           { salesforce = "Score__c", ipaas = "custom_fields.Score" },
           { salesforce = "Secret__c", ipaas = "custom_fields.Secret" },
           { salesforce = "Nothing__c", ipaas = "custom_fields.Nothing", direction = "to_ipaas" },"#,
    );
    let found = check_org(&bad, &client).await.unwrap();
    let texts: Vec<String> = found.iter().map(|f| f.to_string()).collect();
    assert_eq!(
        texts,
        [
            "Account.Customer_Tier__c is a picklist without the value \"Platinum\", which iPaaS.com custom_fields.Tier can write.",
            "Account.Code__c holds at most 10 characters, fewer than max_length = 20.",
            "Account.Score__c is not createable or updateable for the integration user, and the mapping writes it with iPaaS.com custom_fields.Score.",
            "Account.Secret__c does not exist in the org, or the integration user cannot see it (field-level security).",
            "Account.Nothing__c does not exist in the org, or the integration user cannot see it (field-level security).",
        ],
        "{found:#?}"
    );
    assert!(found.iter().all(|f| f.severity == Severity::Error));
    // At start, they stop the function with every field named.
    let e = Finding::stop_on_errors(&found).unwrap_err().to_string();
    for field in [
        "Customer_Tier__c",
        "Code__c",
        "Score__c",
        "Secret__c",
        "Nothing__c",
    ] {
        assert!(e.contains(&format!("Account.{field} ")), "{e}");
    }
}

#[tokio::test]
async fn a_required_custom_field_nothing_fills_is_a_warning() {
    let org = Org::start(SalesforceSimConfig::default()).await;
    let mut region = custom("Region__c", CustomKind::Text { length: 20 });
    region.required = true;
    org.sim.add_custom_field("Contact", region).unwrap();
    let found = check_org(&Mapping::builtin(), &org.client()).await.unwrap();
    assert_eq!(
        found.iter().map(|f| (f.severity, f.to_string())).collect::<Vec<_>>(),
        [(Severity::Warning, "Contact.Region__c is required to create a Contact, and the mapping writes nothing to it from iPaaS.com: every create will be refused.".to_string())]
    );
    assert!(Finding::stop_on_errors(&found).is_ok());
}

#[tokio::test]
async fn describe_gives_the_fields_as_the_integration_user_sees_them() {
    use shared::salesforce::{FieldKind, SalesforceError};
    let org = Org::start(SalesforceSimConfig::default()).await;
    let tier = CustomKind::Picklist {
        values: vec!["Gold".into(), "Silver".into()],
        restricted: true,
    };
    org.sim
        .add_custom_field("Account", custom("Customer_Tier__c", tier))
        .unwrap();
    org.sim
        .add_custom_field(
            "Account",
            custom(
                "Score__c",
                CustomKind::Number {
                    precision: 5,
                    scale: 1,
                },
            ),
        )
        .unwrap();
    org.sim
        .set_field_access("Account", "Score__c", FieldAccess::ReadOnly);
    org.sim
        .set_field_access("Account", "Fax", FieldAccess::Hidden);
    let client = org.client();
    let d = client.describe("Account").await.unwrap();
    assert_eq!(d.name, "Account");
    let t = d.field("customer_tier__c").unwrap();
    assert_eq!(
        (t.kind(), t.custom, t.restricted_picklist),
        (FieldKind::Picklist, true, true)
    );
    assert_eq!(t.active_values().collect::<Vec<_>>(), ["Gold", "Silver"]);
    assert!(t.createable && t.updateable && t.nillable);
    let s = d.field("Score__c").unwrap();
    assert_eq!(
        (s.kind(), s.createable, s.updateable),
        (FieldKind::Number, false, false)
    );
    assert!(d.field("Fax").is_none(), "a hidden field is not described");
    let name = d.field("Name").unwrap();
    assert_eq!(
        (name.length, name.nillable, name.defaulted_on_create),
        (255, false, false)
    );
    assert!(matches!(
        client.describe("Account/../x").await,
        Err(SalesforceError::Invalid(_))
    ));
    org.sim.deny("Contact", sim::salesforce::Operation::Read);
    let e = client.describe("Contact").await.unwrap_err();
    assert!(
        e.to_string().contains("404") || e.to_string().contains("NOT_FOUND"),
        "{e}"
    );
}
