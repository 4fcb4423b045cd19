//! What a workload costs on AWS, from counted usage and a price list written out next to the
//! result (`sfsync bench`, docs/benchmarks.md). Only what grows with the records is priced:
//! fixed monthly items (each secret, the KMS key, custom metrics, the poller's schedule when
//! idle) are listed in docs/benchmarks.md, not folded into a per-record figure.

use std::fmt::Write as _;

/// Published on-demand prices, us-east-1. Edit here to reprice; the bench prints them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriceList {
    pub as_of: &'static str,
    /// Lambda, per GB-second, arm64 (the template's default architecture).
    pub lambda_gb_second: f64,
    /// Lambda, per request.
    pub lambda_request: f64,
    /// SQS standard queue, per request (each 64 KB chunk of a payload is a request).
    pub sqs_request: f64,
    /// DynamoDB on-demand, per write request unit (1 KB; transactions take two).
    pub dynamodb_write_unit: f64,
    /// DynamoDB on-demand, per read request unit (4 KB strongly consistent).
    pub dynamodb_read_unit: f64,
    /// Secrets Manager, per API call.
    pub secrets_call: f64,
    /// CloudWatch Logs ingestion (standard class), per byte.
    pub log_byte: f64,
}

pub const US_EAST_1: PriceList = PriceList {
    as_of: "AWS public price pages, us-east-1, on-demand (2025 list prices)",
    lambda_gb_second: 0.000_013_333_4,
    lambda_request: 0.20 / 1e6,
    sqs_request: 0.40 / 1e6,
    dynamodb_write_unit: 0.625 / 1e6,
    dynamodb_read_unit: 0.125 / 1e6,
    secrets_call: 0.05 / 10_000.0,
    log_byte: 0.50 / (1024.0 * 1024.0 * 1024.0),
};

/// Lambda's own lines per invocation (START, END and REPORT), bytes: on every invocation of
/// ours and the naive one's alike.
pub const PLATFORM_LOG_BYTES: f64 = 330.0;

/// The template's memory size for every function (infra/template.yaml `MemorySize`).
pub const MEMORY_GB: f64 = 256.0 / 1024.0;

/// What a workload used, in total (divide by records for per-record figures).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Usage {
    pub invocations: f64,
    /// Billed duration: each invocation rounded up to the millisecond.
    pub billed_ms: f64,
    pub sqs_requests: f64,
    pub read_units: f64,
    pub write_units: f64,
    pub secrets_calls: f64,
    pub log_bytes: f64,
}

impl Usage {
    pub fn add(&mut self, o: &Usage) {
        self.invocations += o.invocations;
        self.billed_ms += o.billed_ms;
        self.sqs_requests += o.sqs_requests;
        self.read_units += o.read_units;
        self.write_units += o.write_units;
        self.secrets_calls += o.secrets_calls;
        self.log_bytes += o.log_bytes;
    }

    /// This usage scaled to `records` out of `of`.
    pub fn per(&self, of: f64, records: f64) -> Usage {
        let k = records / of.max(1.0);
        Usage {
            invocations: self.invocations * k,
            billed_ms: self.billed_ms * k,
            sqs_requests: self.sqs_requests * k,
            read_units: self.read_units * k,
            write_units: self.write_units * k,
            secrets_calls: self.secrets_calls * k,
            log_bytes: self.log_bytes * k,
        }
    }
}

/// Dollars, per service.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    pub lambda: f64,
    pub sqs: f64,
    pub dynamodb: f64,
    pub secrets: f64,
    pub logs: f64,
}

impl Cost {
    pub fn of(u: &Usage, p: &PriceList) -> Cost {
        Cost {
            lambda: u.invocations * p.lambda_request
                + u.billed_ms / 1000.0 * MEMORY_GB * p.lambda_gb_second,
            sqs: u.sqs_requests * p.sqs_request,
            dynamodb: u.read_units * p.dynamodb_read_unit + u.write_units * p.dynamodb_write_unit,
            secrets: u.secrets_calls * p.secrets_call,
            logs: (u.log_bytes + u.invocations * PLATFORM_LOG_BYTES) * p.log_byte,
        }
    }

    pub fn total(&self) -> f64 {
        self.lambda + self.sqs + self.dynamodb + self.secrets + self.logs
    }

    /// `$1.23 (Lambda 0.80, SQS 0.20, DynamoDB 0.10, Secrets 0.00, Logs 0.13)`.
    pub fn line(&self) -> String {
        format!(
            "${:.2} (Lambda {:.2}, SQS {:.2}, DynamoDB {:.2}, Secrets Manager {:.3}, Logs {:.2})",
            self.total(),
            self.lambda,
            self.sqs,
            self.dynamodb,
            self.secrets,
            self.logs
        )
    }
}

/// The price list, as the bench prints it.
pub fn render_prices(p: &PriceList) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "prices used ({}):", p.as_of);
    let _ = writeln!(
        out,
        "  Lambda ${:.10}/GB-s (arm64) at {} MB, ${:.2}/M requests; SQS ${:.2}/M requests (64 KB each);",
        p.lambda_gb_second,
        (MEMORY_GB * 1024.0) as u32,
        p.lambda_request * 1e6,
        p.sqs_request * 1e6
    );
    let _ = writeln!(
        out,
        "  DynamoDB on-demand ${:.3}/M write units, ${:.3}/M read units; Secrets Manager ${:.2}/10k calls;",
        p.dynamodb_write_unit * 1e6,
        p.dynamodb_read_unit * 1e6,
        p.secrets_call * 10_000.0
    );
    let _ = writeln!(
        out,
        "  CloudWatch Logs ${:.2}/GB ingested (the functions' lines + {} bytes of Lambda's own per invocation)",
        p.log_byte * 1024.0 * 1024.0 * 1024.0,
        PLATFORM_LOG_BYTES
    );
    out
}

/// The naive implementation the issue measured (simple-salesforce and requests, one record
/// per invocation, ten workers, no batching, no ledger), priced the same way: each record is
/// one worker invocation busy for `workers / records_per_second` seconds (its measured rate),
/// its message one SendMessage, one ReceiveMessage and one DeleteMessage; a FROM record
/// also one webhook invocation and its SendMessage. Its own log lines are not counted (a
/// lower bound in its favour).
pub fn naive_usage(records_per_second: f64, workers: f64, from_webhook: Option<f64>) -> Usage {
    let busy_ms = workers / records_per_second.max(1e-9) * 1000.0;
    let mut u = Usage {
        invocations: 1.0,
        billed_ms: busy_ms.ceil(),
        sqs_requests: 3.0,
        ..Default::default()
    };
    if let Some(webhook_ms) = from_webhook {
        u.invocations += 1.0;
        u.billed_ms += webhook_ms.ceil();
        u.sqs_requests += 1.0;
    }
    u
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_million_invocations_of_a_second_at_a_quarter_gb() {
        let u = Usage {
            invocations: 1e6,
            billed_ms: 1e9,
            ..Default::default()
        };
        let c = Cost::of(&u, &US_EAST_1);
        // 1e6 × $0.20/M + 1e6 s × 0.25 GB × $0.0000133334.
        assert!((c.lambda - (0.20 + 3.33335)).abs() < 1e-3, "{c:?}");
        // Lambda's own lines: 330 MB at $0.50/GB.
        assert!((c.logs - 330e6 / 1073741824.0 * 0.5).abs() < 1e-6, "{c:?}");
    }

    #[test]
    fn the_naive_record_is_one_invocation_busy_for_its_share_of_the_workers() {
        let u = naive_usage(100.0, 10.0, None);
        assert_eq!(
            (u.invocations, u.billed_ms, u.sqs_requests),
            (1.0, 100.0, 3.0)
        );
        let f = naive_usage(50.0, 10.0, Some(4.2));
        assert_eq!(
            (f.invocations, f.billed_ms, f.sqs_requests),
            (2.0, 205.0, 4.0)
        );
    }
}
