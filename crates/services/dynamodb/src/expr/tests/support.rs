//! Helpers shared by the tests: items and placeholder maps from DynamoDB's JSON, and
//! one-call wrappers around the parse functions that return error messages as strings.

use std::collections::HashMap;

use crate::Error;
use crate::expr::{
    Condition, Context, ExprKind, KeyCondition, Projection, Update, parse_condition,
    parse_key_condition, parse_projection, parse_update,
};
use crate::item::{Item, Value};

/// An item from its JSON wire form.
pub fn item(json: &str) -> Item {
    serde_json::from_str(json).unwrap()
}

/// A value from its JSON wire form.
pub fn value(json: &str) -> Value {
    serde_json::from_str(json).unwrap()
}

/// ExpressionAttributeValues from JSON (`""`: none).
pub fn values(json: &str) -> Option<HashMap<String, Value>> {
    (!json.is_empty()).then(|| serde_json::from_str(json).unwrap())
}

/// ExpressionAttributeNames from pairs (`&[]`: none).
pub fn names(pairs: &[(&str, &str)]) -> Option<HashMap<String, String>> {
    (!pairs.is_empty()).then(|| {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    })
}

/// The message of a validation error.
pub fn message(error: Error) -> String {
    match error {
        Error::Validation(message) => message,
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Parses a ConditionExpression and checks no placeholder is left unused.
pub fn condition(text: &str, names_: &[(&str, &str)], values_: &str) -> Result<Condition, String> {
    let names = names(names_);
    let values = values(values_);
    let ctx = Context::new(names.as_ref(), values.as_ref());
    let condition = parse_condition(text, ExprKind::Condition, &ctx).map_err(message)?;
    ctx.check_unused().map_err(message)?;
    Ok(condition)
}

/// The error a ConditionExpression gets.
pub fn condition_error(text: &str, names_: &[(&str, &str)], values_: &str) -> String {
    match condition(text, names_, values_) {
        Ok(c) => panic!("{text}: expected an error, got {c:?}"),
        Err(message) => message,
    }
}

/// Evaluates a ConditionExpression against an item given as JSON (`""`: no item).
pub fn holds(text: &str, item_json: &str, values_: &str) -> bool {
    let condition = condition(text, &[], values_).unwrap_or_else(|e| panic!("{text}: {e}"));
    if item_json.is_empty() {
        condition.evaluate(None)
    } else {
        condition.evaluate(Some(&item(item_json)))
    }
}

/// Parses an UpdateExpression and checks no placeholder is left unused.
pub fn update(text: &str, names_: &[(&str, &str)], values_: &str) -> Result<Update, String> {
    let names = names(names_);
    let values = values(values_);
    let ctx = Context::new(names.as_ref(), values.as_ref());
    let update = parse_update(text, &ctx).map_err(message)?;
    ctx.check_unused().map_err(message)?;
    Ok(update)
}

/// The error an UpdateExpression gets.
pub fn update_error(text: &str, names_: &[(&str, &str)], values_: &str) -> String {
    match update(text, names_, values_) {
        Ok(u) => panic!("{text}: expected an error, got {u:?}"),
        Err(message) => message,
    }
}

/// Applies an UpdateExpression to an item given as JSON (`""`: a new item) and returns the
/// result, or the error.
pub fn apply(text: &str, item_json: &str, values_: &str) -> Result<Item, String> {
    let update = update(text, &[], values_).unwrap_or_else(|e| panic!("{text}: {e}"));
    let existed = !item_json.is_empty();
    let mut target = if existed {
        item(item_json)
    } else {
        Item::new()
    };
    update.apply(&mut target, existed).map_err(message)?;
    Ok(target)
}

/// Parses a ProjectionExpression and checks no name is left unused.
pub fn projection(text: &str, names_: &[(&str, &str)]) -> Result<Projection, String> {
    let names = names(names_);
    let ctx = Context::new(names.as_ref(), None);
    let projection = parse_projection(text, &ctx).map_err(message)?;
    ctx.check_unused().map_err(message)?;
    Ok(projection)
}

/// Projects an item given as JSON.
pub fn project(text: &str, item_json: &str) -> Item {
    projection(text, &[])
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .apply(&item(item_json))
}

/// Parses a KeyConditionExpression and matches it with the key schema.
pub fn key_condition(
    text: &str,
    names_: &[(&str, &str)],
    values_: &str,
    hash: &str,
    range: Option<&str>,
) -> Result<KeyCondition, String> {
    let names = names(names_);
    let values = values(values_);
    let ctx = Context::new(names.as_ref(), values.as_ref());
    let expression = parse_key_condition(text, &ctx).map_err(message)?;
    ctx.check_unused().map_err(message)?;
    let range: Vec<&str> = range.into_iter().collect();
    expression.key_condition(&[hash], &range).map_err(message)
}
