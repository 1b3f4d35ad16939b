//! Lambda's errors, by their AWS codes. restJson1 carries the code in `x-amzn-ErrorType` and
//! Lambda's bodies are `{"Type": "User", "message": …}` (`Reason` for throttles).

use http::StatusCode;
use unkai_edge::protocol::ServiceError;

/// A Lambda error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter does not satisfy its modeled constraints.
    #[error("{0}")]
    ValidationException(String),
    /// A parameter is not valid.
    #[error("{0}")]
    InvalidParameterValueException(String),
    /// The function, version, alias or configuration does not exist.
    #[error("{0}")]
    ResourceNotFoundException(String),
    /// It exists already, or the function is not in a state that allows the operation.
    #[error("{0}")]
    ResourceConflictException(String),
    /// The revision id given does not match.
    #[error("{0}")]
    PreconditionFailedException(String),
    /// The request body is not valid JSON (Invoke).
    #[error("{0}")]
    InvalidRequestContentException(String),
    /// The request is larger than the operation allows.
    #[error("{0}")]
    RequestTooLargeException(String),
    /// Over a concurrency limit.
    #[error("Rate Exceeded.")]
    TooManyRequestsException {
        /// Why.
        reason: &'static str,
    },
    /// A quota of the account would be exceeded.
    #[error("{0}")]
    CodeStorageExceededException(String),
    /// The function's worker could not be started.
    #[error("{0}")]
    ServiceException(String),
    /// The store failed; details are logged, not sent.
    #[error("the store failed: {0}")]
    Store(#[from] unkai_store::Error),
}

impl ServiceError for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::ValidationException(_) => "ValidationException",
            Error::InvalidParameterValueException(_) => "InvalidParameterValueException",
            Error::ResourceNotFoundException(_) => "ResourceNotFoundException",
            Error::ResourceConflictException(_) => "ResourceConflictException",
            Error::PreconditionFailedException(_) => "PreconditionFailedException",
            Error::InvalidRequestContentException(_) => "InvalidRequestContentException",
            Error::RequestTooLargeException(_) => "RequestTooLargeException",
            Error::TooManyRequestsException { .. } => "TooManyRequestsException",
            Error::CodeStorageExceededException(_) => "CodeStorageExceededException",
            Error::ServiceException(_) | Error::Store(_) => "ServiceException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::ValidationException(_)
            | Error::InvalidParameterValueException(_)
            | Error::InvalidRequestContentException(_)
            | Error::CodeStorageExceededException(_) => StatusCode::BAD_REQUEST,
            Error::ResourceNotFoundException(_) => StatusCode::NOT_FOUND,
            Error::ResourceConflictException(_) => StatusCode::CONFLICT,
            Error::PreconditionFailedException(_) => StatusCode::PRECONDITION_FAILED,
            Error::RequestTooLargeException(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Error::TooManyRequestsException { .. } => StatusCode::TOO_MANY_REQUESTS,
            Error::ServiceException(_) | Error::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> Option<String> {
        Some(match self {
            Error::Store(_) => "An error occurred and the request cannot be processed.".into(),
            other => other.to_string(),
        })
    }

    fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = serde_json::Map::new();
        let kind = if self.status().is_server_error() {
            "Service"
        } else {
            "User"
        };
        fields.insert("Type".into(), kind.into());
        if let Error::TooManyRequestsException { reason } = self {
            fields.insert("Reason".into(), (*reason).into());
        }
        fields
    }
}

impl Error {
    /// `Function not found: arn:…`.
    pub(crate) fn function_not_found(arn: &str) -> Self {
        Error::ResourceNotFoundException(format!("Function not found: {arn}"))
    }
}
