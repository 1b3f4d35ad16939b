use std::fmt;
use std::str::FromStr;

/// An Amazon Resource Name: `arn:partition:service:region:account:resource`.
///
/// Architecture Invariant: ARNs are the only addresses one service uses for another's resources.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    /// `aws`.
    pub partition: String,
    /// The service namespace (`lambda`, `sqs`, `iam`).
    pub service: String,
    /// The region, empty for global resources.
    pub region: String,
    /// The 12-digit account, empty for some resources.
    pub account: String,
    /// Everything after the account (`function:name`, `user/alice`).
    pub resource: String,
}

/// A string that is not an ARN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid ARN")]
pub struct ParseArnError(pub String);

impl Arn {
    /// An ARN in the `aws` partition.
    pub fn new(service: &str, region: &str, account: &str, resource: impl Into<String>) -> Self {
        Self {
            partition: "aws".into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        }
    }
}

impl FromStr for Arn {
    type Err = ParseArnError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut parts = text.splitn(6, ':');
        let fail = || ParseArnError(text.to_string());
        if parts.next() != Some("arn") {
            return Err(fail());
        }
        let partition = parts.next().filter(|p| !p.is_empty()).ok_or_else(fail)?;
        let service = parts.next().filter(|s| !s.is_empty()).ok_or_else(fail)?;
        let region = parts.next().ok_or_else(fail)?;
        let account = parts.next().ok_or_else(fail)?;
        let resource = parts.next().filter(|r| !r.is_empty()).ok_or_else(fail)?;
        Ok(Self {
            partition: partition.into(),
            service: service.into(),
            region: region.into(),
            account: account.into(),
            resource: resource.into(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_round_trip() {
        for text in [
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:lambda:us-east-1:123456789012:function:f:live",
            "arn:aws:s3:::bucket/key:with:colons",
        ] {
            let arn: Arn = text.parse().unwrap();
            assert_eq!(arn.to_string(), text);
        }
        let arn: Arn = "arn:aws:lambda:us-east-1:123456789012:function:f:live"
            .parse()
            .unwrap();
        assert_eq!(arn.resource, "function:f:live");
        for bad in [
            "",
            "arn:aws",
            "arn::s3:::b",
            "nope:aws:s3:::b",
            "arn:aws:s3:::",
        ] {
            assert!(bad.parse::<Arn>().is_err(), "{bad}");
        }
    }
}
