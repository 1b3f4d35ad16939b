use http::StatusCode;
use unkai_edge::protocol::ServiceError;

/// A CloudFormation error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter, the template or the stack's state does not allow the request.
    #[error("{0}")]
    ValidationError(String),
    /// A stack of that name exists.
    #[error("{0}")]
    AlreadyExists(String),
    /// The template needs a capability the request did not acknowledge.
    #[error("{0}")]
    InsufficientCapabilities(String),
    /// No such change set.
    #[error("{0}")]
    ChangeSetNotFound(String),
    /// The change set cannot be executed in its state.
    #[error("{0}")]
    InvalidChangeSetStatus(String),
    /// The store failed; details are logged, not sent.
    #[error("the store failed: {0}")]
    ServiceFailure(#[from] unkai_store::Error),
}

impl ServiceError for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::ValidationError(_) => "ValidationError",
            Error::AlreadyExists(_) => "AlreadyExistsException",
            Error::InsufficientCapabilities(_) => "InsufficientCapabilitiesException",
            Error::ChangeSetNotFound(_) => "ChangeSetNotFound",
            Error::InvalidChangeSetStatus(_) => "InvalidChangeSetStatus",
            Error::ServiceFailure(_) => "InternalFailure",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::ChangeSetNotFound(_) => StatusCode::NOT_FOUND,
            Error::ServiceFailure(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    fn message(&self) -> Option<String> {
        Some(match self {
            Error::ServiceFailure(_) => "The request processing has failed because of an \
                unknown error, exception or failure."
                .into(),
            other => other.to_string(),
        })
    }
}

impl From<unkai_template::Error> for Error {
    fn from(error: unkai_template::Error) -> Self {
        Error::ValidationError(error.0)
    }
}

impl Error {
    pub(crate) fn no_stack(name: &str) -> Self {
        Error::ValidationError(format!("Stack with id {name} does not exist"))
    }
}
