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
pub trait Env {
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
}
