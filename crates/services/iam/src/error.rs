use http::StatusCode;
use unkai_edge::protocol::ServiceError;

/// An IAM error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The entity does not exist.
    #[error("{0}")]
    NoSuchEntity(String),
    /// An entity with that name exists.
    #[error("{0}")]
    EntityAlreadyExists(String),
    /// A quota would be exceeded.
    #[error("{0}")]
    LimitExceeded(String),
    /// The entity still has dependents.
    #[error("{0}")]
    DeleteConflict(String),
    /// A parameter does not satisfy its constraints.
    #[error("{0}")]
    ValidationError(String),
    /// A parameter is invalid.
    #[error("{0}")]
    InvalidInput(String),
    /// The store failed; details are logged, not sent.
    #[error("the store failed: {0}")]
    ServiceFailure(#[from] unkai_store::Error),
}

impl ServiceError for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::NoSuchEntity(_) => "NoSuchEntity",
            Error::EntityAlreadyExists(_) => "EntityAlreadyExists",
            Error::LimitExceeded(_) => "LimitExceeded",
            Error::DeleteConflict(_) => "DeleteConflict",
            Error::ValidationError(_) => "ValidationError",
            Error::InvalidInput(_) => "InvalidInput",
            Error::ServiceFailure(_) => "ServiceFailure",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::NoSuchEntity(_) => StatusCode::NOT_FOUND,
            Error::EntityAlreadyExists(_) => StatusCode::CONFLICT,
            Error::LimitExceeded(_) => StatusCode::CONFLICT,
            Error::DeleteConflict(_) => StatusCode::CONFLICT,
            Error::ValidationError(_) => StatusCode::BAD_REQUEST,
            Error::InvalidInput(_) => StatusCode::BAD_REQUEST,
            Error::ServiceFailure(_) => StatusCode::INTERNAL_SERVER_ERROR,
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

impl Error {
    pub(crate) fn no_such_user(name: &str) -> Self {
        Error::NoSuchEntity(format!("The user with name {name} cannot be found."))
    }
}
