//! Contact TO iPaaS.com: SQS messages in, `batchItemFailures` out. The flow is in
//! `shared::flows`; the wiring (configuration, clients) in `shared::lambda`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    use shared::{flow::Flow, flows::code};
    shared::lambda::run_worker(Flow::ContactToIpaas, code::contact_to_ipaas).await
}
