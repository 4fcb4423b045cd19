//! iPaaS.com webhook receiver (Function URL): notifications in, one message per record on the
//! FROM queues. The domain is `shared::webhook`; this file only wires it.

use ipaas_webhook::Handler;
use lambda_http::{run, service_fn, Error};
use shared::config::ProcessEnv;
use shared::lambda::started;
use shared::queue::SqsWorkQueue;
use shared::secrets::AwsSecretStore;
use shared::webhook::WebhookSettings;

#[tokio::main]
async fn main() -> Result<(), Error> {
    started(shared::telemetry::init_lambda());
    let settings = started(WebhookSettings::from_env(&ProcessEnv));
    let aws = shared::aws::from_env().await;
    let key = started(settings.key(&AwsSecretStore::from_conf(&aws)).await);
    let handler = Handler {
        key,
        queue: SqsWorkQueue::new(aws_sdk_sqs::Client::new(&aws), settings.queues),
        path: settings.path,
    };
    run(service_fn(|req| handler.handle(req))).await
}
