//! `sfsync sim`: serves both simulators standalone on loopback until Ctrl-C, and prints what a
//! client (or a function under `cargo lambda watch`) needs to reach them.

use crate::stack::{salesforce_secret, LocalStack, SYSTEM_ID, WEBHOOK_KEY};
use sim::ipaas::{IpaasSim, IpaasSimConfig};
use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::net::SocketAddr;

pub struct SimOptions {
    pub salesforce_port: u16,
    pub ipaas_port: u16,
    pub rotate_refresh_tokens: bool,
    /// A data file (docs/demo-data.md) whose custom fields are declared in the org.
    pub data: Option<std::path::PathBuf>,
    /// Seed the records the functions' event fixtures name.
    pub fixtures: bool,
    /// Create the secrets, queues and table there (moto server) and write the functions'
    /// environment to `env_file` (docs/local-lambda.md).
    pub aws_endpoint: Option<String>,
    pub env_file: Option<std::path::PathBuf>,
}

pub async fn run(opts: SimOptions) -> anyhow::Result<()> {
    let config = SalesforceSimConfig {
        rotate_refresh_tokens: opts.rotate_refresh_tokens,
        ..Default::default()
    };
    let sf = SalesforceSim::start_on(
        config,
        SocketAddr::from(([127, 0, 0, 1], opts.salesforce_port)),
    )
    .await?;
    if let Some(path) = &opts.data {
        crate::dataset::Dataset::load(path)?.declare_fields(&sf)?;
    }
    let ipaas = IpaasSim::start_on(
        IpaasSimConfig::default(),
        SocketAddr::from(([127, 0, 0, 1], opts.ipaas_port)),
    )
    .await?;
    if opts.fixtures {
        crate::local_aws::seed_fixture_records(&sf, &ipaas);
    }
    print!("{}", describe(&sf, &ipaas, None));
    if let Some(endpoint) = &opts.aws_endpoint {
        let env = crate::local_aws::provision(endpoint, "sfsync", &sf, &ipaas).await?;
        let text = crate::local_aws::env_file(&env);
        match &opts.env_file {
            Some(path) => {
                std::fs::write(path, &text)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
                println!(
                    "\nOn {endpoint}: secrets, queues and table created; the functions' environment is in {}.",
                    path.display()
                );
            }
            None => print!("\nOn {endpoint}: secrets, queues and table created. The functions' environment:\n{text}"),
        }
    }
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// What `sfsync demo --serve` prints after its run.
pub fn print_stack(stack: &LocalStack) {
    print!(
        "{}",
        describe(&stack.salesforce, &stack.ipaas, Some(&stack.webhook_url))
    );
}

/// The addresses, the simulator's throw-away credentials in the secrets' format, and the
/// environment a function needs to run against them (under `cargo lambda watch`).
pub fn describe(sf: &SalesforceSim, ipaas: &IpaasSim, webhook: Option<&str>) -> String {
    // These are the simulators' own throw-away credentials, printed so a person can point a
    // client at them; real credentials are only ever written to the secret store.
    let sf_secret = salesforce_secret(sf, &sf.issue_refresh_token());
    let ipaas_secret =
        serde_json::json!({"api_key": ipaas.config().api_key, "webhook_key": WEBHOOK_KEY});
    let mut out = format!(
        "Salesforce simulator:  {sf}\n  admin counters:      {sf}/__sim/counters\n\
         iPaaS.com simulator:   {ip}\n  Error Logs page:     {ip}{dash}\n",
        sf = sf.url(),
        ip = ipaas.url(),
        dash = sim::ipaas::DASHBOARD_PATH,
    );
    if let Some(w) = webhook {
        out.push_str(&format!("Webhook receiver:      {w}\n"));
    }
    out.push_str(&format!(
        "\nSecrets (store them in Secrets Manager, e.g. moto server, to run the functions):\n\
         \x20 sfsync/salesforce  {sf_secret}\n  sfsync/ipaas       {ipaas_secret}\n\
         \nEnvironment for `cargo lambda watch` (see docs/local-lambda.md):\n\
         \x20 SALESFORCE_SECRET_ID=sfsync/salesforce IPAAS_SECRET_ID=sfsync/ipaas \
         IPAAS_BASE_URL={ip} IPAAS_SYSTEM_ID={SYSTEM_ID}\n",
        ip = ipaas.url(),
    ));
    out
}
