use ipaas_webhook::Handler;
use lambda_http::{run, service_fn, Error};
use shared::config::{self, ProcessEnv};
use shared::flow::Flow;
use shared::queue::{QueueUrls, SqsWorkQueue};
use shared::secrets::AwsSecretStore;

#[tokio::main]
async fn main() -> Result<(), Error> {
    shared::telemetry::init_lambda();
    let env = ProcessEnv;
    let aws = aws_config::load_from_env().await;
    let secrets = AwsSecretStore::from_conf(&aws);
    let key = shared::webhook::load_key(
        &secrets,
        &config::required(
            &env,
            "IPAAS_SECRET_ID",
            "the Secrets Manager id of the iPaaS.com secret (api_key, webhook_key)",
        )?,
    )
    .await?;
    let urls = QueueUrls::new()
        .with(
            Flow::AccountFromIpaas,
            config::required(
                &env,
                "ACCOUNT_FROM_IPAAS_QUEUE_URL",
                "the SQS queue URL of the Account FROM iPaaS.com flow",
            )?,
        )
        .with(
            Flow::ContactFromIpaas,
            config::required(
                &env,
                "CONTACT_FROM_IPAAS_QUEUE_URL",
                "the SQS queue URL of the Contact FROM iPaaS.com flow",
            )?,
        );
    let handler = Handler {
        key,
        queue: SqsWorkQueue::new(aws_sdk_sqs::Client::new(&aws), urls),
    };
    run(service_fn(|req| handler.handle(req))).await
}
