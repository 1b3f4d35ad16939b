//! An HTTP API (API Gateway v2, Lambda proxy integration, payload format 2.0) in front of a Rust
//! function (`tests/functions/rust`, `lambda_runtime`) answering JSON, next to a bare hyper
//! hello-world answering JSON, with the same client in the same run: requests per second and
//! p50/p99 at 1 and 64 connections, and the ratio.
//!
//! ```text
//! cargo run --release -p unkai-bench-apis -- [--seconds N] [--unkai PATH] [--function PATH]
//! ```
//!
//! The client: one HTTP/1.1 keep-alive connection per concurrent caller, on the same machine.
//! The hello-world runs in a process of its own (this binary with `--hello PORT`), a
//! multi-threaded tokio runtime like unkai's.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use unkai_bench_proc::{children, cpu_seconds_of};
use unkai_edge::sigv4::{self, SigningParams};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("bench/apis is two levels down")
        .to_owned()
}

/// The bare hello-world: `{"hello":"world"}` for every request.
async fn hello(port: u16) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(|_request| async {
                let mut response =
                    http::Response::new(Full::new(Bytes::from_static(br#"{"hello":"world"}"#)));
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    http::HeaderValue::from_static("application/json"),
                );
                Ok::<_, std::convert::Infallible>(response)
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_for(port: u16) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        if Instant::now() > deadline {
            bail!("nothing listens on {port}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

struct Connection {
    host: String,
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    async fn open(port: u16, host: &str) -> Result<Self> {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self {
            host: host.to_owned(),
            sender,
        })
    }

    /// A signed Lambda/API Gateway control-plane call.
    async fn control(
        &mut self,
        service: &str,
        method: http::Method,
        path: &str,
        body: &Value,
    ) -> Result<Value> {
        let body = Bytes::from(body.to_string());
        let mut request = http::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))?;
        sigv4::sign_request(
            &mut request,
            &body,
            &SigningParams {
                access_key_id: "test",
                secret: "test",
                region: "us-east-1",
                service,
                at: SystemTime::now(),
            },
        );
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let bytes = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            bail!("{path}: {status} {}", String::from_utf8_lossy(&bytes));
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    async fn get(&mut self) -> Result<Duration> {
        let request = http::Request::get("/items/7?q=1")
            .header("host", &self.host)
            .body(Full::new(Bytes::new()))?;
        let started = Instant::now();
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let _ = response.into_body().collect().await?;
        if status != http::StatusCode::OK {
            bail!("answer {status}");
        }
        Ok(started.elapsed())
    }
}

fn zip(name: &str, bytes: &[u8]) -> Result<String> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut writer = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
        writer.start_file(name, options)?;
        writer.write_all(bytes)?;
        writer.finish()?;
    }
    Ok(base64::engine::general_purpose::STANDARD.encode(buffer.into_inner()))
}

struct Row {
    rate: f64,
    p50: Duration,
    p99: Duration,
    /// CPU per request: the server process, its children (the function's workers) and this
    /// client, in seconds.
    server_cpu: f64,
    children_cpu: f64,
    client_cpu: f64,
}

/// `connections` callers of `host` at `port` for `seconds`; `server` is the process that
/// serves them (its children count apart).
async fn load(port: u16, host: &str, connections: usize, seconds: f64, server: u32) -> Result<Row> {
    let mut pool = Vec::new();
    for _ in 0..connections {
        let mut connection = Connection::open(port, host).await?;
        connection.get().await?;
        pool.push(connection);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let cpu = || {
        (
            cpu_seconds_of(&[server]),
            cpu_seconds_of(&children(server)),
            cpu_seconds_of(&[std::process::id()]),
        )
    };
    let before = cpu();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for mut connection in pool {
        let stop = stop.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                latencies.push(connection.get().await?);
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = cpu();
    latencies.sort();
    let at = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let requests = latencies.len().max(1) as f64;
    Ok(Row {
        rate: latencies.len() as f64 / elapsed,
        p50: at(0.5),
        p99: at(0.99),
        server_cpu: (after.0 - before.0) / requests,
        children_cpu: (after.1 - before.1) / requests,
        client_cpu: (after.2 - before.2) / requests,
    })
}

fn us(duration: Duration) -> String {
    format!("{:.0} µs", duration.as_secs_f64() * 1e6)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut seconds, mut unkai, mut function) = (5.0, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--hello" => {
                let port: u16 = args.next().context("--hello PORT")?.parse()?;
                return hello(port).await;
            }
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            "--unkai" => unkai = args.next().map(PathBuf::from),
            "--function" => function = args.next().map(PathBuf::from),
            other => bail!("unknown argument {other:?}"),
        }
    }
    let root = repo_root();
    let (unkai, function) = match (unkai, function) {
        (Some(unkai), Some(function)) => (unkai, function),
        _ => {
            eprintln!("building unkai and the Rust test function (release)…");
            let status = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "--release",
                    "-p",
                    "unkai",
                    "-p",
                    "unkai-test-function",
                ])
                .current_dir(&root)
                .status()?;
            if !status.success() {
                bail!("cargo build failed");
            }
            let target = root.join("target/release");
            (target.join("unkai"), target.join("bootstrap"))
        }
    };

    // The bare hello-world.
    let hello_port = free_port()?;
    let hello_process = Process(
        Command::new(std::env::current_exe()?)
            .args(["--hello", &hello_port.to_string()])
            .stdout(Stdio::null())
            .spawn()?,
    );
    let hello_pid = hello_process.0.id();
    wait_for(hello_port).await?;

    // unkai, the function and the API.
    let dir = tempfile::Builder::new()
        .prefix("unkai-bench-apis-")
        .tempdir_in(root.join("target"))?;
    let port = free_port()?;
    let config = dir.path().join("unkai.toml");
    std::fs::write(&config, "[functions]\nprepare_sdks = false\n")?;
    let unkai_process = Process(
        Command::new(&unkai)
            .args([
                "up",
                "--dev-credentials",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .arg("--config")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let unkai_pid = unkai_process.0.id();
    wait_for(port).await?;
    let mut control = Connection::open(port, &format!("127.0.0.1:{port}")).await?;
    let created = control
        .control(
            "lambda",
            http::Method::POST,
            "/2015-03-31/functions",
            &json!({
                "FunctionName": "api-bench",
                "Runtime": "provided.al2023",
                "Role": "arn:aws:iam::000000000000:role/bench",
                "Handler": "bootstrap",
                "Code": {"ZipFile": zip("bootstrap", &std::fs::read(&function)?)?},
            }),
        )
        .await?;
    let api = control
        .control(
            "apigateway",
            http::Method::POST,
            "/v2/apis",
            &json!({"name": "bench", "protocolType": "HTTP", "target": created["FunctionArn"]}),
        )
        .await?;
    let api_id = api["apiId"].as_str().context("apiId")?;
    let api_host = format!("{api_id}.execute-api.localhost:{port}");

    let mut out = format!(
        "# HTTP API → Rust function, next to a bare hyper hello-world\n\n{} cores; {seconds} s per \
         row; the same client for both (one HTTP/1.1 keep-alive connection per concurrent caller, \
         on the same machine); unkai `{}`. CPU per request: the server process (unkai, or the \
         hello-world), the function's workers, and the client.\n\n\
         | connections | target | requests/s | p50 | p99 | server CPU | function CPU | client CPU |\n\
         |---:|---|---:|---:|---:|---:|---:|---:|\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        unkai.display()
    );
    let mut ratios = Vec::new();
    for connections in [1, 64] {
        let bare = load(
            hello_port,
            &format!("127.0.0.1:{hello_port}"),
            connections,
            seconds,
            hello_pid,
        )
        .await?;
        let api = load(port, &api_host, connections, seconds, unkai_pid).await?;
        eprintln!(
            "  x{connections}: bare {:.0}/s p50 {}; API {:.0}/s p50 {}",
            bare.rate,
            us(bare.p50),
            api.rate,
            us(api.p50)
        );
        for (name, row) in [("bare hyper", &bare), ("HTTP API → function", &api)] {
            out.push_str(&format!(
                "| {connections} | {name} | {:.0} | {} | {} | {:.1} µs | {:.1} µs | {:.1} µs |\n",
                row.rate,
                us(row.p50),
                us(row.p99),
                row.server_cpu * 1e6,
                row.children_cpu * 1e6,
                row.client_cpu * 1e6,
            ));
        }
        // When client, server and function share the cores and keep them busy, throughput
        // goes as 1 / (CPU per request): were unkai's own share zero, the API's throughput
        // could reach at most this share of bare hyper's.
        let bound = (bare.server_cpu + bare.client_cpu) / (api.children_cpu + api.client_cpu);
        ratios.push((connections, api.rate / bare.rate, bound));
    }
    out.push_str("\nThroughput of the API as a share of bare hyper's: ");
    out.push_str(
        &ratios
            .iter()
            .map(|(connections, ratio, _)| format!("{:.0}% at {connections}", ratio * 100.0))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str(
        ".\n\nThe most it could be were unkai's own CPU zero, with the cores saturated (bare \
         hyper's server + client CPU over the function's + the client's): ",
    );
    out.push_str(
        &ratios
            .iter()
            .map(|(connections, _, bound)| format!("{:.0}% at {connections}", bound * 100.0))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str(" (meaningful where the cores are saturated: 64 connections).\n");
    println!("{out}");
    Ok(())
}
