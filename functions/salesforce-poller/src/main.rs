//! The scheduled Salesforce poller: one tick per EventBridge event. The polling is in
//! `shared::poller`; the wiring (configuration, clients, queues) in `shared::lambda`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::lambda::run_poller().await
}
