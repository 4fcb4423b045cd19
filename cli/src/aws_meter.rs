//! Counts the AWS calls the functions really make, for `sfsync bench --aws-endpoint`: an SDK
//! interceptor on the DynamoDB, SQS and Secrets Manager clients sees every HTTP attempt
//! (retries included) with its operation name and sizes, so per-record figures and the cost
//! model come from calls made, not from a reading of the code.

use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// What one service's client sent: per operation, calls, request and answer bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub calls: BTreeMap<String, OperationTally>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OperationTally {
    pub calls: u64,
    pub request_bytes: u64,
    pub answer_bytes: u64,
    /// DynamoDB items a transaction wrote (TransactWriteItems costs two units per item-KB).
    pub items: u64,
}

impl Tally {
    pub fn total(&self) -> u64 {
        self.calls.values().map(|o| o.calls).sum()
    }

    /// `self - before`, operation by operation.
    pub fn since(&self, before: &Tally) -> Tally {
        let mut out = Tally::default();
        for (op, now) in &self.calls {
            let was = before.calls.get(op).copied().unwrap_or_default();
            let d = OperationTally {
                calls: now.calls - was.calls,
                request_bytes: now.request_bytes - was.request_bytes,
                answer_bytes: now.answer_bytes - was.answer_bytes,
                items: now.items - was.items,
            };
            if d.calls > 0 {
                out.calls.insert(op.clone(), d);
            }
        }
        out
    }

    /// DynamoDB on-demand units, as AWS bills them: a write unit per KB of each item written
    /// (transactions two), a read unit per 4 KB read strongly consistent (the ledger reads
    /// are). Item sizes are taken from the request and answer bodies, which hold the item
    /// plus a little JSON: a slight overestimate, never an underestimate.
    pub fn dynamodb_units(&self) -> (f64, f64) {
        let (mut read, mut write) = (0.0, 0.0);
        for (op, t) in &self.calls {
            let per_call_kb = |bytes: u64| {
                (bytes as f64 / t.calls.max(1) as f64 / 1024.0)
                    .ceil()
                    .max(1.0)
            };
            match op.as_str() {
                "GetItem" | "Query" | "Scan" | "BatchGetItem" => {
                    read += t.calls as f64 * (per_call_kb(t.answer_bytes) / 4.0).ceil();
                }
                "PutItem" | "UpdateItem" | "DeleteItem" => {
                    write += t.calls as f64 * per_call_kb(t.request_bytes);
                }
                "TransactWriteItems" => {
                    let items = t.items.max(t.calls) as f64;
                    let kb = (t.request_bytes as f64 / items / 1024.0).ceil().max(1.0);
                    write += 2.0 * items * kb;
                }
                _ => {}
            }
        }
        (read, write)
    }

    /// SQS bills a request per 64 KB chunk of its payload.
    pub fn sqs_requests(&self) -> f64 {
        self.calls
            .values()
            .map(|t| {
                let chunks = (t.request_bytes as f64 / t.calls.max(1) as f64 / 65_536.0).ceil();
                t.calls as f64 * chunks.max(1.0)
            })
            .sum()
    }
}

/// The interceptor; clone it into each client's config.
#[derive(Debug, Clone, Default)]
pub struct AwsMeter {
    tally: Arc<Mutex<Tally>>,
}

impl AwsMeter {
    pub fn snapshot(&self) -> Tally {
        self.tally.lock().unwrap().clone()
    }
}

/// The operation from the JSON protocols' `X-Amz-Target: Service_Version.Operation` header
/// (DynamoDB, SQS and Secrets Manager all speak it).
fn operation(target: Option<&str>) -> String {
    target
        .and_then(|t| t.rsplit('.').next())
        .unwrap_or("unknown")
        .to_string()
}

fn body_len(body: &aws_smithy_types::body::SdkBody) -> u64 {
    body.bytes().map_or(0, |b| b.len() as u64)
}

impl Intercept for AwsMeter {
    fn name(&self) -> &'static str {
        "sfsync-bench-aws-meter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let op = operation(request.headers().get("x-amz-target"));
        let bytes = body_len(request.body());
        let items = if op == "TransactWriteItems" {
            request
                .body()
                .bytes()
                .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
                .and_then(|v| v["TransactItems"].as_array().map(|a| a.len() as u64))
                .unwrap_or(0)
        } else {
            0
        };
        let mut t = self.tally.lock().unwrap();
        let e = t.calls.entry(op.clone()).or_default();
        e.calls += 1;
        e.request_bytes += bytes;
        e.items += items;
        cfg.interceptor_state().store_put(Operation(op));
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let bytes = body_len(context.response().body());
        if let Some(Operation(op)) = cfg.load::<Operation>().cloned() {
            if let Some(e) = self.tally.lock().unwrap().calls.get_mut(&op) {
                e.answer_bytes += bytes;
            }
        }
        Ok(())
    }
}

/// The operation of the attempt under way, from transmit to its answer.
#[derive(Debug, Clone)]
struct Operation(String);

impl aws_smithy_types::config_bag::Storable for Operation {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_come_from_the_target_header() {
        assert_eq!(operation(Some("DynamoDB_20120810.GetItem")), "GetItem");
        assert_eq!(
            operation(Some("AmazonSQS.SendMessageBatch")),
            "SendMessageBatch"
        );
        assert_eq!(operation(None), "unknown");
    }

    #[test]
    fn units_follow_the_billing_rules() {
        let mut t = Tally::default();
        t.calls.insert(
            "GetItem".into(),
            OperationTally {
                calls: 10,
                request_bytes: 1000,
                answer_bytes: 10 * 5000,
                items: 0,
            },
        );
        t.calls.insert(
            "PutItem".into(),
            OperationTally {
                calls: 4,
                request_bytes: 4 * 1500,
                answer_bytes: 0,
                items: 0,
            },
        );
        t.calls.insert(
            "TransactWriteItems".into(),
            OperationTally {
                calls: 1,
                request_bytes: 1800,
                answer_bytes: 0,
                items: 2,
            },
        );
        // 5 KB answers: 2 read units each; 1.5 KB puts: 2 write units each; a transaction of
        // two sub-KB items: 2 × 2 × 1.
        assert_eq!(t.dynamodb_units(), (20.0, 8.0 + 4.0));
    }
}
