//! Logging set-up. In Lambda: one JSON object per line (CloudWatch Logs Insights can query
//! the fields), level from `LOG_LEVEL` or `RUST_LOG` (default info), no ANSI colours.

use tracing_subscriber::EnvFilter;

pub fn init_lambda() {
    let filter = std::env::var("LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_string());
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::try_new(&filter).unwrap_or_else(|_| EnvFilter::new("info")))
        .with_current_span(false)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .try_init();
}
