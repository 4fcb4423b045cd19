//! Logging set-up. In Lambda: one JSON object per line (CloudWatch Logs Insights can query
//! the fields), level from `LOG_LEVEL` or `RUST_LOG` (default info), no ANSI colours.
//!
//! A filter is checked before use: a word that is not a level would switch every line off,
//! errors included. Each directive must carry a real level (`error`, `warn`, `info`,
//! `debug`, `trace`, or `target=level`), and the default level may not be `off`; a bad value
//! is a start error naming the variable, and the logger still starts at `info` so that error
//! is seen. The filter is `tracing_subscriber`'s `Targets` (no regular expressions in the
//! bootstraps); span filters (`[span{field=…}]=debug`) are refused with that reason.

use crate::config::{ConfigError, Env, ProcessEnv};
use std::str::FromStr;
use tracing_subscriber::filter::{LevelFilter, Targets};

/// The checked filter from `LOG_LEVEL`, else `RUST_LOG`, else `info`. Targets not named
/// in it log at `info`.
pub fn log_filter(env: &dyn Env) -> Result<Targets, ConfigError> {
    let (name, value) = match (env.var("LOG_LEVEL"), env.var("RUST_LOG")) {
        (Some(v), _) if !v.trim().is_empty() => ("LOG_LEVEL", v),
        (_, Some(v)) if !v.trim().is_empty() => ("RUST_LOG", v),
        _ => return Ok(Targets::new().with_default(LevelFilter::INFO)),
    };
    let invalid = |reason: String| ConfigError::Invalid { name, reason };
    let mut targets = Targets::new().with_default(LevelFilter::INFO);
    for directive in value.split(',').map(str::trim).filter(|d| !d.is_empty()) {
        match check_directive(directive).map_err(invalid)? {
            (None, level) => targets = targets.with_default(level),
            (Some(target), level) => targets = targets.with_target(target, level),
        }
    }
    Ok(targets)
}

/// Checks one directive: a bare (default) level, or `target=level`.
fn check_directive(d: &str) -> Result<(Option<String>, LevelFilter), String> {
    const LEVELS: &str = "error, warn, info, debug or trace";
    if d.contains(['[', '{']) {
        return Err(format!(
            "{:?} is a span filter; the functions take levels and target=level only",
            shown(d)
        ));
    }
    match d.rsplit_once('=') {
        Some((target, level)) => {
            if target.trim().is_empty() {
                return Err(format!("{:?} names no target before =", shown(d)));
            }
            LevelFilter::from_str(level.trim())
                .map(|l| (Some(target.trim().to_string()), l))
                .map_err(|_| format!("{:?} in {:?} is not a level ({LEVELS})", shown(level), shown(d)))
        }
        None => match LevelFilter::from_str(d) {
            Ok(LevelFilter::OFF) => Err(format!(
                "{:?} would hide every line, errors included; use error for the quietest log",
                shown(d)
            )),
            Ok(level) => Ok((None, level)),
            Err(_) => Err(format!(
                "{:?} is not a level ({LEVELS}) nor target=level; it would hide every line, errors included",
                shown(d)
            )),
        },
    }
}

fn shown(s: &str) -> String {
    s.trim().chars().take(60).collect()
}

/// Starts the JSON logger. A bad `LOG_LEVEL`/`RUST_LOG` is returned as a start error after
/// the logger was started at `info`, so the error itself is logged.
pub fn init_lambda() -> Result<(), ConfigError> {
    let (filter, problem) = match log_filter(&ProcessEnv) {
        Ok(f) => (f, None),
        Err(e) => (Targets::new().with_default(LevelFilter::INFO), Some(e)),
    };
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let _ = tracing_subscriber::registry()
        .with(lambda_layer(std::io::stdout).with_filter(filter))
        .try_init();
    problem.map_or(Ok(()), Err)
}

/// The functions' log lines: one JSON object each, no time (CloudWatch stamps every line),
/// no ANSI colours, written to `writer` (stdout in Lambda; `sfsync bench` counts the bytes).
pub fn lambda_layer<S, W>(writer: W) -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_writer(writer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tracing::Level;

    fn filter(log_level: &str) -> Result<Targets, String> {
        let env: HashMap<String, String> =
            [("LOG_LEVEL".to_string(), log_level.to_string())].into();
        log_filter(&env).map_err(|e| e.to_string())
    }

    #[test]
    fn real_levels_pass() {
        for ok in [
            "info",
            "DEBUG",
            " warn ",
            "error",
            "trace",
            "shared=debug",
            "info,aws_smithy_runtime=warn",
            "shared=debug,hyper=off",
        ] {
            assert!(filter(ok).is_ok(), "{ok}: {:?}", filter(ok).err());
        }
        let f = filter("warn,shared::flows=debug").unwrap();
        assert!(f.would_enable("shared::flows::merge", &Level::DEBUG));
        assert!(!f.would_enable("hyper", &Level::INFO));
        assert!(f.would_enable("hyper", &Level::WARN));
    }

    /// Fails on the old code: these were accepted, and `verbose` switched every line off.
    #[test]
    fn anything_that_would_hide_errors_is_refused_naming_the_variable() {
        for bad in [
            "verbose",
            "off",
            "infoo",
            "shared=verbose",
            "=debug",
            "info,lots",
            "[poll{flow=a}]=debug",
        ] {
            let e = filter(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} was accepted"));
            assert!(e.contains("LOG_LEVEL"), "{bad}: {e}");
        }
        let env: HashMap<String, String> = [("RUST_LOG".to_string(), "chatty".to_string())].into();
        assert!(log_filter(&env)
            .unwrap_err()
            .to_string()
            .contains("RUST_LOG"));
    }

    #[test]
    fn a_filter_naming_only_targets_keeps_info_for_the_rest() {
        let f = filter("shared=debug").unwrap();
        assert!(f.would_enable("shared", &Level::DEBUG));
        assert!(f.would_enable("lambda_runtime", &Level::INFO));
        assert!(!f.would_enable("lambda_runtime", &Level::DEBUG));
        let default = log_filter(&HashMap::new()).unwrap();
        assert!(
            default.would_enable("x", &Level::INFO) && !default.would_enable("x", &Level::DEBUG)
        );
    }
}
