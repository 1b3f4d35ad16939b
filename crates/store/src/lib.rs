//! The store every unkai service keeps its state in: a transactional, ordered key-value store.
//!
//! - [`Engine`] is what a storage engine implements (the embedded engine and PostgreSQL): open a
//!   transaction at a consistent snapshot, read from it, commit a set of [`Changes`] atomically
//!   or report a [`Conflict`].
//! - [`Kv`] is what services use: [`Kv::transact`] runs a closure against a [`Tx`] that buffers
//!   writes (reads see them), retries the closure on conflict, and runs on-commit hooks only
//!   after the commit is durable.
//! - [`tuple`] encodes keys so that byte order is value order (strings, integers, and decimal
//!   numbers with 38 significant digits).
//! - [`Space`] names every top-level key prefix in one place; [`record`] encodes the values
//!   stored under them, versioned.
//! - [`conformance`] is the behaviour every engine must show, instantiated per engine with
//!   [`conformance_suite!`].
#![deny(missing_docs)]

pub mod conformance;
mod engine;
mod error;
mod kv;
pub mod record;
mod space;
pub mod tuple;

pub use engine::{
    BoxFuture, Changes, Conflict, Engine, KeyRange, KeyValue, ReadSet, STAMP_LEN, Transaction,
    Visitor,
};
pub use error::{Error, Result};
pub use kv::{Kv, Tx};
pub use space::Space;
