//! Recent writes, for validating optimistic transactions.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use unkai_store::{KeyRange, ReadSet};

/// How long writes are remembered; a transaction whose snapshot is older than what is still
/// remembered cannot be validated and is retried.
const RETAIN: Duration = Duration::from_secs(10);
/// How many written keys are remembered at most.
const MAX_KEYS: usize = 500_000;

/// The writes of recent batches: for each key, the version of its last write.
#[derive(Default)]
pub(crate) struct History {
    keys: BTreeMap<Vec<u8>, u64>,
    cleared: VecDeque<(u64, KeyRange)>,
    batches: VecDeque<Batch>,
    remembered: usize,
    /// Snapshots older than this version can no longer be validated.
    floor: u64,
}

struct Batch {
    version: u64,
    at: Instant,
    keys: Vec<Vec<u8>>,
}

impl History {
    /// Whether anything a transaction with `snapshot` read was written by a later version.
    pub(crate) fn conflicts(&self, snapshot: u64, reads: &ReadSet) -> bool {
        if snapshot < self.floor {
            return true;
        }
        let newer = |version: &u64| *version > snapshot;
        if reads
            .keys
            .iter()
            .any(|key| self.keys.get(key).is_some_and(newer))
        {
            return true;
        }
        if reads.ranges.iter().any(|range| {
            self.keys
                .range(range.start.clone()..range.end.clone())
                .any(|(_, version)| newer(version))
        }) {
            return true;
        }
        self.cleared.iter().any(|(version, cleared)| {
            newer(version)
                && (reads.keys.iter().any(|key| cleared.contains(key))
                    || reads.ranges.iter().any(|range| range.overlaps(cleared)))
        })
    }

    /// Remembers the writes of one transaction committed at `version`.
    pub(crate) fn record<'a>(
        &mut self,
        version: u64,
        keys: impl Iterator<Item = &'a Vec<u8>>,
        cleared: &[KeyRange],
    ) {
        if self
            .batches
            .back()
            .is_none_or(|batch| batch.version != version)
        {
            self.batches.push_back(Batch {
                version,
                at: Instant::now(),
                keys: Vec::new(),
            });
        }
        let batch = self.batches.back_mut().expect("pushed above");
        for key in keys {
            self.keys.insert(key.clone(), version);
            batch.keys.push(key.clone());
            self.remembered += 1;
        }
        for range in cleared {
            self.cleared.push_back((version, range.clone()));
        }
    }

    /// Forgets the oldest batches beyond the retention time or the key budget.
    pub(crate) fn prune(&mut self, now: Instant) {
        while let Some(oldest) = self.batches.front() {
            let expired = now.duration_since(oldest.at) > RETAIN;
            if !expired && self.remembered <= MAX_KEYS {
                break;
            }
            let oldest = self.batches.pop_front().expect("front exists");
            for key in oldest.keys {
                self.remembered -= 1;
                if self.keys.get(&key) == Some(&oldest.version) {
                    self.keys.remove(&key);
                }
            }
            self.floor = oldest.version;
            while self
                .cleared
                .front()
                .is_some_and(|(version, _)| *version <= oldest.version)
            {
                self.cleared.pop_front();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(keys: &[&[u8]], ranges: &[(&[u8], &[u8])]) -> ReadSet {
        ReadSet {
            keys: keys.iter().map(|key| key.to_vec()).collect(),
            ranges: ranges
                .iter()
                .map(|(start, end)| KeyRange::new(*start, *end))
                .collect(),
        }
    }

    #[test]
    fn reads_conflict_with_later_writes_only() {
        let mut history = History::default();
        history.record(
            5,
            [b"b".to_vec()].iter(),
            &[KeyRange::new(&b"x"[..], &b"z"[..])],
        );
        assert!(history.conflicts(4, &reads(&[b"b"], &[])));
        assert!(!history.conflicts(5, &reads(&[b"b"], &[])));
        assert!(!history.conflicts(4, &reads(&[b"a", b"c"], &[])));
        assert!(history.conflicts(4, &reads(&[], &[(b"a", b"c")])));
        assert!(!history.conflicts(4, &reads(&[], &[(b"c", b"d")])));
        assert!(history.conflicts(4, &reads(&[b"y"], &[])));
        assert!(history.conflicts(4, &reads(&[], &[(b"w", b"xa")])));
    }

    #[test]
    fn pruning_raises_the_floor() {
        let mut history = History::default();
        history.record(1, [b"a".to_vec()].iter(), &[]);
        history.record(2, [b"a".to_vec()].iter(), &[]);
        history.prune(Instant::now() + RETAIN + Duration::from_secs(1));
        assert!(history.keys.is_empty());
        assert_eq!(history.remembered, 0);
        assert!(
            history.conflicts(1, &reads(&[], &[])),
            "too old to validate"
        );
        assert!(!history.conflicts(2, &reads(&[b"a"], &[])));
    }
}
