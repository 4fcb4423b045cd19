//! Logging set-up. In Lambda: one JSON object per line (CloudWatch Logs Insights can query
//! the fields), level from `LOG_LEVEL` or `RUST_LOG` (default info), no ANSI colours.
//!
//! A filter is checked before use: `tracing`'s own parser reads `verbose` as a target name
//! with no level, which switches every line off, errors included. Each directive must carry
//! a real level (`error`, `warn`, `info`, `debug`, `trace`, or `target=level`), and the
//! default level may not be `off`; a bad value is a start error naming the variable, and
//! the logger still starts at `info` so that error is seen.

use crate::config::{ConfigError, Env, ProcessEnv};
use std::str::FromStr;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::EnvFilter;

/// The checked filter from `LOG_LEVEL`, else `RUST_LOG`, else `info`. Targets not named
/// in it log at `info`.
pub fn log_filter(env: &dyn Env) -> Result<EnvFilter, ConfigError> {
    let (name, value) = match (env.var("LOG_LEVEL"), env.var("RUST_LOG")) {
        (Some(v), _) if !v.trim().is_empty() => ("LOG_LEVEL", v),
        (_, Some(v)) if !v.trim().is_empty() => ("RUST_LOG", v),
        _ => return Ok(EnvFilter::new("info")),
    };
    let invalid = |reason: String| ConfigError::Invalid { name, reason };
    let mut has_default = false;
    for directive in directives(&value) {
        has_default |= check_directive(directive).map_err(invalid)?;
    }
    // Without a bare level, tracing turns every target not named off: keep `info` for them.
    let full = if has_default {
        value.trim().to_string()
    } else {
        format!("info,{}", value.trim())
    };
    EnvFilter::builder()
        .parse(&full)
        .map_err(|e| invalid(format!("{:?} is not a log filter: {e}", shown(&value))))
}

/// Comma-separated directives; commas inside `[span{field=…}]` do not split.
fn directives(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in value.char_indices() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out.into_iter()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect()
}

/// Checks one directive; `Ok(true)` when it is a bare (default) level.
fn check_directive(d: &str) -> Result<bool, String> {
    const LEVELS: &str = "error, warn, info, debug or trace";
    // The level is after the last `=` outside a span's brackets.
    let mut depth = 0i32;
    let mut split = None;
    for (i, c) in d.char_indices() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            '=' if depth <= 0 => split = Some(i),
            _ => {}
        }
    }
    match split {
        Some(i) => {
            let (target, level) = (&d[..i], &d[i + 1..]);
            if target.trim().is_empty() {
                return Err(format!("{:?} names no target before =", shown(d)));
            }
            LevelFilter::from_str(level.trim())
                .map(|_| false)
                .map_err(|_| format!("{:?} in {:?} is not a level ({LEVELS})", shown(level), shown(d)))
        }
        None => match LevelFilter::from_str(d) {
            Ok(LevelFilter::OFF) => Err(format!(
                "{:?} would hide every line, errors included; use error for the quietest log",
                shown(d)
            )),
            Ok(_) => Ok(true),
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
        Err(e) => (EnvFilter::new("info"), Some(e)),
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

    fn filter(log_level: &str) -> Result<String, String> {
        let env: HashMap<String, String> =
            [("LOG_LEVEL".to_string(), log_level.to_string())].into();
        log_filter(&env)
            .map(|f| f.to_string())
            .map_err(|e| e.to_string())
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
            "[poll{flow=a}]=debug",
        ] {
            assert!(filter(ok).is_ok(), "{ok}: {:?}", filter(ok));
        }
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
        ] {
            let e = filter(bad).unwrap_err();
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
        assert!(f.contains("shared=debug") && f.contains("info"), "{f}");
        assert_eq!(log_filter(&HashMap::new()).unwrap().to_string(), "info");
    }
}
