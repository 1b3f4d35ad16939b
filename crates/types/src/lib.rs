//! Vocabulary shared by every unkai crate: [`Arn`], the authenticated [`Caller`], the
//! [`Clock`] that all time comes from (tests drive it), and request ids.
#![deny(missing_docs)]

mod arn;
mod clock;

pub use arn::{Arn, ParseArnError};
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

/// A fresh request id: a lowercase UUID v4, as AWS sends in `x-amzn-RequestId`.
pub fn request_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
