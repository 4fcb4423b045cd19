//! Reading configuration from environment variables. Bad configuration fails at start with a
//! message naming the variable, so a deployer knows exactly what to fix.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set; {1}")]
    Missing(&'static str, &'static str),
    #[error("environment variable {name} has an unusable value: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// A source of settings: the process environment in Lambdas, a map in tests.
pub trait Env: Sync {
    fn var(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

impl Env for std::collections::HashMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// A required, non-blank setting. `what` tells the deployer what it should hold.
pub fn required(
    env: &dyn Env,
    name: &'static str,
    what: &'static str,
) -> Result<String, ConfigError> {
    env.var(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or(ConfigError::Missing(name, what))
}

/// An optional setting parsed with `FromStr`; absent or blank means `default`.
pub fn parsed<T: std::str::FromStr>(
    env: &dyn Env,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match env
        .var(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        None => Ok(default),
        Some(v) => v.parse().map_err(|e: T::Err| ConfigError::Invalid {
            name,
            reason: e.to_string(),
        }),
    }
}

/// An optional setting parsed with `FromStr` and kept within `min..=max`; absent or blank
/// means `default`. `unit` words the range for the deployer ("days", "records").
pub fn ranged<T>(
    env: &dyn Env,
    name: &'static str,
    default: T,
    (min, max): (T, T),
    unit: &str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    T::Err: std::fmt::Display,
{
    let value = parsed(env, name, default)?;
    // `!(a <= b)` rather than `a > b` so a NaN is outside every range.
    #[allow(clippy::neg_cmp_op_on_partial_ord)]
    let outside = !(min <= value && value <= max);
    if outside {
        return Err(ConfigError::Invalid {
            name,
            reason: format!("{value} is outside the allowed range {min} to {max} {unit}"),
        });
    }
    Ok(value)
}

/// An optional, non-blank setting.
pub fn optional(env: &dyn Env, name: &str) -> Option<String> {
    env.var(name)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Checks that an SQS queue URL is one: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` (or
/// an emulator's `http://…/ACCOUNT/NAME`).
pub fn check_queue_url(name: &'static str, value: &str) -> Result<(), ConfigError> {
    let invalid = |why: &str| ConfigError::Invalid {
        name,
        reason: format!("{:?} is not an SQS queue URL ({why})", shown(value)),
    };
    let url = url::Url::parse(value).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "https" | "http") || !url.has_host() {
        return Err(invalid("it must be an http(s) URL with a host"));
    }
    if url.path_segments().is_none_or(|mut s| s.all(str::is_empty)) {
        return Err(invalid("it names no queue after the host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok(())
}

/// A required SQS queue URL setting, checked to be a URL.
pub fn queue_url(
    env: &dyn Env,
    name: &'static str,
    what: &'static str,
) -> Result<String, ConfigError> {
    let value = required(env, name, what)?;
    check_queue_url(name, &value)?;
    Ok(value)
}

/// What a Secrets Manager secret name or ARN may hold besides ASCII letters and digits.
pub const SECRET_ID_CHARS: &str = "/_+=.@-:";

/// A required AWS resource name or ARN: `allowed` lists the punctuation the service accepts
/// besides ASCII letters and digits; `max` is its length limit.
pub fn resource_name(
    env: &dyn Env,
    name: &'static str,
    what: &'static str,
    allowed: &str,
    (min, max): (usize, usize),
) -> Result<String, ConfigError> {
    let value = required(env, name, what)?;
    let bad = value
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || allowed.contains(*c)));
    if let Some(c) = bad {
        return Err(ConfigError::Invalid {
            name,
            reason: format!("{:?} holds {c:?}, which no such name can", shown(&value)),
        });
    }
    let len = value.chars().count();
    if !(min..=max).contains(&len) {
        return Err(ConfigError::Invalid {
            name,
            reason: format!(
                "{:?} is {len} characters; a name is {min} to {max}",
                shown(&value)
            ),
        });
    }
    Ok(value)
}

/// A value cut short for an error message.
fn shown(value: &str) -> String {
    let mut s: String = value.chars().take(80).collect();
    if value.chars().count() > 80 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn names_the_variable() {
        let env: HashMap<String, String> = [
            ("N".to_string(), "x".to_string()),
            ("B".to_string(), " ".to_string()),
        ]
        .into();
        assert_eq!(required(&env, "N", "n").unwrap(), "x");
        let e = required(&env, "B", "the queue URL")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "environment variable B is not set; the queue URL");
        let e = parsed::<u32>(&env, "N", 7).unwrap_err().to_string();
        assert!(
            e.starts_with("environment variable N has an unusable value"),
            "{e}"
        );
        assert_eq!(parsed::<u32>(&env, "ABSENT", 7).unwrap(), 7);
    }

    #[test]
    fn ranges_queue_urls_and_names() {
        let env: HashMap<String, String> = [
            ("DAYS", "100000000"),
            ("SHARE", "NaN"),
            ("OK", "5"),
            ("Q_BAD", "sqs-account-to-ipaas"),
            ("Q_ROOT", "https://sqs.us-east-1.amazonaws.com/"),
            ("Q_OK", "https://sqs.us-east-1.amazonaws.com/123456789012/a"),
            ("T_BAD", "my table"),
            ("T_SHORT", "ab"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let e = ranged::<i64>(&env, "DAYS", 7, (0, 3650), "days")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "environment variable DAYS has an unusable value: 100000000 is outside the allowed range 0 to 3650 days");
        assert!(ranged::<f64>(&env, "SHARE", 0.5, (0.01, 1.0), "").is_err());
        assert_eq!(ranged::<u32>(&env, "OK", 1, (1, 9), "").unwrap(), 5);
        assert_eq!(ranged::<u32>(&env, "ABSENT", 1, (1, 9), "").unwrap(), 1);
        for bad in ["Q_BAD", "Q_ROOT"] {
            let e = queue_url(&env, bad, "q").unwrap_err().to_string();
            assert!(e.contains(bad) && e.contains("not an SQS queue URL"), "{e}");
        }
        assert!(queue_url(&env, "Q_OK", "q").is_ok());
        assert!(resource_name(&env, "T_BAD", "t", "_.-", (3, 255)).is_err());
        assert!(resource_name(&env, "T_SHORT", "t", "_.-", (3, 255)).is_err());
        assert!(resource_name(&env, "OK", "t", "_.-", (1, 255)).is_ok());
    }
}
