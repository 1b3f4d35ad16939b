//! The behaviour every engine must show. An engine crate instantiates the whole suite with
//! [`conformance_suite!`](crate::conformance_suite), giving it a [`Harness`] that opens (and
//! reopens) a fresh store; each function here is one test.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::tuple::{self, Decimal};
use crate::{BoxFuture, Error, KeyRange, KeyValue, Kv, Space, Tx};

/// Opens the store under test.
pub trait Harness: Send + Sync + 'static {
    /// Opens the store; after [`Kv::close`] a second call must reopen the same data.
    fn open(&self) -> BoxFuture<'_, Kv>;
}

/// Instantiates every conformance test for an engine. `$harness` is an expression (it may
/// `.await`) that builds a fresh [`Harness`] for each test.
#[macro_export]
macro_rules! conformance_suite {
    ($harness:expr) => {
        $crate::conformance_suite!(@tests $harness;
            point_reads_and_writes,
            read_your_own_writes,
            ranges_forward_reverse_and_limits,
            ranges_merge_uncommitted_writes,
            visits_read_what_ranges_read,
            clear_range_removes_exactly_the_range,
            abort_writes_nothing,
            hooks_run_once_after_commit,
            concurrent_increments_serialize,
            write_skew_is_prevented,
            phantoms_are_prevented,
            snapshots_are_consistent,
            large_values_and_binary_keys,
            survives_reopen,
            decimal_keys_sort_numerically,
            appends_are_stamped_in_commit_order,
            decoded_records_follow_their_bytes
        );
    };
    (@tests $harness:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let harness = $harness;
                $crate::conformance::$name(&harness).await;
            }
        )*
    };
}

fn k(name: &str) -> Vec<u8> {
    tuple::key(Space::Test).str(name).finish()
}

fn kn(prefix: &str, n: u64) -> Vec<u8> {
    tuple::key(Space::Test).str(prefix).uint(n).finish()
}

fn prefix(prefix: &str) -> KeyRange {
    tuple::key(Space::Test).str(prefix).range()
}

async fn put(kv: &Kv, key: Vec<u8>, value: &[u8]) {
    let value = value.to_vec();
    kv.transact(|tx| -> Result<(), Error> {
        tx.set(key.clone(), value.clone());
        Ok(())
    })
    .await
    .unwrap();
}

async fn get(kv: &Kv, key: &[u8]) -> Option<Vec<u8>> {
    kv.transact(|tx| tx.get(key)).await.unwrap()
}

fn keys(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<Vec<u8>> {
    pairs.iter().map(|(key, _)| key.clone()).collect()
}

pub async fn point_reads_and_writes(h: &impl Harness) {
    let kv = h.open().await;
    assert_eq!(get(&kv, &k("a")).await, None);
    put(&kv, k("a"), b"1").await;
    assert_eq!(get(&kv, &k("a")).await.as_deref(), Some(&b"1"[..]));
    put(&kv, k("a"), b"2").await;
    assert_eq!(get(&kv, &k("a")).await.as_deref(), Some(&b"2"[..]));
    put(&kv, k("empty"), b"").await;
    assert_eq!(get(&kv, &k("empty")).await.as_deref(), Some(&b""[..]));
    kv.transact(|tx| -> Result<(), Error> {
        tx.clear(k("a"));
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(get(&kv, &k("a")).await, None);
    kv.close().await.unwrap();
}

pub async fn read_your_own_writes(h: &impl Harness) {
    let kv = h.open().await;
    put(&kv, k("x"), b"old").await;
    let seen = kv
        .transact(|tx| -> Result<_, Error> {
            let before = tx.get(&k("x"))?;
            tx.set(k("x"), b"new".to_vec());
            let after = tx.get(&k("x"))?;
            tx.clear(k("x"));
            let cleared = tx.get(&k("x"))?;
            tx.set(k("y"), b"y".to_vec());
            Ok((before, after, cleared, tx.get(&k("y"))?))
        })
        .await
        .unwrap();
    assert_eq!(seen.0.as_deref(), Some(&b"old"[..]));
    assert_eq!(seen.1.as_deref(), Some(&b"new"[..]));
    assert_eq!(seen.2, None);
    assert_eq!(seen.3.as_deref(), Some(&b"y"[..]));
    assert_eq!(get(&kv, &k("x")).await, None);
    kv.close().await.unwrap();
}

pub async fn ranges_forward_reverse_and_limits(h: &impl Harness) {
    let kv = h.open().await;
    kv.transact(|tx| -> Result<(), Error> {
        for n in 0..50 {
            tx.set(kn("r", n), n.to_string().into_bytes());
        }
        tx.set(kn("q", 1), b"before".to_vec());
        tx.set(kn("s", 1), b"after".to_vec());
        Ok(())
    })
    .await
    .unwrap();
    let (all, first10, last10, none, middle) = kv
        .transact(|tx| -> Result<_, Error> {
            let middle = KeyRange::new(kn("r", 10), kn("r", 20));
            Ok((
                tx.range(&prefix("r"), 1000)?,
                tx.range(&prefix("r"), 10)?,
                tx.range_rev(&prefix("r"), 10)?,
                tx.range(&prefix("r"), 0)?,
                tx.range_rev(&middle, 1000)?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(keys(&all), (0..50).map(|n| kn("r", n)).collect::<Vec<_>>());
    assert_eq!(all[7].1, b"7");
    assert_eq!(
        keys(&first10),
        (0..10).map(|n| kn("r", n)).collect::<Vec<_>>()
    );
    assert_eq!(
        keys(&last10),
        (40..50).rev().map(|n| kn("r", n)).collect::<Vec<_>>()
    );
    assert!(none.is_empty());
    assert_eq!(
        keys(&middle),
        (10..20).rev().map(|n| kn("r", n)).collect::<Vec<_>>()
    );
    kv.close().await.unwrap();
}

pub async fn ranges_merge_uncommitted_writes(h: &impl Harness) {
    let kv = h.open().await;
    kv.transact(|tx| -> Result<(), Error> {
        for n in (0..20).step_by(2) {
            tx.set(kn("m", n), b"stored".to_vec());
        }
        Ok(())
    })
    .await
    .unwrap();
    let (forward, backward, limited) = kv
        .transact(|tx| -> Result<_, Error> {
            for n in (1..20).step_by(2) {
                tx.set(kn("m", n), b"buffered".to_vec());
            }
            tx.clear(kn("m", 4));
            tx.clear_range(KeyRange::new(kn("m", 10), kn("m", 14)));
            tx.set(kn("m", 12), b"again".to_vec());
            tx.set(kn("m", 2), b"overwritten".to_vec());
            Ok((
                tx.range(&prefix("m"), 100)?,
                tx.range_rev(&prefix("m"), 100)?,
                tx.range(&prefix("m"), 5)?,
            ))
        })
        .await
        .unwrap();
    let expected: Vec<u64> = vec![0, 1, 2, 3, 5, 6, 7, 8, 9, 12, 14, 15, 16, 17, 18, 19];
    let expected_keys: Vec<Vec<u8>> = expected.iter().map(|&n| kn("m", n)).collect();
    assert_eq!(keys(&forward), expected_keys);
    assert_eq!(forward[2].1, b"overwritten");
    assert_eq!(forward[9].1, b"again");
    let mut reversed = expected_keys.clone();
    reversed.reverse();
    assert_eq!(keys(&backward), reversed);
    assert_eq!(keys(&limited), expected_keys[..5].to_vec());
    kv.close().await.unwrap();
}

/// [`Tx::visit`](crate::Tx::visit) sees what `range` and `range_rev` return, stops when told,
/// and merges the transaction's own writes; more pairs than one engine page (256) included.
pub async fn visits_read_what_ranges_read(h: &impl Harness) {
    let kv = h.open().await;
    kv.transact(|tx| -> Result<(), Error> {
        for n in 0..600 {
            tx.set(kn("v", n), n.to_string().into_bytes());
        }
        tx.set(kn("u", 1), b"before".to_vec());
        tx.set(kn("w", 1), b"after".to_vec());
        Ok(())
    })
    .await
    .unwrap();
    fn visited(tx: &mut Tx, reverse: bool, stop_after: usize) -> Vec<KeyValue> {
        let mut seen = Vec::new();
        tx.visit(&prefix("v"), reverse, |key, value| {
            seen.push((key.to_vec(), value.to_vec()));
            Ok(seen.len() < stop_after)
        })
        .unwrap();
        seen
    }
    let (stored, own_writes) = kv
        .transact(|tx| -> Result<_, Error> {
            let stored = [
                (
                    visited(tx, false, usize::MAX),
                    tx.range(&prefix("v"), 1000)?,
                ),
                (
                    visited(tx, true, usize::MAX),
                    tx.range_rev(&prefix("v"), 1000)?,
                ),
                (visited(tx, false, 300), tx.range(&prefix("v"), 300)?),
                (visited(tx, true, 7), tx.range_rev(&prefix("v"), 7)?),
            ];
            tx.set(kn("v", 1000), b"buffered".to_vec());
            tx.clear_range(KeyRange::new(kn("v", 10), kn("v", 500)));
            let own_writes = [
                (
                    visited(tx, false, usize::MAX),
                    tx.range(&prefix("v"), 1000)?,
                ),
                (visited(tx, true, 50), tx.range_rev(&prefix("v"), 50)?),
            ];
            Ok((stored, own_writes))
        })
        .await
        .unwrap();
    for (seen, read) in stored.iter().chain(&own_writes) {
        assert_eq!(seen, read);
    }
    assert_eq!(stored[0].0.len(), 600);
    assert_eq!(own_writes[0].0.len(), 111);
    assert_eq!(own_writes[0].0.last().unwrap().1, b"buffered");
    kv.close().await.unwrap();
}

pub async fn clear_range_removes_exactly_the_range(h: &impl Harness) {
    let kv = h.open().await;
    kv.transact(|tx| -> Result<(), Error> {
        for n in 0..10 {
            tx.set(kn("c", n), b"v".to_vec());
        }
        tx.set(kn("b", 5), b"v".to_vec());
        tx.set(kn("d", 0), b"v".to_vec());
        Ok(())
    })
    .await
    .unwrap();
    kv.transact(|tx| -> Result<(), Error> {
        tx.clear_range(KeyRange::new(kn("c", 3), kn("c", 7)));
        Ok(())
    })
    .await
    .unwrap();
    let left = kv.transact(|tx| tx.range(&prefix("c"), 100)).await.unwrap();
    assert_eq!(keys(&left), [0, 1, 2, 7, 8, 9].map(|n| kn("c", n)).to_vec());
    kv.transact(|tx| -> Result<(), Error> {
        tx.clear_range(prefix("c"));
        Ok(())
    })
    .await
    .unwrap();
    assert!(
        kv.transact(|tx| tx.range(&prefix("c"), 100))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(get(&kv, &kn("b", 5)).await.is_some());
    assert!(get(&kv, &kn("d", 0)).await.is_some());
    kv.close().await.unwrap();
}

pub async fn abort_writes_nothing(h: &impl Harness) {
    let kv = h.open().await;
    let ran = Arc::new(AtomicUsize::new(0));
    let hook = ran.clone();
    let result: Result<(), Error> = kv
        .transact(|tx| {
            tx.set(k("aborted"), b"v".to_vec());
            let hook = hook.clone();
            tx.on_commit(move || {
                hook.fetch_add(1, Ordering::SeqCst);
            });
            Err(Error::Closed)
        })
        .await;
    assert!(matches!(result, Err(Error::Closed)));
    assert_eq!(get(&kv, &k("aborted")).await, None);
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    kv.close().await.unwrap();
}

pub async fn hooks_run_once_after_commit(h: &impl Harness) {
    let kv = h.open().await;
    put(&kv, k("counter"), b"0").await;
    let ran = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let kv = kv.clone();
            let ran = ran.clone();
            tokio::spawn(async move {
                kv.transact(|tx| -> Result<(), Error> {
                    increment(tx, &k("counter"))?;
                    let ran = ran.clone();
                    tx.on_commit(move || {
                        ran.fetch_add(1, Ordering::SeqCst);
                    });
                    Ok(())
                })
                .await
                .unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(ran.load(Ordering::SeqCst), 8);
    kv.close().await.unwrap();
}

fn increment(tx: &mut Tx, key: &[u8]) -> Result<u64, Error> {
    let current: u64 = match tx.get(key)? {
        Some(bytes) => String::from_utf8(bytes).unwrap().parse().unwrap(),
        None => 0,
    };
    tx.set(key.to_vec(), (current + 1).to_string().into_bytes());
    Ok(current + 1)
}

pub async fn concurrent_increments_serialize(h: &impl Harness) {
    let kv = h.open().await;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let kv = kv.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    kv.transact(|tx| increment(tx, &k("count"))).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(get(&kv, &k("count")).await.as_deref(), Some(&b"320"[..]));
    kv.close().await.unwrap();
}

pub async fn write_skew_is_prevented(h: &impl Harness) {
    let kv = h.open().await;
    // Each round, two transactions each claim a slot only when neither slot is claimed.
    for round in 0..20 {
        let slots = [
            kn(&format!("skew{round}"), 0),
            kn(&format!("skew{round}"), 1),
        ];
        let tasks: Vec<_> = (0..2)
            .map(|mine| {
                let kv = kv.clone();
                let slots = slots.clone();
                tokio::spawn(async move {
                    kv.transact(|tx| -> Result<(), Error> {
                        let a = tx.get(&slots[0])?;
                        let b = tx.get(&slots[1])?;
                        if a.is_none() && b.is_none() {
                            tx.set(slots[mine].clone(), b"claimed".to_vec());
                        }
                        Ok(())
                    })
                    .await
                    .unwrap();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let claimed = [get(&kv, &slots[0]).await, get(&kv, &slots[1]).await];
        assert_eq!(claimed.iter().flatten().count(), 1, "round {round}");
    }
    kv.close().await.unwrap();
}

pub async fn phantoms_are_prevented(h: &impl Harness) {
    let kv = h.open().await;
    // Each transaction inserts into a prefix only while it holds fewer than 5 keys.
    let tasks: Vec<_> = (0..12u64)
        .map(|n| {
            let kv = kv.clone();
            tokio::spawn(async move {
                kv.transact(|tx| -> Result<(), Error> {
                    if tx.range(&prefix("capped"), 100)?.len() < 5 {
                        tx.set(kn("capped", n), b"in".to_vec());
                    }
                    Ok(())
                })
                .await
                .unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let held = kv
        .transact(|tx| tx.range(&prefix("capped"), 100))
        .await
        .unwrap();
    assert_eq!(held.len(), 5);
    kv.close().await.unwrap();
}

pub async fn snapshots_are_consistent(h: &impl Harness) {
    let kv = h.open().await;
    put(&kv, k("left"), b"0").await;
    put(&kv, k("right"), b"0").await;
    let writer = {
        let kv = kv.clone();
        tokio::spawn(async move {
            for n in 1..=30u32 {
                let value = n.to_string().into_bytes();
                kv.transact(|tx| -> Result<(), Error> {
                    tx.set(k("left"), value.clone());
                    tx.set(k("right"), value.clone());
                    Ok(())
                })
                .await
                .unwrap();
            }
        })
    };
    for _ in 0..200 {
        let (left, right) = kv
            .transact(|tx| -> Result<_, Error> { Ok((tx.get(&k("left"))?, tx.get(&k("right"))?)) })
            .await
            .unwrap();
        assert_eq!(left, right);
        if writer.is_finished() {
            break;
        }
        tokio::task::yield_now().await;
    }
    writer.await.unwrap();
    kv.close().await.unwrap();
}

pub async fn large_values_and_binary_keys(h: &impl Harness) {
    let kv = h.open().await;
    let big: Vec<u8> = (0..1_000_000u32).map(|n| (n % 251) as u8).collect();
    let binary_keys = [
        tuple::key(Space::Test).bytes(&[0x00]).finish(),
        tuple::key(Space::Test).bytes(&[0x00, 0xFF]).finish(),
        tuple::key(Space::Test).bytes(&[0xFF, 0x00]).finish(),
        tuple::key(Space::Test).bytes(&[0xFF; 8]).finish(),
    ];
    kv.transact(|tx| -> Result<(), Error> {
        tx.set(k("big"), big.clone());
        for key in &binary_keys {
            tx.set(key.clone(), key.clone());
        }
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(get(&kv, &k("big")).await.unwrap(), big);
    let all = kv
        .transact(|tx| {
            tx.range(
                &KeyRange::new(vec![Space::Test.byte()], vec![Space::Test.byte() + 1]),
                100,
            )
        })
        .await
        .unwrap();
    let mut expected: Vec<Vec<u8>> = binary_keys.to_vec();
    expected.push(k("big"));
    expected.sort();
    assert_eq!(keys(&all), expected);
    kv.close().await.unwrap();
}

pub async fn survives_reopen(h: &impl Harness) {
    let kv = h.open().await;
    for n in 0..100 {
        put(&kv, kn("durable", n), format!("value {n}").as_bytes()).await;
    }
    kv.transact(|tx| -> Result<(), Error> {
        tx.clear(kn("durable", 7));
        tx.clear_range(KeyRange::new(kn("durable", 50), kn("durable", 60)));
        Ok(())
    })
    .await
    .unwrap();
    kv.close().await.unwrap();
    drop(kv);
    let kv = h.open().await;
    let all = kv
        .transact(|tx| tx.range(&prefix("durable"), 1000))
        .await
        .unwrap();
    let expected: Vec<Vec<u8>> = (0..100)
        .filter(|n| *n != 7 && !(50..60).contains(n))
        .map(|n| kn("durable", n))
        .collect();
    assert_eq!(keys(&all), expected);
    assert_eq!(all[0].1, b"value 0");
    kv.close().await.unwrap();
}

pub async fn decimal_keys_sort_numerically(h: &impl Harness) {
    let kv = h.open().await;
    let numbers = [
        "-1e10", "-2.5", "-0.001", "0", "0.5", "3", "25", "1e38", "1.5E125",
    ];
    let mut shuffled: Vec<&str> = numbers.to_vec();
    shuffled.reverse();
    shuffled.swap(1, 5);
    kv.transact(|tx| -> Result<(), Error> {
        for n in &shuffled {
            let decimal: Decimal = n.parse().unwrap();
            tx.set(
                tuple::key(Space::Test).str("n").number(&decimal).finish(),
                n.as_bytes().to_vec(),
            );
        }
        Ok(())
    })
    .await
    .unwrap();
    let stored = kv.transact(|tx| tx.range(&prefix("n"), 100)).await.unwrap();
    let values: Vec<&[u8]> = stored.iter().map(|(_, value)| value.as_slice()).collect();
    let expected: Vec<&[u8]> = numbers.iter().map(|n| n.as_bytes()).collect();
    assert_eq!(values, expected);
    kv.close().await.unwrap();
}

pub async fn appends_are_stamped_in_commit_order(h: &impl Harness) {
    let kv = h.open().await;
    let log = tuple::key(Space::Test).str("log").finish();
    // Sequential appends: each later commit gets a larger stamp.
    for n in 0..5u32 {
        let log = log.clone();
        kv.transact(|tx| -> Result<(), Error> {
            tx.append(log.clone(), n.to_be_bytes().to_vec());
            Ok(())
        })
        .await
        .unwrap();
    }
    // Concurrent appenders, two values each.
    let tasks: Vec<_> = (0..8u32)
        .map(|task| {
            let (kv, log) = (kv.clone(), log.clone());
            tokio::spawn(async move {
                kv.transact(|tx| -> Result<(), Error> {
                    tx.append(log.clone(), (100 + task * 2).to_be_bytes().to_vec());
                    tx.append(log.clone(), (101 + task * 2).to_be_bytes().to_vec());
                    Ok(())
                })
                .await
                .unwrap();
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let records = kv
        .transact(|tx| tx.range(&KeyRange::prefix(&log), 1000))
        .await
        .unwrap();
    assert_eq!(records.len(), 21);
    for (key, _) in &records {
        assert_eq!(key.len(), log.len() + crate::STAMP_LEN);
    }
    let values: Vec<u32> = records
        .iter()
        .map(|(_, value)| u32::from_be_bytes(value.as_slice().try_into().unwrap()))
        .collect();
    assert_eq!(&values[..5], &[0, 1, 2, 3, 4]);
    // Each transaction's two values are adjacent and in order.
    for pair in values[5..].chunks(2) {
        assert_eq!(pair[1], pair[0] + 1, "{values:?}");
    }
    kv.close().await.unwrap();
}

#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Counter(u64);

impl crate::record::Record for Counter {
    const VERSION: u8 = 1;
}

/// A record decoded once is handed out again while its bytes are unchanged, and decoded anew
/// when they change (or is gone when they are).
pub async fn decoded_records_follow_their_bytes(h: &impl Harness) {
    let kv = h.open().await;
    let decoded = crate::record::Decoded::<Counter>::default();
    let read = |kv: &Kv| {
        let kv = kv.clone();
        let decoded = &decoded;
        async move {
            kv.transact(|tx| decoded.get(tx, &k("counter")))
                .await
                .unwrap()
        }
    };
    assert_eq!(read(&kv).await, None);
    put(&kv, k("counter"), &crate::record::encode(&Counter(1))).await;
    let first = read(&kv).await.unwrap();
    assert_eq!(*first, Counter(1));
    assert!(Arc::ptr_eq(&first, &read(&kv).await.unwrap()));
    put(&kv, k("counter"), &crate::record::encode(&Counter(2))).await;
    assert_eq!(*read(&kv).await.unwrap(), Counter(2));
    kv.transact(|tx| -> Result<(), Error> {
        tx.clear(k("counter"));
        Ok(())
    })
    .await
    .unwrap();
    assert_eq!(read(&kv).await, None);
    kv.close().await.unwrap();
}
