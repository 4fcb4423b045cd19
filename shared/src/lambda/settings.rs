//! The flow functions' settings, read from the environment and checked before any network
//! call: each has a range, and a value outside it stops the start with a sentence naming
//! the variable. Names of AWS resources are then checked to point at something, with one
//! cheap call each at cold start (`check_names`).
//!
//! | variable | range |
//! |---|---|
//! | `SALESFORCE_SECRET_ID`, `IPAAS_SECRET_ID` | a Secrets Manager name or ARN (1–2048 of `A-Z a-z 0-9 /_+=.@-:`), existing |
//! | `SALESFORCE_API_VERSION` | `NN.0`, 42.0 or later (sObject Collections); default 64.0 |
//! | `SALESFORCE_API_BUDGET` | a share above 0, at most 1; default 0.9 |
//! | `SALESFORCE_INTEGRATION_USER_ID` | empty, or a 15/18-character User Id (`005…`) |
//! | `IPAAS_SYSTEM_ID` | 1 to 9223372036854775807 |
//! | `IPAAS_BASE_URL` | https URL (http only to loopback); default https://api.ipaas.com |
//! | `STATE_TABLE` | a DynamoDB table name (3–255 of `A-Z a-z 0-9 _.-`) or table ARN, existing |
//! | `*_QUEUE_URL` | an SQS queue URL (`https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`) |
//! | `POLL_DAYS` | 0 to 3650; default 7 |
//! | `POLL_MAX_PER_TICK` | 1 to 100000; default 20000 |
//! | `POLL_OVERLAP_SECONDS` | 0 to 86400; default 300 |
//! | `SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT`, `…_CONTACT` | empty, or a field API name (`Ipaas_Id__c`) |
//! | `BATCH_CONCURRENCY` | 1 to 100; default 10 |

use crate::config::{
    optional, parsed, queue_url, ranged, required, ConfigError, Env, SECRET_ID_CHARS,
};
use crate::error_log::IpaasErrorLog;
use crate::flow::Flow;
use crate::flows::{ExternalIdFields, FlowContext, Pacing};
use crate::ipaas::{IpaasClient, IpaasConfig};
use crate::poller::PollSettings;
use crate::queue::QueueUrls;
use crate::salesforce::{SalesforceClient, SalesforceConfig, SalesforceId, DEFAULT_API_VERSION};
use crate::secrets::{AwsSecretStore, SecretError, SecretStore};
use crate::state::DynamoStateStore;
use std::sync::Arc;
use std::time::Duration;

/// `POLL_DAYS`: how far a first poll looks back.
pub const POLL_DAYS_RANGE: (i64, i64) = (0, 3650);
/// `POLL_MAX_PER_TICK`: records handed on per object per tick.
pub const POLL_MAX_PER_TICK_RANGE: (usize, usize) = (1, 100_000);
/// `POLL_OVERLAP_SECONDS`: how far behind its cursor each tick looks again.
pub const POLL_OVERLAP_RANGE: (i64, i64) = (0, 86_400);
/// `BATCH_CONCURRENCY`: records of one batch worked at once.
pub const BATCH_CONCURRENCY_RANGE: (usize, usize) = (1, 100);
/// The oldest API version with sObject Collections, which the FROM flows write with.
const OLDEST_API_VERSION: u32 = 42;
/// A start check that gets no answer in this long is skipped (the first use will tell).
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// What every flow function needs to build its clients.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub salesforce: SalesforceConfig,
    pub ipaas: IpaasConfig,
    pub state_table: String,
    /// Share (0–1] of the org's daily API allowance the integration may use.
    pub budget_share: f64,
    /// The External ID fields the FROM flows create through (upsert), if any.
    pub external_ids: ExternalIdFields,
    /// Records of one batch worked at once (their iPaaS.com round trips overlap).
    pub batch_concurrency: usize,
}

impl ClientSettings {
    /// `SALESFORCE_SECRET_ID`, `SALESFORCE_API_VERSION`, `SALESFORCE_API_BUDGET`,
    /// `IPAAS_SECRET_ID`, `IPAAS_SYSTEM_ID`, `IPAAS_BASE_URL`, `STATE_TABLE`.
    pub fn from_env(env: &dyn Env) -> Result<ClientSettings, ConfigError> {
        let secret_id = crate::config::resource_name(
            env,
            "SALESFORCE_SECRET_ID",
            "set it to the secret holding the Salesforce connected-app credentials",
            SECRET_ID_CHARS,
            (1, 2048),
        )?;
        let mut salesforce = SalesforceConfig::new(secret_id);
        salesforce.api_version = api_version(env)?;
        salesforce.integration_user = integration_user(env)?;
        Ok(ClientSettings {
            salesforce,
            ipaas: IpaasConfig::from_env(env)?,
            state_table: state_table(env)?,
            budget_share: budget_share(env)?,
            external_ids: external_id_fields(env)?,
            batch_concurrency: ranged(
                env,
                "BATCH_CONCURRENCY",
                Pacing::default().concurrency,
                BATCH_CONCURRENCY_RANGE,
                "records",
            )
            .map_err(whole_number)?,
        })
    }

    /// Checks at cold start that the state table and both secrets exist, one cheap call each
    /// (DescribeTable, GetSecretValue: the permissions the functions already have). Only a
    /// definite "does not exist" stops the start; a check that cannot be made (no answer,
    /// throttled, denied) is logged and left to the first use.
    pub async fn check_names(&self, aws: &aws_types::SdkConfig) -> Result<(), ConfigError> {
        let secrets = AwsSecretStore::from_conf(aws);
        let (table, sf, ipaas) = tokio::join!(
            table_exists(aws, &self.state_table),
            secret_exists(&secrets, "SALESFORCE_SECRET_ID", &self.salesforce.secret_id),
            secret_exists(&secrets, "IPAAS_SECRET_ID", &self.ipaas.secret_id),
        );
        table.and(sf).and(ipaas)
    }

    /// The flow context: both API clients, the DynamoDB state store and the Error Log.
    pub fn build(
        self,
        aws: &aws_types::SdkConfig,
        mapping: crate::mapping::document::Mapping,
    ) -> Result<FlowContext, ConfigError> {
        let secrets = Arc::new(AwsSecretStore::from_conf(aws));
        let salesforce = SalesforceClient::new(secrets.clone(), self.salesforce).map_err(|e| {
            ConfigError::Invalid {
                name: "SALESFORCE_API_VERSION",
                reason: e.to_string(),
            }
        })?;
        let ipaas = IpaasClient::new(secrets, self.ipaas).map_err(|e| ConfigError::Invalid {
            name: "IPAAS_BASE_URL",
            reason: e.to_string(),
        })?;
        Ok(FlowContext {
            salesforce,
            ipaas: ipaas.clone(),
            state: Arc::new(DynamoStateStore::new(
                aws_sdk_dynamodb::Client::new(aws),
                self.state_table,
            )),
            errors: Arc::new(IpaasErrorLog::new(ipaas)),
            pacing: Pacing {
                budget_share: self.budget_share,
                concurrency: self.batch_concurrency,
                ..Pacing::default()
            },
            external_ids: self.external_ids,
            mapping: Arc::new(mapping),
            epoch: Arc::default(),
        })
    }
}

/// The poller's settings: its clients, the two TO queues and the poll limits.
#[derive(Debug, Clone)]
pub struct PollerSettings {
    pub clients: ClientSettings,
    pub queues: QueueUrls,
    pub poll: PollSettings,
}

impl PollerSettings {
    pub fn from_env(env: &dyn Env) -> Result<PollerSettings, ConfigError> {
        let queues = QueueUrls::new()
            .with(
                Flow::AccountToIpaas,
                queue_url(
                    env,
                    "ACCOUNT_TO_IPAAS_QUEUE_URL",
                    "set it to the SQS queue URL of the Account TO iPaaS.com flow",
                )?,
            )
            .with(
                Flow::ContactToIpaas,
                queue_url(
                    env,
                    "CONTACT_TO_IPAAS_QUEUE_URL",
                    "set it to the SQS queue URL of the Contact TO iPaaS.com flow",
                )?,
            );
        let defaults = PollSettings::default();
        let poll = PollSettings {
            poll_days: ranged(
                env,
                "POLL_DAYS",
                defaults.poll_days,
                POLL_DAYS_RANGE,
                "days",
            )
            .map_err(whole_number)?,
            max_per_tick: ranged(
                env,
                "POLL_MAX_PER_TICK",
                defaults.max_per_tick,
                POLL_MAX_PER_TICK_RANGE,
                "records",
            )
            .map_err(whole_number)?,
            overlap: chrono::Duration::seconds(
                ranged(
                    env,
                    "POLL_OVERLAP_SECONDS",
                    defaults.overlap.num_seconds(),
                    POLL_OVERLAP_RANGE,
                    "seconds",
                )
                .map_err(whole_number)?,
            ),
            ..defaults
        };
        Ok(PollerSettings {
            clients: ClientSettings::from_env(env)?,
            queues,
            poll,
        })
    }
}

/// A worker's own queue (`ACCOUNT_TO_IPAAS_QUEUE_URL`…), where it puts off messages; when
/// set it must be a queue URL.
pub fn own_queue(env: &dyn Env, flow: Flow) -> Result<Option<String>, ConfigError> {
    let name = super::queue_variable(flow);
    let Some(url) = optional(env, name) else {
        return Ok(None);
    };
    crate::config::check_queue_url(name, &url)?;
    Ok(Some(url))
}

/// "invalid digit found in string" says little; say what the value should be.
fn whole_number(e: ConfigError) -> ConfigError {
    match e {
        ConfigError::Invalid { name, reason } if !reason.contains("outside") => {
            ConfigError::Invalid {
                name,
                reason: format!("not a whole number ({reason})"),
            }
        }
        other => other,
    }
}

fn api_version(env: &dyn Env) -> Result<String, ConfigError> {
    let v: String = parsed(
        env,
        "SALESFORCE_API_VERSION",
        DEFAULT_API_VERSION.to_string(),
    )?;
    let major = v
        .strip_suffix(".0")
        .filter(|m| (2..=3).contains(&m.len()) && m.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if m >= OLDEST_API_VERSION => Ok(v),
        _ => Err(ConfigError::Invalid {
            name: "SALESFORCE_API_VERSION",
            reason: format!(
                "{:?} is not a Salesforce API version like {DEFAULT_API_VERSION} ({OLDEST_API_VERSION}.0 or later, without the v)",
                v.chars().take(40).collect::<String>()
            ),
        }),
    }
}

fn budget_share(env: &dyn Env) -> Result<f64, ConfigError> {
    let share: f64 = parsed(env, "SALESFORCE_API_BUDGET", Pacing::default().budget_share)?;
    // 0 would put every message off for ever; above 1 is no budget at all.
    if share.is_finite() && share > 0.0 && share <= 1.0 {
        Ok(share)
    } else {
        Err(ConfigError::Invalid {
            name: "SALESFORCE_API_BUDGET",
            reason: format!("{share} is not a share above 0 and at most 1 (e.g. 0.9)"),
        })
    }
}

/// A table name (3–255 of `A-Z a-z 0-9 _ . -`) or a table ARN.
fn state_table(env: &dyn Env) -> Result<String, ConfigError> {
    let name = "STATE_TABLE";
    let value = required(
        env,
        name,
        "set it to the DynamoDB table of cursors and links",
    )?;
    let arn =
        value.starts_with("arn:") && value.contains(":dynamodb:") && value.contains(":table/");
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.-".contains(c);
    let ok = if arn {
        value.len() <= 1024 && value.chars().all(|c| allowed(c) || ":/".contains(c))
    } else {
        (3..=255).contains(&value.len()) && value.chars().all(allowed)
    };
    if ok {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            name,
            reason: format!(
                "{:?} is not a DynamoDB table name (3 to 255 of A-Z a-z 0-9 _ . -) or table ARN",
                value.chars().take(80).collect::<String>()
            ),
        })
    }
}

/// `SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT` / `_CONTACT`: the External ID field (e.g.
/// `Ipaas_Id__c`) the FROM flows create through, by upsert, so a create is safe to send
/// again. Unset: creates are claimed in the ledger and recovered after a lost answer.
fn external_id_fields(env: &dyn Env) -> Result<ExternalIdFields, ConfigError> {
    let field = |name: &'static str| -> Result<Option<String>, ConfigError> {
        let Some(v) = optional(env, name) else {
            return Ok(None);
        };
        let api_name = v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && v.starts_with(|c: char| c.is_ascii_alphabetic())
            && v.len() <= 80;
        if !api_name {
            return Err(ConfigError::Invalid {
                name,
                reason: format!(
                    "{:?} is not a Salesforce field API name (e.g. Ipaas_Id__c)",
                    v.chars().take(80).collect::<String>()
                ),
            });
        }
        Ok(Some(v))
    };
    Ok(ExternalIdFields {
        account: field("SALESFORCE_EXTERNAL_ID_FIELD_ACCOUNT")?,
        contact: field("SALESFORCE_EXTERNAL_ID_FIELD_CONTACT")?,
    })
}

/// `SALESFORCE_INTEGRATION_USER_ID`: the User the integration writes as, when it is not
/// the one the OAuth identity names (it decides which records the integration created).
fn integration_user(env: &dyn Env) -> Result<Option<String>, ConfigError> {
    let name = "SALESFORCE_INTEGRATION_USER_ID";
    let Some(v) = optional(env, name) else {
        return Ok(None);
    };
    match SalesforceId::parse(&v) {
        Ok(id) if id.key_prefix() == "005" => Ok(Some(v)),
        _ => Err(ConfigError::Invalid {
            name,
            reason: format!(
                "{:?} is not a Salesforce User Id (15 or 18 characters starting 005); leave it empty to use the connected user",
                v.chars().take(40).collect::<String>()
            ),
        }),
    }
}

async fn table_exists(aws: &aws_types::SdkConfig, table: &str) -> Result<(), ConfigError> {
    let call = aws_sdk_dynamodb::Client::new(aws)
        .describe_table()
        .table_name(table)
        .send();
    match tokio::time::timeout(CHECK_TIMEOUT, call).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e))
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Err(ConfigError::Invalid {
                name: "STATE_TABLE",
                reason: format!("DynamoDB has no table {table:?}{}", region(aws)),
            })
        }
        Ok(Err(e)) => {
            let e = aws_sdk_dynamodb::error::DisplayErrorContext(e);
            unchecked("STATE_TABLE", &e.to_string());
            Ok(())
        }
        Err(_) => {
            unchecked("STATE_TABLE", "no answer in time");
            Ok(())
        }
    }
}

async fn secret_exists(
    secrets: &AwsSecretStore,
    name: &'static str,
    id: &str,
) -> Result<(), ConfigError> {
    // The value is read and dropped at once: it is never logged or kept here.
    match tokio::time::timeout(CHECK_TIMEOUT, secrets.read(id)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(SecretError::NotFound(_))) => Err(ConfigError::Invalid {
            name,
            reason: format!("Secrets Manager has no secret {id:?} (or it holds no text)"),
        }),
        Ok(Err(e)) => {
            unchecked(name, &e.to_string());
            Ok(())
        }
        Err(_) => {
            unchecked(name, "no answer in time");
            Ok(())
        }
    }
}

fn region(aws: &aws_types::SdkConfig) -> String {
    aws.region()
        .map(|r| format!(" in region {r}"))
        .unwrap_or_default()
}

fn unchecked(variable: &str, why: &str) {
    tracing::warn!(
        variable,
        reason = why,
        "could not check at start that this names something; its first use will tell"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn good() -> HashMap<String, String> {
        [
            ("SALESFORCE_SECRET_ID", "sfsync/salesforce"),
            (
                "IPAAS_SECRET_ID",
                "arn:aws:secretsmanager:us-east-1:123456789012:secret:ipaas-AbCdEf",
            ),
            ("IPAAS_SYSTEM_ID", "7"),
            ("STATE_TABLE", "sfsync-state"),
            (
                "ACCOUNT_TO_IPAAS_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/a",
            ),
            (
                "CONTACT_TO_IPAAS_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/123456789012/c",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    #[test]
    fn good_values_and_defaults() {
        let mut env = good();
        let s = PollerSettings::from_env(&env).unwrap();
        assert_eq!(s.poll.poll_days, 7);
        assert_eq!(s.clients.salesforce.api_version, "64.0");
        assert_eq!(s.clients.salesforce.integration_user, None);
        for (k, v) in [
            ("POLL_DAYS", "0"),
            ("POLL_DAYS", "3650"),
            ("POLL_MAX_PER_TICK", "1"),
            ("SALESFORCE_API_BUDGET", "1"),
            ("SALESFORCE_API_BUDGET", "0.05"),
            ("SALESFORCE_API_VERSION", "42.0"),
            ("SALESFORCE_INTEGRATION_USER_ID", "005000000000001AAA"),
            (
                "STATE_TABLE",
                "arn:aws:dynamodb:us-east-1:123456789012:table/sfsync-state",
            ),
        ] {
            env.insert(k.into(), v.into());
            assert!(PollerSettings::from_env(&env).is_ok(), "{k}={v}");
        }
    }

    /// Values each fails on the old code: accepted at start, then a panic or a stall.
    #[test]
    fn out_of_range_values_stop_the_start_naming_the_variable() {
        for (name, value) in [
            ("POLL_DAYS", "100000000"),
            ("POLL_DAYS", "3651"),
            ("POLL_MAX_PER_TICK", "0"),
            ("POLL_MAX_PER_TICK", "100000001"),
            ("SALESFORCE_API_BUDGET", "0"),
            ("SALESFORCE_API_BUDGET", "-0.5"),
            ("SALESFORCE_API_BUDGET", "NaN"),
            ("BATCH_CONCURRENCY", "0"),
            ("BATCH_CONCURRENCY", "101"),
            ("BATCH_CONCURRENCY", "ten"),
            ("SALESFORCE_API_VERSION", "20.0"),
            ("SALESFORCE_API_VERSION", "64"),
            ("SALESFORCE_API_VERSION", "64.0.1"),
            ("SALESFORCE_INTEGRATION_USER_ID", "001000000000001AAA"),
            ("SALESFORCE_INTEGRATION_USER_ID", "admin@example.com"),
            ("IPAAS_SYSTEM_ID", "0"),
            ("STATE_TABLE", "x"),
            ("STATE_TABLE", "state table"),
            ("SALESFORCE_SECRET_ID", "sf secret"),
            ("ACCOUNT_TO_IPAAS_QUEUE_URL", "account-to-ipaas"),
            (
                "CONTACT_TO_IPAAS_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com",
            ),
        ] {
            let mut env = good();
            env.insert(name.into(), value.into());
            let e = PollerSettings::from_env(&env)
                .err()
                .unwrap_or_else(|| panic!("{name}={value} was accepted"))
                .to_string();
            assert!(e.contains(name), "{name}={value}: {e}");
        }
    }

    #[test]
    fn a_worker_queue_when_set_is_a_url() {
        let mut env = good();
        assert!(own_queue(&env, Flow::AccountToIpaas).unwrap().is_some());
        assert_eq!(own_queue(&env, Flow::AccountFromIpaas).unwrap(), None);
        env.insert("ACCOUNT_FROM_IPAAS_QUEUE_URL".into(), "queue".into());
        let e = own_queue(&env, Flow::AccountFromIpaas)
            .unwrap_err()
            .to_string();
        assert!(e.contains("ACCOUNT_FROM_IPAAS_QUEUE_URL"), "{e}");
    }
}
