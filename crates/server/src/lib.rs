//! unkai's composition root: reads the [`Config`], opens the store and the [`DataDir`], wires
//! the services behind the edge, serves until told to stop, and shuts down cleanly.
//!
//! Architecture Invariant: this is the only crate that knows every service and every engine;
//! services never depend on each other.
#![deny(missing_docs)]

mod config;
mod data_dir;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::net::TcpListener;
use unkai_apigateway::ApiGateway;
use unkai_apigatewayv2::ApiGatewayV2;
use unkai_cloudformation::CloudFormation;
use unkai_dynamodb::DynamoDb;
use unkai_edge::{Edge, Health, Options};
use unkai_iam::Iam;
use unkai_lambda::Lambda;
use unkai_logs::Logs;
use unkai_runtime::Runtime;
use unkai_store::Kv;
use unkai_store_embedded::Embedded;
use unkai_store_postgres::Postgres;
use unkai_sts::Sts;
use unkai_types::Clock;

pub use config::{AuthConfig, Config, FunctionsConfig, StoreConfig};
pub use data_dir::{DataDir, KeyPair, ServerInfo};
pub use unkai_store_embedded::Durability;

/// unkai's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The store could not be opened or failed.
    #[error("{0}")]
    Store(#[from] unkai_store::Error),
    /// IAM could not be prepared.
    #[error("could not prepare the administrator's access key: {0}")]
    Iam(#[from] unkai_iam::Error),
    /// A file or socket operation failed.
    #[error("{path}: {source}")]
    Io {
        /// What was being accessed.
        path: String,
        /// The failure.
        source: std::io::Error,
    },
}

impl Error {
    fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Opens the store the configuration names: PostgreSQL when `store.url` is set, otherwise the
/// embedded engine in the data directory.
pub async fn open_store(config: &Config) -> Result<Kv, Error> {
    match &config.store.url {
        Some(url) => {
            let options = unkai_store_postgres::Options::new(url);
            Ok(Kv::new(Postgres::connect(options).await?))
        }
        None => {
            let data = DataDir::new(&config.data_dir);
            data.create()?;
            let mut options = unkai_store_embedded::Options::new(data.store());
            options.durability = config.store.durability;
            Ok(Kv::new(Embedded::open(options)?))
        }
    }
}

/// IAM over an open store, as the CLI uses it when no server runs.
pub fn iam(config: &Config, kv: Kv) -> Iam {
    Iam::new(kv, Clock::system(), &config.account_id)
}

/// Lambda and the runtime its functions run in.
fn lambda(
    config: &Config,
    data: &DataDir,
    kv: &Kv,
    clock: &Clock,
    address: SocketAddr,
    sessions: Arc<Iam>,
    logs: Arc<dyn unkai_types::ports::LogSink>,
) -> Result<Lambda, Error> {
    let functions = &config.functions;
    // Functions reach unkai on loopback even when it listens on every interface.
    let mut reachable = address;
    if reachable.ip().is_unspecified() {
        reachable.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut runtime =
        unkai_runtime::Config::new(data.path().join("runtime"), format!("http://{reachable}"));
    runtime.region = config.region.clone();
    runtime.account_concurrency = functions.account_concurrency;
    runtime.idle_timeout = Duration::from_secs(functions.idle_timeout_seconds);
    runtime.python = functions.python.clone();
    runtime.node = functions.node.clone();
    runtime.python_sdk = functions.python_sdk.clone();
    runtime.node_sdk = functions.node_sdk.clone();
    runtime.sdk_cache = functions
        .prepare_sdks
        .then(unkai_runtime::sdk::default_cache);
    runtime.sandbox = functions
        .sandbox
        .then(std::env::current_exe)
        .and_then(Result::ok);
    let directory = runtime.dir.clone();
    let runtime =
        Runtime::new(runtime, clock.clone(), logs).map_err(|error| Error::io(&directory, error))?;
    let mut options = unkai_lambda::Options::new(
        &config.account_id,
        &config.region,
        data.path().join("lambda/code"),
    );
    options.retry_delays = functions.retry_delays_seconds.map(Duration::from_secs);
    options.url_authority = format!("localhost:{}", address.port());
    std::fs::create_dir_all(&options.code_dir)
        .map_err(|error| Error::io(&options.code_dir, error))?;
    Ok(Lambda::new(
        kv.clone(),
        clock.clone(),
        runtime,
        sessions,
        options,
    ))
}

/// The [`Api`](unkai_types::ports::Api) port over the edge: how CloudFormation calls the other
/// services. The edge is set once it is built (it holds CloudFormation itself).
struct Internal {
    edge: OnceLock<Arc<Edge>>,
    region: String,
}

impl unkai_types::ports::Api for Internal {
    fn call<'a>(
        &'a self,
        caller: &'a unkai_types::Caller,
        request: unkai_types::ports::ApiRequest,
    ) -> unkai_types::ports::BoxFuture<'a, Result<unkai_types::ports::ApiResponse, String>> {
        Box::pin(async move {
            use http_body_util::BodyExt;
            let edge = self.edge.get().ok_or("the server is still starting")?;
            let response = edge.call_as(caller, &self.region, request).await;
            let status = response.status().as_u16();
            let body = match response.into_body().collect().await {
                Ok(body) => body.to_bytes().to_vec(),
                Err(never) => match never {},
            };
            Ok(unkai_types::ports::ApiResponse { status, body })
        })
    }
}

/// A started server: listening, not yet serving.
pub struct Server {
    edge: Arc<Edge>,
    listener: TcpListener,
    kv: Kv,
    dynamodb: DynamoDb,
    lambda: Lambda,
    data: DataDir,
    summary: Summary,
}

/// What `unkai up` tells its user.
#[derive(Clone, Debug)]
pub struct Summary {
    /// `http://127.0.0.1:4566`.
    pub endpoint: String,
    /// The region to use.
    pub region: String,
    /// The administrator's key, when the data directory holds it.
    pub credentials: Option<KeyPair>,
    /// Whether the `test`/`test` key is accepted.
    pub dev_credentials: bool,
    /// The store and its durability.
    pub store: String,
    /// How long starting took.
    pub startup: Duration,
    /// How functions' workers are confined.
    pub functions: String,
}

impl Server {
    /// Opens everything and binds the listener.
    pub async fn start(mut config: Config) -> Result<Self, Error> {
        let started = Instant::now();
        config.validate()?;
        // Workers run in their code's directory: every path handed to them must be absolute.
        config.data_dir = std::path::absolute(&config.data_dir)
            .map_err(|error| Error::io(&config.data_dir, error))?;
        let data = DataDir::new(&config.data_dir);
        data.create()?;
        let kv = open_store(&config).await?;
        let clock = Clock::system();
        let iam = if config.auth.dev_credentials {
            Iam::with_dev_key(kv.clone(), clock.clone(), &config.account_id)
        } else {
            Iam::new(kv.clone(), clock.clone(), &config.account_id)
        };
        if let Some(key) = iam.bootstrap().await? {
            data.save_credentials(&KeyPair {
                access_key_id: key.id,
                secret_access_key: key.secret,
            })?;
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|error| Error::io(config.listen.to_string(), error))?;
        let address = listener
            .local_addr()
            .map_err(|error| Error::io(config.listen.to_string(), error))?;
        let dynamodb = DynamoDb::new(kv.clone(), Clock::system(), Default::default());
        let iam = Arc::new(iam);
        let logs = Logs::new(
            kv.clone(),
            Clock::system(),
            &config.account_id,
            &config.region,
        );
        let lambda = lambda(
            &config,
            &data,
            &kv,
            &clock,
            address,
            iam.clone(),
            Arc::new(logs.clone()),
        )?;
        lambda
            .prepare()
            .await
            .map_err(|error| Error::Config(error.to_string()))?;
        let metrics = {
            let lambda = lambda.clone();
            Arc::new(move || lambda.metrics())
        };
        let mut edge = Edge::new(
            iam.keys(),
            clock.clone(),
            Options {
                health: Health {
                    version: VERSION,
                    store: kv.engine_name(),
                    region: config.region.clone(),
                },
                metrics: Some(metrics),
            },
        );
        edge.register(Arc::new(Sts::new(&config.account_id)));
        edge.register(iam);
        edge.register(Arc::new(lambda.clone()));
        edge.register_public(Arc::new(lambda.clone()));
        edge.register(Arc::new(dynamodb.clone()));
        edge.register(Arc::new(dynamodb.streams()));
        edge.register(Arc::new(logs));
        let mut apis = unkai_apigatewayv2::Options::new(&config.account_id, &config.region);
        apis.url_authority = format!("localhost:{}", address.port());
        apis.node = config
            .advertise
            .clone()
            .unwrap_or_else(|| address.to_string());
        if config.advertise.is_none() && address.ip().is_unspecified() && config.store.url.is_some()
        {
            tracing::warn!(
                node = apis.node,
                "listening on every interface without `advertise`: other nodes reach this one's \
                 WebSocket connections only if they run on the same machine"
            );
        }
        let mut rest = unkai_apigateway::Options::new(&config.account_id, &config.region);
        rest.url_authority.clone_from(&apis.url_authority);
        let rest = ApiGateway::new(kv.clone(), clock.clone(), Arc::new(lambda.clone()), rest);
        edge.register(Arc::new(rest.clone()));
        // REST APIs' invoke URLs: by host through the HTTP APIs' endpoint, by path directly.
        edge.register_public(Arc::new(rest.clone()));
        let apis = ApiGatewayV2::new(kv.clone(), clock.clone(), Arc::new(lambda.clone()), apis)
            .with_fallback(Arc::new(rest));
        let forgotten = apis
            .recover()
            .await
            .map_err(|error| Error::Config(format!("API Gateway: {error}")))?;
        if forgotten > 0 {
            tracing::info!(
                connections = forgotten,
                "forgot the websocket connections this node held before it stopped"
            );
        }
        edge.register(Arc::new(apis.clone()));
        edge.register(Arc::new(apis.connections_api()));
        edge.register_public(Arc::new(apis));
        let internal = Arc::new(Internal {
            edge: OnceLock::new(),
            region: config.region.clone(),
        });
        let stacks = CloudFormation::new(
            kv.clone(),
            clock.clone(),
            internal.clone(),
            unkai_cloudformation::Options::new(&config.account_id, &config.region),
        );
        stacks
            .recover()
            .await
            .map_err(|error| Error::Config(format!("CloudFormation: {error}")))?;
        edge.register(Arc::new(stacks));
        let edge = Arc::new(edge);
        let _ = internal.edge.set(edge.clone());
        let endpoint = format!("http://{address}");
        data.publish_server(&ServerInfo {
            endpoint: endpoint.clone(),
            region: config.region.clone(),
            pid: std::process::id(),
        })?;
        let summary = Summary {
            endpoint,
            region: config.region.clone(),
            credentials: data.credentials(),
            dev_credentials: config.auth.dev_credentials,
            store: kv.describe(),
            functions: lambda.protection(),
            startup: started.elapsed(),
        };
        Ok(Self {
            edge,
            listener,
            kv,
            dynamodb,
            lambda,
            data,
            summary,
        })
    }

    /// What to tell the user.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.listener.local_addr().ok()
    }

    /// Serves until `shutdown` resolves, lets in-flight requests finish, then makes every
    /// acknowledged write durable and closes the store.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) -> Result<(), Error> {
        let (stop, stopped) = tokio::sync::watch::channel(());
        let background = {
            let dynamodb = self.dynamodb.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                dynamodb
                    .run(async move {
                        let _ = stopped.changed().await;
                    })
                    .await;
            })
        };
        let functions = {
            let lambda = self.lambda.clone();
            let mut stopped = stopped.clone();
            tokio::spawn(async move {
                lambda
                    .run(async move {
                        let _ = stopped.changed().await;
                    })
                    .await;
            })
        };
        let served = unkai_edge::serve(self.listener, self.edge, shutdown).await;
        drop(stop);
        let _ = tokio::join!(background, functions);
        self.data.withdraw_server();
        let closed = self.kv.close().await;
        served.map_err(|error| Error::io("listener", error))?;
        Ok(closed?)
    }
}
