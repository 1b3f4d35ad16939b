//! unkai's function runtime: runs function code as native worker processes that speak the
//! Lambda Runtime API, one invocation at a time per instance, reusing warm instances and
//! stopping idle ones, within the account's and each function's concurrency, and writes what
//! they print to CloudWatch Logs with Lambda's `START`, `END` and `REPORT` lines.
//!
//! The runtime knows nothing of the Lambda API: the Lambda service resolves a function and its
//! version into a [`Function`] and asks [`Runtime::invoke`] to run one [`Invocation`].
//!
//! Each instance gets its own Runtime API listener on a loopback port (its
//! `AWS_LAMBDA_RUNTIME_API`), so a request on it can only concern that instance.
#![deny(missing_docs)]

mod api;
pub mod cgroup;
mod instance;
mod logs;
pub mod sandbox;
pub mod sdk;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use unkai_types::Clock;
use unkai_types::ports::LogSink;

use instance::{Failure, Instance};

/// The largest response a function may return to a synchronous invocation (6 MB, and the
/// 100 bytes of envelope AWS allows on top).
pub const MAX_RESPONSE: usize = 6 * 1024 * 1024 + 100;

/// How long an instance may take from its start to asking for its first invocation.
pub const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the runtime is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// A directory of the runtime's own: the bootstraps and each instance's scratch space.
    pub dir: PathBuf,
    /// What functions get as `AWS_ENDPOINT_URL`: unkai itself.
    pub endpoint: String,
    /// The region functions run in.
    pub region: String,
    /// The account's concurrency limit (AWS's default: 1000).
    pub account_concurrency: u32,
    /// How long an instance stays warm without work before it is stopped.
    pub idle_timeout: Duration,
    /// How many new instances a function may start at once (Lambda: 1,000 …)
    pub scale_burst: u32,
    /// … and how many more per second after that (Lambda: 1,000 every 10 seconds).
    pub scale_per_second: f64,
    /// The Python interpreter for `python3.x` runtimes.
    pub python: PathBuf,
    /// The Node.js executable for `nodejs*` runtimes.
    pub node: PathBuf,
    /// Packages Python functions can import after their own (boto3).
    pub python_sdk: Option<PathBuf>,
    /// A `node_modules` Node.js functions can import after their own (`@aws-sdk/*`).
    pub node_sdk: Option<PathBuf>,
    /// The unkai binary, to start workers through its sandbox (`unkai __sandbox`); `None`
    /// starts them directly.
    pub sandbox: Option<PathBuf>,
    /// Where to prepare the SDKs that are not configured (`None`: do not prepare them).
    pub sdk_cache: Option<PathBuf>,
}

impl Config {
    /// Defaults for a runtime keeping its files in `dir`.
    pub fn new(dir: impl Into<PathBuf>, endpoint: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            endpoint: endpoint.into(),
            region: "us-east-1".into(),
            account_concurrency: 1000,
            idle_timeout: Duration::from_secs(300),
            scale_burst: 1000,
            scale_per_second: 100.0,
            python: "python3".into(),
            node: "node".into(),
            python_sdk: None,
            node_sdk: None,
            sandbox: None,
            sdk_cache: None,
        }
    }
}

/// The credentials a function's instances run with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`, when the key is temporary.
    pub session_token: Option<String>,
}

/// One version of a function, as its instances run it.
#[derive(Clone, Debug)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// `$LATEST` or a published version number.
    pub version: String,
    /// The unqualified function ARN.
    pub arn: String,
    /// Changes whenever the code or the configuration does: warm instances of another
    /// revision are not reused.
    pub revision: String,
    /// The AWS runtime identifier (`python3.12`, `nodejs20.x`, `provided.al2023`).
    pub runtime: String,
    /// The handler (`app.handler`); for `provided` runtimes passed on as `_HANDLER`.
    pub handler: String,
    /// The directory holding the function's code (`LAMBDA_TASK_ROOT`).
    pub code: PathBuf,
    /// Memory size in MB.
    pub memory_mb: u32,
    /// How long one invocation may run.
    pub timeout: Duration,
    /// The function's environment variables.
    pub environment: Vec<(String, String)>,
    /// The credentials its code runs with.
    pub credentials: Credentials,
    /// The size of its `/tmp` in MB.
    pub ephemeral_storage_mb: u32,
}

impl Function {
    /// The log group its instances write to.
    pub fn log_group(&self) -> String {
        format!("/aws/lambda/{}", self.name)
    }
}

/// One invocation to run.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// The request id (`Lambda-Runtime-Aws-Request-Id`).
    pub request_id: String,
    /// The event.
    pub payload: Bytes,
    /// The ARN the caller invoked, with its qualifier if it gave one.
    pub invoked_arn: String,
    /// `X-Amz-Client-Context`, decoded.
    pub client_context: Option<String>,
    /// Whether the caller wants the last 4 KB of the invocation's log (`LogType: Tail`).
    pub tail: bool,
}

/// What an invocation produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The response, or the error document when `function_error` is set.
    pub payload: Bytes,
    /// Set when the function failed: `X-Amz-Function-Error: Unhandled`.
    pub function_error: bool,
    /// The invocation's log lines (last 4 KB), when asked for.
    pub log_tail: Option<String>,
    /// How long the function ran, when it answered.
    pub duration: Option<Duration>,
    /// Whether the response went to the stream's sink as it came (then `payload` is empty,
    /// or the error document).
    pub streamed: bool,
}

/// What a streamed response sends as it comes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Streamed {
    /// Its content type, first.
    ContentType(String),
    /// Bytes of it.
    Data(Bytes),
}

/// Why an invocation was not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Over a concurrency limit: 429 `TooManyRequestsException` with this `Reason`.
    #[error("Rate Exceeded.")]
    Throttled {
        /// `ReservedFunctionConcurrentInvocationLimitExceeded` or
        /// `ConcurrentInvocationLimitExceeded`.
        reason: &'static str,
    },
    /// The worker process could not be started.
    #[error("{0}")]
    Spawn(String),
}

/// Per-function accounting.
#[derive(Default)]
struct Pool {
    /// Reserved concurrency, when set.
    reserved: Option<u32>,
    /// Invocations running now.
    running: u32,
    /// Warm instances waiting for work, most recently used last.
    idle: Vec<(Arc<Instance>, Instant)>,
    /// New instances it may start now (the scaling rate's bucket), and when it was filled.
    scale_tokens: Option<(f64, Instant)>,
}

/// What `/_unkai/metrics` reports per function.
#[derive(Clone, Debug, Default)]
struct Counters {
    invocations: u64,
    errors: u64,
    throttles: u64,
    duration_seconds: f64,
    timed: u64,
    billed_ms: u64,
}

#[derive(Default)]
struct State {
    pools: HashMap<String, Pool>,
    counters: HashMap<String, Counters>,
    /// Invocations running now in functions without reserved concurrency.
    unreserved_running: u32,
    /// The sum of every function's reserved concurrency.
    reserved_total: u32,
}

struct Inner {
    /// The prepared SDKs, once each (`None` when preparing failed).
    sdks: [tokio::sync::OnceCell<Option<PathBuf>>; 2],
    config: Config,
    protection: sandbox::Protection,
    /// Started ahead of need, when workers start in the sandbox.
    launchers: Option<Arc<sandbox::Launchers>>,
    clock: Clock,
    logs: Arc<dyn LogSink>,
    state: Mutex<State>,
}

/// The function runtime. Cheap to clone.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("dir", &self.inner.config.dir)
            .finish_non_exhaustive()
    }
}

/// Holds one unit of concurrency for the invocation running under it.
struct Lease {
    inner: Arc<Inner>,
    function: String,
}

impl Drop for Lease {
    fn drop(&mut self) {
        let mut state = lock(&self.inner.state);
        let state = &mut *state;
        if let Some(pool) = state.pools.get_mut(&self.function) {
            pool.running = pool.running.saturating_sub(1);
            if pool.reserved.is_none() {
                state.unreserved_running = state.unreserved_running.saturating_sub(1);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Runtime {
    /// A runtime writing its files under `config.dir` and its logs to `logs`.
    pub fn new(config: Config, clock: Clock, logs: Arc<dyn LogSink>) -> std::io::Result<Self> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(config.dir.join("instances"))?;
        // Workers running as other users pass through, without listing.
        for dir in [config.dir.clone(), config.dir.join("instances")] {
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o711))?;
        }
        instance::install_bootstraps(&config.dir)?;
        let mut protection = config
            .sandbox
            .as_deref()
            .map(sandbox::probe)
            .unwrap_or_default();
        protection.memory = if config.sandbox.is_some() {
            cgroup::Cgroups::detect()
        } else {
            None
        };
        Ok(Self {
            inner: Arc::new(Inner {
                sdks: Default::default(),
                launchers: config
                    .sandbox
                    .clone()
                    .map(|program| Arc::new(sandbox::Launchers::new(program, &protection))),
                protection,
                config,
                clock,
                logs,
                state: Mutex::new(State::default()),
            }),
        })
    }

    /// The SDK directory for a runtime: configured, or prepared (once, waiting for it).
    async fn sdk(&self, runtime: &str) -> Option<PathBuf> {
        let config = &self.inner.config;
        let (kind, configured, interpreter, slot) = if runtime.starts_with("python") {
            (sdk::Kind::Python, &config.python_sdk, &config.python, 0)
        } else if runtime.starts_with("nodejs") {
            (sdk::Kind::Node, &config.node_sdk, &config.node, 1)
        } else {
            return None;
        };
        if let Some(dir) = configured {
            return Some(dir.clone());
        }
        let cache = config.sdk_cache.clone()?;
        if sdk::ready(&cache, kind) {
            return Some(sdk::path(&cache, kind));
        }
        let interpreter = interpreter.clone();
        self.inner.sdks[slot]
            .get_or_init(|| async move {
                tracing::warn!(sdk = ?kind, cache = %cache.display(), "preparing the SDK Lambda's runtime includes (once per machine)");
                let prepared = tokio::task::spawn_blocking(move || {
                    sdk::prepare(&cache, kind, &interpreter)
                })
                .await;
                match prepared {
                    Ok(Ok(dir)) => Some(dir),
                    Ok(Err(error)) => {
                        tracing::warn!(sdk = ?kind, %error, "could not prepare the SDK; functions run without it (set python_sdk / node_sdk in [functions] to a directory that has it)");
                        None
                    }
                    Err(_) => None,
                }
            })
            .await
            .clone()
    }

    /// How workers are confined on this machine.
    pub fn protection(&self) -> &sandbox::Protection {
        &self.inner.protection
    }

    /// Sets or clears a function's reserved concurrency.
    pub fn set_reserved(&self, function: &str, reserved: Option<u32>) {
        let mut state = lock(&self.inner.state);
        let state = &mut *state;
        let pool = state.pools.entry(function.to_owned()).or_default();
        let before = pool.reserved.unwrap_or(0);
        // Invocations running now move between the shared and the reserved pool.
        match (pool.reserved.is_some(), reserved.is_some()) {
            (false, true) => {
                state.unreserved_running = state.unreserved_running.saturating_sub(pool.running)
            }
            (true, false) => state.unreserved_running += pool.running,
            _ => {}
        }
        pool.reserved = reserved;
        state.reserved_total = state.reserved_total - before + reserved.unwrap_or(0);
    }

    /// The concurrency not reserved by any function (`UnreservedConcurrentExecutions`).
    pub fn unreserved_concurrency(&self) -> u32 {
        let state = lock(&self.inner.state);
        self.inner
            .config
            .account_concurrency
            .saturating_sub(state.reserved_total)
    }

    /// How many more invocations of `function` could run now.
    pub fn free_concurrency(&self, function: &str) -> u32 {
        let state = lock(&self.inner.state);
        let shared = self
            .inner
            .config
            .account_concurrency
            .saturating_sub(state.reserved_total);
        match state.pools.get(function) {
            Some(Pool {
                reserved: Some(reserved),
                running,
                ..
            }) => reserved.saturating_sub(*running),
            _ => shared.saturating_sub(state.unreserved_running),
        }
    }

    /// The account's concurrency limit.
    pub fn account_concurrency(&self) -> u32 {
        self.inner.config.account_concurrency
    }

    /// Invocations running now, per function name.
    pub fn running(&self) -> HashMap<String, u32> {
        let state = lock(&self.inner.state);
        state
            .pools
            .iter()
            .map(|(name, pool)| (name.clone(), pool.running))
            .collect()
    }

    /// Runs one invocation of `function`: on a warm instance of the same revision when one
    /// waits, otherwise on a new one. Returns once the function has answered, failed, timed
    /// out or crashed; only throttling and a failure to start a process are refusals.
    pub async fn invoke(
        &self,
        function: &Function,
        invocation: Invocation,
    ) -> Result<Outcome, Refusal> {
        self.invoke_with(function, invocation, None).await
    }

    /// Runs one invocation, sending a streamed response (`InvokeWithResponseStream`) to
    /// `sink` as it comes; a function that does not stream answers in the outcome.
    pub async fn invoke_streaming(
        &self,
        function: &Function,
        invocation: Invocation,
        sink: tokio::sync::mpsc::Sender<Streamed>,
    ) -> Result<Outcome, Refusal> {
        self.invoke_with(function, invocation, Some(&sink)).await
    }

    async fn invoke_with(
        &self,
        function: &Function,
        invocation: Invocation,
        sink: Option<&tokio::sync::mpsc::Sender<Streamed>>,
    ) -> Result<Outcome, Refusal> {
        let (lease, warm) = match self.acquire(function) {
            Ok(acquired) => acquired,
            Err(refusal) => {
                let mut state = lock(&self.inner.state);
                state
                    .counters
                    .entry(function.name.clone())
                    .or_default()
                    .throttles += 1;
                return Err(refusal);
            }
        };
        let cold = warm.is_none();
        let instance = match warm {
            Some(instance) => instance,
            None => Arc::new(
                Instance::spawn(
                    &self.inner.config,
                    self.sdk(&function.runtime).await.as_deref(),
                    &self.inner.protection,
                    &self.inner.clock,
                    &self.inner.logs,
                    function,
                    self.inner.launchers.as_ref(),
                )
                .await
                .map_err(|error| Refusal::Spawn(error.to_string()))?,
            ),
        };
        let result = instance.invoke(function, &invocation, sink).await;
        if cold && let Some(launchers) = &self.inner.launchers {
            launchers.refill();
        }
        let outcome = match result {
            Ok(outcome) => {
                let mut state = lock(&self.inner.state);
                if let Some(pool) = state.pools.get_mut(&function.name) {
                    pool.idle.push((instance, Instant::now()));
                }
                outcome
            }
            Err(failure) => {
                instance.kill();
                failure.outcome(function, &invocation)
            }
        };
        {
            let mut state = lock(&self.inner.state);
            let counters = state.counters.entry(function.name.clone()).or_default();
            counters.invocations += 1;
            counters.errors += u64::from(outcome.function_error);
            if let Some(duration) = outcome.duration {
                counters.duration_seconds += duration.as_secs_f64();
                counters.timed += 1;
                counters.billed_ms += duration.as_micros().div_ceil(1000).max(1) as u64;
            }
        }
        drop(lease);
        Ok(outcome)
    }

    /// Per-function metrics in the Prometheus text format: invocations, errors, throttles,
    /// duration, billed milliseconds, concurrent executions and warm instances.
    pub fn metrics(&self) -> String {
        use std::fmt::Write as _;
        let state = lock(&self.inner.state);
        let mut names: Vec<&String> = state.counters.keys().chain(state.pools.keys()).collect();
        names.sort();
        names.dedup();
        let zero = Counters::default();
        let mut out = String::new();
        let mut family = |name: &str, kind: &str, help: &str, value: &dyn Fn(&str) -> String| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for function in &names {
                let _ = writeln!(out, "{name}{{function=\"{function}\"}} {}", value(function));
            }
        };
        let counters = |function: &str| state.counters.get(function).unwrap_or(&zero).clone();
        family(
            "unkai_function_invocations_total",
            "counter",
            "Invocations that ran, successful or not.",
            &|f| counters(f).invocations.to_string(),
        );
        family(
            "unkai_function_errors_total",
            "counter",
            "Invocations that ended in a function error.",
            &|f| counters(f).errors.to_string(),
        );
        family(
            "unkai_function_throttles_total",
            "counter",
            "Invocations refused for concurrency.",
            &|f| counters(f).throttles.to_string(),
        );
        family(
            "unkai_function_duration_seconds_sum",
            "counter",
            "Time functions ran, summed.",
            &|f| format!("{:.6}", counters(f).duration_seconds),
        );
        family(
            "unkai_function_duration_seconds_count",
            "counter",
            "Invocations whose duration is in the sum.",
            &|f| counters(f).timed.to_string(),
        );
        family(
            "unkai_function_billed_milliseconds_total",
            "counter",
            "Billed duration, in 1 ms units, as Lambda bills.",
            &|f| counters(f).billed_ms.to_string(),
        );
        family(
            "unkai_function_concurrent_executions",
            "gauge",
            "Invocations running now.",
            &|f| {
                state
                    .pools
                    .get(f)
                    .map_or(0, |pool| pool.running)
                    .to_string()
            },
        );
        family(
            "unkai_function_warm_instances",
            "gauge",
            "Instances waiting for work.",
            &|f| {
                state
                    .pools
                    .get(f)
                    .map_or(0, |pool| pool.idle.len())
                    .to_string()
            },
        );
        out
    }

    fn acquire(&self, function: &Function) -> Result<(Lease, Option<Arc<Instance>>), Refusal> {
        let mut state = lock(&self.inner.state);
        let state = &mut *state;
        let shared = self
            .inner
            .config
            .account_concurrency
            .saturating_sub(state.reserved_total);
        let pool = state.pools.entry(function.name.clone()).or_default();
        match pool.reserved {
            Some(reserved) if pool.running >= reserved => {
                return Err(Refusal::Throttled {
                    reason: "ReservedFunctionConcurrentInvocationLimitExceeded",
                });
            }
            Some(_) => {}
            None if state.unreserved_running >= shared => {
                return Err(Refusal::Throttled {
                    reason: "ConcurrentInvocationLimitExceeded",
                });
            }
            None => state.unreserved_running += 1,
        }
        let mut warm = None;
        while let Some((instance, _)) = pool.idle.pop() {
            if instance.revision == function.revision && instance.alive() {
                warm = Some(instance);
                break;
            }
            instance.kill();
        }
        if warm.is_none() {
            // A new instance: within the function's scaling rate.
            let config = &self.inner.config;
            let now = Instant::now();
            let (tokens, filled) = pool
                .scale_tokens
                .unwrap_or((f64::from(config.scale_burst), now));
            let tokens = (tokens
                + now.duration_since(filled).as_secs_f64() * config.scale_per_second)
                .min(f64::from(config.scale_burst));
            if tokens < 1.0 {
                pool.scale_tokens = Some((tokens, now));
                if pool.reserved.is_none() {
                    state.unreserved_running = state.unreserved_running.saturating_sub(1);
                }
                return Err(Refusal::Throttled {
                    reason: "ConcurrentInvocationLimitExceeded",
                });
            }
            pool.scale_tokens = Some((tokens - 1.0, now));
        }
        pool.running += 1;
        let lease = Lease {
            inner: self.inner.clone(),
            function: function.name.clone(),
        };
        Ok((lease, warm))
    }

    /// Stops every idle instance of `function` (after its code or configuration changed, or
    /// it was deleted).
    pub fn retire(&self, function: &str) {
        let idle = {
            let mut state = lock(&self.inner.state);
            state
                .pools
                .get_mut(function)
                .map(|pool| std::mem::take(&mut pool.idle))
                .unwrap_or_default()
        };
        for (instance, _) in idle {
            instance.kill();
        }
    }

    /// Instances waiting for work now, across functions.
    pub fn idle_instances(&self) -> usize {
        let state = lock(&self.inner.state);
        state.pools.values().map(|pool| pool.idle.len()).sum()
    }

    /// Stops instances idle for longer than the idle timeout, until `shutdown` resolves; then
    /// stops every idle instance.
    pub async fn run(&self, shutdown: impl std::future::Future<Output = ()>) {
        let mut shutdown = std::pin::pin!(shutdown);
        let period = (self.inner.config.idle_timeout / 4)
            .clamp(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            tokio::select! {
                () = tokio::time::sleep(period) => self.reap(self.inner.config.idle_timeout),
                () = &mut shutdown => break,
            }
        }
        self.reap(Duration::ZERO);
    }

    fn reap(&self, idle_for: Duration) {
        let now = Instant::now();
        let mut stale = Vec::new();
        {
            let mut state = lock(&self.inner.state);
            for pool in state.pools.values_mut() {
                pool.idle.retain(|(instance, since)| {
                    let keep = now.duration_since(*since) < idle_for && instance.alive();
                    if !keep {
                        stale.push(instance.clone());
                    }
                    keep
                });
            }
        }
        for instance in stale {
            instance.kill();
        }
    }
}

impl Failure {
    /// The error document AWS returns for a failed invocation.
    fn outcome(self, function: &Function, invocation: &Invocation) -> Outcome {
        let id = &invocation.request_id;
        let (payload, tail) = match self {
            Failure::InitError { body, tail } => (body, tail),
            Failure::Timeout { tail } => (
                error_document(
                    "Sandbox.Timedout",
                    &format!(
                        "RequestId: {id} Error: Task timed out after {:.2} seconds",
                        function.timeout.as_secs_f64()
                    ),
                ),
                tail,
            ),
            Failure::OutOfMemory { tail } => (
                error_document(
                    "Runtime.OutOfMemory",
                    &format!("RequestId: {id} Error: Runtime exited with error: signal: killed"),
                ),
                tail,
            ),
            Failure::Exited { status, tail } => (
                error_document(
                    "Runtime.ExitError",
                    &format!("RequestId: {id} Error: {}", exit_reason(status)),
                ),
                tail,
            ),
        };
        Outcome {
            payload,
            function_error: true,
            log_tail: invocation.tail.then(|| tail.unwrap_or_default()),
            duration: None,
            streamed: false,
        }
    }
}

/// How Lambda words a runtime's exit.
fn exit_reason(status: Option<std::process::ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Some(status) if status.success() => "Runtime exited without providing a reason".into(),
        Some(status) => match (status.code(), status.signal()) {
            (Some(code), _) => format!("Runtime exited with error: exit status {code}"),
            (None, Some(signal)) => format!(
                "Runtime exited with error: signal: {}",
                nix::sys::signal::Signal::try_from(signal)
                    .map(signal_name)
                    .unwrap_or("unknown")
            ),
            _ => "Runtime exited without providing a reason".into(),
        },
        None => "Runtime exited without providing a reason".into(),
    }
}

/// Go's names for signals, which Lambda's messages use (`signal: killed`).
fn signal_name(signal: nix::sys::signal::Signal) -> &'static str {
    use nix::sys::signal::Signal::*;
    match signal {
        SIGKILL => "killed",
        SIGSEGV => "segmentation fault",
        SIGABRT => "aborted",
        SIGTERM => "terminated",
        SIGBUS => "bus error",
        SIGILL => "illegal instruction",
        SIGFPE => "floating point exception",
        SIGINT => "interrupt",
        _ => "unknown",
    }
}

fn error_document(error_type: &str, message: &str) -> Bytes {
    Bytes::from(serde_json::json!({"errorType": error_type, "errorMessage": message}).to_string())
}
