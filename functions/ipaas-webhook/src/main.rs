//! iPaaS.com webhook receiver (Function URL): notifications in, one message per record on the
//! FROM queues. The domain is `shared::webhook`; this file only wires it.

use ipaas_webhook::Handler;
use lambda_http::{run, service_fn, Error};
use shared::config::ProcessEnv;
use shared::lambda::{started, StartChecks};
use shared::queue::SqsWorkQueue;
use shared::secrets::AwsSecretStore;
use shared::webhook::WebhookSettings;

#[tokio::main]
async fn main() -> Result<(), Error> {
    started(shared::telemetry::init_lambda());
    let settings = started(WebhookSettings::from_env(&ProcessEnv));
    let aws = shared::aws::from_env().await;
    // The webhook key is read when the first request has come (`StartChecks`).
    let handler = StartChecks::prepare(async move {
        let key = settings.key(&AwsSecretStore::from_conf(&aws)).await?;
        let queue = SqsWorkQueue::new(aws_sdk_sqs::Client::new(&aws), settings.queues);
        Ok(Handler {
            key,
            queue,
            path: settings.path,
        })
    })
    .await;
    let handler = &handler;
    run(service_fn(move |req| async move {
        handler.get().await.handle(req).await
    }))
    .await
}
