//! DynamoDB expressions: ConditionExpression, FilterExpression, KeyConditionExpression,
//! UpdateExpression and ProjectionExpression, and the legacy parameters they replaced
//! (`Expected`, `QueryFilter`, `ScanFilter`, `KeyConditions`, `AttributeUpdates`,
//! `AttributesToGet`), with DynamoDB's behaviour and error messages.
//!
//! # Using it from an operation
//!
//! One [`Context`] per request holds its `ExpressionAttributeNames` and
//! `ExpressionAttributeValues` and records which of them the expressions use:
//!
//! ```ignore
//! check_parameters(Operation::UpdateItem, &params)?;      // mixing, stray name/value maps
//! let ctx = Context::new(names.as_ref(), values.as_ref());
//! let update = parse_update(update_text, &ctx)?;           // expressions in DynamoDB's order:
//! let condition = parse_condition(cond_text, ExprKind::Condition, &ctx)?; // see below
//! ctx.check_unused()?;                                     // after every expression
//! update.check_key_attributes(&["p", "c"])?;               // needs the table
//! if let Some(c) = &condition { if !c.evaluate(old.as_ref()) { /* ConditionalCheckFailed */ } }
//! update.apply(&mut item, old.is_some())?;
//! ```
//!
//! DynamoDB parses the expressions of a request in this order, so the first error reported
//! is the one it reports: UpdateItem: UpdateExpression, ConditionExpression; Query:
//! KeyConditionExpression, FilterExpression, ProjectionExpression; Scan: FilterExpression,
//! ProjectionExpression. Unused names and values are reported after all of them
//! ([`Context::check_unused`]); for Query, [`KeyConditionExpression::key_condition`] (the
//! checks that need the key names) comes after that.
//!
//! # API
//!
//! * [`Context`]: the placeholders of one request; [`Context::check_unused`].
//! * [`parse_condition`] → [`Condition`] ([`Condition::evaluate`]); [`ExprKind`] names the
//!   parameter in messages (ConditionExpression or FilterExpression).
//! * [`parse_update`] → [`Update`] ([`Update::apply`], [`Update::top_level_attributes`],
//!   [`Update::check_key_attributes`]).
//! * [`parse_projection`] → [`Projection`] ([`Projection::apply`]).
//! * [`parse_key_condition`] → [`KeyConditionExpression`]
//!   ([`KeyConditionExpression::key_condition`] → [`KeyCondition`] with the hash key values,
//!   leading sort key equalities and an optional [`RangeCondition`]; [`KeyCondition::check_types`]).
//! * [`legacy`]: serde types for the legacy parameters and their conversion to the same
//!   [`Condition`], [`Update`], [`Projection`] and [`KeyCondition`].
//! * [`check_parameters`]: the request-level rules about which parameters go together.
//!
//! Every error is an [`Error::Validation`] carrying DynamoDB's message.

mod ast;
mod condition;
mod key_condition;
pub mod legacy;
mod lexer;
mod params;
mod parser;
mod projection;
mod reserved;
mod resolve;
mod update;

#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, HashMap};

use crate::Error;
use crate::item::Value;

pub use ast::{Path, PathElement};
pub use condition::{Condition, parse_condition};
pub use key_condition::{
    KeyCondition, KeyConditionExpression, RangeCondition, parse_key_condition,
};
pub use params::{Operation, Parameters, check_parameters};
pub use projection::{Projection, parse_projection};
pub use update::{Update, parse_update};

/// The longest expression, in UTF-16 code units as DynamoDB counts them.
pub const MAX_EXPRESSION_LENGTH: usize = 4096;
/// The most operators (comparisons, `AND`, `OR`, `NOT`, `BETWEEN`, `IN`, functions, `+`, `-`)
/// an expression may hold.
pub const MAX_OPERATORS: usize = 300;
/// The most values an `IN` list may hold.
pub const MAX_IN_OPERANDS: usize = 100;
/// The most elements (nesting levels) a document path may have.
pub const MAX_PATH_DEPTH: usize = 32;
/// The longest placeholder (`#name`, `:value`), in UTF-16 code units.
pub const MAX_PLACEHOLDER_LENGTH: usize = 255;
/// The longest attribute name, in UTF-8 bytes.
pub const MAX_ATTRIBUTE_NAME_BYTES: usize = 65535;

/// The kind of an expression, which names its parameter in error messages
/// (`Invalid ConditionExpression: …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExprKind {
    /// `ConditionExpression` (PutItem, UpdateItem, DeleteItem, transactions).
    Condition,
    /// `FilterExpression` (Query, Scan).
    Filter,
    /// `KeyConditionExpression` (Query).
    KeyCondition,
    /// `UpdateExpression` (UpdateItem).
    Update,
    /// `ProjectionExpression` (GetItem, BatchGetItem, Query, Scan, TransactGetItems).
    Projection,
}

impl ExprKind {
    /// The request parameter: `ConditionExpression`, `FilterExpression`…
    pub fn parameter(self) -> &'static str {
        match self {
            ExprKind::Condition => "ConditionExpression",
            ExprKind::Filter => "FilterExpression",
            ExprKind::KeyCondition => "KeyConditionExpression",
            ExprKind::Update => "UpdateExpression",
            ExprKind::Projection => "ProjectionExpression",
        }
    }

    /// `Invalid <parameter>: <message>`.
    pub(crate) fn invalid(self, message: impl std::fmt::Display) -> Error {
        Error::Validation(format!("Invalid {}: {message}", self.parameter()))
    }

    fn is_condition(self) -> bool {
        matches!(
            self,
            ExprKind::Condition | ExprKind::Filter | ExprKind::KeyCondition
        )
    }
}

/// The error for an expression that reads or writes below a key attribute (`k.a`, `k[0]`):
/// key attributes are scalars. `index` says whether the key is a secondary index's.
pub fn nested_key_attribute_error(key: &str, index: bool) -> Error {
    Error::Validation(format!(
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: {}: {key}",
        if index { "IndexKey" } else { "Key" }
    ))
}

/// The checks every expression text goes through before it is parsed: empty, too long.
fn check_text(text: &str, kind: ExprKind) -> Result<(), Error> {
    if text.is_empty() {
        return Err(kind.invalid("The expression can not be empty;"));
    }
    let length = text.encode_utf16().count();
    if length > MAX_EXPRESSION_LENGTH {
        // DynamoDB adds the size for condition-type expressions only.
        return Err(if kind.is_condition() {
            kind.invalid(format!(
                "Expression size has exceeded the maximum allowed size; expression size: {length}"
            ))
        } else {
            kind.invalid("Expression size has exceeded the maximum allowed size;")
        });
    }
    Ok(())
}

/// The `ExpressionAttributeNames` and `ExpressionAttributeValues` of one request, and which
/// of them its expressions have used so far.
#[derive(Debug)]
pub struct Context<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: Option<&'a HashMap<String, Value>>,
    used_names: RefCell<BTreeSet<String>>,
    used_values: RefCell<BTreeSet<String>>,
    validated: Cell<bool>,
}

impl<'a> Context<'a> {
    /// The placeholders of a request (`None` when the parameter is absent).
    pub fn new(
        names: Option<&'a HashMap<String, String>>,
        values: Option<&'a HashMap<String, Value>>,
    ) -> Self {
        Context {
            names,
            values,
            used_names: RefCell::new(BTreeSet::new()),
            used_values: RefCell::new(BTreeSet::new()),
            validated: Cell::new(false),
        }
    }

    /// Checks the two maps themselves: not empty, well-formed keys (`#name`, `:value`, at
    /// most 255 characters), attribute names neither empty nor over 64 KB. The parse
    /// functions call it before parsing; it is public for requests that must check the maps
    /// without parsing anything.
    pub fn validate(&self) -> Result<(), Error> {
        if self.validated.get() {
            return Ok(());
        }
        if let Some(names) = self.names {
            if names.is_empty() {
                return Err(Error::Validation(
                    "ExpressionAttributeNames must not be empty".into(),
                ));
            }
            for key in sorted(names.keys()) {
                check_placeholder_key(key, lexer::Kind::NameRef).map_err(|message| {
                    Error::Validation(format!(
                        "ExpressionAttributeNames contains invalid key: {message}"
                    ))
                })?;
            }
        }
        if let Some(values) = self.values {
            if values.is_empty() {
                return Err(Error::Validation(
                    "ExpressionAttributeValues must not be empty".into(),
                ));
            }
            for key in sorted(values.keys()) {
                check_placeholder_key(key, lexer::Kind::ValueRef).map_err(|message| {
                    Error::Validation(format!(
                        "ExpressionAttributeValues contains invalid key: {message}"
                    ))
                })?;
            }
        }
        if let Some(names) = self.names {
            for key in sorted(names.keys()) {
                let name = &names[key];
                let problem = if name.is_empty() {
                    "Empty attribute name"
                } else if name.len() > MAX_ATTRIBUTE_NAME_BYTES {
                    "Attribute name is too large, must be less than 65536 bytes"
                } else {
                    continue;
                };
                return Err(Error::Validation(format!(
                    "ExpressionAttributeNames contains invalid value: {problem} for key {key}"
                )));
            }
        }
        self.validated.set(true);
        Ok(())
    }

    /// Fails if a name or value of the request was not used by any of its expressions
    /// (names are checked first). Call it once every expression has been parsed.
    pub fn check_unused(&self) -> Result<(), Error> {
        let used = self.used_names.borrow();
        if let Some(names) = self.names {
            let unused: Vec<&str> = sorted(names.keys())
                .into_iter()
                .filter(|key| !used.contains(*key))
                .collect();
            if !unused.is_empty() {
                return Err(Error::Validation(format!(
                    "Value provided in ExpressionAttributeNames unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        let used = self.used_values.borrow();
        if let Some(values) = self.values {
            let unused: Vec<&str> = sorted(values.keys())
                .into_iter()
                .filter(|key| !used.contains(*key))
                .collect();
            if !unused.is_empty() {
                return Err(Error::Validation(format!(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {{{}}}",
                    unused.join(", ")
                )));
            }
        }
        Ok(())
    }

    /// The attribute name behind `#key`, marking it used.
    pub(crate) fn name(&self, key: &str) -> Option<&'a str> {
        let name = self.names.and_then(|names| names.get(key))?;
        self.used_names.borrow_mut().insert(key.to_string());
        Some(name.as_str())
    }

    /// The value behind `:key`, marking it used.
    pub(crate) fn value(&self, key: &str) -> Option<&'a Value> {
        let value = self.values.and_then(|values| values.get(key))?;
        self.used_values.borrow_mut().insert(key.to_string());
        Some(value)
    }
}

fn sorted<'k>(keys: impl Iterator<Item = &'k String>) -> Vec<&'k str> {
    let mut keys: Vec<&str> = keys.map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// A placeholder key must be exactly one `#name` (or `:value`) token.
fn check_placeholder_key(key: &str, kind: lexer::Kind) -> Result<(), String> {
    if key.is_empty() {
        return Err("The expression attribute map contains an empty key;".into());
    }
    let length = key.encode_utf16().count();
    if length > MAX_PLACEHOLDER_LENGTH {
        return Err(if kind == lexer::Kind::NameRef {
            format!(
                "The expression attribute map contains a key that is too long; size of key: {length}"
            )
        } else {
            "The expression attribute map contains a key that is too long;".into()
        });
    }
    let tokens = lexer::tokenize(key);
    let whole = tokens[0].start == 0 && tokens[0].end == key.len();
    if tokens.len() != 2 || tokens[0].kind != kind || !whole {
        return Err(format!("Syntax error; key: \"{key}\""));
    }
    Ok(())
}
