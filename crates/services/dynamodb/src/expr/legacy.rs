//! The legacy parameters, as they appear on the wire, and their conversion to the expression
//! engine's [`Condition`], [`Update`], [`Projection`] and [`KeyCondition`]:
//!
//! * `Expected` (+ `ConditionalOperator`): per attribute, `Value` (equality), `Exists: false`
//!   (absence), or `ComparisonOperator` + `AttributeValueList`;
//! * `QueryFilter` / `ScanFilter` (+ `ConditionalOperator`) and `KeyConditions`:
//!   `ComparisonOperator` + `AttributeValueList` per attribute;
//! * `AttributeUpdates`: `PUT`, `ADD`, `DELETE` per attribute;
//! * `AttributesToGet`.
//!
//! Attribute names here are whole top-level names: `a.b` is the attribute called `a.b`.
//!
//! The comparison operators, on an attribute `a`: `EQ`/`NE` (any type; a missing attribute
//! is not equal), `LT`/`LE`/`GT`/`GE`/`BETWEEN`/`IN` (strings, numbers, binaries),
//! `NULL`/`NOT_NULL` (the attribute is absent/present — not the NULL type), `CONTAINS`/
//! `NOT_CONTAINS` (a string, number or binary: substring or set/list membership;
//! `NOT_CONTAINS` is false when the attribute is missing), `BEGINS_WITH` (string or binary).
//! All values of one list must have one type.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::MAX_ATTRIBUTE_NAME_BYTES;
use super::ast::{Node, Op, Path};
use super::condition::{Condition, Origin};
use super::key_condition::{KeyCondition, KeyOp, Part, assemble};
use super::projection::Projection;
use super::update::{Action, ActionKind, Update};
use crate::Error;
use crate::item::Value;

/// One entry of `Expected`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExpectedAttributeValue {
    /// The value the attribute must equal (or the single comparison value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `false`: the attribute must not exist; `true` (the default): use `Value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// `EQ`, `NE`, `LE`, `LT`, `GE`, `GT`, `NOT_NULL`, `NULL`, `CONTAINS`, `NOT_CONTAINS`,
    /// `BEGINS_WITH`, `IN`, `BETWEEN`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_operator: Option<String>,
    /// The values compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_value_list: Option<Vec<Value>>,
}

/// One entry of `QueryFilter`, `ScanFilter` or `KeyConditions` (AWS's `Condition` shape).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeCondition {
    /// The comparison (required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison_operator: Option<String>,
    /// The values compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_value_list: Option<Vec<Value>>,
}

/// One entry of `AttributeUpdates`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeValueUpdate {
    /// The value to put, add or delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// `PUT` (the default), `ADD` or `DELETE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
}

/// Which filter parameter a filter came in (it names the parameter in messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterParameter {
    /// `QueryFilter`.
    QueryFilter,
    /// `ScanFilter`.
    ScanFilter,
}

impl FilterParameter {
    fn member(self) -> &'static str {
        match self {
            FilterParameter::QueryFilter => "queryFilter",
            FilterParameter::ScanFilter => "scanFilter",
        }
    }
}

/// The comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparison {
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    NotNull,
    Null,
    Contains,
    NotContains,
    BeginsWith,
    In,
    Between,
}

const COMPARISONS: &str =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

impl Comparison {
    fn parse(text: &str) -> Option<Comparison> {
        Some(match text {
            "EQ" => Comparison::Eq,
            "NE" => Comparison::Ne,
            "LE" => Comparison::Le,
            "LT" => Comparison::Lt,
            "GE" => Comparison::Ge,
            "GT" => Comparison::Gt,
            "NOT_NULL" => Comparison::NotNull,
            "NULL" => Comparison::Null,
            "CONTAINS" => Comparison::Contains,
            "NOT_CONTAINS" => Comparison::NotContains,
            "BEGINS_WITH" => Comparison::BeginsWith,
            "IN" => Comparison::In,
            "BETWEEN" => Comparison::Between,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Comparison::Eq => "EQ",
            Comparison::Ne => "NE",
            Comparison::Le => "LE",
            Comparison::Lt => "LT",
            Comparison::Ge => "GE",
            Comparison::Gt => "GT",
            Comparison::NotNull => "NOT_NULL",
            Comparison::Null => "NULL",
            Comparison::Contains => "CONTAINS",
            Comparison::NotContains => "NOT_CONTAINS",
            Comparison::BeginsWith => "BEGINS_WITH",
            Comparison::In => "IN",
            Comparison::Between => "BETWEEN",
        }
    }

    fn arity_ok(self, count: usize) -> bool {
        match self {
            Comparison::Null | Comparison::NotNull => count == 0,
            Comparison::In => count >= 1,
            Comparison::Between => count == 2,
            _ => count == 1,
        }
    }

    fn accepts(self, value: &Value) -> bool {
        let scalar = value.scalar_type().is_some();
        match self {
            Comparison::Eq | Comparison::Ne => true,
            Comparison::BeginsWith => matches!(value, Value::S(_) | Value::B(_)),
            _ => scalar,
        }
    }
}

/// The errors of the request's own schema ("1 validation error detected: …").
#[derive(Default)]
struct SchemaErrors(Vec<String>);

impl SchemaErrors {
    fn enumeration(&mut self, value: Option<&str>, member: String, allowed: &str) {
        match value {
            None => self.0.push(format!(
                "Value null at '{member}' failed to satisfy constraint: Member must not be null"
            )),
            Some(value) => self.0.push(format!(
                "Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: {allowed}"
            )),
        }
    }

    fn finish(self) -> Result<(), Error> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(Error::Validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(Error::Validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

fn check_conditional_operator(operator: Option<&str>, errors: &mut SchemaErrors) {
    if let Some(operator) = operator
        && operator != "AND"
        && operator != "OR"
    {
        errors.enumeration(Some(operator), "conditionalOperator".into(), "[OR, AND]");
    }
}

fn sorted<T>(map: &HashMap<String, T>) -> Vec<(&String, &T)> {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

/// Counts, types and order of the values of one comparison.
fn check_values(op: Comparison, values: &[Value]) -> Result<(), Error> {
    if !op.arity_ok(values.len()) {
        return Err(Error::invalid_parameter(format!(
            "Invalid number of argument(s) for the {} ComparisonOperator",
            op.name()
        )));
    }
    if let Some(first) = values.first() {
        for value in values {
            if !op.accepts(value) {
                return Err(Error::invalid_parameter(format!(
                    "ComparisonOperator {} is not valid for {} AttributeValue type",
                    op.name(),
                    value.type_name()
                )));
            }
            if value.type_name() != first.type_name() {
                return Err(Error::invalid_parameter(
                    "AttributeValues inside AttributeValueList must be of same type",
                ));
            }
        }
    }
    if op == Comparison::Between
        && values[0].compare(&values[1]) == Some(std::cmp::Ordering::Greater)
    {
        return Err(Error::Validation(
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
                .into(),
        ));
    }
    Ok(())
}

/// The condition node for `attribute <op> values`.
fn comparison_node(attribute: &str, op: Comparison, values: &[Value]) -> Node {
    let path = || Node::Path(Path::attribute(attribute));
    let with = |op: Op, values: &[Value]| {
        let mut operands = vec![path()];
        operands.extend(values.iter().cloned().map(Node::Value));
        Node::Op(op, operands)
    };
    match op {
        Comparison::Eq => with(Op::Eq, values),
        Comparison::Ne => with(Op::Ne, values),
        Comparison::Le => with(Op::Le, values),
        Comparison::Lt => with(Op::Lt, values),
        Comparison::Ge => with(Op::Ge, values),
        Comparison::Gt => with(Op::Gt, values),
        Comparison::NotNull => with(Op::AttributeExists, &[]),
        Comparison::Null => with(Op::AttributeNotExists, &[]),
        Comparison::Contains => with(Op::Contains, values),
        // Unlike NE, NOT_CONTAINS is false for a missing attribute.
        Comparison::NotContains => Node::Op(
            Op::And,
            vec![
                with(Op::AttributeExists, &[]),
                Node::Not(1, Box::new(with(Op::Contains, values))),
            ],
        ),
        Comparison::BeginsWith => with(Op::BeginsWith, values),
        Comparison::In => with(Op::In, values),
        Comparison::Between => with(Op::Between, values),
    }
}

/// Joins conditions with ConditionalOperator (AND by default).
fn combine(mut nodes: Vec<Node>, operator: Option<&str>, origin: Origin) -> Option<Condition> {
    let root = match nodes.len() {
        0 => return None,
        1 => nodes.pop()?,
        _ if operator == Some("OR") => Node::Op(Op::Or, nodes),
        _ => Node::Op(Op::And, nodes),
    };
    Some(Condition { root, origin })
}

/// ConditionalOperator needs at least two conditions to join.
fn check_conditional_operator_use(
    operator: Option<&str>,
    entries: Option<usize>,
) -> Result<(), Error> {
    match (operator, entries) {
        (None, _) => Ok(()),
        (Some(_), None) => Err(Error::Validation(
            "ConditionalOperator cannot be used without Filter or Expected".into(),
        )),
        (Some(_), Some(n)) if n < 2 => Err(Error::Validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// Converts `Expected` and `ConditionalOperator` to a condition (`None`: no condition).
pub fn expected(
    expected: Option<&HashMap<String, ExpectedAttributeValue>>,
    conditional_operator: Option<&str>,
) -> Result<Option<Condition>, Error> {
    let mut errors = SchemaErrors::default();
    check_conditional_operator(conditional_operator, &mut errors);
    let entries = expected.map(sorted).unwrap_or_default();
    for (name, entry) in &entries {
        if let Some(op) = &entry.comparison_operator
            && Comparison::parse(op).is_none()
        {
            errors.enumeration(
                Some(op),
                format!("expected.{name}.member.comparisonOperator"),
                COMPARISONS,
            );
        }
    }
    errors.finish()?;
    check_conditional_operator_use(conditional_operator, expected.map(HashMap::len))?;

    let mut nodes = Vec::with_capacity(entries.len());
    for (name, entry) in entries {
        nodes.push(expected_node(name, entry)?);
    }
    Ok(combine(nodes, conditional_operator, Origin::Other))
}

fn expected_node(name: &str, entry: &ExpectedAttributeValue) -> Result<Node, Error> {
    let invalid =
        |detail: &str| Error::invalid_parameter(format!("{detail} for Attribute: {name}"));
    if entry.value.is_some() && entry.attribute_value_list.is_some() {
        return Err(invalid(
            "Value and AttributeValueList cannot be used together",
        ));
    }
    if let Some(op) = &entry.comparison_operator {
        let op = Comparison::parse(op).unwrap_or(Comparison::Eq);
        if entry.exists.is_some() {
            return Err(invalid(
                "Exists and ComparisonOperator cannot be used together",
            ));
        }
        let values: Vec<Value> = match (&entry.attribute_value_list, &entry.value) {
            (Some(list), _) => list.clone(),
            (None, Some(value)) => vec![value.clone()],
            (None, None) => {
                if !matches!(op, Comparison::Null | Comparison::NotNull) {
                    return Err(invalid(&format!(
                        "Value or AttributeValueList must be used with ComparisonOperator: {}",
                        op.name()
                    )));
                }
                Vec::new()
            }
        };
        check_values(op, &values)?;
        return Ok(comparison_node(name, op, &values));
    }
    if entry.attribute_value_list.is_some() {
        return Err(invalid(
            "AttributeValueList can only be used with a ComparisonOperator",
        ));
    }
    match (entry.exists, &entry.value) {
        (None | Some(true), Some(value)) => Ok(comparison_node(
            name,
            Comparison::Eq,
            std::slice::from_ref(value),
        )),
        (None, None) => Err(invalid("Value must be provided when Exists is null")),
        (Some(true), None) => Err(invalid("Value must be provided when Exists is true")),
        (Some(false), None) => Ok(comparison_node(name, Comparison::Null, &[])),
        (Some(false), Some(_)) => Err(invalid("Value cannot be used when Exists is false")),
    }
}

/// Checks the schema of `QueryFilter`/`ScanFilter`/`KeyConditions` entries and returns
/// their operators.
fn parse_conditions<'m>(
    conditions: &'m HashMap<String, AttributeCondition>,
    member: &str,
    errors: &mut SchemaErrors,
) -> Vec<(&'m String, Option<Comparison>, Vec<Value>)> {
    sorted(conditions)
        .into_iter()
        .map(|(name, condition)| {
            let op = condition.comparison_operator.as_deref();
            let parsed = op.and_then(Comparison::parse);
            if parsed.is_none() {
                errors.enumeration(
                    op,
                    format!("{member}.{name}.member.comparisonOperator"),
                    COMPARISONS,
                );
            }
            (
                name,
                parsed,
                condition.attribute_value_list.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// Converts `QueryFilter` or `ScanFilter` and `ConditionalOperator` to a condition (`None`:
/// no filter). An empty filter is no filter.
pub fn filter(
    filter: Option<&HashMap<String, AttributeCondition>>,
    conditional_operator: Option<&str>,
    parameter: FilterParameter,
) -> Result<Option<Condition>, Error> {
    let mut errors = SchemaErrors::default();
    check_conditional_operator(conditional_operator, &mut errors);
    let empty = HashMap::new();
    let conditions = parse_conditions(filter.unwrap_or(&empty), parameter.member(), &mut errors);
    errors.finish()?;
    check_conditional_operator_use(conditional_operator, filter.map(HashMap::len))?;

    let mut nodes = Vec::with_capacity(conditions.len());
    for (name, op, values) in conditions {
        let op = op.unwrap_or(Comparison::Eq);
        check_values(op, &values)?;
        nodes.push(comparison_node(name, op, &values));
    }
    let origin = match parameter {
        FilterParameter::QueryFilter => Origin::QueryFilter,
        FilterParameter::ScanFilter => Origin::Other,
    };
    Ok(combine(nodes, conditional_operator, origin))
}

/// Converts `KeyConditions`, matching them with the key schema of the table or index.
pub fn key_conditions(
    conditions: &HashMap<String, AttributeCondition>,
    hash: &[&str],
    range: &[&str],
) -> Result<KeyCondition, Error> {
    let mut errors = SchemaErrors::default();
    let parsed = parse_conditions(conditions, "keyConditions", &mut errors);
    errors.finish()?;
    let mut parts = Vec::with_capacity(parsed.len());
    for (name, op, values) in parsed {
        let op = op.unwrap_or(Comparison::Eq);
        check_values(op, &values)?;
        let op = match op {
            Comparison::Eq => KeyOp::Eq,
            Comparison::Lt => KeyOp::Lt,
            Comparison::Le => KeyOp::Le,
            Comparison::Gt => KeyOp::Gt,
            Comparison::Ge => KeyOp::Ge,
            Comparison::Between => KeyOp::Between,
            Comparison::BeginsWith => KeyOp::BeginsWith,
            _ => {
                return Err(Error::Validation(
                    "Attempted conditional constraint is not an indexable operation".into(),
                ));
            }
        };
        parts.push(Part {
            name: name.clone(),
            op,
            values,
        });
    }
    // Put the hash key's condition first, as an expression would usually have it.
    parts.sort_by_key(|part| !hash.contains(&part.name.as_str()));
    assemble(parts, hash, range)
}

/// The checks every legacy attribute name goes through.
fn check_attribute_name(name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(Error::Validation("Empty attribute name".into()));
    }
    if name.len() > MAX_ATTRIBUTE_NAME_BYTES {
        return Err(Error::Validation(
            "Attribute name is too large, must be less than 65536 bytes".into(),
        ));
    }
    Ok(())
}

/// Converts `AttributeUpdates` to an update. An empty map is an update that changes
/// nothing (UpdateItem then still creates the item).
pub fn attribute_updates(updates: &HashMap<String, AttributeValueUpdate>) -> Result<Update, Error> {
    let entries = sorted(updates);
    let mut errors = SchemaErrors::default();
    for (name, update) in &entries {
        if let Some(action) = &update.action
            && !matches!(action.as_str(), "PUT" | "ADD" | "DELETE")
        {
            errors.enumeration(
                Some(action),
                format!("attributeUpdates.{name}.member.action"),
                "[ADD, DELETE, PUT]",
            );
        }
    }
    errors.finish()?;

    let mut actions = Vec::with_capacity(entries.len());
    for (name, update) in entries {
        check_attribute_name(name)?;
        let action = update.action.as_deref().unwrap_or("PUT");
        let kind = match (action, &update.value) {
            ("DELETE", None) => ActionKind::Remove,
            (_, None) => {
                return Err(Error::invalid_parameter(
                    "Only DELETE action is allowed when no attribute value is specified",
                ));
            }
            ("DELETE", Some(value)) => {
                if !matches!(value, Value::Ss(_) | Value::Ns(_) | Value::Bs(_)) {
                    return Err(Error::invalid_parameter(format!(
                        "DELETE action with value is not supported for the type {}",
                        value.type_name()
                    )));
                }
                ActionKind::LegacyDelete(value.clone())
            }
            ("ADD", Some(value)) => {
                if !matches!(
                    value,
                    Value::N(_) | Value::Ss(_) | Value::Ns(_) | Value::Bs(_) | Value::L(_)
                ) {
                    return Err(Error::invalid_parameter(format!(
                        "ADD action is not supported for the type {}",
                        value.type_name()
                    )));
                }
                ActionKind::LegacyAdd(value.clone())
            }
            (_, Some(value)) => ActionKind::Put(value.clone()),
        };
        actions.push(Action {
            path: Path::attribute(name),
            kind,
        });
    }
    Ok(Update { actions })
}

/// Converts `AttributesToGet` to a projection.
pub fn attributes_to_get(names: &[String]) -> Result<Projection, Error> {
    if names.is_empty() {
        return Err(Error::Validation(
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"
                .into(),
        ));
    }
    for (i, name) in names.iter().enumerate() {
        check_attribute_name(name)?;
        if names[..i].contains(name) {
            return Err(Error::invalid_parameter(format!(
                "Duplicate value in attribute name: {name}"
            )));
        }
    }
    Ok(Projection::of_attributes(names))
}
