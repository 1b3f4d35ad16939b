//! The reference application `examples/web-backend`, end to end: `POST /items` (HTTP API →
//! Python function → DynamoDB `PutItem`) and `GET /items/{id}` (HTTP API → Rust function,
//! `examples/web-backend/get-item` → `GetItem`), each at several connection counts, reporting
//! requests per second, p50/p99 latency and the server's CPU time per request.
//!
//! ```text
//! cargo build --release -p unkai -p unkai-bench-web-backend
//! target/release/unkai-bench-web-backend [--unkai PATH] [--seconds N] [--warmup N]
//!     [--connections 16,64] [--python-sdk DIR] [--report FILE]
//! ```
//!
//! What it does: starts a fresh `unkai up --dev-credentials` on a free port with a data directory
//! of its own, runs `unkai deploy examples/web-backend/template.yaml --stack-name web-backend`
//! against it (which builds the Rust function with cargo, profile `UNKAI_CARGO_PROFILE`, default
//! `release`), reads the stack output `ItemsUrl` from what `unkai deploy` prints, and sends the
//! requests to `127.0.0.1:<port>` with the `Host` of that URL. Python functions import boto3
//! from `--python-sdk` (default: the `site-packages` of `UNKAI_TEST_VENV` or `.venv`, as the
//! end-to-end tests do); without one, unkai prepares boto3 itself (`prepare_sdks`).
//!
//! The client: one HTTP/1.1 keep-alive connection per concurrent caller, on the same machine
//! (it shares the cores, so requests/s is a floor). `POST` bodies are
//! `{"name": "item-N", "price": N}`; `GET`s cycle over the ids the `POST`s created. Before each
//! measurement the same connections run a warm-up (every connection answered at least twice,
//! and `--warmup` seconds): the functions' instances are started then, not while measuring.
//! Latency is the time from sending a request to its whole answer, of 2xx answers only; any
//! other answer, a failed connection or no answer within 30 s is an error, counted and listed
//! with its status and body.
//!
//! Server CPU per request: the CPU time (user + system) of the `unkai` process and all its
//! descendants over the measured interval, divided by the requests answered in it. Read from
//! `/proc/<pid>/stat` of every process in the tree (found through the parent pid field):
//! `utime + stime` covers all of a process's threads, those still running and those that ended,
//! and `cutime + cstime` covers its children that ended and were waited for (a worker that
//! stops is reaped by unkai, so its time moves from its own line to unkai's). Function workers
//! are unkai's children (directly, or under the sandbox launcher). Not counted: the load
//! client, `unkai deploy` and cargo (not descendants, and done before), kernel threads (network
//! softirq work is charged to whichever process the CPU was running), and a descendant that
//! outlives its parent (re-parented away). Ticks are `getconf CLK_TCK` (100 on Linux), so a
//! row's CPU is exact to about ±20 ms. The load client's own CPU time (`/proc/self/stat`) over
//! the same interval is reported beside it, as a check: the two together cannot exceed the cores.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

const USAGE: &str = "usage: unkai-bench-web-backend [--unkai PATH] [--seconds N] [--warmup N] \
                     [--connections 16,64] [--python-sdk DIR] [--report FILE]";

/// No answer within this long is an error.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How many answers every connection has had before a warm-up may end.
const WARMUP_ANSWERS: usize = 2;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("bench/web-backend is two levels down")
        .to_owned()
}

struct Options {
    unkai: PathBuf,
    seconds: f64,
    warmup: f64,
    connections: Vec<usize>,
    python_sdk: Option<PathBuf>,
    report: Option<PathBuf>,
}

impl Options {
    fn parse() -> Result<Self> {
        let root = repo_root();
        let mut options = Self {
            unkai: root.join("target/release/unkai"),
            seconds: 5.0,
            warmup: 2.0,
            connections: vec![16, 64],
            python_sdk: default_python_sdk(&root),
            report: None,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--unkai" => options.unkai = value()?.into(),
                "--seconds" => options.seconds = value()?.parse()?,
                "--warmup" => options.warmup = value()?.parse()?,
                "--connections" => {
                    options.connections = value()?
                        .split(',')
                        .map(str::parse)
                        .collect::<Result<_, _>>()
                        .context("--connections 16,64")?;
                }
                "--python-sdk" => options.python_sdk = Some(value()?.into()),
                "--report" => options.report = Some(value()?.into()),
                "--help" | "-h" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => bail!("unknown argument {other:?}\n{USAGE}"),
            }
        }
        if options.connections.is_empty() || options.connections.contains(&0) {
            bail!("--connections needs counts above 0");
        }
        if options.seconds <= 0.0 {
            bail!("--seconds needs a duration above 0");
        }
        Ok(options)
    }
}

/// The `site-packages` (with boto3) of the test environment, if there is one.
fn default_python_sdk(root: &Path) -> Option<PathBuf> {
    let venv = std::env::var_os("UNKAI_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv"));
    std::fs::read_dir(venv.join("lib"))
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("site-packages")))
        .find(|dir| dir.join("boto3").is_dir())
}

/// A child process killed when dropped.
struct Process(tokio::process::Child);

impl Process {
    /// Stops unkai as Ctrl-C does (SIGTERM), so that it stops its function workers too; kills
    /// it if it has not exited within 10 s.
    async fn stop(mut self) {
        if let Some(pid) = self.0.id() {
            let _ = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
            let _ = tokio::time::timeout(Duration::from_secs(10), self.0.wait()).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `unkai up` and waits for its health check.
async fn start_unkai(options: &Options, dir: &Path, port: u16) -> Result<Process> {
    let config = dir.join("unkai.toml");
    let mut text = String::from("[functions]\n");
    if let Some(sdk) = &options.python_sdk {
        writeln!(text, "python_sdk = {:?}", sdk.display().to_string())?;
    }
    std::fs::write(&config, text)?;
    let log = std::fs::File::create(dir.join("unkai.log"))?;
    let child = tokio::process::Command::new(&options.unkai)
        .args([
            "up",
            "--dev-credentials",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--data-dir")
        .arg(dir.join("data"))
        .arg("--config")
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", options.unkai.display()))?;
    let process = Process(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut probe = Connection::new(port, format!("127.0.0.1:{port}"));
    loop {
        let health = http::Request::get("/_unkai/health")
            .header("host", &probe.host)
            .body(Full::new(Bytes::new()))?;
        if matches!(probe.send(health).await, Ok((status, _)) if status.is_success()) {
            return Ok(process);
        }
        if Instant::now() > deadline {
            bail!("unkai did not answer its health check within 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Deploys the example and returns its `ItemsUrl` output.
async fn deploy(unkai: &Path, port: u16) -> Result<String> {
    let template = repo_root().join("examples/web-backend/template.yaml");
    let output = tokio::process::Command::new(unkai)
        .arg("deploy")
        .arg(&template)
        .args(["--stack-name", "web-backend"])
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .stdin(Stdio::null())
        // Its progress and cargo's go to our stderr (tokio's `output()` would capture them).
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot run unkai deploy")?
        .wait_with_output()
        .await?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("unkai deploy failed ({}):\n{stdout}", output.status);
    }
    stdout
        .lines()
        .find_map(|line| line.trim().strip_prefix("ItemsUrl"))
        .map(|url| url.trim().to_owned())
        .with_context(|| format!("no ItemsUrl output in unkai deploy's answer:\n{stdout}"))
}

/// One keep-alive HTTP/1.1 connection to unkai, opened again after a failure.
struct Connection {
    port: u16,
    host: String,
    sender: Option<hyper::client::conn::http1::SendRequest<Full<Bytes>>>,
}

impl Connection {
    fn new(port: u16, host: String) -> Self {
        Self {
            port,
            host,
            sender: None,
        }
    }

    async fn exchange(
        &mut self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(http::StatusCode, Bytes)> {
        if self.sender.is_none() {
            let stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await?;
            stream.set_nodelay(true)?;
            let (sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            self.sender = Some(sender);
        }
        let sender = self.sender.as_mut().expect("opened above");
        sender.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }

    /// Sends `request`; after a failure or a timeout the next request opens a new connection.
    async fn send(
        &mut self,
        request: http::Request<Full<Bytes>>,
    ) -> Result<(http::StatusCode, Bytes)> {
        let answer = tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(request))
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer within {REQUEST_TIMEOUT:?}")));
        if answer.is_err() {
            self.sender = None;
        }
        answer
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Route {
    /// `POST /items`: the Python function, `PutItem`.
    Create,
    /// `GET /items/{id}`: the Rust function, `GetItem`.
    Get,
}

impl Route {
    fn label(self) -> &'static str {
        match self {
            Route::Create => "POST /items (Python → PutItem)",
            Route::Get => "GET /items/{id} (Rust → GetItem)",
        }
    }
}

/// What the connections of one route share.
struct Workload {
    route: Route,
    /// The items collection's path (`/items`).
    path: String,
    /// POST: the next item's number; GET: the next index into `ids`.
    next: AtomicU64,
    /// The ids of created items, for GETs.
    ids: Vec<String>,
}

impl Workload {
    fn request(&self, host: &str) -> Result<http::Request<Full<Bytes>>> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let builder = http::Request::builder().header("host", host);
        Ok(match self.route {
            Route::Create => builder
                .method(http::Method::POST)
                .uri(&self.path)
                .header("content-type", "application/json")
                .body(Full::new(Bytes::from(
                    json!({"name": format!("item-{n}"), "price": n}).to_string(),
                )))?,
            Route::Get => {
                let id = &self.ids[usize::try_from(n)? % self.ids.len()];
                builder
                    .method(http::Method::GET)
                    .uri(format!("{}/{id}", self.path))
                    .body(Full::new(Bytes::new()))?
            }
        })
    }
}

/// What a set of connections saw.
#[derive(Default)]
struct Tally {
    /// Of 2xx answers.
    latencies: Vec<Duration>,
    /// Non-2xx answers and failed requests, by what they were (status and body, or the failure).
    errors: BTreeMap<String, u64>,
    /// Ids of the items POSTs created.
    created: Vec<String>,
}

impl Tally {
    fn errors(&self) -> u64 {
        self.errors.values().sum()
    }

    fn merge(&mut self, other: Tally) {
        self.latencies.extend(other.latencies);
        for (error, count) in other.errors {
            *self.errors.entry(error).or_default() += count;
        }
        self.created.extend(other.created);
    }
}

/// Runs every connection of `pool` until `seconds` have passed and each has had `min_answers`
/// answers; returns the connections, what they saw and how long it took.
async fn phase(
    pool: Vec<Connection>,
    workload: &Arc<Workload>,
    seconds: f64,
    min_answers: usize,
) -> Result<(Vec<Connection>, Tally, Duration)> {
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut connection in pool {
        let (stop, workload) = (stop.clone(), workload.clone());
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut answers = 0;
            while answers < min_answers || !stop.load(Ordering::Relaxed) {
                let request = workload.request(&connection.host)?;
                let sent = Instant::now();
                let answer = connection.send(request).await;
                let latency = sent.elapsed();
                answers += 1;
                match answer {
                    Ok((status, body)) if status.is_success() => {
                        tally.latencies.push(latency);
                        if workload.route == Route::Create {
                            let item: Value = serde_json::from_slice(&body)?;
                            let id = item["id"].as_str().context("a created item has no id")?;
                            tally.created.push(id.to_owned());
                        }
                    }
                    Ok((status, body)) => {
                        let body = String::from_utf8_lossy(&body);
                        *tally.errors.entry(format!("{status} {body}")).or_default() += 1;
                    }
                    Err(error) => {
                        *tally.errors.entry(format!("{error:#}")).or_default() += 1;
                        // Do not spin on a refused connection.
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            Ok::<_, anyhow::Error>((connection, tally))
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut pool = Vec::new();
    let mut tally = Tally::default();
    for task in tasks {
        let (connection, seen) = task.await??;
        pool.push(connection);
        tally.merge(seen);
    }
    Ok((pool, tally, started.elapsed()))
}

/// CPU time of a process tree.
#[derive(Clone, Copy)]
struct TreeCpu {
    /// utime + stime + cutime + cstime over the tree, in clock ticks.
    ticks: u64,
    /// Processes in the tree, the root included.
    processes: usize,
}

/// Reads `/proc/*/stat` once and sums the tree under `root` (see the crate docs for what counts).
fn tree_cpu(root: u32) -> Result<TreeCpu> {
    // pid → (parent pid, ticks)
    let mut table: HashMap<u32, (u32, u64)> = HashMap::new();
    for entry in std::fs::read_dir("/proc")? {
        let Some(pid) = entry?.file_name().to_str().and_then(|s| s.parse().ok()) else {
            continue;
        };
        // Gone since the listing: it was reaped, its time is in its parent's cutime now.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // After "pid (comm) ": state ppid … utime(11) stime(12) cutime(13) cstime(14).
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .context("/proc/<pid>/stat without a command name")?
            .1
            .split_whitespace()
            .collect();
        let number = |i: usize| -> Result<u64> {
            let field = fields.get(i).context("/proc/<pid>/stat too short")?;
            // cutime and cstime are signed in the kernel's format, never negative in practice.
            Ok(field.parse::<i64>()?.max(0).unsigned_abs())
        };
        let parent = u32::try_from(number(1)?)?;
        table.insert(
            pid,
            (
                parent,
                number(11)? + number(12)? + number(13)? + number(14)?,
            ),
        );
    }
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&pid, &(parent, _)) in &table {
        children.entry(parent).or_default().push(pid);
    }
    if !table.contains_key(&root) {
        bail!("unkai (pid {root}) is not running");
    }
    let (mut ticks, mut processes, mut stack) = (0, 0, vec![root]);
    while let Some(pid) = stack.pop() {
        ticks += table[&pid].1;
        processes += 1;
        stack.extend(children.get(&pid).into_iter().flatten());
    }
    Ok(TreeCpu { ticks, processes })
}

/// utime + stime of this process (the load client, all its threads), in clock ticks.
fn own_cpu() -> Result<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .context("/proc/self/stat without a command name")?
        .1
        .split_whitespace()
        .collect();
    let number = |i: usize| -> Result<u64> {
        Ok(fields
            .get(i)
            .context("/proc/self/stat too short")?
            .parse()?)
    };
    Ok(number(11)? + number(12)?)
}

fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok()?.trim().parse().ok())
        .unwrap_or(100.0)
}

/// One measured row.
struct Row {
    route: Route,
    connections: usize,
    answered: usize,
    errors: u64,
    warmup_errors: u64,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    cpu_seconds: f64,
    /// The load client's own CPU time over the same interval.
    client_cpu_seconds: f64,
    processes: usize,
}

impl Row {
    fn rate(&self) -> f64 {
        self.answered as f64 / self.elapsed.as_secs_f64()
    }

    /// Server CPU per request, over every request answered (errors too).
    fn cpu_per_request(&self) -> Duration {
        let requests = self.answered as u64 + self.errors;
        Duration::from_secs_f64(self.cpu_seconds / requests.max(1) as f64)
    }
}

fn ms(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

/// Warms up then measures one route at one connection count.
async fn measure(
    options: &Options,
    pid: u32,
    port: u16,
    host: &str,
    workload: &Arc<Workload>,
    connections: usize,
    errors: &mut BTreeMap<String, u64>,
) -> Result<(Row, Vec<String>)> {
    let tick = clock_ticks_per_second();
    let pool = (0..connections)
        .map(|_| Connection::new(port, host.to_owned()))
        .collect();
    let (pool, warmup, _) = phase(pool, workload, options.warmup, WARMUP_ANSWERS).await?;
    let (before, client_before) = (tree_cpu(pid)?, own_cpu()?);
    let (_pool, mut tally, elapsed) = phase(pool, workload, options.seconds, 0).await?;
    let (after, client_after) = (tree_cpu(pid)?, own_cpu()?);
    tally.latencies.sort();
    let row = Row {
        route: workload.route,
        connections,
        answered: tally.latencies.len(),
        errors: tally.errors(),
        warmup_errors: warmup.errors(),
        elapsed,
        p50: percentile(&tally.latencies, 0.5),
        p99: percentile(&tally.latencies, 0.99),
        cpu_seconds: after.ticks.saturating_sub(before.ticks) as f64 / tick,
        client_cpu_seconds: client_after.saturating_sub(client_before) as f64 / tick,
        processes: after.processes,
    };
    for (error, count) in warmup.errors.into_iter().chain(tally.errors) {
        *errors.entry(error).or_default() += count;
    }
    let mut created = warmup.created;
    created.extend(tally.created);
    Ok((row, created))
}

fn machine() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown CPU", |(_, model)| model.trim());
    let memory = read("/proc/meminfo")
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0.0, |kb| kb as f64 / 1024.0 / 1024.0);
    format!(
        "{} cores available ({model}), {memory:.0} GiB, Linux {}, load average at start {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        read("/proc/sys/kernel/osrelease").trim(),
        read("/proc/loadavg")
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn report(
    options: &Options,
    machine: &str,
    rows: &[Row],
    errors: &BTreeMap<String, u64>,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# examples/web-backend end to end\n\n\
         {machine}. unkai `{}`; the Rust function built with cargo profile `{}`; Python \
         functions import boto3 from {}. Per row: a warm-up on the same connections (each answered \
         at least {WARMUP_ANSWERS} times, and {} s), then {} s measured. One HTTP/1.1 keep-alive \
         connection per concurrent caller, from a client on the same machine. Latency of 2xx \
         answers; errors are every other answer or failed request. Server CPU: utime + stime of \
         unkai and every descendant (the function workers), and cutime + cstime of those that \
         ended, from /proc, over the measured seconds, per request answered.\n",
        options.unkai.display(),
        std::env::var("UNKAI_CARGO_PROFILE").unwrap_or_else(|_| "release".into()),
        options
            .python_sdk
            .as_ref()
            .map_or("unkai's prepared SDK".to_owned(), |dir| format!(
                "`{}`",
                dir.display()
            )),
        options.warmup,
        options.seconds,
    );
    out.push_str(
        "| route | connections | requests/s | p50 | p99 | server CPU / request | server CPU busy \
         | client CPU busy | processes | errors (warm-up) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} | {} | {:.2} cores | {:.2} cores | {} | {} ({}) |",
            row.route.label(),
            row.connections,
            row.rate(),
            ms(row.p50),
            ms(row.p99),
            ms(row.cpu_per_request()),
            row.cpu_seconds / row.elapsed.as_secs_f64(),
            row.client_cpu_seconds / row.elapsed.as_secs_f64(),
            row.processes,
            row.errors,
            row.warmup_errors,
        );
    }
    out.push_str(
        "\n`server CPU busy` and `client CPU busy`: CPU seconds per second of the measured \
         interval, of unkai's tree and of this load client; together they are at most the cores \
         available. `processes`: unkai and its descendants at the end of the row (a worker per \
         instance started so far, and what each started; idle instances stay warm).\n",
    );
    if !errors.is_empty() {
        out.push_str("\nErrors, warm-ups included (count, answer), the 20 most frequent:\n\n");
        let mut frequent: Vec<(&String, &u64)> = errors.iter().collect();
        frequent.sort_by(|a, b| b.1.cmp(a.1));
        let others = frequent.len().saturating_sub(20);
        frequent.truncate(20);
        for (error, count) in frequent {
            let mut error = error.replace('\n', " ");
            if error.len() > 500 {
                let mut end = 500;
                while !error.is_char_boundary(end) {
                    end -= 1;
                }
                error.truncate(end);
                error.push('…');
            }
            let _ = writeln!(out, "- {count} × `{error}`");
        }
        if others > 0 {
            let _ = writeln!(out, "- and {others} other distinct answers");
        }
    }
    out
}

/// unkai's warnings and errors, for a run with errors.
fn log_excerpt(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("WARN") || line.contains("ERROR"))
        .collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Deploys the example on the running unkai and measures every row.
async fn run(
    options: &Options,
    pid: u32,
    port: u16,
    errors: &mut BTreeMap<String, u64>,
) -> Result<Vec<Row>> {
    eprintln!("unkai (pid {pid}) listens on 127.0.0.1:{port}; deploying examples/web-backend…");
    let url = deploy(&options.unkai, port).await?;
    let (host, path) = url
        .strip_prefix("http://")
        .and_then(|rest| rest.split_once('/'))
        .with_context(|| format!("ItemsUrl {url} is not http://host/path"))?;
    eprintln!("ItemsUrl {url}");

    let mut rows = Vec::new();
    let mut ids = Vec::new();
    let mut workload = Workload {
        route: Route::Create,
        path: format!("/{path}"),
        next: AtomicU64::new(0),
        ids: Vec::new(),
    };
    for route in [Route::Create, Route::Get] {
        if route == Route::Get {
            if ids.is_empty() {
                bail!("no POST created an item; nothing to GET");
            }
            workload.route = route;
            workload.next = AtomicU64::new(0);
            workload.ids = std::mem::take(&mut ids);
        }
        let shared = Arc::new(workload);
        for &connections in &options.connections {
            let (row, created) =
                measure(options, pid, port, host, &shared, connections, errors).await?;
            eprintln!(
                "  {} x{connections}: {:.0}/s, p50 {}, p99 {}, {} errors",
                row.route.label(),
                row.rate(),
                ms(row.p50),
                ms(row.p99),
                row.errors
            );
            rows.push(row);
            ids.extend(created);
        }
        workload = Arc::into_inner(shared).context("a connection outlived its phase")?;
    }
    Ok(rows)
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = Options::parse()?;
    let machine = machine();
    let root = repo_root();
    std::fs::create_dir_all(root.join("target"))?;
    let dir = tempfile::Builder::new()
        .prefix("unkai-bench-web-backend-")
        .tempdir_in(root.join("target"))?;
    let port = free_port()?;
    let unkai = start_unkai(&options, dir.path(), port).await?;
    let pid = unkai.0.id().context("unkai exited")?;
    let mut errors = BTreeMap::new();
    let rows = run(&options, pid, port, &mut errors).await;
    if !errors.is_empty() {
        eprintln!(
            "unkai's warnings and errors (last 40):\n{}",
            log_excerpt(&dir.path().join("unkai.log"))
        );
    }
    unkai.stop().await;
    let out = report(&options, &machine, &rows?, &errors);
    println!("{out}");
    if let Some(file) = &options.report {
        std::fs::write(file, &out).with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(())
}
