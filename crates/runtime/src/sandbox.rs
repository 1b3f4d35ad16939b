//! The worker sandbox. Workers are started through unkai's own binary (`unkai __sandbox`),
//! which reads its worker's [`Plan`] on stdin, confines itself and then executes the worker,
//! so the server never forks and needs no unsafe code. A few launchers are started ahead of
//! need ([`Launchers`]): a cold start then costs the confinement and the worker's own start,
//! not one more program start of the (large) unkai binary.
//!
//! The confinement:
//!
//! 1. with `--private-tmp` (unkai runs as root): a mount namespace of its own and a fresh
//!    `tmpfs` on `/tmp`, sized like the function's ephemeral storage;
//! 2. Landlock (where the kernel has it): the worker may read and execute the system's
//!    directories, its interpreter, its own code and the shared SDKs, and write only `/tmp`
//!    (or its own scratch directory) and `/dev`; unkai's data directory, other functions'
//!    code and everything else are out of reach. Signals to processes outside the sandbox
//!    are refused where the kernel scopes them (Landlock ABI 6);
//! 3. with `--uid`: a user of its own (one per function), so `/proc` and signals of other
//!    functions' workers are out of reach too.
//!
//! What applies on this machine is probed once ([`probe`]) and reported by `unkai up`.

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use landlock::{
    ABI, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreated, RulesetCreatedAttr, RulesetStatus,
    Scope,
};

/// The hidden subcommand of the unkai binary that starts a worker inside the sandbox.
pub const SUBCOMMAND: &str = "__sandbox";

/// The system directories every worker may read and execute from.
const SYSTEM: &[&str] = &[
    "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/opt", "/proc", "/sys", "/run",
    "/var/lib", "/nix",
];

const ABI_USED: ABI = ABI::V3;

/// What the sandbox can do on this machine.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Protection {
    /// Landlock confines workers' file access.
    pub landlock: bool,
    /// Each worker gets a private `/tmp`.
    pub private_tmp: bool,
    /// Each function's workers run as a user of their own.
    pub separate_uid: bool,
    /// Memory limits through this cgroup hierarchy.
    pub memory: Option<crate::cgroup::Cgroups>,
}

impl std::fmt::Display for Protection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.landlock && !self.private_tmp && !self.separate_uid && self.memory.is_none() {
            return write!(
                f,
                "not sandboxed: workers run as unkai's user, with its access"
            );
        }
        let mut parts = Vec::new();
        parts.push(if self.landlock {
            "Landlock file access rules"
        } else {
            "no Landlock (the kernel lacks it): workers can read what unkai's user can"
        });
        parts.push(if self.private_tmp {
            "a private /tmp each"
        } else {
            "TMPDIR in a scratch directory of their own"
        });
        parts.push(if self.separate_uid {
            "a user id per function"
        } else {
            "unkai's own user id"
        });
        parts.push(match self.memory {
            Some(crate::cgroup::Cgroups::V2(_)) => "memory limits (cgroup v2)",
            Some(crate::cgroup::Cgroups::V1(_)) => "memory limits (cgroup v1)",
            None => "memory measured, not limited (no writable memory cgroup)",
        });
        write!(f, "{}", parts.join(", "))
    }
}

/// How to start one worker.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Directories (or files) it may read and execute.
    pub read: Vec<PathBuf>,
    /// Directories it may also write.
    pub write: Vec<PathBuf>,
    /// Mount a private `/tmp` of this many MB.
    pub private_tmp: Option<u32>,
    /// Run as this user and group.
    pub uid: Option<u32>,
    /// The worker's whole environment.
    pub env: Vec<(String, String)>,
    /// The worker's working directory.
    pub cwd: Option<PathBuf>,
}

impl Plan {
    /// The launcher's arguments for running `program` under this plan.
    fn arguments(&self, program: &Path, args: &[OsString]) -> Vec<OsString> {
        let mut out: Vec<OsString> = Vec::new();
        for path in &self.read {
            out.push("--read".into());
            out.push(path.into());
        }
        for path in &self.write {
            out.push("--write".into());
            out.push(path.into());
        }
        if let Some(size) = self.private_tmp {
            out.push("--private-tmp".into());
            out.push(size.to_string().into());
        }
        if let Some(uid) = self.uid {
            out.push("--uid".into());
            out.push(uid.to_string().into());
        }
        for (key, value) in &self.env {
            out.push("--env".into());
            out.push(format!("{key}={value}").into());
        }
        if let Some(cwd) = &self.cwd {
            out.push("--cwd".into());
            out.push(cwd.into());
        }
        out.push("--".into());
        out.push(program.into());
        out.extend(args.iter().cloned());
        out
    }

    /// The plan, program and arguments in a launcher's `message`.
    fn parse(message: &[u8]) -> std::io::Result<(Self, OsString, Vec<OsString>)> {
        let message = message.strip_suffix(&[0]).unwrap_or(message);
        let mut args = message
            .split(|byte| *byte == 0)
            .map(|part| OsString::from_vec(part.to_vec()));
        let mut plan = Plan::default();
        let number = |value: Option<OsString>| value.and_then(|value| value.to_str()?.parse().ok());
        while let Some(arg) = args.next() {
            match arg.to_str() {
                Some("--read") => plan.read.extend(args.next().map(PathBuf::from)),
                Some("--write") => plan.write.extend(args.next().map(PathBuf::from)),
                Some("--private-tmp") => plan.private_tmp = number(args.next()),
                Some("--uid") => plan.uid = number(args.next()),
                Some("--env") => {
                    let pair = args.next().and_then(|pair| pair.into_string().ok());
                    if let Some((key, value)) =
                        pair.as_deref().and_then(|pair| pair.split_once('='))
                    {
                        plan.env.push((key.to_owned(), value.to_owned()));
                    }
                }
                Some("--cwd") => plan.cwd = args.next().map(PathBuf::from),
                Some("--") => {
                    let program = args.next().ok_or_else(|| {
                        std::io::Error::other("the sandbox needs a program after --")
                    })?;
                    return Ok((plan, program, args.collect()));
                }
                _ => {
                    return Err(std::io::Error::other(format!(
                        "unknown sandbox argument {arg:?}"
                    )));
                }
            }
        }
        Err(std::io::Error::other(
            "the sandbox needs a program after --",
        ))
    }

    /// What a launcher reads on stdin: the arguments, each ended by a NUL byte.
    fn message(&self, program: &Path, args: &[OsString]) -> Vec<u8> {
        let mut message = Vec::new();
        for arg in self.arguments(program, args) {
            message.extend_from_slice(arg.as_bytes());
            message.push(0);
        }
        message
    }
}

/// The launcher: `args` are what follows the subcommand. Does what does not depend on the
/// worker (joins its memory cgroup, takes a mount namespace of its own, opens the system's
/// Landlock rules), then waits for the worker's plan on stdin, confines itself by it and
/// executes the worker; returns only when that failed.
pub fn enter(args: impl IntoIterator<Item = OsString>) -> std::io::Error {
    match launch(args) {
        Ok(never) => match never {},
        Err(error) => error,
    }
}

fn launch(args: impl IntoIterator<Item = OsString>) -> std::io::Result<std::convert::Infallible> {
    let (mut cgroup, mut unshare) = (None, false);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--probe") => {
                let protection = probe_here();
                println!(
                    "landlock={} private_tmp={}",
                    protection.landlock, protection.private_tmp
                );
                std::process::exit(0);
            }
            Some("--cgroup") => cgroup = args.next().map(PathBuf::from),
            Some("--unshare") => unshare = true,
            Some("--stdin") => {}
            _ => {
                return Err(std::io::Error::other(format!(
                    "unknown sandbox argument {arg:?}"
                )));
            }
        }
    }
    // Ahead of the plan, while this launcher waits for a worker to start.
    if let Some(dir) = &cgroup {
        crate::cgroup::join(dir)?;
    }
    if unshare {
        private_namespace()?;
    }
    let ruleset = system_rules()?;
    let mut message = Vec::new();
    std::io::stdin().lock().read_to_end(&mut message)?;
    if message.is_empty() {
        // Never used: unkai stopped, or dropped its ready launchers.
        std::process::exit(0);
    }
    let (plan, program, args) = Plan::parse(&message)?;
    if let Some(size) = plan.private_tmp {
        if !unshare {
            private_namespace()?;
        }
        mount_tmp(size)?;
    }
    restrict(ruleset, &plan)?;
    let mut command = std::process::Command::new(program);
    command
        .args(args)
        .env_clear()
        .envs(plan.env.iter().map(|(key, value)| (key, value)))
        .stdin(Stdio::null());
    if let Some(cwd) = &plan.cwd {
        command.current_dir(cwd);
    }
    if let Some(uid) = plan.uid {
        command.uid(uid).gid(uid);
    }
    Err(command.exec())
}

/// How many launchers wait, started, for a worker to start.
const READY: usize = 2;

/// Launchers started ahead of need (`unkai __sandbox --stdin`), each waiting for its worker's
/// plan. [`Launchers::refill`] starts new ones in the background.
#[derive(Debug)]
pub struct Launchers {
    /// The unkai binary.
    program: PathBuf,
    /// Workers get a private `/tmp`: launchers take a mount namespace of their own.
    unshare: bool,
    /// Each launcher (then its worker) in a memory cgroup of its own.
    memory: Option<crate::cgroup::Cgroups>,
    ready: Mutex<Vec<Launcher>>,
    /// A background task is topping `ready` up.
    filling: AtomicBool,
}

/// A started launcher waiting for its plan.
#[derive(Debug)]
struct Launcher {
    child: tokio::process::Child,
    /// Its memory cgroup, not limited yet.
    cgroup: Option<PathBuf>,
    /// Its stdin.
    plan: std::io::PipeWriter,
    /// Its stdout and stderr, which the worker inherits.
    output: std::io::PipeReader,
}

impl Launchers {
    /// Launchers running `program` (the unkai binary) with what `protection` has. None is
    /// started before the first need.
    pub fn new(program: PathBuf, protection: &Protection) -> Self {
        Self {
            program,
            unshare: protection.private_tmp,
            memory: protection.memory.clone(),
            ready: Mutex::new(Vec::new()),
            filling: AtomicBool::new(false),
        }
    }

    /// Starts `program` under `plan`, with `memory_mb` of memory; returns the process (the
    /// launcher, soon the worker: its pid is the worker's and leads its process group), the
    /// read end of the worker's stdout and stderr, and its memory cgroup.
    pub fn launch(
        self: &std::sync::Arc<Self>,
        plan: &Plan,
        program: &Path,
        args: &[OsString],
        memory_mb: u32,
    ) -> std::io::Result<Launched> {
        let message = plan.message(program, args);
        let taken = crate::lock(&self.ready).pop();
        if let Some(launcher) = taken {
            match self.hand(launcher, &message, memory_mb) {
                Ok(launched) => return Ok(launched),
                Err(error) => tracing::debug!(%error, "a ready launcher is gone; starting one"),
            }
        }
        self.hand(self.start()?, &message, memory_mb)
    }

    /// Limits `launcher`'s memory and gives it its worker's plan.
    fn hand(
        &self,
        mut launcher: Launcher,
        message: &[u8],
        memory_mb: u32,
    ) -> std::io::Result<Launched> {
        let handed = match (&self.memory, &launcher.cgroup) {
            (Some(cgroups), Some(dir)) => cgroups.limit(dir, memory_mb),
            _ => Ok(()),
        }
        .and_then(|()| match launcher.child.try_wait()? {
            None => launcher.plan.write_all(message),
            Some(status) => Err(std::io::Error::other(format!(
                "the launcher exited: {status}"
            ))),
        });
        match handed {
            Ok(()) => Ok(Launched {
                child: launcher.child,
                output: launcher.output,
                cgroup: launcher.cgroup,
            }),
            Err(error) => {
                if let Some(dir) = launcher.cgroup.take() {
                    drop(launcher);
                    crate::cgroup::remove(&dir);
                }
                Err(error)
            }
        }
    }

    /// Tops the ready launchers up, in the background. Called once a cold start is over, so
    /// that starting launchers never competes with the worker's own start for the CPU.
    pub fn refill(self: &std::sync::Arc<Self>) {
        if self.filling.swap(true, Ordering::AcqRel) {
            return;
        }
        let launchers = self.clone();
        tokio::task::spawn_blocking(move || {
            while crate::lock(&launchers.ready).len() < READY {
                match launchers.start() {
                    Ok(launcher) => crate::lock(&launchers.ready).push(launcher),
                    Err(error) => {
                        tracing::warn!(%error, "cannot start a sandbox launcher");
                        break;
                    }
                }
            }
            launchers.filling.store(false, Ordering::Release);
        });
    }

    fn start(&self) -> std::io::Result<Launcher> {
        let cgroup = match &self.memory {
            Some(cgroups) => Some(cgroups.create(&unkai_types::request_id().replace('-', ""))?),
            None => None,
        };
        let (stdin, plan) = std::io::pipe()?;
        let mut command = tokio::process::Command::new(&self.program);
        command.arg(SUBCOMMAND);
        if let Some(dir) = &cgroup {
            command.arg("--cgroup").arg(dir);
        }
        if self.unshare {
            command.arg("--unshare");
        }
        command.arg("--stdin").env_clear().stdin(stdin);
        let (child, output) = spawn_with_output(command).inspect_err(|_| {
            // Nothing will run in it; the start-up sweep only clears groups of servers gone.
            if let Some(dir) = &cgroup {
                crate::cgroup::remove(dir);
            }
        })?;
        Ok(Launcher {
            child,
            cgroup,
            plan,
            output,
        })
    }
}

/// Starts `command` (a worker, or a launcher that becomes one) in a process group of its own,
/// killed when dropped, its stdout and stderr into a new pipe; returns the process and the
/// pipe's read end. The process is the only holder of the write end, so reading ends when it
/// exits.
pub(crate) fn spawn_with_output(
    mut command: tokio::process::Command,
) -> std::io::Result<(tokio::process::Child, std::io::PipeReader)> {
    let (output, writer) = std::io::pipe()?;
    command
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .process_group(0)
        .kill_on_drop(true);
    let child = command.spawn()?;
    // The command holds the write ends until it is dropped.
    drop(command);
    Ok((child, output))
}

/// A worker started through a launcher.
#[derive(Debug)]
pub struct Launched {
    /// The launcher, soon the worker.
    pub child: tokio::process::Child,
    /// The read end of its stdout and stderr.
    pub output: std::io::PipeReader,
    /// Its memory cgroup.
    pub cgroup: Option<PathBuf>,
}

/// A mount namespace of this process's own, its mounts private to it.
fn private_namespace() -> std::io::Result<()> {
    use nix::mount::{MsFlags, mount};
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)?;
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )?;
    Ok(())
}

/// A fresh `tmpfs` on `/tmp`, in the private mount namespace.
fn mount_tmp(size_mb: u32) -> std::io::Result<()> {
    use nix::mount::{MsFlags, mount};
    mount(
        Some("tmpfs"),
        "/tmp",
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(format!("size={size_mb}m,mode=1777").as_str()),
    )?;
    Ok(())
}

fn existing(paths: impl IntoIterator<Item = PathBuf>) -> Vec<PathBuf> {
    paths.into_iter().filter(|path| path.exists()).collect()
}

/// The Landlock rules every worker gets: read and execute the system's directories, write
/// `/dev`. On kernels without Landlock they do nothing.
fn system_rules() -> std::io::Result<RulesetCreated> {
    let read = AccessFs::from_read(ABI_USED);
    let all = AccessFs::from_all(ABI_USED);
    Ruleset::default()
        .handle_access(all)
        .and_then(|ruleset| ruleset.scope(Scope::Signal | Scope::AbstractUnixSocket))
        .and_then(|ruleset| ruleset.create())
        .and_then(|ruleset| {
            ruleset.add_rules(landlock::path_beneath_rules(
                existing(SYSTEM.iter().map(PathBuf::from)),
                read,
            ))
        })
        .and_then(|ruleset| {
            ruleset.add_rules(landlock::path_beneath_rules(
                existing([PathBuf::from("/dev")]),
                all,
            ))
        })
        .map_err(std::io::Error::other)
}

/// Adds the plan's own rules to the system's and applies them to this process.
fn restrict(ruleset: RulesetCreated, plan: &Plan) -> std::io::Result<RulesetStatus> {
    let read = AccessFs::from_read(ABI_USED);
    let all = AccessFs::from_all(ABI_USED);
    let mut writable = plan.write.clone();
    if plan.private_tmp.is_some() {
        writable.push(PathBuf::from("/tmp"));
    }
    let status = ruleset
        .add_rules(landlock::path_beneath_rules(
            existing(plan.read.clone()),
            read,
        ))
        .and_then(|ruleset| {
            ruleset.add_rules(landlock::path_beneath_rules(existing(writable), all))
        })
        .and_then(|ruleset| ruleset.restrict_self())
        .map_err(std::io::Error::other)?;
    Ok(status.ruleset)
}

/// Tries both confinements on this very process (which is a throwaway child).
fn probe_here() -> Protection {
    let private_tmp =
        nix::unistd::geteuid().is_root() && private_namespace().is_ok() && mount_tmp(1).is_ok();
    let landlock = system_rules()
        .and_then(|ruleset| restrict(ruleset, &Plan::default()))
        .is_ok_and(|status| status != RulesetStatus::NotEnforced);
    Protection {
        landlock,
        private_tmp,
        separate_uid: false,
        memory: None,
    }
}

/// What the sandbox started through `launcher` provides on this machine.
pub fn probe(launcher: &Path) -> Protection {
    let output = std::process::Command::new(launcher)
        .args([SUBCOMMAND, "--probe"])
        .output();
    let text = output
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    Protection {
        landlock: text.contains("landlock=true"),
        private_tmp: text.contains("private_tmp=true"),
        separate_uid: nix::unistd::geteuid().is_root(),
        memory: None,
    }
}

/// The user id a function's workers run as: one per function name, above the range
/// distributions give to people and services.
pub fn uid_for(function: &str) -> u32 {
    // FNV-1a: stable across releases, unlike the standard library's hasher.
    let hash = function.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    200_000 + hash % 100_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reaches_the_launcher_whole() {
        let plan = Plan {
            read: vec!["/code".into(), "/sdk dir".into()],
            write: vec!["/scratch/tmp".into()],
            private_tmp: Some(512),
            uid: Some(200_001),
            env: vec![
                ("AWS_LAMBDA_FUNCTION_NAME".into(), "f".into()),
                ("EMPTY".into(), String::new()),
                ("WITH_EQUALS".into(), "a=b".into()),
            ],
            cwd: Some("/code".into()),
        };
        let args: Vec<OsString> = vec!["-u".into(), String::new().into(), "--".into()];
        let (parsed, program, parsed_args) =
            Plan::parse(&plan.message(Path::new("/usr/bin/python3"), &args)).expect("parses");
        assert_eq!(program, "/usr/bin/python3");
        assert_eq!(parsed_args, args);
        assert_eq!(parsed.read, plan.read);
        assert_eq!(parsed.write, plan.write);
        assert_eq!(parsed.private_tmp, plan.private_tmp);
        assert_eq!(parsed.uid, plan.uid);
        assert_eq!(parsed.env, plan.env);
        assert_eq!(parsed.cwd, plan.cwd);
        assert!(Plan::parse(b"--read\0/x\0").is_err(), "no program");
        assert!(Plan::parse(b"--bogus\0--\0/bin/true\0").is_err());
    }
}
