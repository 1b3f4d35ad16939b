//! One instance: a worker process, its Runtime API listener, the task that waits for it to
//! exit, and the task that turns its output into log events.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::process::Command;
use tokio::sync::{Notify, mpsc, oneshot, watch};
use unkai_types::Clock;
use unkai_types::ports::LogSink;

use crate::api::{self, Api};
use crate::logs::{self, Log};
use crate::sandbox::{self, Protection};
use crate::{Config, Function, INIT_TIMEOUT, Invocation, Outcome};

/// An invocation handed to the worker's `next`.
pub(crate) struct Job {
    pub request_id: String,
    pub payload: Bytes,
    pub invoked_arn: String,
    pub client_context: Option<String>,
    pub timeout: Duration,
    /// Told when the worker takes the job.
    pub picked: oneshot::Sender<Instant>,
    /// Where the worker's answer goes.
    pub reply: oneshot::Sender<Reply>,
}

/// What the worker posted for an invocation.
#[derive(Debug)]
pub(crate) enum Reply {
    Response(Bytes),
    Error(Bytes),
    /// A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`), with its
    /// content type, as it comes.
    Stream(Option<String>, mpsc::Receiver<Part>),
}

/// A piece of a streamed response.
#[derive(Debug)]
pub(crate) enum Part {
    /// Bytes of the response.
    Data(Bytes),
    /// The end; with the error document when the function failed midway (its trailers).
    End(Option<Bytes>),
}

/// Why an instance can run nothing more.
#[derive(Clone, Debug)]
pub(crate) enum Death {
    /// The worker reported that it could not initialize (the error document).
    InitError(Bytes),
    /// The process exited (`None` when waiting for it failed).
    Exited(Option<ExitStatus>),
    /// The kernel killed it for memory.
    OutOfMemory,
}

/// An invocation that did not end with the worker's answer.
#[derive(Debug)]
pub(crate) enum Failure {
    InitError {
        body: Bytes,
        tail: Option<String>,
    },
    /// Killed by the kernel for using more than its memory size.
    OutOfMemory {
        tail: Option<String>,
    },
    Timeout {
        tail: Option<String>,
    },
    Exited {
        status: Option<ExitStatus>,
        tail: Option<String>,
    },
}

pub(crate) struct Instance {
    /// The function revision it runs.
    pub revision: String,
    jobs: mpsc::Sender<Job>,
    dead: watch::Receiver<Option<Death>>,
    api: Arc<Api>,
    kill: Arc<Notify>,
    log: Log,
    clock: Clock,
    pid: u32,
    /// The peak memory last read, and when: reading `/proc` on every invocation costs more
    /// than a warm invocation's own work.
    memory: Mutex<Option<(Instant, u64)>>,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
    }
}

/// How stale the reported peak memory may be.
const MEMORY_REFRESH: Duration = Duration::from_secs(1);

/// Runtime families and how their workers start.
enum Family {
    Provided,
    Python,
    Node,
}

impl Family {
    fn of(runtime: &str) -> Option<Self> {
        if runtime.starts_with("provided") {
            Some(Self::Provided)
        } else if runtime.starts_with("python") {
            Some(Self::Python)
        } else if runtime.starts_with("nodejs") {
            Some(Self::Node)
        } else {
            None
        }
    }
}

/// Writes the bootstraps shipped with unkai under `dir/bootstraps`.
pub(crate) fn install_bootstraps(dir: &Path) -> std::io::Result<()> {
    for (path, text) in BOOTSTRAPS {
        let path = dir.join("bootstraps").join(path);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(*text) {
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            let temporary = path.with_extension("tmp");
            std::fs::write(&temporary, text)?;
            std::fs::rename(&temporary, &path)?;
        }
    }
    Ok(())
}

/// The bootstraps, compiled in.
const BOOTSTRAPS: &[(&str, &str)] = &[
    (
        "python/bootstrap.py",
        include_str!("../bootstraps/python/bootstrap.py"),
    ),
    (
        "node/bootstrap.mjs",
        include_str!("../bootstraps/node/bootstrap.mjs"),
    ),
];

impl Instance {
    /// Starts a worker for `function`. Returns once the process runs; it initializes while
    /// its first invocation waits for it.
    pub async fn spawn(
        config: &Config,
        sdk: Option<&Path>,
        protection: &Protection,
        clock: &Clock,
        sink: &Arc<dyn LogSink>,
        function: &Function,
        launchers: Option<&Arc<sandbox::Launchers>>,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let id = unkai_types::request_id().replace('-', "");
        let scratch = config.dir.join("instances").join(&id);
        let tmp = scratch.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        let uid = protection
            .separate_uid
            .then(|| sandbox::uid_for(&function.name));
        if let Some(uid) = uid {
            let owner = Some(nix::unistd::Uid::from_raw(uid));
            let group = Some(nix::unistd::Gid::from_raw(uid));
            nix::unistd::chown(&scratch, owner, group)?;
            nix::unistd::chown(&tmp, owner, group)?;
        }
        let stream = log_stream_name(clock, &function.version, &id);

        let family = Family::of(&function.runtime).ok_or_else(|| {
            std::io::Error::other(format!("unsupported runtime {}", function.runtime))
        })?;
        let (program, args, interpreter): (PathBuf, Vec<OsString>, Option<&Path>) = match family {
            Family::Provided => (function.code.join("bootstrap"), Vec::new(), None),
            Family::Python => (
                config.python.clone(),
                vec![
                    "-u".into(),
                    config.dir.join("bootstraps/python/bootstrap.py").into(),
                ],
                Some(&config.python),
            ),
            Family::Node => (
                config.node.clone(),
                vec![config.dir.join("bootstraps/node/bootstrap.mjs").into()],
                Some(&config.node),
            ),
        };
        let mut read = vec![function.code.clone(), config.dir.join("bootstraps")];
        read.extend(sdk.map(Path::to_owned));
        read.extend(interpreter.into_iter().flat_map(interpreter_roots));
        // A private /tmp would hide whatever the worker needs from the real /tmp (a data
        // directory there, as tests keep theirs): then its scratch directory is its TMPDIR.
        let private_tmp = protection.private_tmp
            && !read
                .iter()
                .chain([&function.code, &config.dir])
                .any(|path| path.starts_with("/tmp"));
        let tmp_dir = if private_tmp && launchers.is_some() {
            PathBuf::from("/tmp")
        } else {
            tmp.clone()
        };
        let env = environment(config, function, sdk, port, &stream, &tmp_dir);
        let started = Instant::now();
        let (mut child, reader, cgroup) = match launchers {
            Some(launchers) => {
                let plan = sandbox::Plan {
                    read,
                    write: vec![tmp.clone()],
                    private_tmp: private_tmp.then_some(function.ephemeral_storage_mb),
                    uid,
                    env,
                    cwd: Some(function.code.clone()),
                };
                let launched = launchers.launch(&plan, &program, &args, function.memory_mb)?;
                (launched.child, launched.output, launched.cgroup)
            }
            None => {
                let mut command = Command::new(&program);
                command
                    .args(&args)
                    .env_clear()
                    .envs(env)
                    .current_dir(&function.code)
                    .stdin(Stdio::null());
                let (child, reader) = sandbox::spawn_with_output(command)?;
                (child, reader, None)
            }
        };
        let pid = child.id().unwrap_or_default();

        let (jobs, receiver) = mpsc::channel(1);
        let (dead_sender, dead) = watch::channel(None);
        let api = Arc::new(Api {
            jobs: tokio::sync::Mutex::new(receiver),
            current: Mutex::new(None),
            dead: dead_sender,
            started,
            init: Mutex::new(None),
        });
        tokio::spawn(api::serve(listener, api.clone()));

        let kill = Arc::new(Notify::new());
        {
            let kill = kill.clone();
            let api = api.clone();
            let memory = protection.memory.clone();
            let cgroup = cgroup.clone();
            tokio::spawn(async move {
                let status = tokio::select! {
                    status = child.wait() => status.ok(),
                    () = kill.notified() => {
                        signal_group(pid);
                        child.wait().await.ok()
                    }
                };
                // Whatever the worker started goes with it.
                signal_group(pid);
                let oom = match (&memory, &cgroup) {
                    (Some(cgroups), Some(dir)) => cgroups.oom_killed(dir),
                    _ => false,
                };
                if oom {
                    api.dead.send_if_modified(|dead| {
                        dead.is_none()
                            .then(|| *dead = Some(Death::OutOfMemory))
                            .is_some()
                    });
                }
                if let Some(dir) = cgroup {
                    let _ = tokio::task::spawn_blocking(move || crate::cgroup::remove(&dir)).await;
                }
                api.dead.send_if_modified(|dead| {
                    dead.is_none()
                        .then(|| *dead = Some(Death::Exited(status)))
                        .is_some()
                });
                let _ =
                    tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&scratch)).await;
            });
        }

        let log = logs::spawn(
            reader,
            sink.clone(),
            clock.clone(),
            function.log_group(),
            stream,
        )?;
        Ok(Self {
            revision: function.revision.clone(),
            jobs,
            dead,
            api,
            kill,
            log,
            clock: clock.clone(),
            pid,
            memory: Mutex::new(None),
        })
    }

    /// Whether the worker may still run invocations.
    pub fn alive(&self) -> bool {
        self.dead.borrow().is_none()
    }

    /// Stops the worker (and every process it started).
    pub fn kill(&self) {
        self.kill.notify_one();
    }

    /// Runs one invocation on this instance.
    pub async fn invoke(
        &self,
        function: &Function,
        invocation: &Invocation,
        sink: Option<&mpsc::Sender<crate::Streamed>>,
    ) -> Result<Outcome, Failure> {
        let (picked, picked_receiver) = oneshot::channel();
        let (reply, reply_receiver) = oneshot::channel();
        let job = Job {
            request_id: invocation.request_id.clone(),
            payload: invocation.payload.clone(),
            invoked_arn: invocation.invoked_arn.clone(),
            client_context: invocation.client_context.clone(),
            timeout: function.timeout,
            picked,
            reply,
        };
        let mut dead = self.dead.clone();
        let request_id = &invocation.request_id;
        // START goes in before the worker can take the job, so that everything it prints for
        // this invocation comes after it.
        self.log
            .start(request_id, &function.version, invocation.tail);
        if self.jobs.send(job).await.is_err() {
            return Err(self.died(None));
        }
        let picked = tokio::select! {
            picked = picked_receiver => match picked {
                Ok(at) => at,
                Err(_) => return Err(self.died(None)),
            },
            _ = dead.wait_for(Option::is_some) => return Err(self.died(None)),
            () = tokio::time::sleep(INIT_TIMEOUT) => return Err(Failure::Timeout { tail: None }),
        };
        enum Ending {
            Reply(Reply),
            Timeout,
            Died,
        }
        let deadline = tokio::time::Instant::from(picked + function.timeout);
        let mut ending = tokio::select! {
            reply = reply_receiver => match reply {
                Ok(reply) => Ending::Reply(reply),
                Err(_) => Ending::Died,
            },
            _ = dead.wait_for(Option::is_some) => Ending::Died,
            () = tokio::time::sleep_until(deadline) => Ending::Timeout,
        };
        let mut streamed = false;
        if let Ending::Reply(Reply::Stream(content_type, mut parts)) = ending {
            // Forward the stream to the caller (or gather it, for a caller that waits for the
            // whole response), within the same timeout.
            streamed = sink.is_some();
            if let Some(sink) = sink {
                let content_type =
                    content_type.unwrap_or_else(|| "application/octet-stream".to_owned());
                let _ = sink.send(crate::Streamed::ContentType(content_type)).await;
            }
            let mut gathered = Vec::new();
            let died = async {
                let _ = dead.wait_for(Option::is_some).await;
            };
            let mut died = std::pin::pin!(died);
            ending = loop {
                tokio::select! {
                    part = parts.recv() => match part {
                        Some(Part::Data(bytes)) => match sink {
                            Some(sink) => {
                                let _ = sink.send(crate::Streamed::Data(bytes)).await;
                            }
                            None if gathered.len() + bytes.len() > crate::MAX_RESPONSE => {
                                break Ending::Reply(Reply::Error(crate::error_document(
                                    "Function.ResponseSizeTooLarge",
                                    &format!(
                                        "Response payload size exceeded maximum allowed payload \
                                         size ({} bytes).",
                                        crate::MAX_RESPONSE
                                    ),
                                )));
                            }
                            None => gathered.extend_from_slice(&bytes),
                        },
                        Some(Part::End(Some(error))) => break Ending::Reply(Reply::Error(error)),
                        Some(Part::End(None)) | None => {
                            break Ending::Reply(Reply::Response(Bytes::from(gathered)));
                        }
                    },
                    () = &mut died => break Ending::Died,
                    () = tokio::time::sleep_until(deadline) => break Ending::Timeout,
                }
            };
        }
        let duration = picked.elapsed();
        if matches!(ending, Ending::Timeout) {
            self.kill();
        }
        // Killed for memory, it used all it had.
        let out_of_memory = matches!(*self.dead.borrow(), Some(Death::OutOfMemory));
        let max_memory = if out_of_memory {
            u64::from(function.memory_mb)
        } else {
            self.max_memory_mb()
        };
        let report = report_line(
            request_id,
            duration,
            function.memory_mb,
            max_memory,
            self.cold_start_init(),
        );
        let note = match ending {
            Ending::Timeout => Some(format!(
                "{} {request_id} Task timed out after {:.2} seconds",
                iso_millis(&self.clock),
                function.timeout.as_secs_f64()
            )),
            _ => None,
        };
        let tail = self.log.end(request_id, note, report);
        match ending {
            Ending::Reply(Reply::Response(payload)) => Ok(Outcome {
                payload,
                function_error: false,
                log_tail: tail,
                duration: Some(duration),
                streamed,
            }),
            Ending::Reply(Reply::Error(payload)) => Ok(Outcome {
                payload,
                function_error: true,
                log_tail: tail,
                duration: Some(duration),
                streamed,
            }),
            Ending::Reply(Reply::Stream(..)) => Err(Failure::Exited { status: None, tail }),
            Ending::Timeout => Err(Failure::Timeout { tail }),
            Ending::Died => Err(self.died(tail)),
        }
    }

    /// The worker's peak memory in MB, read again at most once a second.
    fn max_memory_mb(&self) -> u64 {
        let mut memory = crate::lock(&self.memory);
        match *memory {
            Some((read, mb)) if read.elapsed() < MEMORY_REFRESH => mb,
            _ => {
                let mb = max_memory_mb(self.pid);
                *memory = Some((Instant::now(), mb));
                mb
            }
        }
    }

    /// The init duration to report: on the first invocation of the instance only.
    fn cold_start_init(&self) -> Option<Duration> {
        let mut init = crate::lock(&self.api.init);
        // Taken once; `Some(ZERO)` afterwards keeps `next` from measuring again.
        match *init {
            Some(duration) if duration > Duration::ZERO => {
                *init = Some(Duration::ZERO);
                Some(duration)
            }
            _ => None,
        }
    }

    fn died(&self, tail: Option<String>) -> Failure {
        match self.dead.borrow().clone() {
            Some(Death::InitError(body)) => Failure::InitError { body, tail },
            Some(Death::Exited(status)) => Failure::Exited { status, tail },
            Some(Death::OutOfMemory) => Failure::OutOfMemory { tail },
            None => Failure::Exited { status: None, tail },
        }
    }
}

/// The directories an interpreter needs: the installation it belongs to (`…/bin/python3` →
/// `…`), for the path as configured and as resolved (a virtual environment and its base).
fn interpreter_roots(interpreter: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let located = if interpreter.is_absolute() {
        Some(interpreter.to_owned())
    } else {
        ["/usr/local/bin", "/usr/bin", "/bin"]
            .iter()
            .map(|dir| Path::new(dir).join(interpreter))
            .find(|path| path.exists())
    };
    for path in located
        .iter()
        .cloned()
        .chain(located.iter().filter_map(|path| path.canonicalize().ok()))
    {
        if let Some(root) = path.parent().and_then(Path::parent) {
            found.push(root.to_owned());
        }
    }
    found
}

fn signal_group(pid: u32) {
    if let Ok(pid) = i32::try_from(pid)
        && pid > 0
    {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

/// The standard Lambda environment, then the function's own variables.
fn environment(
    config: &Config,
    function: &Function,
    sdk: Option<&Path>,
    port: u16,
    stream: &str,
    tmp: &Path,
) -> Vec<(String, String)> {
    let code = function.code.display().to_string();
    let mut env: Vec<(String, String)> = [
        ("PATH", "/usr/local/bin:/usr/bin:/bin".to_owned()),
        ("LANG", "en_US.UTF-8".to_owned()),
        ("TZ", ":UTC".to_owned()),
        ("LAMBDA_TASK_ROOT", code.clone()),
        (
            "LAMBDA_RUNTIME_DIR",
            config.dir.join("bootstraps").display().to_string(),
        ),
        ("_HANDLER", function.handler.clone()),
        ("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}")),
        ("AWS_LAMBDA_FUNCTION_NAME", function.name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", function.version.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            function.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_LOG_GROUP_NAME", function.log_group()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", stream.to_owned()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_owned()),
        (
            "AWS_EXECUTION_ENV",
            format!("AWS_Lambda_{}", function.runtime),
        ),
        ("AWS_REGION", config.region.clone()),
        ("AWS_DEFAULT_REGION", config.region.clone()),
        ("AWS_ENDPOINT_URL", config.endpoint.clone()),
        (
            "AWS_ACCESS_KEY_ID",
            function.credentials.access_key_id.clone(),
        ),
        (
            "AWS_SECRET_ACCESS_KEY",
            function.credentials.secret_access_key.clone(),
        ),
        ("TMPDIR", tmp.display().to_string()),
        // Workers' users have no home of their own; SDKs look for ~/.aws.
        ("HOME", tmp.display().to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect();
    // The function's own code first, then the shared SDK, as on Lambda.
    let sdk = sdk.map(|dir| dir.display().to_string());
    let mut python_path = vec![code.clone()];
    let mut node_path = vec![format!("{code}/node_modules")];
    if function.runtime.starts_with("python") {
        python_path.extend(sdk);
    } else {
        node_path.extend(sdk);
    }
    env.push(("PYTHONPATH".into(), python_path.join(":")));
    env.push(("NODE_PATH".into(), node_path.join(":")));
    if let Some(token) = &function.credentials.session_token {
        env.push(("AWS_SESSION_TOKEN".into(), token.clone()));
    }
    env.extend(function.environment.iter().cloned());
    env
}

/// `2024/01/31/[$LATEST]0123456789abcdef0123456789abcdef`.
fn log_stream_name(clock: &Clock, version: &str, id: &str) -> String {
    let date = unkai_types::iso8601(clock.unix_seconds());
    format!(
        "{}/{}/{}/[{version}]{id}",
        &date[0..4],
        &date[5..7],
        &date[8..10]
    )
}

/// `2024-01-31T12:00:00.123Z`.
pub(crate) fn iso_millis(clock: &Clock) -> String {
    let now = clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = unkai_types::iso8601(now.as_secs());
    format!(
        "{}.{:03}Z",
        seconds.trim_end_matches('Z'),
        now.subsec_millis()
    )
}

/// Lambda's `REPORT` line, tab-separated, with `Init Duration` on a cold start.
fn report_line(
    request_id: &str,
    duration: Duration,
    memory_mb: u32,
    max_memory_mb: u64,
    init: Option<Duration>,
) -> String {
    let billed = (duration.as_micros().div_ceil(1000)).max(1);
    let mut line = format!(
        "REPORT RequestId: {request_id}\tDuration: {} ms\tBilled Duration: {billed} ms\t\
         Memory Size: {memory_mb} MB\tMax Memory Used: {max_memory_mb} MB\t",
        Millis(duration)
    );
    if let Some(init) = init {
        let _ = write!(line, "Init Duration: {} ms\t", Millis(init));
    }
    line
}

/// A duration in milliseconds with two decimals (`2.15`), rounded half up, without going
/// through floating point (the REPORT line is written once per invocation).
struct Millis(Duration);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hundredths = (self.0.as_nanos() + 5_000) / 10_000;
        write!(f, "{}.{:02}", hundredths / 100, hundredths % 100)
    }
}

/// The worker's peak resident memory in MB (`VmHWM`).
fn max_memory_mb(pid: u32) -> u64 {
    read_proc(&format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .map_or(0, |kb| kb.div_ceil(1024))
}

/// A file under `/proc`, read into a buffer sized for it at once: `read_to_string` starts
/// from the size `stat` reports, zero there, and probes with a read of 32 bytes, then 64…
fn read_proc(path: &str) -> std::io::Result<String> {
    use std::io::Read as _;
    let mut text = String::with_capacity(4096);
    std::fs::File::open(path)?.read_to_string(&mut text)?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_lines_are_lambdas() {
        let line = report_line(
            "7b6bc9b0-1f3a-4a6e-9c3e-0d2f1e0c9a11",
            Duration::from_micros(2_151),
            128,
            39,
            Some(Duration::from_micros(130_120)),
        );
        assert_eq!(
            line,
            "REPORT RequestId: 7b6bc9b0-1f3a-4a6e-9c3e-0d2f1e0c9a11\tDuration: 2.15 ms\t\
             Billed Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 39 MB\t\
             Init Duration: 130.12 ms\t"
        );
    }

    #[test]
    fn millis_have_two_decimals_rounded_half_up() {
        let shown = |nanos: u64| Millis(Duration::from_nanos(nanos)).to_string();
        assert_eq!(shown(0), "0.00");
        assert_eq!(shown(4_999), "0.00");
        assert_eq!(shown(5_000), "0.01");
        assert_eq!(shown(999_999), "1.00");
        assert_eq!(shown(1_005_000), "1.01");
        assert_eq!(shown(12_000_000_000), "12000.00");
    }
}
