//! Stored records: a version byte, then the record in postcard's compact serde encoding.
//!
//! Stored records are not wire shapes. Each record type has its own struct, a [`Record::VERSION`],
//! and a golden-bytes test that pins its encoding; changing a record means a new version and a
//! decoder for the old one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result, Tx};

/// A type stored in the key-value store.
pub trait Record: Serialize + DeserializeOwned {
    /// The encoding version written today.
    const VERSION: u8;
}

/// Encodes `record` with its version byte.
pub fn encode<R: Record>(record: &R) -> Vec<u8> {
    let mut out = vec![R::VERSION];
    postcard::to_io(record, &mut out).expect("encoding into a Vec cannot fail");
    out
}

/// Decodes the record stored under `key`.
pub fn decode<R: Record>(key: &[u8], bytes: &[u8]) -> Result<R> {
    match bytes.split_first() {
        Some((&version, rest)) if version == R::VERSION => {
            postcard::from_bytes(rest).map_err(|error| Error::corrupt(key, error))
        }
        Some((version, _)) => Err(Error::corrupt(
            key,
            format!("record version {version}, expected {}", R::VERSION),
        )),
        None => Err(Error::corrupt(key, "empty record")),
    }
}

/// Records of one type as last decoded, by key, with the bytes they were decoded from. A
/// record is still read in the caller's transaction (a change by any node is seen at once);
/// only decoding bytes already decoded is saved. Holds up to 1,024, then starts over.
#[derive(Debug)]
pub struct Decoded<R>(Mutex<HashMap<Vec<u8>, Seen<R>>>);

/// A record's bytes and what they decode to.
type Seen<R> = (Vec<u8>, Arc<R>);

/// How many records a [`Decoded`] keeps before it starts over.
const DECODED_KEPT: usize = 1024;

impl<R> Default for Decoded<R> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<R: Record> Decoded<R> {
    /// The record under `key`, read in `tx`.
    pub fn get(&self, tx: &mut Tx, key: &[u8]) -> Result<Option<Arc<R>>> {
        let Some(bytes) = tx.get(key)? else {
            return Ok(None);
        };
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((seen, record)) = kept.get(key)
            && *seen == bytes
        {
            return Ok(Some(record.clone()));
        }
        drop(kept);
        let record = Arc::new(decode::<R>(key, &bytes)?);
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= DECODED_KEPT {
            kept.clear();
        }
        kept.insert(key.to_vec(), (bytes, record.clone()));
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Sample {
        name: String,
        count: u64,
        tags: Vec<(String, String)>,
    }

    impl Record for Sample {
        const VERSION: u8 = 1;
    }

    #[test]
    fn records_round_trip_with_their_version() {
        let sample = Sample {
            name: "a".into(),
            count: 300,
            tags: vec![("k".into(), "v".into())],
        };
        let bytes = encode(&sample);
        assert_eq!(bytes, [1, 1, b'a', 0xAC, 0x02, 1, 1, b'k', 1, b'v']);
        assert_eq!(decode::<Sample>(b"key", &bytes).unwrap(), sample);
        assert!(decode::<Sample>(b"key", &[2, 0]).is_err());
        assert!(decode::<Sample>(b"key", &[]).is_err());
        assert!(decode::<Sample>(b"key", &[1, 5]).is_err());
    }
}
