//! `sfsync mapping check`: a mapping document checked against an org, as the functions
//! check it at start: every mapped field in a table with its status, then what would stop
//! the functions. The org is the connected one (the Salesforce secret `sfsync connect`
//! wrote), or a simulated org started here with a data file's custom fields.

use crate::dataset::Dataset;
use crate::stack::{salesforce_secret, SALESFORCE_SECRET};
use shared::mapping::document::{check_org, Entry, Finding, Mapping, Pair, Runs, Severity};
use shared::salesforce::{SalesforceClient, SalesforceConfig};
use shared::secrets::{AwsSecretStore, InMemorySecretStore};
use std::path::PathBuf;
use std::sync::Arc;

/// The org to check against.
pub enum Target {
    /// The org whose connection is in this Secrets Manager secret (`sfsync connect`).
    Connected { secret_id: String },
    /// A simulated org, with the custom fields of this data file (docs/demo-data.md).
    Simulator { data: Option<PathBuf> },
}

pub struct CheckOptions {
    /// The document; none: the built-in default.
    pub mapping: Option<PathBuf>,
    pub target: Target,
}

/// One mapped field and what the check found about it.
pub struct Row {
    pub pair: Pair,
    pub entry: Entry,
    pub findings: Vec<Finding>,
}

pub struct Report {
    /// What was checked, against what.
    pub title: String,
    pub rows: Vec<Row>,
    /// Findings about a pair as a whole (a required field nothing fills).
    pub general: Vec<Finding>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.rows
            .iter()
            .flat_map(|r| &r.findings)
            .chain(&self.general)
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// Reads the document, connects to the org and checks.
pub async fn run(opts: CheckOptions) -> anyhow::Result<Report> {
    let (mapping, name) = match &opts.mapping {
        Some(p) => (Mapping::from_file(p)?, p.display().to_string()),
        None => (Mapping::builtin(), "the built-in mapping".to_string()),
    };
    match opts.target {
        Target::Connected { secret_id } => {
            let secrets = Arc::new(AwsSecretStore::from_env().await);
            let client = SalesforceClient::new(secrets, SalesforceConfig::new(&secret_id))?;
            let against = format!("the org connected in secret {secret_id}");
            check_with(&client, &mapping, &name, &against).await
        }
        Target::Simulator { data } => {
            let org = sim::salesforce::SalesforceSim::start(Default::default()).await?;
            if let Some(path) = &data {
                Dataset::load(path)?.declare_fields(&org)?;
            }
            let secrets = Arc::new(InMemorySecretStore::new());
            secrets.insert(
                SALESFORCE_SECRET,
                &salesforce_secret(&org, &org.issue_refresh_token()),
            );
            let client = SalesforceClient::new(secrets, SalesforceConfig::new(SALESFORCE_SECRET))?;
            let against = match &data {
                Some(p) => format!("a simulated org with the custom fields of {}", p.display()),
                None => "a simulated org (standard fields only)".to_string(),
            };
            check_with(&client, &mapping, &name, &against).await
        }
    }
}

/// Checks `mapping` against the org `client` reaches.
pub async fn check_with(
    client: &SalesforceClient,
    mapping: &Mapping,
    name: &str,
    against: &str,
) -> anyhow::Result<Report> {
    let findings = check_org(mapping, client)
        .await
        .map_err(|e| anyhow::anyhow!("cannot describe Account and Contact: {e}"))?;
    let mut rows = Vec::new();
    let mut general = Vec::new();
    for pair in Pair::ALL {
        let of_pair: Vec<&Finding> = findings.iter().filter(|f| f.pair == pair).collect();
        general.extend(of_pair.iter().filter(|f| f.line == 0).map(|f| (*f).clone()));
        for entry in mapping.pair(pair).entries() {
            let found = of_pair
                .iter()
                .filter(|f| f.line == entry.line)
                .map(|f| (*f).clone())
                .collect();
            rows.push(Row {
                pair,
                entry,
                findings: found,
            });
        }
    }
    Ok(Report {
        title: format!("{name}, checked against {against}"),
        rows,
        general,
    })
}

fn arrow(r: Runs) -> &'static str {
    r.arrow()
}

/// The report as the terminal shows it.
pub fn render(report: &Report) -> String {
    let mut out = format!("Mapping: {}\n", report.title);
    for pair in Pair::ALL {
        out.push_str(&format!(
            "\n{} {} {}\n",
            pair.salesforce_object(),
            Runs::Both.arrow(),
            pair.ipaas_kind()
        ));
        let mut table = vec![[
            "line".to_string(),
            "Salesforce".into(),
            "".into(),
            "iPaaS.com".into(),
            "transforms".into(),
            "status".into(),
        ]];
        for r in report.rows.iter().filter(|r| r.pair == pair) {
            let status = if r.findings.is_empty() {
                "ok".to_string()
            } else {
                r.findings
                    .iter()
                    .map(|f| {
                        let level = match f.severity {
                            Severity::Error => "ERROR",
                            Severity::Warning => "warning",
                        };
                        format!("{level}: {f}")
                    })
                    .collect::<Vec<_>>()
                    .join(" | ")
            };
            let e = &r.entry;
            table.push([
                e.line.to_string(),
                e.salesforce.clone().unwrap_or_else(|| "-".into()),
                arrow(e.runs).to_string(),
                e.ipaas.clone().unwrap_or_else(|| "-".into()),
                e.rules.clone(),
                status,
            ]);
        }
        out.push_str(&columns(&table));
        for f in report.general.iter().filter(|f| f.pair == pair) {
            let level = match f.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "warning",
            };
            out.push_str(&format!("  {level}: {f}\n"));
        }
    }
    let (errors, warnings) = (
        report.count(Severity::Error),
        report.count(Severity::Warning),
    );
    out.push('\n');
    out.push_str(&match (errors, warnings) {
        (0, 0) => "No problems: the mapping fits this org.\n".to_string(),
        (0, w) => format!("{w} warning(s), no errors: the functions would start.\n"),
        (e, w) => format!("{e} error(s), {w} warning(s): the functions would stop at start.\n"),
    });
    out
}

/// Left-aligned columns; the last one runs free.
fn columns(rows: &[[String; 6]]) -> String {
    let mut widths = [0usize; 6];
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for (i, c) in r.iter().enumerate() {
            line.push(' ');
            line.push_str(c);
            if i + 1 < r.len() {
                line.push_str(&" ".repeat(widths[i] - c.chars().count() + 1));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../examples")
            .join(name)
    }

    async fn check(mapping: Option<&str>, data: Option<&str>) -> Report {
        run(CheckOptions {
            mapping: mapping.map(examples),
            target: Target::Simulator {
                data: data.map(examples),
            },
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn the_default_and_the_example_fit_their_orgs() {
        let report = check(None, None).await;
        let text = render(&report);
        assert_eq!(report.count(Severity::Error), 0, "{text}");
        assert!(
            text.contains("No problems: the mapping fits this org."),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().skip(1).collect::<Vec<_>>()
                    == ["Name", "⇄", "name", "ok"]),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.split_whitespace().skip(1).collect::<Vec<_>>()
                    == ["Billing*", "⇄", "primary_billing", "address", "ok"]),
            "{text}"
        );

        let report = check(Some("mapping-custom.toml"), Some("custom-fields.json")).await;
        let text = render(&report);
        assert_eq!(report.count(Severity::Error), 0, "{text}");
        assert!(text.contains("Customer_Tier__c"), "{text}");
    }

    #[tokio::test]
    async fn missing_custom_fields_are_errors_with_their_names() {
        // The example's custom fields are not in an org that lacks them.
        let report = check(Some("mapping-custom.toml"), None).await;
        let text = render(&report);
        assert!(report.count(Severity::Error) >= 2, "{text}");
        let row = text
            .lines()
            .find(|l| l.contains("Customer_Tier__c"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            row.contains("ERROR: Account.Customer_Tier__c does not exist in the org"),
            "{row}"
        );
        let row = text
            .lines()
            .find(|l| l.contains("Loyalty_Number__c"))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(
            row.contains("ERROR: Contact.Loyalty_Number__c does not exist in the org"),
            "{row}"
        );
        assert!(
            text.ends_with("the functions would stop at start.\n"),
            "{text}"
        );
    }
}
