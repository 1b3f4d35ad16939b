//! Stored records: a version byte, then the record in postcard's compact serde encoding.
//!
//! Stored records are not wire shapes. Each record type has its own struct, a [`Record::VERSION`],
//! and a golden-bytes test that pins its encoding; changing a record means a new version and a
//! decoder for the old one.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Error, Result};

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
