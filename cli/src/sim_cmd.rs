//! `sfsync sim`: serves the simulators standalone on loopback until Ctrl-C, and prints what a
//! client needs to reach them.

use sim::salesforce::{SalesforceSim, SalesforceSimConfig};
use std::net::SocketAddr;

pub struct SimOptions {
    pub salesforce_port: u16,
    pub rotate_refresh_tokens: bool,
}

pub async fn run(opts: SimOptions) -> anyhow::Result<()> {
    let config = SalesforceSimConfig {
        rotate_refresh_tokens: opts.rotate_refresh_tokens,
        ..Default::default()
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], opts.salesforce_port));
    let sf = SalesforceSim::start_on(config, addr).await?;
    let refresh_token = sf.issue_refresh_token();
    let creds = serde_json::json!({
        "consumer_key": sf.config().consumer_key,
        "consumer_secret": sf.config().consumer_secret,
        "refresh_token": refresh_token,
        "login_url": sf.url(),
    });
    // These are the simulator's own throw-away credentials, printed so a person can point a
    // client at it; real credentials are only ever written to the secret store.
    println!("Salesforce simulator: {}", sf.url());
    println!("  admin:   {}/__sim/counters", sf.url());
    println!("  simulator credentials (store as the Salesforce secret to use it):");
    println!("  {creds}");
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
