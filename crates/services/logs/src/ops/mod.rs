//! One file per CloudWatch Logs operation (the tagging operations share `tags.rs`), and what
//! they share.

pub(crate) mod create_log_group;
pub(crate) mod create_log_stream;
pub(crate) mod delete_log_group;
pub(crate) mod delete_log_stream;
pub(crate) mod describe_log_groups;
pub(crate) mod describe_log_streams;
pub(crate) mod filter_log_events;
pub(crate) mod get_log_events;
pub(crate) mod put_log_events;
pub(crate) mod retention_policy;
pub(crate) mod tags;

use unkai_store::Tx;

use crate::store::{self, Group, Stream};
use crate::{Error, Scope};

/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// The log group named by `logGroupName` or `logGroupIdentifier` (a name, or a log group ARN
/// without the trailing `:*`): exactly one of them must be given. A group of another account
/// or region does not exist for this caller.
pub(crate) fn target_group(
    scope: Scope<'_>,
    name: Option<&str>,
    identifier: Option<&str>,
) -> Result<String, Error> {
    match (name, identifier) {
        (Some(_), Some(_)) => Err(Error::InvalidParameter(
            "LogGroupName and LogGroupIdentifier are mutually exclusive parameters.".into(),
        )),
        (None, None) => Err(Error::InvalidParameter(
            "Either LogGroupName or LogGroupIdentifier must be specified.".into(),
        )),
        (Some(name), None) => Ok(name.to_string()),
        (None, Some(identifier)) if identifier.starts_with("arn:") => {
            let arn: unkai_types::Arn = identifier
                .parse()
                .map_err(|_| Error::InvalidParameter(format!("Invalid ARN: {identifier}")))?;
            let group = arn
                .resource
                .strip_prefix("log-group:")
                .filter(|_| arn.service == "logs")
                .ok_or_else(|| Error::InvalidParameter(format!("Invalid ARN: {identifier}")))?;
            if arn.account != scope.account || arn.region != scope.region {
                return Err(Error::no_group());
            }
            Ok(group.to_string())
        }
        (None, Some(identifier)) => Ok(identifier.to_string()),
    }
}

/// The group an operation names; it must exist.
pub(crate) fn existing_group(tx: &mut Tx, scope: Scope<'_>, name: &str) -> Result<Group, Error> {
    store::get_group(tx, scope, name)?.ok_or_else(Error::no_group)
}

/// The stream an operation names; its group and it must exist.
pub(crate) fn existing_stream(
    tx: &mut Tx,
    scope: Scope<'_>,
    group: &str,
    name: &str,
) -> Result<(Group, Stream), Error> {
    let group = existing_group(tx, scope, group)?;
    let stream = store::get_stream(tx, scope, &group.name, name)?.ok_or_else(Error::no_stream)?;
    Ok((group, stream))
}

/// The oldest timestamp a group still keeps at `now`.
pub(crate) fn retention_floor(group: &Group, now: i64) -> i64 {
    match group.retention_days {
        Some(days) => now.saturating_sub(i64::from(days) * DAY_MS),
        None => i64::MIN,
    }
}

/// What a read page may hold at most: 1 MB of messages (26 bytes of overhead each, as
/// PutLogEvents counts them).
pub(crate) const PAGE_BYTES: usize = 1_048_576;

/// The bytes an event counts for in a page or a batch.
pub(crate) fn event_size(message: &str) -> usize {
    message.len() + 26
}

/// Up to `limit` events of `range` (keys under `prefix`), oldest first when `forward`, newest
/// first otherwise, read in chunks and stopped before the page would pass [`PAGE_BYTES`]
/// (the first event always fits).
pub(crate) fn read_events(
    tx: &mut Tx,
    prefix: &[u8],
    mut range: unkai_store::KeyRange,
    forward: bool,
    limit: usize,
) -> Result<Vec<(store::Position, store::Event)>, Error> {
    let mut out = Vec::new();
    let mut bytes = 0;
    while out.len() < limit {
        let want = (limit - out.len()).min(1000);
        let page = if forward {
            tx.range(&range, want)?
        } else {
            tx.range_rev(&range, want)?
        };
        let exhausted = page.len() < want;
        for (key, value) in &page {
            let (position, event) = store::decode_event(prefix, key, value)?;
            let size = event_size(&event.message);
            if !out.is_empty() && bytes + size > PAGE_BYTES {
                return Ok(out);
            }
            bytes += size;
            out.push((position, event));
        }
        match page.last() {
            Some((last, _)) if !exhausted => {
                if forward {
                    range.start = [last.as_slice(), &[0]].concat();
                } else {
                    range.end = last.clone();
                }
            }
            _ => break,
        }
    }
    Ok(out)
}
