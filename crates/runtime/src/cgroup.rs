//! Memory limits: each instance in a memory cgroup of its own, limited to the function's
//! memory size, so that a worker over it is killed as Lambda kills it (`Runtime.OutOfMemory`).
//! cgroup v2 where the unified hierarchy has the memory controller, otherwise the v1 memory
//! hierarchy; neither writable (not root, a container without them): measured only.

use std::path::{Path, PathBuf};

/// Which hierarchy, and the parent directory of unkai's groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cgroups {
    /// `/sys/fs/cgroup/unkai`, cgroup v2.
    V2(PathBuf),
    /// `/sys/fs/cgroup/memory/unkai`, cgroup v1.
    V1(PathBuf),
}

impl Cgroups {
    /// The hierarchy this machine lets unkai use, if any.
    pub fn detect() -> Option<Self> {
        let unified = Path::new("/sys/fs/cgroup");
        let v2 = std::fs::read_to_string(unified.join("cgroup.controllers"))
            .is_ok_and(|controllers| controllers.split_whitespace().any(|c| c == "memory"));
        let (root, version): (PathBuf, fn(PathBuf) -> Self) = if v2 {
            (unified.join("unkai"), Cgroups::V2)
        } else {
            (unified.join("memory/unkai"), Cgroups::V1)
        };
        std::fs::create_dir_all(&root).ok()?;
        if v2 {
            // Children get the memory controller.
            let _ = std::fs::write(root.join("cgroup.subtree_control"), "+memory");
        }
        sweep(&root);
        // One directory per server process, so that servers side by side never touch each
        // other's groups.
        let parent = root.join(std::process::id().to_string());
        std::fs::create_dir_all(&parent).ok()?;
        if v2 {
            let _ = std::fs::write(parent.join("cgroup.subtree_control"), "+memory");
        }
        // Probe: a group we can create and limit.
        let probe = parent.join(format!("probe-{}", std::process::id()));
        let cgroups = version(parent);
        let usable = std::fs::create_dir(&probe).is_ok()
            && std::fs::write(probe.join(cgroups.limit_file()), (128u64 << 20).to_string()).is_ok();
        let _ = std::fs::remove_dir(&probe);
        usable.then_some(cgroups)
    }

    fn parent(&self) -> &Path {
        match self {
            Cgroups::V2(parent) | Cgroups::V1(parent) => parent,
        }
    }

    fn limit_file(&self) -> &'static str {
        match self {
            Cgroups::V2(_) => "memory.max",
            Cgroups::V1(_) => "memory.limit_in_bytes",
        }
    }

    /// A group for instance `id`, not limited yet.
    pub fn create(&self, id: &str) -> std::io::Result<PathBuf> {
        let dir = self.parent().join(id);
        std::fs::create_dir(&dir)?;
        if let Cgroups::V2(_) = self {
            // No swapping around the limit, as on Lambda.
            let _ = std::fs::write(dir.join("memory.swap.max"), "0");
        }
        Ok(dir)
    }

    /// Limits the group in `dir` to `memory_mb`.
    pub fn limit(&self, dir: &Path, memory_mb: u32) -> std::io::Result<()> {
        let bytes = u64::from(memory_mb) << 20;
        std::fs::write(dir.join(self.limit_file()), bytes.to_string())
    }

    /// Whether the kernel killed a process of the group for memory.
    pub fn oom_killed(&self, dir: &Path) -> bool {
        let (file, key) = match self {
            Cgroups::V2(_) => ("memory.events", "oom_kill"),
            Cgroups::V1(_) => ("memory.oom_control", "oom_kill"),
        };
        std::fs::read_to_string(dir.join(file)).is_ok_and(|text| {
            text.lines().any(|line| {
                line.strip_prefix(key)
                    .and_then(|count| count.trim().parse::<u64>().ok())
                    .is_some_and(|count| count > 0)
            })
        })
    }

    /// The group's peak memory in MB.
    pub fn peak_mb(&self, dir: &Path) -> Option<u64> {
        let file = match self {
            Cgroups::V2(_) => "memory.peak",
            Cgroups::V1(_) => "memory.max_usage_in_bytes",
        };
        let bytes: u64 = std::fs::read_to_string(dir.join(file))
            .ok()?
            .trim()
            .parse()
            .ok()?;
        Some(bytes.div_ceil(1 << 20))
    }
}

/// Removes the groups of servers that are gone (a crash leaves them behind).
fn sweep(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        if let Ok(groups) = std::fs::read_dir(entry.path()) {
            for group in groups.flatten().filter(|group| group.path().is_dir()) {
                let _ = std::fs::remove_dir(group.path());
            }
        }
        let _ = std::fs::remove_dir(entry.path());
    }
}

/// Moves the calling process into `dir` (the sandbox launcher, before it executes the worker).
pub fn join(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("cgroup.procs"), std::process::id().to_string())
}

/// Removes an instance's group once its processes are gone.
pub fn remove(dir: &Path) {
    for _ in 0..20 {
        if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
