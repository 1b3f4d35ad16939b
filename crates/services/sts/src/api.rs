//! STS's wire shapes: the operation list.

const TEMPORARY_CREDENTIALS: &str =
    "temporary credentials come with the scoped credentials of functions";

unkai_edge::operations! {
    /// Every STS operation.
    pub enum Operation {
        AssumeRole => Planned(TEMPORARY_CREDENTIALS),
        AssumeRoleWithSAML => Planned(TEMPORARY_CREDENTIALS),
        AssumeRoleWithWebIdentity => Planned(TEMPORARY_CREDENTIALS),
        AssumeRoot => Planned(TEMPORARY_CREDENTIALS),
        DecodeAuthorizationMessage => Planned(TEMPORARY_CREDENTIALS),
        GetAccessKeyInfo => Partial("answers with unkai's account for any key id"),
        GetCallerIdentity => Full,
        GetDelegatedAccessToken => Planned(TEMPORARY_CREDENTIALS),
        GetFederationToken => Planned(TEMPORARY_CREDENTIALS),
        GetSessionToken => Planned(TEMPORARY_CREDENTIALS),
        GetWebIdentityToken => Planned(TEMPORARY_CREDENTIALS),
    }
}
