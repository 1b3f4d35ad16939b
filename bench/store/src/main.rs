//! Measures unkai's store as services use it: `Kv::transact` on the embedded engine, with its
//! optimistic transactions and group commit.
//!
//! `cargo run --release -p unkai-bench-store -- [--seconds N] [--dir PATH]`
//!
//! Phases (each `--seconds` long, default 5), for both durability settings:
//! - commits/s with 1 and 64 concurrent writers (one 16-byte key, 100-byte value per
//!   transaction), with p50/p99 commit latency;
//! - point reads/s (one `get` per transaction) and 100-key range scans/s on 100,000 keys.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rand::{Rng, SeedableRng};
use unkai_store::{Error, KeyRange, Kv, Space, tuple};
use unkai_store_embedded::{Durability, Embedded, Options};

const PRELOAD: u64 = 100_000;

fn key(n: u64) -> Vec<u8> {
    tuple::key(Space::Test)
        .uint(n.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .finish()
}

struct Outcome {
    ops: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Outcome {
    fn line(&self, name: &str) -> String {
        let mut latencies = self.latencies.clone();
        latencies.sort();
        let at = |q: f64| {
            latencies
                .get(((latencies.len() as f64 - 1.0) * q) as usize)
                .copied()
                .unwrap_or_default()
        };
        format!(
            "| {name} | {:.0} | {:.1} µs | {:.1} µs |",
            self.ops as f64 / self.elapsed.as_secs_f64(),
            at(0.5).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6
        )
    }
}

/// Runs `tasks` concurrent loops of `op` for `seconds`.
async fn run<F, Fut>(kv: &Kv, tasks: usize, seconds: u64, op: F) -> Outcome
where
    F: Fn(Kv, u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let stop = Arc::new(AtomicBool::new(false));
    let op = Arc::new(op);
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|task| {
            let (kv, stop, op) = (kv.clone(), stop.clone(), op.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut rng = rand::rngs::SmallRng::seed_from_u64(task as u64);
                while !stop.load(Ordering::Relaxed) {
                    let n = rng.random::<u64>();
                    let at = Instant::now();
                    op(kv.clone(), n).await;
                    latencies.push(at.elapsed());
                }
                latencies
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies = Vec::new();
    for handle in handles {
        latencies.extend(handle.await.unwrap_or_default());
    }
    Outcome {
        ops: latencies.len(),
        elapsed: started.elapsed(),
        latencies,
    }
}

async fn put(kv: Kv, n: u64) {
    let value = [7u8; 100];
    kv.transact(|tx| -> Result<(), Error> {
        tx.set(key(n), value.to_vec());
        Ok(())
    })
    .await
    .expect("commit");
}

async fn get(kv: Kv, n: u64) {
    let k = key(n % PRELOAD);
    kv.transact(|tx| tx.get(&k))
        .await
        .expect("read")
        .expect("preloaded");
}

async fn scan(kv: Kv, n: u64) {
    let start = key(n % PRELOAD);
    let range = KeyRange::new(start, vec![Space::Test.byte() + 1]);
    let found = kv.transact(|tx| tx.range(&range, 100)).await.expect("scan");
    assert!(!found.is_empty());
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut seconds = 5;
    let mut dir = std::env::temp_dir();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = args.next().context("--seconds N")?.parse()?,
            "--dir" => dir = args.next().context("--dir PATH")?.into(),
            other => anyhow::bail!("unknown argument {other:?}; usage: [--seconds N] [--dir PATH]"),
        }
    }
    println!("# unkai store (Kv on the embedded engine)\n");
    println!(
        "cores: {}, {} s per phase\n",
        std::thread::available_parallelism()?,
        seconds
    );
    println!("| phase | ops/s | p50 | p99 |\n|---|---:|---:|---:|");
    for durability in [Durability::Fsync, Durability::Os] {
        let data = tempfile::tempdir_in(&dir)?;
        let mut options = Options::new(data.path());
        options.durability = durability;
        let kv = Kv::new(Embedded::open(options)?);
        let name = format!("{durability:?}").to_lowercase();
        for writers in [1, 64] {
            let outcome = run(&kv, writers, seconds, put).await;
            println!(
                "{}",
                outcome.line(&format!("{name}: commits, {writers} writer(s)"))
            );
        }
        if durability == Durability::Fsync {
            for chunk in 0..PRELOAD / 10_000 {
                kv.transact(|tx| -> Result<(), Error> {
                    for n in chunk * 10_000..(chunk + 1) * 10_000 {
                        tx.set(key(n), vec![7u8; 100]);
                    }
                    Ok(())
                })
                .await?;
            }
            println!(
                "{}",
                run(&kv, 1, seconds, get)
                    .await
                    .line("point reads, 1 reader")
            );
            println!(
                "{}",
                run(&kv, 2, seconds, get)
                    .await
                    .line("point reads, 2 readers")
            );
            println!(
                "{}",
                run(&kv, 1, seconds, scan)
                    .await
                    .line("100-key scans, 1 reader")
            );
        }
        kv.close().await?;
    }
    Ok(())
}
