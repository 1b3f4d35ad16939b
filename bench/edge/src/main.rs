//! Measures the real `unkai` binary: start-up to the first served request, idle memory, and
//! the server's CPU time per `GetCallerIdentity` (SigV4 verified on every request) at several
//! connection counts.
//!
//! `cargo build --release --bin unkai && cargo run --release -p unkai-bench-edge --
//!  [--binary target/release/unkai] [--seconds 5] [--connections 1,16,64]`
//!
//! The load client runs on the same machine and shares its cores, so requests/s is a floor;
//! CPU per request is read from the server process alone (`/proc/<pid>/stat`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use unkai_bench_proc::cpu_seconds;
use unkai_edge::sigv4::{self, SigningParams};

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

struct Server {
    child: Child,
    authority: String,
    data: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts unkai and returns it with the time from spawn to the first served health check.
fn start(binary: &Path, data: &Path) -> Result<(Server, Duration)> {
    let authority = format!("127.0.0.1:{}", free_port()?);
    let started = Instant::now();
    let child = Command::new(binary)
        .args(["up", "--listen", &authority, "--data-dir"])
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {}", binary.display()))?;
    let server = Server {
        child,
        authority,
        data: data.to_path_buf(),
    };
    loop {
        if health(&server.authority) {
            return Ok((server, started.elapsed()));
        }
        if started.elapsed() > Duration::from_secs(10) {
            bail!("unkai did not answer within 10 s");
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn health(authority: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(authority) else {
        return false;
    };
    let request =
        format!("GET /_unkai/health HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n");
    let mut response = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut response).is_ok()
        && response.starts_with("HTTP/1.1 200")
}

fn credentials(data: &Path) -> Result<(String, String)> {
    let key = unkai_server::DataDir::new(data)
        .credentials()
        .context("no credentials in the data directory")?;
    Ok((key.access_key_id, key.secret_access_key))
}

/// A signed GetCallerIdentity; the signature stays valid for 15 minutes.
fn signed_request(authority: &str, key: &str, secret: &str) -> Result<http::Request<Full<Bytes>>> {
    let mut request = http::Request::post("/")
        .header("host", authority)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(BODY.as_bytes())))?;
    sigv4::sign_request(
        &mut request,
        BODY.as_bytes(),
        &SigningParams {
            access_key_id: key,
            secret,
            region: "us-east-1",
            service: "sts",
            at: SystemTime::now(),
        },
    );
    Ok(request)
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("VmRSS value")?
        .parse()?)
}

async fn load(
    authority: &str,
    request: &http::Request<Full<Bytes>>,
    connections: usize,
    seconds: u64,
) -> Result<Vec<Duration>> {
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let stream = tokio::net::TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        let (stop, template) = (stop.clone(), request.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let at = Instant::now();
                let response = sender.send_request(template.clone()).await?;
                let status = response.status();
                response.into_body().collect().await?;
                if status != 200 {
                    bail!("GetCallerIdentity answered {status}");
                }
                latencies.push(at.elapsed());
            }
            Ok::<_, anyhow::Error>(latencies)
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    Ok(all)
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len().max(1) - 1) as f64 * q) as usize)
        .copied()
        .unwrap_or_default()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut binary = root.join("target/release/unkai");
    let mut seconds = 5;
    let mut connections = vec![1, 16, 64];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--binary" => binary = args.next().context("--binary PATH")?.into(),
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            "--connections" => {
                connections = args
                    .next()
                    .context("--connections 1,16")?
                    .split(',')
                    .map(str::parse)
                    .collect::<Result<_, _>>()?
            }
            other => bail!(
                "unknown argument {other:?}; usage: [--binary PATH] [--seconds N] [--connections 1,16,64]"
            ),
        }
    }
    println!("# unkai edge: start-up, memory, CPU per GetCallerIdentity\n");
    println!(
        "binary: {}, cores: {}\n",
        binary.display(),
        std::thread::available_parallelism()?
    );

    // Start-up: to the first served request, on a fresh data directory (which creates the
    // administrator and its key) and on an existing one.
    let mut fresh = Vec::new();
    let mut existing = Vec::new();
    for _ in 0..10 {
        let dir = tempfile::tempdir()?;
        let (server, took) = start(&binary, &dir.path().join("data"))?;
        fresh.push(took);
        drop(server);
        let (server, took) = start(&binary, &dir.path().join("data"))?;
        existing.push(took);
        drop(server);
    }
    fresh.sort();
    existing.sort();
    println!("| start-up to first served request | median | min | max |\n|---|---:|---:|---:|");
    for (name, runs) in [
        ("fresh data directory", &fresh),
        ("existing data directory", &existing),
    ] {
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms |",
            percentile(runs, 0.5).as_secs_f64() * 1e3,
            runs[0].as_secs_f64() * 1e3,
            runs[runs.len() - 1].as_secs_f64() * 1e3
        );
    }

    let dir = tempfile::tempdir()?;
    let (server, _) = start(&binary, &dir.path().join("data"))?;
    let pid = server.child.id();
    let (key, secret) = credentials(&server.data)?;
    let request = signed_request(&server.authority, &key, &secret)?;
    load(&server.authority, &request, 1, 1).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    println!(
        "\nidle RSS after start-up and a warm-up second of requests: {:.1} MiB\n",
        rss_kib(pid)? as f64 / 1024.0
    );

    println!(
        "| GetCallerIdentity | requests/s | p50 | p99 | server CPU per request |\n|---|---:|---:|---:|---:|"
    );
    for &connections in &connections {
        let cpu_before = cpu_seconds(pid)?;
        let started = Instant::now();
        let mut latencies = load(&server.authority, &request, connections, seconds).await?;
        let elapsed = started.elapsed().as_secs_f64();
        let cpu = cpu_seconds(pid)? - cpu_before;
        latencies.sort();
        println!(
            "| {connections} connection(s) | {:.0} | {:.0} µs | {:.0} µs | {:.1} µs |",
            latencies.len() as f64 / elapsed,
            percentile(&latencies, 0.5).as_secs_f64() * 1e6,
            percentile(&latencies, 0.99).as_secs_f64() * 1e6,
            cpu / latencies.len() as f64 * 1e6
        );
    }
    println!(
        "\nRSS after the load: {:.1} MiB",
        rss_kib(pid)? as f64 / 1024.0
    );
    Ok(())
}
