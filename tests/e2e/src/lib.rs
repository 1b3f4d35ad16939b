//! The end-to-end harness: starts the real `unkai` binary on a free port with its own data
//! directory, and gives tests what they need to drive it with the official AWS SDKs
//! ([`Unkai::sdk_config`]), boto3 and the AWS CLI ([`Unkai::python`], [`Unkai::aws_cli`]).
//!
//! The binary is built on first use (`cargo build --bin unkai`), unless `UNKAI_BIN` names one.
//! The Python tools live in a virtual environment (`UNKAI_TEST_VENV`, default `.venv` at the
//! repository root), created on first use when missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use aws_credential_types::Credentials;
use aws_types::SdkConfig;
use aws_types::region::Region;

pub use unkai_testkit::{free_port, postgres, repo_root};

/// The `unkai` binary, built on first use.
pub fn unkai_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("UNKAI_BIN") {
                return PathBuf::from(path);
            }
            // target/<profile>/deps/<test> → target/<profile>
            let exe = std::env::current_exe().expect("the test executable's path");
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("target/<profile>");
            let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
                Some("debug") => "dev",
                Some(other) => other,
                None => "dev",
            };
            let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["build", "--quiet", "--bin", "unkai", "--profile", profile])
                .current_dir(repo_root())
                .status()
                .expect("run cargo build --bin unkai");
            assert!(status.success(), "cargo build --bin unkai failed");
            profile_dir.join("unkai")
        })
        .clone()
}

/// How to start unkai.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    /// `--store`: a PostgreSQL URL.
    pub store: Option<String>,
    /// `--durability`.
    pub durability: Option<&'static str>,
    /// `--dev-credentials`.
    pub dev_credentials: bool,
    /// Extra arguments after `up`.
    pub args: Vec<String>,
}

/// The test environment's `site-packages` (boto3): what functions get as `python_sdk`, as
/// Lambda's Python runtimes include boto3.
pub fn site_packages() -> PathBuf {
    let lib = venv().join("lib");
    std::fs::read_dir(&lib)
        .expect("the test environment's lib directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("site-packages"))
        .find(|path| path.is_dir())
        .unwrap_or_else(|| panic!("no site-packages under {}", lib.display()))
}

/// A fresh directory under the target directory rather than /tmp, so that functions' workers
/// get their private /tmp (which would hide a data or code directory kept in /tmp).
pub fn scratch_dir() -> tempfile::TempDir {
    let parent = std::env::current_exe()
        .ok()
        .and_then(|exe| {
            exe.ancestors()
                .find(|dir| dir.file_name().is_some_and(|name| name == "deps"))
                .and_then(|deps| deps.parent()?.parent())
                .map(|target| target.join("e2e-data"))
        })
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent).expect("create the data directories' parent");
    tempfile::Builder::new()
        .prefix("unkai-")
        .tempdir_in(&parent)
        .expect("a temporary data directory")
}

/// A running unkai.
pub struct Unkai {
    child: Option<Child>,
    data: Arc<tempfile::TempDir>,
    launch: Launch,
    endpoint: String,
    banner: Vec<String>,
    started_in: Duration,
}

impl Unkai {
    /// Starts unkai with a fresh data directory.
    pub fn start() -> Self {
        Self::launch(Launch::default())
    }

    /// Starts unkai as `launch` says, with a fresh data directory.
    pub fn launch(launch: Launch) -> Self {
        let data = Arc::new(scratch_dir());
        Self::spawn(data, launch).unwrap_or_else(|error| panic!("unkai did not start: {error:#}"))
    }

    fn spawn(data: Arc<tempfile::TempDir>, launch: Launch) -> Result<Self> {
        let mut command = Command::new(unkai_binary());
        command
            .arg("up")
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data.path());
        if let Some(store) = &launch.store {
            command.arg("--store").arg(store);
        }
        if let Some(durability) = launch.durability {
            command.arg("--durability").arg(durability);
        }
        if launch.dev_credentials {
            command.arg("--dev-credentials");
        }
        command.args(&launch.args);
        command
            .env_remove("UNKAI_CONFIG")
            .env("UNKAI_LOG", "warn")
            // Tests that need an SDK say where it is; none prepares one over the network.
            .env("UNKAI_PREPARE_SDKS", "false")
            // https servers of the tests show certificates of the test CA.
            .env(
                "SSL_CERT_FILE",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../crates/edge/tests/tls/ca.pem"),
            )
            .current_dir(data.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command.spawn().context("spawn unkai")?;
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        let errors = Arc::new(std::sync::Mutex::new(String::new()));
        let sink = errors.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut text) = sink.lock()
                    && text.len() < 64 * 1024
                {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        });
        let (lines, banner) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen: Vec<String> = Vec::new();
        // The banner ends with the "use it" line.
        while !seen
            .last()
            .is_some_and(|line| line.trim_start().starts_with("use it"))
        {
            match banner.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => seen.push(line),
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    std::thread::sleep(Duration::from_millis(100));
                    let stderr = errors.lock().map(|text| text.clone()).unwrap_or_default();
                    bail!("unkai printed {seen:?} and stopped; stderr: {stderr}");
                }
            }
        }
        let endpoint = seen
            .iter()
            .find_map(|line| line.trim().strip_prefix("endpoint"))
            .map(|rest| rest.trim().to_string())
            .context("no endpoint in the banner")?;
        let started_in = started.elapsed();
        // Keep draining the banner so the child never blocks on a full pipe.
        std::thread::spawn(move || while banner.recv().is_ok() {});
        Ok(Self {
            child: Some(child),
            data,
            launch,
            endpoint,
            banner: seen,
            started_in,
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// `127.0.0.1:<port>`.
    pub fn authority(&self) -> &str {
        self.endpoint.trim_start_matches("http://")
    }

    /// What `unkai up` printed before serving.
    pub fn banner(&self) -> &[String] {
        &self.banner
    }

    /// From spawning the process to the banner's endpoint line.
    pub fn started_in(&self) -> Duration {
        self.started_in
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or_default()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        self.data.path()
    }

    /// The administrator's access key and secret.
    pub fn credentials(&self) -> (String, String) {
        let key = unkai_server::DataDir::new(self.data.path())
            .credentials()
            .expect("the data directory holds credentials");
        (key.access_key_id, key.secret_access_key)
    }

    /// An SDK configuration for this unkai with the administrator's key.
    pub fn sdk_config(&self) -> SdkConfig {
        let (key, secret) = self.credentials();
        self.sdk_config_with(&key, &secret)
    }

    /// An SDK configuration for this unkai with the given key.
    pub fn sdk_config_with(&self, access_key_id: &str, secret: &str) -> SdkConfig {
        SdkConfig::builder()
            .endpoint_url(&self.endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
                    access_key_id,
                    secret,
                    None,
                    None,
                    "unkai-e2e",
                )),
            )
            .http_client(aws_smithy_http_client::Builder::new().build_http())
            .behavior_version(
                aws_smithy_runtime_api::client::behavior_version::BehaviorVersion::latest(),
            )
            .build()
    }

    /// The environment that points AWS tools at this unkai.
    pub fn aws_env(&self) -> Vec<(String, String)> {
        let (key, secret) = self.credentials();
        vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID".into(), key),
            ("AWS_SECRET_ACCESS_KEY".into(), secret),
            ("AWS_REGION".into(), "us-east-1".into()),
            ("AWS_DEFAULT_REGION".into(), "us-east-1".into()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
        ]
    }

    /// Runs a Python program of the test venv (boto3, awscli and pytest installed) against
    /// this unkai.
    pub fn python(&self, args: &[&str]) -> Output {
        let mut command = Command::new(venv().join("bin/python"));
        command
            .args(args)
            .envs(self.aws_env())
            .env("UNKAI_DATA_DIR", self.data_dir());
        command.output().expect("run python")
    }

    /// Runs the AWS CLI against this unkai.
    pub fn aws_cli(&self, args: &[&str]) -> Output {
        Command::new(venv().join("bin/aws"))
            .args(args)
            .envs(self.aws_env())
            .output()
            .expect("run the aws CLI")
    }

    /// Runs `unkai <args>` against this unkai's data directory.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(unkai_binary())
            .args(args)
            .env("UNKAI_DATA_DIR", self.data_dir())
            .env_remove("UNKAI_CONFIG")
            .current_dir(self.data_dir())
            .output()
            .expect("run unkai")
    }

    /// Kills the server with SIGKILL: no shutdown, no flush.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Asks the server to stop with `signal` (`TERM`, `INT`) and waits for it to exit.
    pub fn stop_with(&mut self, signal: &str) -> ExitStatus {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
        self.stop_after_signal()
    }

    /// Waits for the server to exit after a signal was sent to it by other means.
    pub fn stop_after_signal(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(status) = child.try_wait().expect("wait for unkai") {
                return status;
            }
            assert!(Instant::now() < deadline, "unkai did not stop within 40 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the server again on the same data directory (after [`Unkai::kill`] or a stop).
    pub fn restart(&mut self) {
        self.kill();
        let next = Self::spawn(self.data.clone(), self.launch.clone())
            .unwrap_or_else(|error| panic!("unkai did not restart: {error:#}"));
        *self = next;
    }
}

impl Drop for Unkai {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The Python virtual environment with boto3, awscli and pytest, created on first use.
pub fn venv() -> PathBuf {
    static VENV: OnceLock<PathBuf> = OnceLock::new();
    VENV.get_or_init(|| {
        let dir = std::env::var_os("UNKAI_TEST_VENV")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo_root().join(".venv"));
        ensure_venv(&dir).unwrap_or_else(|error| {
            panic!(
                "cannot prepare the Python test environment at {}: {error:#}\n\
                 Run the README's test command (.ci/run), which creates it.",
                dir.display()
            )
        });
        dir
    })
    .clone()
}

const PYTHON_PACKAGES: &[&str] = &["boto3", "awscli", "pytest"];

fn ensure_venv(dir: &Path) -> Result<()> {
    let ready = |dir: &Path| {
        Command::new(dir.join("bin/python"))
            .args(["-c", "import boto3, pytest, awscli"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if ready(dir) {
        return Ok(());
    }
    std::fs::create_dir_all(dir.parent().unwrap_or(Path::new("/")))?;
    let lock = std::fs::File::create(dir.with_extension("lock"))?;
    lock.lock()?;
    if ready(dir) {
        return Ok(());
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let status = Command::new(&python)
        .args(["-m", "venv"])
        .arg(dir)
        .status()?;
    if !status.success() {
        bail!("{python} -m venv failed");
    }
    let status = Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check"])
        .args(PYTHON_PACKAGES)
        .status()?;
    if !status.success() {
        bail!("pip install {} failed", PYTHON_PACKAGES.join(" "));
    }
    Ok(())
}

/// Asserts that a process succeeded, showing its output when it did not.
pub fn assert_success(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}
