//! The demo's data: generated (`--accounts N --contacts M`) or read from a JSON file
//! (`--data FILE`, format in docs/demo-data.md). Salesforce records are made by a person in
//! Salesforce; iPaaS.com records by a person in iPaaS.com (so webhooks drive them).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    #[serde(default)]
    pub salesforce: SalesforceData,
    #[serde(default)]
    pub ipaas: IpaasData,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceData {
    /// Custom fields declared in the org before any record is made, per object
    /// (`{"Account": [{"name": "Customer_Tier__c", "label": "Tier", "kind": {…}}]}`).
    #[serde(default)]
    pub fields: std::collections::BTreeMap<String, Vec<sim::salesforce::CustomField>>,
    /// Account fields as Salesforce names them (`Name`, `Phone`, `BillingCity` …).
    #[serde(default)]
    pub accounts: Vec<Map<String, Value>>,
    #[serde(default)]
    pub contacts: Vec<Related>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpaasData {
    /// Company fields as iPaaS.com names them (`name`, `phone_number`, `addresses` …).
    #[serde(default)]
    pub companies: Vec<Map<String, Value>>,
    #[serde(default)]
    pub customers: Vec<Related>,
}

/// A Contact or Customer, with the index of its Account or Company in the same file
/// (`null` or absent: none).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Related {
    #[serde(default)]
    pub parent: Option<usize>,
    pub fields: Map<String, Value>,
}

impl Dataset {
    /// Reads and checks a data file; every problem names where it is.
    pub fn load(path: &std::path::Path) -> anyhow::Result<Dataset> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let data: Dataset = serde_json::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{} is not a demo data file: {e} (format: docs/demo-data.md)",
                path.display()
            )
        })?;
        data.check()?;
        Ok(data)
    }

    /// Declares the file's custom fields in the simulated org, as Setup would.
    pub fn declare_fields(&self, org: &sim::salesforce::SalesforceSim) -> anyhow::Result<()> {
        for (object, fields) in &self.salesforce.fields {
            for f in fields {
                org.add_custom_field(object, f.clone()).map_err(|e| {
                    anyhow::anyhow!(
                        "salesforce.fields.{object}: {} cannot be added: {e}",
                        f.name
                    )
                })?;
            }
        }
        Ok(())
    }

    fn check(&self) -> anyhow::Result<()> {
        for (i, a) in self.salesforce.accounts.iter().enumerate() {
            if !a.get("Name").is_some_and(Value::is_string) {
                anyhow::bail!("salesforce.accounts[{i}] has no Name");
            }
        }
        for (i, c) in self.salesforce.contacts.iter().enumerate() {
            if c.parent
                .is_some_and(|p| p >= self.salesforce.accounts.len())
            {
                anyhow::bail!("salesforce.contacts[{i}].parent names no account");
            }
            if !c.fields.get("LastName").is_some_and(Value::is_string) {
                anyhow::bail!("salesforce.contacts[{i}] has no LastName");
            }
        }
        for (i, c) in self.ipaas.companies.iter().enumerate() {
            if !c.get("name").is_some_and(Value::is_string) {
                anyhow::bail!("ipaas.companies[{i}] has no name");
            }
        }
        for (i, c) in self.ipaas.customers.iter().enumerate() {
            if c.parent.is_some_and(|p| p >= self.ipaas.companies.len()) {
                anyhow::bail!("ipaas.customers[{i}].parent names no company");
            }
        }
        Ok(())
    }

    /// `accounts` Accounts and `contacts` Contacts in Salesforce, and a quarter as many
    /// Companies and Customers in iPaaS.com. One Contact in twenty has no Account (skipped by
    /// design); every Account has a billing address, every other one a different shipping
    /// address; one Customer in ten carries a second, non-shipping address (not written to
    /// Salesforce by design).
    pub fn generate(accounts: usize, contacts: usize, seed: u64) -> Dataset {
        let mut rng = StdRng::seed_from_u64(seed);
        let cities = [
            "Springfield",
            "Shelbyville",
            "Ogdenville",
            "North Haverbrook",
            "Capital City",
        ];
        let mut data = Dataset::default();
        for i in 0..accounts {
            let city = cities[rng.gen_range(0..cities.len())];
            let mut a = json!({
                "Name": format!("Account {i:05}"),
                "Phone": format!("555-{:04}", rng.gen_range(0..10_000)),
                "Website": format!("https://account{i}.example"),
                "BillingStreet": format!("{} Main St", rng.gen_range(1..999)),
                "BillingCity": city,
                "BillingPostalCode": format!("{:05}", rng.gen_range(10_000..99_999)),
                "BillingCountry": "US",
            });
            if i % 2 == 0 {
                a["ShippingStreet"] = json!(format!("{} Dock Rd", rng.gen_range(1..999)));
                a["ShippingCity"] = json!(city);
            }
            data.salesforce
                .accounts
                .push(a.as_object().cloned().unwrap_or_default());
        }
        for i in 0..contacts {
            let parent = (accounts > 0 && i % 20 != 19).then(|| rng.gen_range(0..accounts));
            let c = json!({
                "FirstName": format!("First{i}"),
                "LastName": format!("Contact {i:05}"),
                "Email": format!("contact{i}@people.example"),
                "MailingStreet": format!("{} Elm St", rng.gen_range(1..999)),
                "MailingCity": cities[rng.gen_range(0..cities.len())],
            });
            data.salesforce.contacts.push(Related {
                parent,
                fields: c.as_object().cloned().unwrap_or_default(),
            });
        }
        let companies = accounts / 4;
        for i in 0..companies {
            let c = json!({
                "name": format!("Company {i:05}"),
                "phone_number": format!("555-{:04}", rng.gen_range(0..10_000)),
                "addresses": [{"address_1": format!("{} Oak Ave", rng.gen_range(1..999)), "city": cities[i % cities.len()],
                               "is_primary_billing": true, "is_primary_shipping": true}],
            });
            data.ipaas
                .companies
                .push(c.as_object().cloned().unwrap_or_default());
        }
        for i in 0..contacts / 4 {
            let parent = (companies > 0).then(|| rng.gen_range(0..companies));
            let mut addresses = vec![
                json!({"address_1": format!("{} Pine St", i + 1), "city": cities[i % cities.len()], "is_primary_shipping": true}),
            ];
            if i % 10 == 0 {
                addresses.push(json!({"address_1": "PO Box 1", "city": "Elsewhere", "is_primary_billing": true}));
            }
            let c = json!({
                "first_name": format!("Cust{i}"),
                "last_name": format!("Customer {i:05}"),
                "email_address": format!("customer{i}@people.example"),
                "addresses": addresses,
            });
            data.ipaas.customers.push(Related {
                parent,
                fields: c.as_object().cloned().unwrap_or_default(),
            });
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn custom_fields_are_declared_in_the_org() {
        let data: Dataset = serde_json::from_value(json!({"salesforce": {"fields": {
            "Account": [{"name": "Tier__c", "label": "Tier",
                         "kind": {"type": "picklist", "values": ["Gold"], "restricted": true}}],
            "Contact": [{"name": "Bad Name", "label": "", "kind": {"type": "checkbox"}}]}}}))
        .unwrap();
        let org = sim::salesforce::SalesforceSim::start(Default::default())
            .await
            .unwrap();
        let e = data.declare_fields(&org).unwrap_err().to_string();
        assert!(
            e.starts_with("salesforce.fields.Contact: Bad Name cannot be added"),
            "{e}"
        );
        let id = org.insert("Account", json!({"Name": "A", "Tier__c": "Gold"}));
        assert_eq!(
            org.record("Account", id.as_str()).unwrap()["Tier__c"],
            "Gold"
        );
    }

    #[test]
    fn generation_is_repeatable_and_has_the_documented_shares() {
        let a = Dataset::generate(40, 100, 7);
        let b = Dataset::generate(40, 100, 7);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert_eq!(
            a.salesforce
                .contacts
                .iter()
                .filter(|c| c.parent.is_none())
                .count(),
            5
        );
        assert_eq!(a.ipaas.companies.len(), 10);
        assert_eq!(a.ipaas.customers.len(), 25);
        a.check().unwrap();
    }

    #[test]
    fn bad_files_say_where() {
        let dir = std::env::temp_dir().join(format!("sfsync-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (text, says) in [
            ("not json", "not a demo data file"),
            (
                r#"{"salesforce":{"accounts":[{"Phone":"1"}]}}"#,
                "salesforce.accounts[0] has no Name",
            ),
            (
                r#"{"salesforce":{"contacts":[{"parent":3,"fields":{"LastName":"x"}}]}}"#,
                "parent names no account",
            ),
            (r#"{"elsewhere":{}}"#, "unknown field"),
            (
                r#"{"salesforce":{"fields":{"Account":[{"name":"Tier__c"}]}}}"#,
                "missing field `label`",
            ),
        ] {
            let p = dir.join("d.json");
            std::fs::write(&p, text).unwrap();
            let e = Dataset::load(&p).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
        }
    }
}
