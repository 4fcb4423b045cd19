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
    /// Show the log while running (-v info, -vv debug, -vvv trace); RUST_LOG overrides it.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
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
        /// Play the short stories that make every catalog message happen (default: on,
        /// off with --data).
        #[arg(long, overrides_with = "no_stories")]
        stories: bool,
        /// Leave the stories out (only the seeded data is synced).
        #[arg(long, overrides_with = "stories")]
        no_stories: bool,
        /// Sync with this mapping document (docs/mapping.md): its custom Salesforce fields
        /// are declared in the simulated org, a few records get custom values, and the
        /// report shows them on the other side.
        #[arg(long)]
        mapping: Option<std::path::PathBuf>,
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
        /// Added to every state store call when the state is in memory: DynamoDB's own time
        /// (milliseconds; single-digit in a region).
        #[arg(long, default_value_t = 5)]
        dynamodb_latency_ms: u64,
        /// Added to every queue send when the queues are in memory: SQS's own time
        /// (milliseconds).
        #[arg(long, default_value_t = 15)]
        sqs_latency_ms: u64,
        /// Messages per worker invocation (the SQS batch size).
        #[arg(long, default_value_t = 10)]
        batch: usize,
        /// Worker invocations at once (Lambda concurrency).
        #[arg(long, default_value_t = 10)]
        concurrency: usize,
        /// The records exist before the deployment first polls (a first sync of an org):
        /// each is looked up for a link made before. Default: the deployment is running
        /// when people make them (the steady state), so the ledger knows they are new.
        #[arg(long)]
        initial_load: bool,
        /// Keep the queues, state table and secrets on this AWS endpoint (moto server:
        /// .venv/bin/moto_server -p 5000) and use them through the functions' own AWS
        /// adapters, so DynamoDB, SQS and Secrets Manager calls are counted, not inferred.
        #[arg(long)]
        aws_endpoint: Option<String>,
    },
    /// Time each release bootstrap from process start to its first event, next to a minimal
    /// lambda_runtime function (build them first: cargo lambda build --release; they are
    /// looked for in <cargo target dir>/lambda, which honours CARGO_TARGET_DIR).
    ColdStart {
        /// Starts per function (the median is reported).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The AWS endpoint (e.g. moto server: .venv/bin/moto_server -p 5000) where the
        /// secrets, queues and table the functions read at start are created. Required.
        #[arg(long, env = "AWS_ENDPOINT_URL")]
        aws_endpoint: Option<String>,
    },
    /// Serve the simulators on loopback until Ctrl-C.
    Sim {
        /// Port of the Salesforce simulator on 127.0.0.1 (0 = any free port).
        #[arg(long, default_value_t = 0)]
        salesforce_port: u16,
        /// Port of the iPaaS.com simulator on 127.0.0.1 (0 = any free port).
        #[arg(long, default_value_t = 0)]
        ipaas_port: u16,
        /// Issue a new refresh token on every refresh (Salesforce refresh-token rotation).
        #[arg(long)]
        rotate: bool,
        /// Declare the custom fields of this data file in the org (format: docs/demo-data.md).
        #[arg(long)]
        data: Option<std::path::PathBuf>,
        /// Seed the records the functions' event fixtures (functions/*/events/) name.
        #[arg(long)]
        fixtures: bool,
        /// An AWS endpoint (moto server) where the secrets, the four queues and the state
        /// table are created for the functions (docs/local-lambda.md).
        #[arg(long)]
        aws_endpoint: Option<String>,
        /// With --aws-endpoint: write the functions' environment here (KEY=VALUE lines, for
        /// cargo lambda watch --env-file).
        #[arg(long, requires = "aws_endpoint")]
        env_file: Option<std::path::PathBuf>,
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
        /// Secrets Manager secret (name or ARN) that will hold the connection: the stack's
        /// SalesforceSecretArn output. An unknown id is refused unless --create is given.
        #[arg(long, env = "SALESFORCE_SECRET_ID")]
        secret_id: String,
        /// Create the secret if --secret-id names none.
        #[arg(long)]
        create: bool,
        /// Loopback port for the callback; register http://localhost:PORT/oauth/callback.
        #[arg(long, default_value_t = 1717)]
        callback_port: u16,
        /// Seconds to wait for the browser to come back from the Salesforce login.
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
    let cli = Cli::parse();
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let shown = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(log_filter(&cli));
    // The bench prices the functions' logs: their lines, as Lambda writes them at the
    // default level, counted and dropped.
    let counted = matches!(cli.command, Command::Bench { .. }).then(|| {
        shared::telemetry::lambda_layer(|| sfsync::bench::LogCounter).with_filter(
            tracing_subscriber::EnvFilter::new("off,shared=info,ipaas_webhook=info"),
        )
    });
    tracing_subscriber::registry()
        .with(shown)
        .with(counted)
        .init();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// RUST_LOG if set; else by -v. Without -v the demo and bench keep the log out of their
/// report (the Error Log entries are in it already); other commands show errors.
fn log_filter(cli: &Cli) -> tracing_subscriber::EnvFilter {
    if let Ok(f) = tracing_subscriber::EnvFilter::try_from_default_env() {
        return f;
    }
    let quiet = if matches!(cli.command, Command::Demo { .. } | Command::Bench { .. }) {
        "off"
    } else {
        "error"
    };
    let level = match cli.verbose {
        0 => quiet,
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    tracing_subscriber::EnvFilter::new(level)
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
            stories,
            no_stories,
            mapping,
        } => {
            if !(0.0..=1.0).contains(&faults) {
                anyhow::bail!("--faults is a share of calls between 0 and 1, not {faults}");
            }
            let opts = sfsync::demo::DemoOptions {
                accounts,
                contacts,
                faults,
                seed,
                // Stories add their own records and calls; with the user's data they are asked for.
                stories: if stories || no_stories {
                    stories
                } else {
                    data.is_none()
                },
                data,
                mapping,
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
            dynamodb_latency_ms,
            sqs_latency_ms,
            batch,
            concurrency,
            initial_load,
            aws_endpoint,
        } => {
            if records == 0 || batch == 0 || concurrency == 0 {
                anyhow::bail!("--records, --batch and --concurrency must be at least 1");
            }
            let opts = sfsync::bench::BenchOptions {
                records,
                salesforce_latency: Duration::from_millis(salesforce_latency_ms),
                ipaas_latency: Duration::from_millis(ipaas_latency_ms),
                dynamodb_latency: Duration::from_millis(dynamodb_latency_ms),
                sqs_latency: Duration::from_millis(sqs_latency_ms),
                batch_size: batch,
                concurrency,
                initial_load,
                aws_endpoint: aws_endpoint.filter(|e| !e.trim().is_empty()),
            };
            let report = sfsync::bench::run(&opts).await?;
            print!("{}", sfsync::bench::render(&report));
        }
        Command::ColdStart { runs, aws_endpoint } => {
            let Some(endpoint) = aws_endpoint.filter(|e| !e.trim().is_empty()) else {
                anyhow::bail!(
                    "cold-start needs an AWS endpoint where it creates the secrets, queues and table the \
                     functions read at start (without them every function fails its init): start moto \
                     server (scripts/test-tools; .venv/bin/moto_server -p 5000 &) and pass \
                     --aws-endpoint http://127.0.0.1:5000"
                );
            };
            let backends = sfsync::coldstart::environment(&endpoint).await?;
            let rows = sfsync::coldstart::run(runs, &backends.env).await?;
            print!("{}", sfsync::coldstart::render(&rows, runs));
        }
        Command::Sim {
            salesforce_port,
            ipaas_port,
            rotate,
            data,
            fixtures,
            aws_endpoint,
            env_file,
        } => {
            sfsync::sim_cmd::run(sfsync::sim_cmd::SimOptions {
                salesforce_port,
                ipaas_port,
                rotate_refresh_tokens: rotate,
                data,
                fixtures,
                aws_endpoint,
                env_file,
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
            let done = sfsync::replay_cmd::run(opts).await?;
            for w in &done.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", done.summary);
        }
        Command::Connect {
            login_url,
            consumer_key,
            consumer_secret,
            secret_id,
            create,
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
                create,
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
