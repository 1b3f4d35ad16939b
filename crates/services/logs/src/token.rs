//! Pagination tokens.
//!
//! GetLogEvents' tokens keep AWS's form, `f/<56 digits>/s` and `b/<56 digits>/s`: the digits
//! are a cursor between two events of the stream (a [`Position`]); `f/` reads the events at or
//! after it, `b/` the events before it. The other operations' tokens are opaque: a hex-encoded
//! tuple of where the page ended.

use unkai_store::Space;
use unkai_store::tuple::{self, DecodeError, KeyBuilder, Reader};

use crate::Error;
use crate::store::Position;

/// Which way a GetLogEvents token reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `f/…`: the events at or after the cursor, oldest first.
    Forward,
    /// `b/…`: the events before the cursor, newest first.
    Backward,
}

/// A GetLogEvents token.
pub(crate) fn event_token(direction: Direction, cursor: Position) -> String {
    let letter = match direction {
        Direction::Forward => 'f',
        Direction::Backward => 'b',
    };
    let value =
        (u128::from(cursor.timestamp as u64 ^ (1 << 63)) << 64) | u128::from(cursor.sequence);
    format!("{letter}/{value:056}/s")
}

/// Reads a GetLogEvents token back.
pub(crate) fn parse_event_token(token: &str) -> Result<(Direction, Position), Error> {
    let (direction, rest) = match token.split_at_checked(2) {
        Some(("f/", rest)) => (Direction::Forward, rest),
        Some(("b/", rest)) => (Direction::Backward, rest),
        _ => return Err(Error::invalid_token()),
    };
    let digits = rest.strip_suffix("/s").unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid_token());
    }
    let value: u128 = digits.parse().map_err(|_| Error::invalid_token())?;
    let timestamp = ((value >> 64) as u64 ^ (1 << 63)) as i64;
    Ok((
        direction,
        Position {
            timestamp,
            sequence: value as u64,
        },
    ))
}

/// An opaque token holding the tuple `build` writes.
pub(crate) fn encode(build: impl FnOnce(KeyBuilder) -> KeyBuilder) -> String {
    let key = build(tuple::key(Space::Logs)).finish();
    hex::encode(&key[1..])
}

/// Reads an opaque token back with `read`; anything malformed is an invalid token.
pub(crate) fn decode<T>(
    token: &str,
    read: impl FnOnce(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<T, Error> {
    let bytes = hex::decode(token).map_err(|_| Error::invalid_token())?;
    let mut reader = Reader::bare(&bytes);
    let value = read(&mut reader).map_err(|_| Error::invalid_token())?;
    if !reader.is_end() {
        return Err(Error::invalid_token());
    }
    Ok(value)
}

/// An event id in AWS's 56-digit form, unique within a log group: the timestamp, the
/// stream's sequence number and a hash of the stream's name.
pub(crate) fn event_id(stream: &str, position: Position) -> String {
    // FNV-1a: stable across versions and platforms.
    let hash = stream
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01B3)
        });
    format!(
        "{:016}{:020}{:020}",
        position.timestamp.clamp(0, 9_999_999_999_999_999),
        position.sequence,
        hash
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_tokens_round_trip_in_aws_form() {
        for position in [
            Position::MIN,
            Position::at(0),
            Position {
                timestamp: 1_700_000_000_123,
                sequence: 42,
            },
            Position::MAX,
        ] {
            for direction in [Direction::Forward, Direction::Backward] {
                let token = event_token(direction, position);
                assert_eq!(token.len(), 2 + 56 + 2, "{token}");
                assert_eq!(parse_event_token(&token).unwrap(), (direction, position));
            }
        }
        assert!(event_token(Direction::Forward, Position::at(5)).starts_with("f/"));
        for bad in [
            "",
            "f/",
            "x/123/s",
            "f/12a/s",
            "b/9999999999999999999999999999999999999999999999/s",
        ] {
            assert!(parse_event_token(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn opaque_tokens_round_trip() {
        let token = encode(|key| key.str("g").int(-3));
        let (name, n) = decode(&token, |r| Ok((r.str()?, r.int()?))).unwrap();
        assert_eq!((name.as_str(), n), ("g", -3));
        assert!(decode(&token, |r| r.str()).is_err(), "trailing elements");
        assert!(decode("zz", |r| r.str()).is_err());
        assert_eq!(event_id("s", Position::at(1)).len(), 56);
        assert_ne!(
            event_id("s", Position::at(1)),
            event_id("t", Position::at(1))
        );
    }
}
