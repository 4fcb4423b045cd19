use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "sfsync",
    version,
    about = "Salesforce ⇄ iPaaS.com sync: run, connect, explain"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List every error message with its cause and resolution, or explain one.
    Errors {
        /// An id (e.g. refresh-token-missing), a number, or words from the message.
        query: Vec<String>,
        /// Print the catalog as Markdown (the source of docs/errors.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Run the whole system locally on its simulators and print what happened.
    Demo {
        /// Accounts to generate in Salesforce (Contacts, Companies and Customers follow).
        #[arg(long, default_value_t = 200)]
        accounts: usize,
        /// Contacts to generate in Salesforce.
        #[arg(long, default_value_t = 400)]
        contacts: usize,
        /// Seed from this JSON file instead of generating (format: docs/demo-data.md).
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Share of calls (0-1) each simulator answers with a transient 503.
        #[arg(long, default_value_t = 0.0)]
        faults: f64,
        /// Seed of the generated data.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Keep the simulators and the Error Logs page up after the run (until Ctrl-C).
        #[arg(long)]
        serve: bool,
    },
    /// Measure the local stack: records per second, API calls per record per flow, memory.
    Bench {
        /// Records made on each side (a quarter Accounts/Companies, the rest Contacts/Customers).
        #[arg(long, default_value_t = 1000)]
        records: usize,
        /// Added to every Salesforce call (milliseconds).
        #[arg(long, default_value_t = 50)]
        salesforce_latency_ms: u64,
        /// Added to every iPaaS.com call (milliseconds).
        #[arg(long, default_value_t = 30)]
        ipaas_latency_ms: u64,
        /// Messages per worker invocation (the SQS batch size).
        #[arg(long, default_value_t = 10)]
        batch: usize,
        /// Worker invocations at once (Lambda concurrency).
        #[arg(long, default_value_t = 10)]
        concurrency: usize,
    },
    /// Time each release bootstrap from process start to its first event, next to a minimal
    /// lambda_runtime function (build them first: cargo lambda build --release).
    ColdStart {
        /// Starts per function (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// An AWS endpoint (e.g. moto server) holding the secrets the functions read;
        /// without it, functions that read a secret at start report an init error.
        #[arg(long)]
        aws_endpoint: Option<String>,
    },
    /// Serve the simulators on loopback until Ctrl-C.
    Sim {
        #[arg(long, default_value_t = 0)]
        salesforce_port: u16,
        #[arg(long, default_value_t = 0)]
        ipaas_port: u16,
        /// Issue a new refresh token on every refresh (Salesforce refresh-token rotation).
        #[arg(long)]
        rotate: bool,
        /// Declare the custom fields of this data file in the org (format: docs/demo-data.md).
        #[arg(long)]
        data: Option<std::path::PathBuf>,
    },
    /// Check a mapping document (docs/mapping.md) against an org.
    Mapping {
        #[command(subcommand)]
        command: MappingCommand,
    },
    /// Move a flow's messages from its dead-letter queue back to its queue.
    Replay {
        /// account-to-ipaas, contact-to-ipaas, account-from-ipaas or contact-from-ipaas.
        flow: shared::flow::Flow,
        /// Only the messages of this record (repeatable); default: every message.
        #[arg(long = "record")]
        records: Vec<String>,
        /// Default: the environment variable <FLOW>_QUEUE_URL.
        #[arg(long)]
        queue_url: Option<String>,
        /// Default: the environment variable <FLOW>_DLQ_URL.
        #[arg(long)]
        dlq_url: Option<String>,
    },
    /// Connect to a Salesforce org (OAuth web-server flow with PKCE) and store the
    /// credentials in AWS Secrets Manager.
    Connect {
        /// https://login.salesforce.com, https://test.salesforce.com, or your My Domain URL.
        #[arg(
            long,
            env = "SALESFORCE_LOGIN_URL",
            default_value = "https://login.salesforce.com"
        )]
        login_url: String,
        #[arg(long, env = "SALESFORCE_CONSUMER_KEY")]
        consumer_key: String,
        /// Read from the environment so it never lands in shell history.
        #[arg(long, env = "SALESFORCE_CONSUMER_SECRET", hide_env_values = true)]
        consumer_secret: String,
        /// Secrets Manager secret (name or ARN) that will hold the connection.
        #[arg(long, env = "SALESFORCE_SECRET_ID")]
        secret_id: String,
        /// Loopback port for the callback; register http://localhost:PORT/oauth/callback.
        #[arg(long, default_value_t = 1717)]
        callback_port: u16,
        #[arg(long, default_value_t = 300)]
        timeout_secs: u64,
    },
}

#[derive(Subcommand)]
enum MappingCommand {
    /// Check every mapped field against the org's describe and the iPaaS.com fields, as the
    /// functions do at start; prints a table and exits non-zero when any finding is an error.
    Check {
        /// The mapping document (TOML); default: the built-in mapping.
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
        /// The Secrets Manager secret of the connected org (`sfsync connect`).
        #[arg(long, env = "SALESFORCE_SECRET_ID", conflicts_with = "sim")]
        secret_id: Option<String>,
        /// Check against a simulated org started here instead.
        #[arg(long)]
        sim: bool,
        /// With --sim: declare this data file's custom fields first (docs/demo-data.md).
        #[arg(long, requires = "sim")]
        data: Option<std::path::PathBuf>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Errors { markdown: true, .. } => {
            print!("{}", shared::catalog::render_markdown());
        }
        Command::Errors { query, .. } => {
            let q = query.join(" ");
            let q = (!q.trim().is_empty()).then_some(q.as_str());
            print!(
                "{}",
                sfsync::errors_cmd::run(q).map_err(anyhow::Error::msg)?
            );
        }
        Command::Demo {
            accounts,
            contacts,
            data,
            faults,
            seed,
            serve,
        } => {
            if !(0.0..=1.0).contains(&faults) {
                anyhow::bail!("--faults is a share of calls between 0 and 1, not {faults}");
            }
            let opts = sfsync::demo::DemoOptions {
                accounts,
                contacts,
                data,
                faults,
                seed,
                progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            };
            let (stack, report) = sfsync::demo::run(&opts).await?;
            println!("{}", sfsync::demo::render(&report));
            if serve {
                sfsync::sim_cmd::print_stack(&stack);
                println!("Press Ctrl-C to stop.");
                tokio::signal::ctrl_c().await?;
            }
        }
        Command::Bench {
            records,
            salesforce_latency_ms,
            ipaas_latency_ms,
            batch,
            concurrency,
        } => {
            if records == 0 || batch == 0 || concurrency == 0 {
                anyhow::bail!("--records, --batch and --concurrency must be at least 1");
            }
            let opts = sfsync::bench::BenchOptions {
                records,
                salesforce_latency: Duration::from_millis(salesforce_latency_ms),
                ipaas_latency: Duration::from_millis(ipaas_latency_ms),
                batch_size: batch,
                concurrency,
            };
            let report = sfsync::bench::run(&opts).await?;
            print!("{}", sfsync::bench::render(&report));
        }
        Command::ColdStart { runs, aws_endpoint } => {
            let backends = sfsync::coldstart::environment(aws_endpoint.as_deref()).await?;
            let rows = sfsync::coldstart::run(runs, &backends.env).await?;
            print!("{}", sfsync::coldstart::render(&rows, runs));
        }
        Command::Sim {
            salesforce_port,
            ipaas_port,
            rotate,
            data,
        } => {
            sfsync::sim_cmd::run(sfsync::sim_cmd::SimOptions {
                salesforce_port,
                ipaas_port,
                rotate_refresh_tokens: rotate,
                data,
            })
            .await?;
        }
        Command::Mapping {
            command:
                MappingCommand::Check {
                    mapping,
                    secret_id,
                    sim,
                    data,
                },
        } => {
            use sfsync::mapping_cmd::{CheckOptions, Target};
            let target = match (sim, secret_id) {
                (true, _) => Target::Simulator { data },
                (false, Some(secret_id)) => Target::Connected { secret_id },
                (false, None) => anyhow::bail!(
                    "name the org: --secret-id (or SALESFORCE_SECRET_ID) for the connected org, or --sim"
                ),
            };
            let report = sfsync::mapping_cmd::run(CheckOptions { mapping, target }).await?;
            print!("{}", sfsync::mapping_cmd::render(&report));
            let errors = report.count(shared::mapping::document::Severity::Error);
            if errors > 0 {
                anyhow::bail!("the mapping has {errors} error(s)");
            }
        }
        Command::Replay {
            flow,
            records,
            queue_url,
            dlq_url,
        } => {
            let opts = sfsync::replay_cmd::ReplayOptions {
                flow,
                records,
                queue_url,
                dlq_url,
            };
            println!("{}", sfsync::replay_cmd::run(opts).await?);
        }
        Command::Connect {
            login_url,
            consumer_key,
            consumer_secret,
            secret_id,
            callback_port,
            timeout_secs,
        } => {
            let store = shared::secrets::AwsSecretStore::from_env().await;
            let opts = sfsync::connect::ConnectOptions {
                login_url,
                consumer_key,
                consumer_secret,
                secret_id,
                callback_addr: SocketAddr::from(([127, 0, 0, 1], callback_port)),
                timeout: Duration::from_secs(timeout_secs),
            };
            let done = sfsync::connect::connect(&opts, &store, |url| {
                println!("Open this address in a browser and log in to Salesforce:\n\n  {url}\n");
                println!("Waiting for Salesforce to send you back here…");
            })
            .await?;
            println!(
                "Connected to {}. The connection is stored in secret {}.",
                done.instance_url, done.secret_id
            );
        }
    }
    Ok(())
}
