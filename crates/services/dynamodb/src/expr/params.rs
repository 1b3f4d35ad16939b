//! Which parameters may appear together in one request.
//!
//! * Expression parameters and their legacy counterparts cannot be mixed: "Can not use both
//!   expression and non-expression parameters in the same request: Non-expression
//!   parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}".
//!   (`KeyConditions` counts only next to a `KeyConditionExpression`.)
//! * `ExpressionAttributeNames` needs some expression; `ExpressionAttributeValues` needs an
//!   expression that takes values (not a ProjectionExpression).

use crate::Error;

/// The operations that take expressions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// GetItem (ProjectionExpression).
    GetItem,
    /// One table of BatchGetItem, or one Get of TransactGetItems (ProjectionExpression).
    BatchGetItem,
    /// PutItem (ConditionExpression).
    PutItem,
    /// DeleteItem (ConditionExpression).
    DeleteItem,
    /// A ConditionCheck of TransactWriteItems (ConditionExpression).
    ConditionCheck,
    /// UpdateItem (UpdateExpression, ConditionExpression).
    UpdateItem,
    /// Query (KeyConditionExpression, FilterExpression, ProjectionExpression).
    Query,
    /// Scan (FilterExpression, ProjectionExpression).
    Scan,
}

/// Which of the expression-related parameters a request has.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parameters {
    /// `UpdateExpression`.
    pub update_expression: bool,
    /// `ProjectionExpression`.
    pub projection_expression: bool,
    /// `ConditionExpression`.
    pub condition_expression: bool,
    /// `FilterExpression`.
    pub filter_expression: bool,
    /// `KeyConditionExpression`.
    pub key_condition_expression: bool,
    /// `AttributeUpdates`.
    pub attribute_updates: bool,
    /// `AttributesToGet`.
    pub attributes_to_get: bool,
    /// `Expected`.
    pub expected: bool,
    /// `QueryFilter`.
    pub query_filter: bool,
    /// `ScanFilter`.
    pub scan_filter: bool,
    /// `KeyConditions`.
    pub key_conditions: bool,
    /// `ConditionalOperator`.
    pub conditional_operator: bool,
    /// `ExpressionAttributeNames`.
    pub expression_attribute_names: bool,
    /// `ExpressionAttributeValues`.
    pub expression_attribute_values: bool,
}

/// Checks the parameter combination of a request, before anything is parsed.
pub fn check_parameters(operation: Operation, p: &Parameters) -> Result<(), Error> {
    let expressions: Vec<&str> = [
        (p.update_expression, "UpdateExpression"),
        (p.projection_expression, "ProjectionExpression"),
        (p.condition_expression, "ConditionExpression"),
        (p.filter_expression, "FilterExpression"),
        (p.key_condition_expression, "KeyConditionExpression"),
    ]
    .into_iter()
    .filter_map(|(present, name)| present.then_some(name))
    .collect();
    let legacy: Vec<&str> = [
        (p.attribute_updates, "AttributeUpdates"),
        (p.attributes_to_get, "AttributesToGet"),
        (p.expected, "Expected"),
        (p.query_filter, "QueryFilter"),
        (p.scan_filter, "ScanFilter"),
        (p.conditional_operator, "ConditionalOperator"),
        (
            p.key_conditions && p.key_condition_expression,
            "KeyConditions",
        ),
    ]
    .into_iter()
    .filter_map(|(present, name)| present.then_some(name))
    .collect();
    if !expressions.is_empty() && !legacy.is_empty() {
        return Err(Error::Validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            legacy.join(", "),
            expressions.join(", ")
        )));
    }
    if p.expression_attribute_names && expressions.is_empty() {
        return Err(Error::Validation(
            "ExpressionAttributeNames can only be specified when using expressions".into(),
        ));
    }
    if p.expression_attribute_values {
        let missing = match operation {
            Operation::PutItem | Operation::DeleteItem | Operation::ConditionCheck
                if !p.condition_expression =>
            {
                Some("ConditionExpression is null")
            }
            Operation::UpdateItem if !p.update_expression && !p.condition_expression => {
                Some("UpdateExpression and ConditionExpression are null")
            }
            Operation::Query if !p.filter_expression && !p.key_condition_expression => {
                Some("FilterExpression and KeyConditionExpression are null")
            }
            Operation::Scan if !p.filter_expression => Some("FilterExpression is null"),
            _ => None,
        };
        if let Some(missing) = missing {
            return Err(Error::Validation(format!(
                "ExpressionAttributeValues can only be specified when using expressions: {missing}"
            )));
        }
    }
    Ok(())
}
