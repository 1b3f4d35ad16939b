//! Workload phases, the timed multi-threaded runner, the group-commit stage and a tiny
//! fixed-size latency histogram.

use std::hint::black_box;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use rand::rngs::SmallRng;
use rand::{Rng, RngExt, SeedableRng};

use crate::engines::{Durability, KEY_LEN, Key, Store, VALUE_LEN, Value};

/// Base seed; every phase/thread derives its own seed from it, identically for both engines.
pub const SEED: u64 = 0x756e_6b61_6962_656e;
pub const PRELOAD_KEYS: usize = 200_000;
pub const SCAN_LEN: usize = 100;

#[derive(Clone, Copy, Debug)]
pub enum Workload {
    /// Every writer commits its own single-put transaction, serialised by the engine's locks.
    Direct {
        writers: usize,
    },
    /// Writers hand their put to one committer thread that batches whatever is pending.
    Group {
        writers: usize,
        durability: Durability,
    },
    Get {
        threads: usize,
    },
    Scan {
        threads: usize,
    },
}

pub struct Phase {
    pub id: &'static str,
    pub label: &'static str,
    pub workload: Workload,
}

impl Phase {
    pub fn is_read(&self) -> bool {
        matches!(self.workload, Workload::Get { .. } | Workload::Scan { .. })
    }
}

/// In report order. They run in `run_order()`: reads first, on exactly the preloaded store.
pub const PHASES: [Phase; 9] = [
    Phase {
        id: "direct-sync-1",
        label: "durable commit, 1 writer (own txn)",
        workload: Workload::Direct { writers: 1 },
    },
    Phase {
        id: "direct-sync-64",
        label: "durable commit, 64 writers (own txn, native locking)",
        workload: Workload::Direct { writers: 64 },
    },
    Phase {
        id: "group-sync-1",
        label: "durable commit, 1 writer via group commit",
        workload: Workload::Group {
            writers: 1,
            durability: Durability::Sync,
        },
    },
    Phase {
        id: "group-sync-64",
        label: "durable commit, 64 writers via group commit",
        workload: Workload::Group {
            writers: 64,
            durability: Durability::Sync,
        },
    },
    Phase {
        id: "group-os-1",
        label: "os durability, 1 writer via group commit",
        workload: Workload::Group {
            writers: 1,
            durability: Durability::Os,
        },
    },
    Phase {
        id: "group-os-64",
        label: "os durability, 64 writers via group commit",
        workload: Workload::Group {
            writers: 64,
            durability: Durability::Os,
        },
    },
    Phase {
        id: "get-1",
        label: "point get, 1 thread",
        workload: Workload::Get { threads: 1 },
    },
    Phase {
        id: "get-2",
        label: "point get, 2 threads",
        workload: Workload::Get { threads: 2 },
    },
    Phase {
        id: "scan-1",
        label: "100-key range scan, 1 thread",
        workload: Workload::Scan { threads: 1 },
    },
];

pub fn run_order() -> impl Iterator<Item = (usize, &'static Phase)> {
    let reads = PHASES.iter().enumerate().filter(|(_, p)| p.is_read());
    reads.chain(PHASES.iter().enumerate().filter(|(_, p)| !p.is_read()))
}

pub struct Measurement {
    pub ops: u64,
    pub secs: f64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub note: String,
}

/// Deterministic per-stream seed (splitmix64 finaliser over the inputs).
pub fn seed_for(phase: usize, thread: usize) -> u64 {
    let mut z = SEED ^ ((phase as u64) << 32) ^ thread as u64;
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub fn random_kv(rng: &mut SmallRng) -> (Key, Value) {
    let mut key = [0u8; KEY_LEN];
    let mut value = [0u8; VALUE_LEN];
    rng.fill_bytes(&mut key);
    rng.fill_bytes(&mut value);
    (key, value)
}

/// The preloaded keys, regenerated identically in every process.
pub fn preload_keys() -> Vec<Key> {
    let mut rng = SmallRng::seed_from_u64(seed_for(usize::MAX >> 1, 0));
    (0..PRELOAD_KEYS).map(|_| random_kv(&mut rng).0).collect()
}

/// Loads the preload keys in batches of 10 000 durable commits.
pub fn preload(store: &dyn Store, keys: &[Key]) -> Result<()> {
    let mut rng = SmallRng::seed_from_u64(seed_for(usize::MAX >> 1, 1));
    for chunk in keys.chunks(10_000) {
        let batch: Vec<(Key, Value)> = chunk.iter().map(|k| (*k, random_kv(&mut rng).1)).collect();
        store.put_batch(&batch, Durability::Sync)?;
    }
    Ok(())
}

/// Runs one measurement slice; `stream` selects the RNG streams (same for every engine).
pub fn run_phase(
    store: &dyn Store,
    stream: usize,
    workload: Workload,
    keys: &[Key],
    duration: Duration,
) -> Result<Measurement> {
    match workload {
        Workload::Direct { writers } => {
            let (hist, ops, secs) = run_timed(writers, duration, |t| {
                let mut rng = SmallRng::seed_from_u64(seed_for(stream, t));
                move || store.put_batch(&[random_kv(&mut rng)], Durability::Sync)
            })?;
            Ok(Measurement::new(&hist, ops, secs, String::new()))
        }
        Workload::Group {
            writers,
            durability,
        } => {
            let (req_tx, req_rx) = mpsc::channel::<Request>();
            thread::scope(|s| {
                let committer = s.spawn(move || committer(store, req_rx, durability));
                let timed = run_timed(writers, duration, |t| {
                    let mut rng = SmallRng::seed_from_u64(seed_for(stream, t));
                    let req_tx = req_tx.clone();
                    let (reply_tx, reply_rx) = mpsc::sync_channel(1);
                    move || {
                        let kv = random_kv(&mut rng);
                        let reply = reply_tx.clone();
                        req_tx
                            .send(Request { kv, reply })
                            .map_err(|_| anyhow!("committer is gone"))?;
                        reply_rx
                            .recv()
                            .context("committer dropped the reply")?
                            .map_err(|e| anyhow!("group commit failed: {e}"))
                    }
                });
                drop(req_tx); // lets the committer's recv() end
                let (batches, requests) = committer
                    .join()
                    .map_err(|_| anyhow!("committer panicked"))?;
                let (hist, ops, secs) = timed?;
                let note = format!(
                    "{} engine commits/s, avg group {:.1}",
                    (batches as f64 / secs).round(),
                    requests as f64 / batches.max(1) as f64
                );
                Ok(Measurement::new(&hist, ops, secs, note))
            })
        }
        Workload::Get { threads } => {
            let (hist, ops, secs) = run_timed(threads, duration, |t| {
                let mut rng = SmallRng::seed_from_u64(seed_for(stream, t));
                move || {
                    let key = &keys[rng.random_range(0..keys.len())];
                    match store.get(key)? {
                        Some(VALUE_LEN) => Ok(()),
                        other => bail!("preloaded key read back as {other:?}"),
                    }
                }
            })?;
            Ok(Measurement::new(&hist, ops, secs, String::new()))
        }
        Workload::Scan { threads } => {
            let (hist, ops, secs) = run_timed(threads, duration, |t| {
                let mut rng = SmallRng::seed_from_u64(seed_for(stream, t));
                move || {
                    let mut start = [0u8; KEY_LEN];
                    rng.fill_bytes(&mut start);
                    let (pairs, bytes) = store.scan(&start, SCAN_LEN)?;
                    black_box(bytes);
                    Ok(pairs as u64)
                }
            })?;
            let per_scan = hist.sum_extra as f64 / ops.max(1) as f64;
            let note = format!("avg {per_scan:.1} pairs/scan");
            Ok(Measurement::new(&hist, ops, secs, note))
        }
    }
}

impl Measurement {
    fn new(hist: &Histogram, ops: u64, secs: f64, note: String) -> Self {
        Self {
            ops,
            secs,
            p50_ns: hist.percentile(0.50),
            p99_ns: hist.percentile(0.99),
            note,
        }
    }
}

struct Request {
    kv: (Key, Value),
    reply: mpsc::SyncSender<Result<(), String>>,
}

/// The group-commit stage: block for the first request, drain everything else already queued,
/// apply it all in one transaction, commit once, then acknowledge every writer.
/// Returns (engine commits, requests served).
fn committer(
    store: &dyn Store,
    requests: mpsc::Receiver<Request>,
    durability: Durability,
) -> (u64, u64) {
    let (mut batches, mut served) = (0, 0);
    let mut group: Vec<Request> = Vec::new();
    let mut kvs: Vec<(Key, Value)> = Vec::new();
    while let Ok(first) = requests.recv() {
        group.push(first);
        group.extend(requests.try_iter());
        kvs.extend(group.iter().map(|r| r.kv));
        let outcome = store
            .put_batch(&kvs, durability)
            .map_err(|e| format!("{e:#}"));
        batches += 1;
        served += group.len() as u64;
        for request in group.drain(..) {
            // A writer that gave up has dropped its receiver; nothing to tell it.
            let _ = request.reply.send(outcome.clone());
        }
        kvs.clear();
    }
    (batches, served)
}

/// Something an operation can return: `()` or a count summed into `Histogram::sum_extra`.
pub trait OpOutput {
    fn extra(&self) -> u64;
}
impl OpOutput for () {
    fn extra(&self) -> u64 {
        0
    }
}
impl OpOutput for u64 {
    fn extra(&self) -> u64 {
        *self
    }
}

/// Runs `threads` threads, each repeating its operation until `duration` has elapsed, timing
/// every call. Returns the merged histogram, the op count and the wall-clock seconds.
fn run_timed<F, Op, Out>(
    threads: usize,
    duration: Duration,
    mut make_op: F,
) -> Result<(Histogram, u64, f64)>
where
    F: FnMut(usize) -> Op,
    Op: FnMut() -> Result<Out> + Send,
    Out: OpOutput,
{
    let ops: Vec<Op> = (0..threads).map(&mut make_op).collect();
    let start = Instant::now();
    let deadline = start + duration;
    let results: Vec<Result<Histogram>> = thread::scope(|s| {
        let handles: Vec<_> = ops
            .into_iter()
            .map(|mut op| {
                s.spawn(move || -> Result<Histogram> {
                    let mut hist = Histogram::new();
                    loop {
                        let t0 = Instant::now();
                        if t0 >= deadline {
                            return Ok(hist);
                        }
                        let out = op()?;
                        hist.record(t0.elapsed());
                        hist.sum_extra += out.extra();
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow!("worker panicked"))))
            .collect()
    });
    let secs = start.elapsed().as_secs_f64();
    let mut merged = Histogram::new();
    for hist in results {
        merged.merge(&hist?);
    }
    let ops = merged.count;
    Ok((merged, ops, secs))
}

/// Log-linear histogram: exact below 128 ns, otherwise 128 sub-buckets per power of two
/// (< 0.8 % error). Fixed size, so it does not distort the RSS measurements.
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum_extra: u64,
}

const SUB_BITS: u32 = 7;

impl Histogram {
    fn new() -> Self {
        Self {
            buckets: vec![0; 65 << SUB_BITS],
            count: 0,
            sum_extra: 0,
        }
    }

    fn index(ns: u64) -> usize {
        if ns < (1 << SUB_BITS) {
            return ns as usize;
        }
        let shift = 63 - ns.leading_zeros() - SUB_BITS;
        let sub = (ns >> shift) as usize & ((1 << SUB_BITS) - 1);
        ((shift as usize + 1) << SUB_BITS) | sub
    }

    fn lower_bound(index: usize) -> u64 {
        let (bucket, sub) = (index >> SUB_BITS, (index & ((1 << SUB_BITS) - 1)) as u64);
        if bucket == 0 {
            sub
        } else {
            ((1 << SUB_BITS) | sub) << (bucket - 1)
        }
    }

    fn record(&mut self, latency: Duration) {
        let ns = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.buckets[Self::index(ns)] += 1;
        self.count += 1;
    }

    fn merge(&mut self, other: &Self) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
        self.sum_extra += other.sum_extra;
    }

    fn percentile(&self, q: f64) -> u64 {
        let rank = ((self.count as f64 * q).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Self::lower_bound(i);
            }
        }
        0
    }
}
