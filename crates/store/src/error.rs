/// What can go wrong in the store, as seen by a service.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The transaction kept conflicting with concurrent ones and was given up.
    #[error("transaction gave up after {attempts} conflicting attempts")]
    Conflict {
        /// How many times the transaction ran.
        attempts: u32,
    },
    /// The engine failed (I/O error, lost connection, poisoned database).
    #[error("store engine failed: {0}")]
    Engine(String),
    /// A stored record could not be decoded.
    #[error("corrupt record under key {key}: {reason}")]
    Corrupt {
        /// The key, escaped for printing.
        key: String,
        /// Why it could not be decoded.
        reason: String,
    },
    /// The store was closed.
    #[error("store is closed")]
    Closed,
}

impl Error {
    /// An engine failure with its cause.
    pub fn engine(cause: impl std::fmt::Display) -> Self {
        Self::Engine(cause.to_string())
    }

    /// A record under `key` that could not be decoded.
    pub fn corrupt(key: &[u8], reason: impl std::fmt::Display) -> Self {
        Self::Corrupt {
            key: crate::tuple::printable(key),
            reason: reason.to_string(),
        }
    }
}

/// A store result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
