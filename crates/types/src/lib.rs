//! Vocabulary shared by every unkai crate: [`Arn`], the authenticated [`Caller`], the
//! [`Clock`] that all time comes from (tests drive it), and request ids.
#![deny(missing_docs)]

mod arn;
mod bucket;
mod clock;
pub mod ports;

pub use arn::{Arn, ParseArnError};
pub use bucket::TokenBuckets;
pub use clock::{Clock, ManualClock};

/// Who made a request, as established by its signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The 12-digit account the caller belongs to.
    pub account: String,
    /// The caller's ARN (`arn:aws:iam::123456789012:user/alice`).
    pub arn: String,
    /// The caller's unique id (`AIDA…` for users).
    pub user_id: String,
    /// The access key the request was signed with.
    pub access_key_id: String,
}

impl Caller {
    /// An account's root user as AWS identifies it (`arn:aws:iam::<account>:root`, the
    /// account id as its user id), signing with `access_key_id`.
    pub fn root(account: &str, access_key_id: &str) -> Self {
        Self {
            account: account.into(),
            arn: format!("arn:aws:iam::{account}:root"),
            user_id: account.into(),
            access_key_id: access_key_id.into(),
        }
    }
}

/// A fresh request id: a lowercase UUID v4, as AWS sends in `x-amzn-RequestId`. The random
/// bits come from a thread-local generator seeded by the OS, not a system call per request.
pub fn request_id() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// Formats seconds since the Unix epoch as ISO 8601 in UTC (`2015-08-30T12:36:00Z`), the form
/// AWS's XML and JSON timestamps take.
pub fn iso8601(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let seconds = unix_seconds % 86_400;
    // Days to civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Formats milliseconds since the Unix epoch as the Common Log Format time API Gateway and
/// function URLs put in `requestContext` (`12/Mar/2020:19:03:58 +0000`).
pub fn clf_time(unix_ms: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let iso = iso8601(unix_ms / 1000);
    let month: usize = iso[5..7].parse().unwrap_or(1);
    format!(
        "{}/{}/{}:{} +0000",
        &iso[8..10],
        MONTHS[month.clamp(1, 12) - 1],
        &iso[0..4],
        &iso[11..19]
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_root_caller_is_named_as_aws_names_it() {
        let root = super::Caller::root("123456789012", "AKIA");
        assert_eq!(root.arn, "arn:aws:iam::123456789012:root");
        assert_eq!(
            (root.account.as_str(), root.user_id.as_str()),
            ("123456789012", "123456789012")
        );
        assert_eq!(root.access_key_id, "AKIA");
    }

    #[test]
    fn clf_time_is_common_log_format() {
        assert_eq!(
            super::clf_time(1_583_348_638_390),
            "04/Mar/2020:19:03:58 +0000"
        );
    }

    #[test]
    fn iso8601_formats_utc() {
        assert_eq!(super::iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso8601(1_440_938_160), "2015-08-30T12:36:00Z");
        assert_eq!(super::iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::iso8601(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
