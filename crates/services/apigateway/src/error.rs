//! API Gateway's errors, by their AWS codes. restJson1 carries the code in `x-amzn-ErrorType`;
//! the body is `{"message": …}`.

use http::StatusCode;
use unkai_edge::protocol::ServiceError;

/// An API Gateway error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is not valid: the input is incomplete or incorrect.
    #[error("{0}")]
    BadRequestException(String),
    /// The REST API, resource, method, stage, deployment, key, plan or authorizer does not exist.
    #[error("{0}")]
    NotFoundException(String),
    /// The request conflicts with what exists (a path part taken, a stage name taken).
    #[error("{0}")]
    ConflictException(String),
    /// Over a rate limit.
    #[error("{0}")]
    TooManyRequestsException(String),
    /// The caller may not do this.
    #[error("{0}")]
    UnauthorizedException(String),
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
            Error::UnauthorizedException(_) => "UnauthorizedException",
            Error::Store(_) => "InternalFailure",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::BadRequestException(_) => StatusCode::BAD_REQUEST,
            Error::NotFoundException(_) => StatusCode::NOT_FOUND,
            Error::ConflictException(_) => StatusCode::CONFLICT,
            Error::TooManyRequestsException(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::UnauthorizedException(_) => StatusCode::UNAUTHORIZED,
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

    /// `Invalid <Kind> identifier specified` (resources, methods, deployments, authorizers,
    /// stages, API keys).
    pub(crate) fn invalid_identifier(kind: &str) -> Self {
        Error::NotFoundException(format!("Invalid {kind} identifier specified"))
    }

    /// A `BadRequestException`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Error::BadRequestException(message.into())
    }

    /// A `ConflictException`.
    pub(crate) fn conflict(message: impl Into<String>) -> Self {
        Error::ConflictException(message.into())
    }
}
