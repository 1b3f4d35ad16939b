//! DynamoDB and DynamoDB Streams in unkai.
#![deny(missing_docs)]

mod error;
pub mod expr;
pub mod item;

pub use error::{CancellationReason, Error};
