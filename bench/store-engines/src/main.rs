//! redb vs fjall for unkai's durable, transactional, ordered key-value store.
//!
//! `cargo run --release -p unkai-bench-store-engines -- [--duration-secs N] [--rounds R]
//!  [--quick] [--engines redb,fjall] [--dir PATH]`
//!
//! Each engine lives in its own child process of this binary (so peak RSS and background
//! threads are per engine). The parent drives both children slice by slice: for every phase,
//! `rounds` slices per engine, alternating which engine goes first, so that the disk's noisy
//! episodes hit both engines alike. It prints the environment, an fsync baseline per round
//! and the tables (medians over rounds, plus every round's throughput).

mod engines;
mod workload;

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead as _, BufReader, Lines, Write as _};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use engines::{Durability, EngineKind};
use workload::{PHASES, PRELOAD_KEYS, Workload};

struct Args {
    duration: Duration,
    rounds: usize,
    engines: Vec<EngineKind>,
    dir: PathBuf,
    /// Internal: serve one engine in `dir`, driven over stdin/stdout.
    child: Option<EngineKind>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        duration: Duration::from_secs(5),
        rounds: 3,
        engines: vec![EngineKind::Redb, EngineKind::Fjall],
        dir: std::env::temp_dir(),
        child: None,
    };
    let (mut duration, mut rounds, mut quick) = (None, None, false);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--duration-secs" => {
                let secs: f64 = value()?.parse().context("--duration-secs")?;
                duration = Some(Duration::try_from_secs_f64(secs)?);
            }
            "--rounds" => rounds = Some(value()?.parse().context("--rounds")?),
            "--quick" => quick = true,
            "--engines" => {
                args.engines = value()?
                    .split(',')
                    .map(|e| EngineKind::parse(e.trim()))
                    .collect::<Result<_>>()?;
            }
            "--dir" => args.dir = PathBuf::from(value()?),
            "--child" => args.child = Some(EngineKind::parse(&value()?)?),
            "-h" | "--help" => {
                println!(
                    "usage: unkai-bench-store-engines [--duration-secs N (per slice, default 5)] \
                     [--rounds R (default 3)] [--quick (1 s, 1 round)] [--engines redb,fjall] \
                     [--dir PATH]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?} (try --help)"),
        }
    }
    if quick {
        args.duration = Duration::from_secs(1);
        args.rounds = 1;
    }
    args.duration = duration.unwrap_or(args.duration);
    args.rounds = rounds.unwrap_or(args.rounds);
    if args.engines.is_empty() || args.rounds == 0 {
        bail!("need at least one engine and one round");
    }
    Ok(args)
}

fn main() -> Result<()> {
    let args = parse_args()?;
    match args.child {
        Some(engine) => run_child(engine, &args.dir, args.duration),
        None => run_parent(&args),
    }
}

// ---------------------------------------------------------------- child: one engine

/// Protocol: INFO lines then `READY`; then per `RUN <phase-id> <round>` a PHASE line and `OK`;
/// on `END` (or stdin EOF) a final sync, the closing INFO lines and `DONE`.
fn run_child(engine: EngineKind, dir: &Path, duration: Duration) -> Result<()> {
    let name = engine.name();
    fs::create_dir_all(dir)?;
    let store = engine.open(dir)?;
    info("configuration", &store.config());

    eprintln!("[{name}] preloading {PRELOAD_KEYS} keys");
    let keys = workload::preload_keys();
    let t0 = Instant::now();
    workload::preload(store.as_ref(), &keys)?;
    let load_secs = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    store.checkpoint()?;
    info(
        "preload: 20 durable batches of 10k puts (+ checkpoint)",
        &format!(
            "{load_secs:.2} s = {:.0} puts/s (+ {:.2} s)",
            PRELOAD_KEYS as f64 / load_secs,
            t1.elapsed().as_secs_f64()
        ),
    );
    info("on-disk size after preload", &disk_usage(dir)?);
    info("RSS after preload", &proc_status_kb("VmRSS"));
    println!("READY");

    let mut written = 0;
    for line in std::io::stdin().lines() {
        let line = line?;
        let words: Vec<&str> = line.split_whitespace().collect();
        let (id, round) = match words.as_slice() {
            ["RUN", id, round] => (*id, round.parse::<usize>()?),
            ["END"] => break,
            _ => bail!("unexpected command {line:?}"),
        };
        let (index, phase) = PHASES
            .iter()
            .enumerate()
            .find(|(_, p)| p.id == id)
            .with_context(|| format!("unknown phase {id}"))?;
        eprintln!("[{name}] round {} {} ...", round + 1, phase.label);
        let stream = index + round * PHASES.len();
        let m = workload::run_phase(store.as_ref(), stream, phase.workload, &keys, duration)?;
        println!(
            "PHASE\t{id}\t{}\t{}\t{}\t{}\t{}\nOK",
            m.ops, m.secs, m.p50_ns, m.p99_ns, m.note
        );
        if !phase.is_read() {
            written += m.ops;
        }
    }
    store.sync()?;
    let end_size = disk_usage(dir)?;
    let keys_at_end = PRELOAD_KEYS as u64 + written;
    info(
        "on-disk size at end (after all write phases)",
        &format!("{end_size} for {keys_at_end} keys"),
    );
    info(
        "peak RSS of the engine's process (VmHWM)",
        &proc_status_kb("VmHWM"),
    );
    println!("DONE");
    Ok(())
}

fn info(key: &str, value: &str) {
    println!("INFO\t{key}\t{value}");
}

/// Apparent size (sum of file lengths) and allocated size (blocks) of a directory tree.
fn disk_usage(dir: &Path) -> Result<String> {
    fn walk(dir: &Path, apparent: &mut u64, allocated: &mut u64) -> Result<()> {
        use std::os::unix::fs::MetadataExt as _;
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                walk(&entry.path(), apparent, allocated)?;
            } else {
                *apparent += meta.len();
                *allocated += meta.blocks() * 512;
            }
        }
        Ok(())
    }
    let (mut apparent, mut allocated) = (0, 0);
    walk(dir, &mut apparent, &mut allocated)?;
    Ok(format!(
        "{} apparent, {} allocated",
        mib(apparent),
        mib(allocated)
    ))
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn proc_status_kb(field: &str) -> String {
    fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field)?.strip_prefix(':').map(str::trim))
                .and_then(|v| v.trim_end_matches(" kB").parse::<u64>().ok())
        })
        .map_or_else(|| "n/a".to_owned(), |kb| mib(kb * 1024))
}

// ---------------------------------------------------------------- parent: orchestration

struct Slice {
    rate: f64,
    p50_ns: u64,
    p99_ns: u64,
    note: String,
}

/// A running engine child process and everything it reported.
struct EngineChild {
    engine: EngineKind,
    process: std::process::Child,
    stdin: Option<ChildStdin>,
    stdout: Lines<BufReader<ChildStdout>>,
    info: Vec<(String, String)>,
    slices: HashMap<&'static str, Vec<Slice>>,
}

impl EngineChild {
    fn spawn(exe: &Path, engine: EngineKind, dir: &Path, duration: Duration) -> Result<Self> {
        let mut process = Command::new(exe)
            .arg("--child")
            .arg(engine.name())
            .arg("--dir")
            .arg(dir)
            .arg("--duration-secs")
            .arg(duration.as_secs_f64().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("spawning engine child process")?;
        let stdin = process.stdin.take();
        let stdout = process.stdout.take().context("child stdout")?;
        let mut child = Self {
            engine,
            process,
            stdin,
            stdout: BufReader::new(stdout).lines(),
            info: Vec::new(),
            slices: HashMap::new(),
        };
        child.read_until("READY")?;
        Ok(child)
    }

    fn send(&mut self, command: &str) -> Result<()> {
        let stdin = self.stdin.as_mut().context("child stdin closed")?;
        writeln!(stdin, "{command}")?;
        stdin.flush()?;
        Ok(())
    }

    fn run(&mut self, phase_id: &'static str, round: usize) -> Result<()> {
        self.send(&format!("RUN {phase_id} {round}"))?;
        self.read_until("OK")
    }

    fn finish(&mut self) -> Result<()> {
        self.send("END")?;
        self.read_until("DONE")?;
        self.stdin = None;
        let status = self.process.wait()?;
        if !status.success() {
            bail!("{} child exited with {status}", self.engine.name());
        }
        Ok(())
    }

    /// Records INFO / PHASE lines until `terminator`.
    fn read_until(&mut self, terminator: &str) -> Result<()> {
        loop {
            let Some(line) = self.stdout.next().transpose()? else {
                bail!(
                    "{} child exited unexpectedly (see its stderr)",
                    self.engine.name()
                );
            };
            let fields: Vec<&str> = line.split('\t').collect();
            match fields.as_slice() {
                [t] if *t == terminator => return Ok(()),
                ["INFO", key, value] => self.info.push((key.to_string(), value.to_string())),
                ["PHASE", id, ops, secs, p50, p99, note] => {
                    let phase = PHASES
                        .iter()
                        .find(|p| p.id == *id)
                        .context("unknown phase id")?;
                    self.slices.entry(phase.id).or_default().push(Slice {
                        rate: ops.parse::<f64>()? / secs.parse::<f64>()?,
                        p50_ns: p50.parse()?,
                        p99_ns: p99.parse()?,
                        note: note.to_string(),
                    });
                }
                _ => bail!("unexpected child output line {line:?}"),
            }
        }
    }
}

impl Drop for EngineChild {
    fn drop(&mut self) {
        self.stdin = None; // EOF makes the child wind down on its own
        let _ = self.process.wait();
    }
}

/// Removes the run directory however the parent exits.
struct RemoveOnDrop(PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn run_parent(args: &Args) -> Result<()> {
    let run_dir = args
        .dir
        .join(format!("unkai-store-engines-{}", std::process::id()));
    fs::create_dir_all(&run_dir).with_context(|| format!("creating {}", run_dir.display()))?;
    let _cleanup = RemoveOnDrop(run_dir.clone());

    println!("# unkai storage-engine benchmark: redb vs fjall\n");
    print_environment(&run_dir);
    println!(
        "- workload: {}-byte random keys, {}-byte random values, seed {:#x}; \
         {PRELOAD_KEYS} keys preloaded; every phase = {} interleaved slice(s) of {:.1} s per \
         engine (engine order alternates per round); reads run before writes",
        engines::KEY_LEN,
        engines::VALUE_LEN,
        workload::SEED,
        args.rounds,
        args.duration.as_secs_f64()
    );

    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    for &engine in &args.engines {
        let dir = run_dir.join(engine.name());
        children.push(EngineChild::spawn(&exe, engine, &dir, args.duration)?);
    }
    let mut baselines = Vec::new();
    for (_, phase) in workload::run_order() {
        for round in 0..args.rounds {
            if phase.id == "direct-sync-1" {
                // fsync context for each round of the write phases
                baselines.push(fsync_baseline(&run_dir, Duration::from_secs(1))?);
            }
            for i in 0..children.len() {
                let i = if round % 2 == 0 {
                    i
                } else {
                    children.len() - 1 - i
                };
                children[i].run(phase.id, round)?;
            }
        }
    }
    for child in &mut children {
        child.finish()?;
    }
    println!(
        "- baseline, 116-byte append + fsync in the data directory, 1 s before each round of \
         the first write phase: {}\n",
        baselines.join("; ")
    );
    print_tables(&children, args.rounds);
    Ok(())
}

fn median<T: Copy + PartialOrd>(values: impl Iterator<Item = T>) -> Option<T> {
    let mut v: Vec<T> = values.collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v.get(v.len().saturating_sub(1) / 2).copied()
}

fn print_tables(children: &[EngineChild], rounds: usize) {
    let names: Vec<&str> = children.iter().map(|c| c.engine.name()).collect();
    let ratio = names.len() == 2;

    println!("## Throughput and latency (median over {rounds} round(s))\n");
    let mut header = String::from("| phase |");
    let mut rule = String::from("|---|");
    for name in &names {
        header += &format!(" {name} ops/s | {name} p50 / p99 |");
        rule += "---:|---:|";
    }
    if ratio {
        header += &format!(" {} ÷ {} |", names[1], names[0]);
        rule += "---:|";
    }
    println!("{header} notes |\n{rule}---|");
    for phase in &PHASES {
        let mut row = format!("| {} |", phase.label);
        let mut rates = Vec::new();
        let mut notes = Vec::new();
        if let Workload::Group {
            durability: Durability::Os,
            ..
        } = phase.workload
        {
            notes.push(
                "redb = Durability::None: NOT crash-safe, even a process crash loses it; \
                 fjall = PersistMode::Buffer: survives a process crash, not power loss"
                    .to_owned(),
            );
        }
        for child in children {
            let slices = child.slices.get(phase.id).map_or(&[][..], Vec::as_slice);
            let rate = median(slices.iter().map(|s| s.rate));
            let p50 = median(slices.iter().map(|s| s.p50_ns));
            let p99 = median(slices.iter().map(|s| s.p99_ns));
            match (rate, p50, p99) {
                (Some(rate), Some(p50), Some(p99)) => {
                    row += &format!(" {} | {} / {} |", fmt_rate(rate), fmt_ns(p50), fmt_ns(p99));
                    rates.push(rate);
                }
                _ => row += " – | – |",
            }
            // The note of the median-throughput slice (group size / pairs per scan).
            if let Some(s) = slices.iter().find(|s| Some(s.rate) == rate)
                && !s.note.is_empty()
            {
                notes.push(format!("{}: {}", child.engine.name(), s.note));
            }
        }
        if ratio {
            match rates.as_slice() {
                [a, b] if *a > 0.0 => row += &format!(" {:.2}× |", b / a),
                _ => row += " – |",
            }
        }
        println!("{row} {} |", notes.join("; "));
    }

    if rounds > 1 {
        println!("\n## Throughput of every round (ops/s, in run order)\n");
        println!("| phase | {} |", names.join(" | "));
        println!("|---|{}", "---|".repeat(names.len()));
        for phase in &PHASES {
            let cells: Vec<String> = children
                .iter()
                .map(|c| {
                    let slices = c.slices.get(phase.id).map_or(&[][..], Vec::as_slice);
                    let rates: Vec<String> = slices.iter().map(|s| fmt_rate(s.rate)).collect();
                    rates.join(" / ")
                })
                .collect();
            println!("| {} | {} |", phase.label, cells.join(" | "));
        }
    }

    println!("\n## Configuration, size and memory\n");
    println!("| | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    let keys: Vec<&String> = children
        .first()
        .map(|c| c.info.iter().map(|(k, _)| k).collect())
        .unwrap_or_default();
    for key in keys {
        let values: Vec<&str> = children
            .iter()
            .map(|c| {
                c.info
                    .iter()
                    .find(|(k, _)| k == key)
                    .map_or("–", |(_, v)| v.as_str())
            })
            .collect();
        println!("| {key} | {} |", values.join(" | "));
    }
}

fn fmt_rate(rate: f64) -> String {
    if rate >= 100.0 {
        format!("{rate:.0}")
    } else {
        format!("{rate:.1}")
    }
}

fn fmt_ns(ns: u64) -> String {
    let ns = ns as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

// ---------------------------------------------------------------- environment

fn print_environment(data_dir: &Path) {
    let read = |path: &str| fs::read_to_string(path).unwrap_or_default();
    let cpu = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = read("/proc/meminfo")
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        .unwrap_or_else(|| "unknown".to_owned());
    println!("- cores: {cores} ({cpu}), memory: {mem}");
    println!(
        "- kernel: {} {}",
        read("/proc/sys/kernel/ostype").trim(),
        read("/proc/sys/kernel/osrelease").trim()
    );
    // The mount with the longest prefix of the data directory is the one fsync hits.
    let dir = fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let mounts = read("/proc/mounts");
    let mount = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && dir.starts_with(f[1]))
                .then(|| (f[1].len(), format!("{} on {} ({})", f[2], f[1], f[0])))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "unknown".to_owned(), |(_, m)| m);
    println!("- data directory: {} — filesystem {mount}", dir.display());
}

/// p50 / p99 of "append 116 bytes + fsync" in the data directory: the disk's state right now.
fn fsync_baseline(dir: &Path, duration: Duration) -> Result<String> {
    let path = dir.join("fsync-baseline");
    let mut file = fs::File::create(&path)?;
    let mut samples = Vec::new();
    let deadline = Instant::now() + duration;
    loop {
        let t0 = Instant::now();
        file.write_all(&[0x5a; 116])?;
        file.sync_all()?;
        samples.push(t0.elapsed());
        if Instant::now() >= deadline {
            break;
        }
    }
    drop(file);
    fs::remove_file(&path)?;
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    Ok(format!(
        "p50 {:.2} ms / p99 {:.2} ms",
        pick(0.5).as_secs_f64() * 1e3,
        pick(0.99).as_secs_f64() * 1e3,
    ))
}
