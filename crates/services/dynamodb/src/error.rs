use http::StatusCode;
use unkai_edge::protocol::ServiceError;

use crate::item::Item;

/// Why one action of a transaction made it fail.
#[derive(Clone, Debug, PartialEq)]
pub struct CancellationReason {
    /// `None`, `ConditionalCheckFailed`, `ValidationError`, `TransactionConflict`…
    pub code: &'static str,
    /// The message, when the reason has one.
    pub message: Option<String>,
    /// The item as it was, when asked for with `ReturnValuesOnConditionCheckFailure`.
    pub item: Option<Item>,
}

/// A DynamoDB error, named by its AWS code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is invalid.
    #[error("{0}")]
    Validation(String),
    /// The request body is not the JSON the operation takes.
    #[error("{}", .0.as_deref().unwrap_or(""))]
    Serialization(Option<String>),
    /// The table or index does not exist (or is not active).
    #[error("{0}")]
    ResourceNotFound(String),
    /// The table does not exist (the backup operations' word for it).
    #[error("{0}")]
    TableNotFound(String),
    /// The table exists already, or is being created or deleted.
    #[error("{0}")]
    ResourceInUse(String),
    /// A condition was not met.
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        /// The item as it was, with `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
        item: Option<Item>,
    },
    /// A transaction was cancelled; one reason per action, in order.
    #[error("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", .reasons.iter().map(|r| r.code).collect::<Vec<_>>().join(", "))]
    TransactionCanceled {
        /// One reason per action.
        reasons: Vec<CancellationReason>,
    },
    /// Another transaction is changing the same item.
    #[error("{0}")]
    TransactionConflict(String),
    /// A client token was reused with different parameters.
    #[error("{0}")]
    IdempotentParameterMismatch(String),
    /// Too many tables or indexes being changed at once.
    #[error("{0}")]
    LimitExceeded(String),
    /// An item collection (items of one partition key with local indexes) is over 10 GB.
    #[error("{0}")]
    ItemCollectionSizeLimitExceeded(String),
    /// A shard iterator is older than 15 minutes.
    #[error("{0}")]
    ExpiredIterator(String),
    /// The store failed; details are logged, not sent.
    #[error("store failure: {0}")]
    Internal(#[from] unkai_store::Error),
}

impl Error {
    /// The error for a table that does not exist, as the data plane words it.
    pub fn no_table() -> Self {
        Error::ResourceNotFound("Requested resource not found".into())
    }

    /// `One or more parameter values were invalid: …`.
    pub fn invalid_parameter(detail: impl std::fmt::Display) -> Self {
        Error::Validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    }
}

fn item_json(item: &Item) -> serde_json::Value {
    serde_json::to_value(item).expect("items serialize")
}

impl ServiceError for Error {
    fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "ValidationException",
            Error::Serialization(_) => "SerializationException",
            Error::ResourceNotFound(_) => "ResourceNotFoundException",
            Error::TableNotFound(_) => "TableNotFoundException",
            Error::ResourceInUse(_) => "ResourceInUseException",
            Error::ConditionalCheckFailed { .. } => "ConditionalCheckFailedException",
            Error::TransactionCanceled { .. } => "TransactionCanceledException",
            Error::TransactionConflict(_) => "TransactionConflictException",
            Error::IdempotentParameterMismatch(_) => "IdempotentParameterMismatchException",
            Error::LimitExceeded(_) => "LimitExceededException",
            Error::ItemCollectionSizeLimitExceeded(_) => "ItemCollectionSizeLimitExceededException",
            Error::ExpiredIterator(_) => "ExpiredIteratorException",
            Error::Internal(_) => "InternalServerError",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Error::Validation(_)
            | Error::Serialization(_)
            | Error::ResourceNotFound(_)
            | Error::TableNotFound(_)
            | Error::ResourceInUse(_)
            | Error::ConditionalCheckFailed { .. }
            | Error::TransactionCanceled { .. }
            | Error::TransactionConflict(_)
            | Error::IdempotentParameterMismatch(_)
            | Error::LimitExceeded(_)
            | Error::ItemCollectionSizeLimitExceeded(_)
            | Error::ExpiredIterator(_) => StatusCode::BAD_REQUEST,
        }
    }

    fn message(&self) -> Option<String> {
        match self {
            Error::Serialization(message) => message.clone(),
            Error::Internal(_) => Some("Internal server error".into()),
            other => Some(other.to_string()),
        }
    }

    fn namespace(&self) -> Option<&'static str> {
        match self {
            Error::Validation(_) => Some("com.amazon.coral.validate#"),
            Error::Serialization(_) => Some("com.amazon.coral.service#"),
            _ => None,
        }
    }

    fn message_key(&self) -> &'static str {
        match self {
            Error::TransactionCanceled { .. } => "Message",
            _ => "message",
        }
    }

    fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut fields = serde_json::Map::new();
        match self {
            Error::ConditionalCheckFailed { item: Some(item) } => {
                fields.insert("Item".into(), item_json(item));
            }
            Error::TransactionCanceled { reasons } => {
                let reasons = reasons
                    .iter()
                    .map(|reason| {
                        let mut entry = serde_json::Map::new();
                        entry.insert("Code".into(), reason.code.into());
                        if let Some(message) = &reason.message {
                            entry.insert("Message".into(), message.clone().into());
                        }
                        if let Some(item) = &reason.item {
                            entry.insert("Item".into(), item_json(item));
                        }
                        serde_json::Value::Object(entry)
                    })
                    .collect();
                fields.insert(
                    "CancellationReasons".into(),
                    serde_json::Value::Array(reasons),
                );
            }
            _ => {}
        }
        fields
    }
}
