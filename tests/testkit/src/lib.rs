//! Test support shared by every crate's tests: a throwaway PostgreSQL cluster started from the
//! distribution's binaries, free ports, the repository root. Nothing here knows unkai.
#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("testkit lives two levels below the root")
        .to_path_buf()
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind an ephemeral port")
}

/// A PostgreSQL cluster that lives as long as the test process.
#[derive(Debug)]
pub struct PostgresCluster {
    port: u16,
    bin: PathBuf,
}

impl PostgresCluster {
    /// A URL for the cluster's `postgres` database as the trusted superuser `unkai`.
    pub fn url(&self) -> String {
        format!("postgres://unkai@127.0.0.1:{}/postgres", self.port)
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Creates an empty database and returns its URL.
    pub fn create_database(&self) -> String {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let name = format!(
            "db_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let status = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "unkai",
                &name,
            ])
            .status()
            .expect("run createdb");
        assert!(status.success(), "createdb {name} failed");
        format!("postgres://unkai@127.0.0.1:{}/{name}", self.port)
    }
}

/// The test process's PostgreSQL cluster, started on first use. A watchdog stops it and removes
/// its files once the test process has exited.
pub fn postgres() -> &'static PostgresCluster {
    static CLUSTER: OnceLock<PostgresCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        start_postgres().unwrap_or_else(|error| {
            panic!(
                "cannot start PostgreSQL for the tests: {error:#}\n\
                 Run the README's test command (.ci/run), which installs the distribution's \
                 postgresql package, or install it yourself."
            )
        })
    })
}

fn postgres_bin_dir() -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("postgres").exists())
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let on_path = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .context("look for initdb")?;
    let path = String::from_utf8_lossy(&on_path.stdout).trim().to_string();
    match Path::new(&path)
        .canonicalize()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
    {
        Some(dir) if on_path.status.success() => Ok(dir),
        _ => bail!("no PostgreSQL server binaries (initdb, postgres) found"),
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("Uid:"))
                .map(|line| line.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A command that runs as the `postgres` user when we are root (PostgreSQL refuses root).
fn as_postgres(program: &Path) -> Command {
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn start_postgres() -> Result<PostgresCluster> {
    let bin = postgres_bin_dir()?;
    let dir = std::env::temp_dir().join(format!(
        "unkai-pg-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::create_dir_all(&dir).context("create the cluster directory")?;
    if is_root() {
        let status = Command::new("chown")
            .args(["postgres:"])
            .arg(&dir)
            .status()
            .context("chown the cluster directory to postgres")?;
        if !status.success() {
            bail!("chown postgres {} failed", dir.display());
        }
    }
    let data = dir.join("data");
    let output = as_postgres(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "unkai", "--auth=trust", "-E", "UTF8", "--no-sync"])
        .stdin(Stdio::null())
        .output()
        .context("run initdb")?;
    if !output.status.success() {
        bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let port = free_port();
    // The watchdog: runs postgres, and stops it and removes its files when this process ends.
    let script = format!(
        "{postgres} -D {data} -p {port} -k {dir} -h 127.0.0.1 -c fsync=off \
         -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
         >{dir}/log 2>&1 & pg=$!; \
         while [ -d /proc/{parent} ] && [ -d /proc/$pg ]; do sleep 0.5; done; \
         kill -INT $pg 2>/dev/null; wait $pg; rm -rf {dir}",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        dir = dir.display(),
        parent = std::process::id(),
    );
    as_postgres(Path::new("/bin/sh"))
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("start postgres")?;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .map(|status| status.success())
            .unwrap_or(false);
        if ready {
            return Ok(PostgresCluster { port, bin });
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
            bail!("postgres did not become ready within 30 s; its log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
