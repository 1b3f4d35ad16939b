//! API Gateway v2's errors, by their AWS codes. restJson1 carries the code in `x-amzn-ErrorType`;
//! the body is `{"message": …}`.

use http::StatusCode;
use unkai_edge::protocol::ServiceError;

/// An API Gateway v2 error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is not valid: the input is incomplete or incorrect.
    #[error("{0}")]
    BadRequestException(String),
    /// The API, route, integration, stage, deployment or authorizer does not exist.
    #[error("{0}")]
    NotFoundException(String),
    /// The request conflicts with what exists (a route key taken, a stage name taken).
    #[error("{0}")]
    ConflictException(String),
    /// Over a rate limit.
    #[error("{0}")]
    TooManyRequestsException(String),
    /// The store failed; details are logged, not sent.
    #[error("the store failed: {0}")]
    Store(#[from] unkai_store::Error),
}

impl ServiceError for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::BadRequestException(_) => "BadRequestException",
            Error::NotFoundException(_) => "NotFoundException",
            Error::ConflictException(_) => "ConflictException",
            Error::TooManyRequestsException(_) => "TooManyRequestsException",
            Error::Store(_) => "InternalFailure",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::BadRequestException(_) => StatusCode::BAD_REQUEST,
            Error::NotFoundException(_) => StatusCode::NOT_FOUND,
            Error::ConflictException(_) => StatusCode::CONFLICT,
            Error::TooManyRequestsException(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> Option<String> {
        Some(match self {
            Error::Store(_) => "The request processing has failed because of an unknown error, \
                                exception or failure."
                .into(),
            other => other.to_string(),
        })
    }
}

impl Error {
    /// `Invalid API identifier specified <account>:<api-id>`.
    pub(crate) fn api_not_found(account: &str, api_id: &str) -> Self {
        Error::NotFoundException(format!(
            "Invalid API identifier specified {account}:{api_id}"
        ))
    }

    /// `Invalid <Kind> identifier specified <id>` (routes, integrations, authorizers,
    /// deployments).
    pub(crate) fn invalid_identifier(kind: &str, id: &str) -> Self {
        Error::NotFoundException(format!("Invalid {kind} identifier specified {id}"))
    }

    /// `Invalid stage identifier specified`.
    pub(crate) fn stage_not_found() -> Self {
        Error::NotFoundException("Invalid stage identifier specified".into())
    }

    /// A `BadRequestException`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Error::BadRequestException(message.into())
    }
}
