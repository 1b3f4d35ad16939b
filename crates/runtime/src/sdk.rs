//! The SDKs Lambda's managed runtimes include: boto3 for Python, the AWS SDK v3 for Node.js.
//! Handlers import them without bundling them, so unkai prepares each once per machine, in a
//! cache every function may read (`/var/cache/unkai/sdk` as root, `~/.cache/unkai/sdk`
//! otherwise), the first time a function of that runtime starts; that first start waits for
//! it. Configured directories (`python_sdk`, `node_sdk`) are used as they are instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Which SDK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// boto3, for `python3.x`.
    Python,
    /// `@aws-sdk/*`, for `nodejs*`.
    Node,
}

/// The Node.js SDK clients prepared (Lambda's runtimes carry all of v3; these are the ones
/// of the services unkai serves or will).
const NODE_PACKAGES: &[&str] = &[
    "@aws-sdk/client-dynamodb",
    "@aws-sdk/lib-dynamodb",
    "@aws-sdk/client-dynamodb-streams",
    "@aws-sdk/client-s3",
    "@aws-sdk/client-sqs",
    "@aws-sdk/client-sns",
    "@aws-sdk/client-lambda",
    "@aws-sdk/client-eventbridge",
    "@aws-sdk/client-scheduler",
    "@aws-sdk/client-sfn",
    "@aws-sdk/client-kinesis",
    "@aws-sdk/client-firehose",
    "@aws-sdk/client-cloudwatch-logs",
    "@aws-sdk/client-apigatewaymanagementapi",
    "@aws-sdk/client-sts",
];

/// The machine-wide cache for prepared SDKs.
pub fn default_cache() -> PathBuf {
    if nix::unistd::geteuid().is_root() {
        return PathBuf::from("/var/cache/unkai/sdk");
    }
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir)
        .join("unkai/sdk")
}

/// Where `kind` is once prepared under `cache`: the directory for `PYTHONPATH`, or the
/// `node_modules` for `NODE_PATH`.
pub fn path(cache: &Path, kind: Kind) -> PathBuf {
    match kind {
        Kind::Python => cache.join("python"),
        Kind::Node => cache.join("node/node_modules"),
    }
}

fn root(cache: &Path, kind: Kind) -> PathBuf {
    match kind {
        Kind::Python => cache.join("python"),
        Kind::Node => cache.join("node"),
    }
}

/// Whether `kind` is ready under `cache`.
pub fn ready(cache: &Path, kind: Kind) -> bool {
    root(cache, kind).join(".complete").exists()
}

/// Prepares `kind` under `cache` with `interpreter` (python3 or node's npm next to it),
/// unless another unkai did or does (a lock file orders them). Blocking; takes seconds to a
/// minute and needs the package registry.
pub fn prepare(cache: &Path, kind: Kind, interpreter: &Path) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(cache)?;
    let mut dir = cache.to_path_buf();
    // Readable by every function's user.
    while dir.starts_with("/var/cache/unkai") && dir != Path::new("/var/cache") {
        let _ = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755));
        if !dir.pop() {
            break;
        }
    }
    let lock = std::fs::File::create(cache.join(format!(".{kind:?}.lock")))?;
    let _lock = nix::fcntl::Flock::lock(lock, nix::fcntl::FlockArg::LockExclusive)
        .map_err(|(_, error)| std::io::Error::from(error))?;
    let target = root(cache, kind);
    if ready(cache, kind) {
        return Ok(path(cache, kind));
    }
    let partial = cache.join(format!(".{kind:?}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial)?;
    let mut command = match kind {
        Kind::Python => {
            let mut command = Command::new(interpreter);
            command
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(["--no-warn-script-location", "--target"])
                .arg(&partial)
                .arg("boto3");
            command
        }
        Kind::Node => {
            let npm = interpreter
                .parent()
                .map(|dir| dir.join("npm"))
                .filter(|npm| npm.exists())
                .unwrap_or_else(|| PathBuf::from("npm"));
            let mut command = Command::new(npm);
            command
                .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
                .arg(&partial)
                .args(NODE_PACKAGES);
            command
        }
    };
    command.env("PATH", "/usr/local/bin:/usr/bin:/bin");
    if let Some(home) = std::env::var_os("HOME") {
        command.env("HOME", home);
    }
    let output = command.stdin(Stdio::null()).output()?;
    if !output.status.success() {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(std::io::Error::other(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    std::fs::write(partial.join(".complete"), b"")?;
    let _ = std::fs::remove_dir_all(&target);
    std::fs::rename(&partial, &target)?;
    Ok(path(cache, kind))
}
