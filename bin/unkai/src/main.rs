//! `unkai`: the command line.

mod client;
mod deploy;
mod keys;
mod logs;

/// mimalloc: measured faster than the system allocator on the request path (bench/edge).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use unkai_server::{Config, DataDir, Durability, Server};

/// unkai runs serverless applications (API Gateway, Lambda, DynamoDB and the rest of the AWS
/// serverless building blocks) on your machine or cluster, from one binary. Point the AWS CLI
/// and SDKs at it with `eval "$(unkai env)"`.
#[derive(Parser, Debug)]
#[command(name = "unkai", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the server in the foreground (Ctrl-C stops it cleanly).
    Up(UpArgs),
    /// Print `export` lines that point the AWS CLI and SDKs at unkai.
    Env(DataArgs),
    /// Manage access keys (IAM users and their keys).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Print a function's logs (CloudWatch Logs group /aws/lambda/FUNCTION).
    Logs(LogsArgs),
    /// Deploy a SAM or CloudFormation template to the running unkai, showing progress.
    Deploy(DeployArgs),
}

#[derive(Args, Debug)]
struct DeployArgs {
    /// The template [default: template.yaml, template.yml or template.json here]
    template: Option<PathBuf>,
    /// The stack's name [default: the template directory's name]
    #[arg(long)]
    stack_name: Option<String>,
    /// Parameter values, as Key=Value
    #[arg(long, num_args = 1.., value_parser = deploy::parse_override)]
    parameter_overrides: Vec<(String, String)>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Args, Debug)]
struct LogsArgs {
    /// The function's name.
    function: String,
    /// Keep printing new events as they arrive (Ctrl-C stops).
    #[arg(long, short)]
    follow: bool,
    /// How far back to start, e.g. 30s, 10m, 2h [default: 10m].
    #[arg(long, value_parser = parse_duration, default_value = "10m")]
    since: std::time::Duration,
    #[command(flatten)]
    data: DataArgs,
}

fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let (number, unit) = text.split_at(
        text.find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len()),
    );
    let number: u64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 30s, 10m or 2h"))?;
    let seconds = match unit {
        "" | "s" => number,
        "m" => number * 60,
        "h" => number * 3600,
        "d" => number * 86_400,
        _ => return Err(format!("{text:?} is not a duration like 30s, 10m or 2h")),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

#[derive(Args, Debug)]
struct DataArgs {
    /// The data directory [default: .unkai]
    #[arg(long, env = "UNKAI_DATA_DIR", value_name = "PATH")]
    data_dir: Option<PathBuf>,
    /// A TOML configuration file [default: unkai.toml, if present]
    #[arg(long, env = "UNKAI_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct UpArgs {
    /// The application directory; the data directory defaults to DIR/.unkai
    dir: Option<PathBuf>,
    /// Where to listen [default: 127.0.0.1:4566]
    #[arg(long, env = "UNKAI_LISTEN", value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Keep state in PostgreSQL (postgres://user@host/db) instead of the data directory
    #[arg(long, env = "UNKAI_STORE", value_name = "URL")]
    store: Option<String>,
    /// What an acknowledged write promises: fsync (on disk) or os (survives a crash of unkai,
    /// not a power loss) [default: fsync]
    #[arg(long, env = "UNKAI_DURABILITY", value_name = "fsync|os")]
    durability: Option<String>,
    /// The region clients are told to use [default: us-east-1]
    #[arg(long, env = "UNKAI_REGION")]
    region: Option<String>,
    /// Also accept the local-development key test/test (loopback only)
    #[arg(long, env = "UNKAI_DEV_CREDENTIALS")]
    dev_credentials: bool,
    /// Threads serving requests [default: one per CPU]
    #[arg(long, env = "UNKAI_WORKERS", value_name = "N")]
    workers: Option<usize>,
    /// Prepare boto3 and the AWS SDK for Node.js for functions when first needed [default: true]
    #[arg(long, env = "UNKAI_PREPARE_SDKS", value_name = "BOOL",
          value_parser = clap::builder::BoolishValueParser::new())]
    prepare_sdks: Option<bool>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Create an access key (the user is created if it does not exist)
    Create {
        /// The user the key belongs to
        #[arg(long, default_value = unkai_iam::ADMIN)]
        user: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// List a user's access keys
    List {
        /// The user whose keys to list
        #[arg(long, default_value = unkai_iam::ADMIN)]
        user: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// Delete an access key
    Delete {
        /// The access key id
        access_key_id: String,
        /// The user the key belongs to
        #[arg(long, default_value = unkai_iam::ADMIN)]
        user: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

/// The configuration: defaults, the TOML file, then environment and flags.
fn load_config(data: &DataArgs) -> Result<Config> {
    let file = data.config.clone().or_else(|| {
        let default = PathBuf::from("unkai.toml");
        default.exists().then_some(default)
    });
    let mut config = match &file {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the configuration file {}", path.display())
            })?;
            Config::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Config::default(),
    };
    if let Some(dir) = &data.data_dir {
        config.data_dir = dir.clone();
    }
    Ok(config)
}

fn up_config(args: &UpArgs) -> Result<Config> {
    let mut config = load_config(&args.data)?;
    if let (Some(dir), None) = (&args.dir, &args.data.data_dir) {
        if !dir.is_dir() {
            bail!("{} is not a directory", dir.display());
        }
        config.data_dir = dir.join(".unkai");
    }
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(store) = &args.store {
        config.store.url = Some(store.clone());
    }
    if let Some(durability) = &args.durability {
        config.store.durability = match durability.as_str() {
            "fsync" => Durability::Fsync,
            "os" => Durability::Os,
            other => bail!("--durability must be fsync or os, not {other:?}"),
        };
    }
    if let Some(region) = &args.region {
        config.region = region.clone();
    }
    config.auth.dev_credentials |= args.dev_credentials;
    if let Some(workers) = args.workers {
        config.workers = Some(workers);
    }
    if let Some(prepare) = args.prepare_sdks {
        config.functions.prepare_sdks = prepare;
    }
    Ok(config)
}

async fn up(config: Config, app: Option<PathBuf>) -> Result<()> {
    // An application directory with a template is deployed once the server serves.
    let app = match app {
        Some(dir) => match deploy::find_template(&dir) {
            Ok(template) => Some(deploy::Deployment::new(template, None, Vec::new())?),
            Err(_) => None,
        },
        None => None,
    };
    let server = Server::start(config).await?;
    let summary = server.summary();
    println!(
        "unkai {} ready in {} ms",
        unkai_server::VERSION,
        summary.startup.as_millis()
    );
    println!("  endpoint     {}", summary.endpoint);
    println!("  region       {}", summary.region);
    match &summary.credentials {
        Some(key) => println!(
            "  credentials  {} / {}",
            key.access_key_id, key.secret_access_key
        ),
        None => println!("  credentials  none saved; create a key with `unkai keys create`"),
    }
    if summary.dev_credentials {
        println!("               and the development key test / test");
    }
    println!("  store        {}", summary.store);
    println!("  functions    {}", summary.functions);
    println!("  use it       eval \"$(unkai env)\"   then   aws sts get-caller-identity");
    if let (Some(deployment), Some(key)) = (app, summary.credentials.clone()) {
        let endpoint = summary.endpoint.clone();
        let region = summary.region.clone();
        tokio::spawn(async move {
            for _ in 0..50 {
                if let Some(client) =
                    client::Client::connect(&endpoint, key.clone(), region.clone()).await
                {
                    deploy::serve_app(client, deployment).await;
                    return;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            eprintln!(
                "unkai: the server did not answer; {} was not deployed",
                deployment.template.display()
            );
        });
    }
    server.run(shutdown_signal()).await?;
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        Some(()) = async { match terminate.as_mut() { Some(s) => s.recv().await, None => None } } => {}
    }
    eprintln!("unkai: stopping (finishing in-flight requests)");
}

fn env(args: DataArgs) -> Result<()> {
    let config = load_config(&args)?;
    let data = DataDir::new(&config.data_dir);
    let Some(key) = data.credentials() else {
        bail!(
            "no credentials in {} yet: start unkai once with `unkai up`, which creates them",
            config.data_dir.display()
        );
    };
    let (endpoint, region) = match data.server() {
        Some(server) => (server.endpoint, server.region),
        None => (format!("http://{}", config.listen), config.region),
    };
    println!("export AWS_ENDPOINT_URL={endpoint}");
    println!("export AWS_ACCESS_KEY_ID={}", key.access_key_id);
    println!("export AWS_SECRET_ACCESS_KEY={}", key.secret_access_key);
    println!("export AWS_REGION={region}");
    println!("export AWS_DEFAULT_REGION={region}");
    Ok(())
}

fn main() -> std::process::ExitCode {
    // Function workers start through this binary's sandbox, before anything else runs.
    let mut args = std::env::args_os().skip(1);
    if args.next().as_deref() == Some(unkai_runtime::sandbox::SUBCOMMAND.as_ref()) {
        let error = unkai_runtime::sandbox::enter(args);
        eprintln!("unkai: cannot start the function's worker: {error}");
        return std::process::ExitCode::from(126);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("UNKAI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // `up`'s configuration decides the runtime's size, so it is read first.
    let up_config = match &cli.command {
        Command::Up(args) => match up_config(args) {
            Ok(config) => Some(config),
            Err(error) => {
                eprintln!("unkai: {error:#}");
                return std::process::ExitCode::FAILURE;
            }
        },
        _ => None,
    };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = up_config.as_ref().and_then(|config| config.workers) {
        builder.worker_threads(workers.max(1));
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("unkai: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Up(args) => up(up_config.expect("read above"), args.dir).await,
            Command::Env(args) => env(args),
            Command::Keys(command) => keys::run(command).await,
            Command::Logs(args) => logs::run(args).await,
            Command::Deploy(args) => deploy::run(args).await,
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("unkai: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
