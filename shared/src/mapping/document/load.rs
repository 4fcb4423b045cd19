//! Where the document lives in production: an SSM Parameter Store parameter named by
//! `MAPPING_PARAMETER` (the SAM template creates it from infra/mapping.toml and grants the
//! mapping functions `ssm:GetParameter` on it alone). Unset: the built-in default. It is
//! read once, at cold start; a document that cannot be read or used stops the start with a
//! message naming the setting and the line.

use super::Mapping;
use crate::config::{optional, ConfigError, Env};
use aws_sdk_ssm::error::DisplayErrorContext;

/// The setting that names the parameter (a name such as `/sfsync/mapping`, or its ARN).
pub const MAPPING_PARAMETER: &str = "MAPPING_PARAMETER";

/// What an SSM parameter name or ARN may hold besides ASCII letters and digits.
const NAME_CHARS: &str = "/_.-:";

/// The mapping the functions run with: the document in the parameter `MAPPING_PARAMETER`
/// names, or the built-in default when it is unset.
pub async fn load_from_env(
    env: &dyn Env,
    aws: &aws_types::SdkConfig,
) -> Result<Mapping, ConfigError> {
    if optional(env, MAPPING_PARAMETER).is_none() {
        return Ok(Mapping::builtin());
    }
    let name = crate::config::resource_name(
        env,
        MAPPING_PARAMETER,
        "set it to the SSM parameter holding the mapping document, or leave it unset for the built-in mapping",
        NAME_CHARS,
        (1, 2048),
    )?;
    let invalid = |reason: String| ConfigError::Invalid {
        name: MAPPING_PARAMETER,
        reason,
    };
    let client = aws_sdk_ssm::Client::new(aws);
    let answer = client
        .get_parameter()
        .name(&name)
        .with_decryption(true)
        .send()
        .await
        .map_err(|e| {
            let service = e.as_service_error();
            if service.is_some_and(|s| s.is_parameter_not_found()) {
                invalid(format!("the SSM parameter {name} does not exist"))
            } else {
                invalid(format!(
                    "the SSM parameter {name} cannot be read: {}",
                    DisplayErrorContext(&e)
                ))
            }
        })?;
    let text = answer
        .parameter()
        .and_then(|p| p.value())
        .ok_or_else(|| invalid(format!("the SSM parameter {name} has no value")))?;
    Mapping::parse(text)
        .map_err(|e| invalid(format!("the mapping document in {name} is not usable: {e}")))
}
