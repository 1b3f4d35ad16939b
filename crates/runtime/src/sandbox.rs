//! The worker sandbox. Workers are started through unkai's own binary (`unkai __sandbox …`),
//! which confines itself and then executes the worker, so the server never forks and needs no
//! unsafe code:
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
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};

use landlock::{
    ABI, Access, AccessFs, Ruleset, RulesetAttr, RulesetCreatedAttr, RulesetStatus, Scope,
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
    /// Join this memory cgroup first.
    pub cgroup: Option<PathBuf>,
}

impl Plan {
    /// The launcher's arguments for running `program` under this plan.
    pub fn arguments(&self, program: &Path, args: &[OsString]) -> Vec<OsString> {
        let mut out: Vec<OsString> = vec![SUBCOMMAND.into()];
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
        if let Some(cgroup) = &self.cgroup {
            out.push("--cgroup".into());
            out.push(cgroup.into());
        }
        out.push("--".into());
        out.push(program.into());
        out.extend(args.iter().cloned());
        out
    }
}

/// The launcher: `args` are what follows the subcommand. Confines this process, then
/// executes the worker; returns only when that failed.
pub fn enter(args: impl IntoIterator<Item = OsString>) -> std::io::Error {
    let mut args = args.into_iter();
    let mut plan = Plan::default();
    let mut probe = false;
    let mut program = None;
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--read") => plan.read.extend(args.next().map(PathBuf::from)),
            Some("--write") => plan.write.extend(args.next().map(PathBuf::from)),
            Some("--private-tmp") => {
                plan.private_tmp = args.next().and_then(|size| size.to_str()?.parse().ok());
            }
            Some("--uid") => plan.uid = args.next().and_then(|uid| uid.to_str()?.parse().ok()),
            Some("--cgroup") => plan.cgroup = args.next().map(PathBuf::from),
            Some("--probe") => probe = true,
            Some("--") => {
                program = args.next();
                break;
            }
            _ => return std::io::Error::other(format!("unknown sandbox argument {arg:?}")),
        }
    }
    if probe {
        let protection = probe_here();
        println!(
            "landlock={} private_tmp={}",
            protection.landlock, protection.private_tmp
        );
        std::process::exit(0);
    }
    let Some(program) = program else {
        return std::io::Error::other("the sandbox needs a program after --");
    };
    if let Some(cgroup) = &plan.cgroup
        && let Err(error) = crate::cgroup::join(cgroup)
    {
        return error;
    }
    if let Some(size) = plan.private_tmp
        && let Err(error) = private_tmp(size)
    {
        return error;
    }
    if let Err(error) = restrict(&plan) {
        return error;
    }
    let mut command = std::process::Command::new(program);
    command.args(args);
    if let Some(uid) = plan.uid {
        command.uid(uid).gid(uid);
    }
    command.exec()
}

/// A mount namespace with a fresh `tmpfs` on `/tmp`.
fn private_tmp(size_mb: u32) -> std::io::Result<()> {
    use nix::mount::{MsFlags, mount};
    nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)?;
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )?;
    mount(
        Some("tmpfs"),
        "/tmp",
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some(format!("size={size_mb}m,mode=1777").as_str()),
    )?;
    Ok(())
}

/// Applies the Landlock rules; on kernels without Landlock this does nothing.
fn restrict(plan: &Plan) -> std::io::Result<RulesetStatus> {
    let read = AccessFs::from_read(ABI_USED);
    let all = AccessFs::from_all(ABI_USED);
    let existing = |paths: Vec<PathBuf>| -> Vec<PathBuf> {
        paths.into_iter().filter(|path| path.exists()).collect()
    };
    let mut readable: Vec<PathBuf> = SYSTEM.iter().map(PathBuf::from).collect();
    readable.extend(plan.read.iter().cloned());
    let mut writable = plan.write.clone();
    writable.push(PathBuf::from("/dev"));
    if plan.private_tmp.is_some() {
        writable.push(PathBuf::from("/tmp"));
    }
    let status = Ruleset::default()
        .handle_access(all)
        .and_then(|ruleset| ruleset.scope(Scope::Signal | Scope::AbstractUnixSocket))
        .and_then(|ruleset| ruleset.create())
        .and_then(|ruleset| {
            ruleset.add_rules(landlock::path_beneath_rules(existing(readable), read))
        })
        .and_then(|ruleset| {
            ruleset.add_rules(landlock::path_beneath_rules(existing(writable), all))
        })
        .and_then(|ruleset| ruleset.restrict_self())
        .map_err(std::io::Error::other)?;
    Ok(status.ruleset)
}

/// Tries both confinements on this very process (which is a throwaway child).
fn probe_here() -> Protection {
    let private_tmp = nix::unistd::geteuid().is_root() && private_tmp(1).is_ok();
    let landlock =
        restrict(&Plan::default()).is_ok_and(|status| status != RulesetStatus::NotEnforced);
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
