use http::StatusCode;
use unkai_edge::protocol::ServiceError;

/// A CloudWatch Logs error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is missing, malformed or out of range (CloudWatch Logs reports its input
    /// validation errors with this code too).
    #[error("{0}")]
    InvalidParameter(String),
    /// The log group, log stream or resource does not exist.
    #[error("{0}")]
    ResourceNotFound(String),
    /// The log group or log stream exists already.
    #[error("{0}")]
    ResourceAlreadyExists(String),
    /// A resource would have more than 50 tags.
    #[error("{0}")]
    TooManyTags(String),
    /// The request body is not the JSON the operation takes.
    #[error("{}", .0.as_deref().unwrap_or(""))]
    Serialization(Option<String>),
    /// The store failed; details are logged, not sent.
    #[error("store failure: {0}")]
    ServiceUnavailable(#[from] unkai_store::Error),
}

impl Error {
    /// `The specified log group does not exist.`
    pub fn no_group() -> Self {
        Error::ResourceNotFound("The specified log group does not exist.".into())
    }

    /// `The specified log stream does not exist.`
    pub fn no_stream() -> Self {
        Error::ResourceNotFound("The specified log stream does not exist.".into())
    }

    /// `The specified nextToken is invalid.`
    pub fn invalid_token() -> Self {
        Error::InvalidParameter("The specified nextToken is invalid.".into())
    }
}

impl ServiceError for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::InvalidParameter(_) => "InvalidParameterException",
            Error::ResourceNotFound(_) => "ResourceNotFoundException",
            Error::ResourceAlreadyExists(_) => "ResourceAlreadyExistsException",
            Error::TooManyTags(_) => "TooManyTagsException",
            Error::Serialization(_) => "SerializationException",
            Error::ServiceUnavailable(_) => "ServiceUnavailableException",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::InvalidParameter(_)
            | Error::ResourceNotFound(_)
            | Error::ResourceAlreadyExists(_)
            | Error::TooManyTags(_)
            | Error::Serialization(_) => StatusCode::BAD_REQUEST,
            Error::ServiceUnavailable(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn message(&self) -> Option<String> {
        match self {
            Error::Serialization(message) => message.clone(),
            Error::ServiceUnavailable(_) => Some("The service cannot complete the request.".into()),
            other => Some(other.to_string()),
        }
    }
}
