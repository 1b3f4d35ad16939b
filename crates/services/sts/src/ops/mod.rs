//! One file per STS operation.

mod get_caller_identity;

pub(crate) use get_caller_identity::get_caller_identity;
