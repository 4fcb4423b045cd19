//! Answers every event with `{"hello": "world"}`: a baseline for start-up time and size.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|_: LambdaEvent<Value>| async {
        Ok::<Value, Error>(json!({"hello": "world"}))
    }))
    .await
}
