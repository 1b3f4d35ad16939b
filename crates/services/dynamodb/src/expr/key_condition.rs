//! Key conditions: KeyConditionExpression, and the legacy `KeyConditions` converted to the
//! same form.
//!
//! A KeyConditionExpression is parsed and validated like any condition; then its conditions
//! (joined by AND) are extracted. Each must compare one top-level attribute with values:
//! `=`, `<`, `<=`, `>`, `>=` (either side may be the attribute: `:v < k` means `k > :v`),
//! `k BETWEEN :a AND :b`, `begins_with(k, :v)`. Then, with the key names: one or two
//! conditions, one on the hash key with `=`, the other on the range key. A global index's
//! multi-attribute key takes `=` on every partition key attribute, and conditions on sort key
//! attributes from the first on, without gaps, all `=` but the last.

use std::cmp::Ordering;

use super::ast::{Node, Op};
use super::condition::{begins_with, parse_condition_node};
use super::{Context, ExprKind};
use crate::Error;
use crate::item::{ScalarType, Value};

/// A parsed, validated KeyConditionExpression, before it is matched with the key schema.
#[derive(Clone, Debug)]
pub struct KeyConditionExpression {
    root: Node,
}

/// Parses and validates a KeyConditionExpression, resolving its placeholders from `ctx`.
pub fn parse_key_condition(text: &str, ctx: &Context<'_>) -> Result<KeyConditionExpression, Error> {
    let root = parse_condition_node(text, ExprKind::KeyCondition, ctx)?;
    Ok(KeyConditionExpression { root })
}

/// The key condition of a Query.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCondition {
    /// The partition key values, in key schema order.
    pub hash: Vec<Value>,
    /// The values of the leading sort key attributes compared with `=` before the last
    /// condition (only multi-attribute keys have them).
    pub sort_prefix: Vec<Value>,
    /// The condition on the sort key attribute after them, if any.
    pub range: Option<RangeCondition>,
}

/// A condition on the range key.
#[derive(Clone, Debug, PartialEq)]
pub enum RangeCondition {
    /// `k = v`.
    Eq(Value),
    /// `k < v`.
    Lt(Value),
    /// `k <= v`.
    Le(Value),
    /// `k > v`.
    Gt(Value),
    /// `k >= v`.
    Ge(Value),
    /// `k BETWEEN low AND high` (inclusive).
    Between(Value, Value),
    /// `begins_with(k, v)`.
    BeginsWith(Value),
}

impl RangeCondition {
    /// The values it compares with.
    pub fn values(&self) -> Vec<&Value> {
        match self {
            RangeCondition::Eq(v)
            | RangeCondition::Lt(v)
            | RangeCondition::Le(v)
            | RangeCondition::Gt(v)
            | RangeCondition::Ge(v)
            | RangeCondition::BeginsWith(v) => vec![v],
            RangeCondition::Between(low, high) => vec![low, high],
        }
    }

    /// Whether a range key value satisfies the condition.
    pub fn matches(&self, key: &Value) -> bool {
        let cmp = |v: &Value| key.compare(v);
        match self {
            RangeCondition::Eq(v) => cmp(v) == Some(Ordering::Equal),
            RangeCondition::Lt(v) => cmp(v) == Some(Ordering::Less),
            RangeCondition::Le(v) => matches!(cmp(v), Some(Ordering::Less | Ordering::Equal)),
            RangeCondition::Gt(v) => cmp(v) == Some(Ordering::Greater),
            RangeCondition::Ge(v) => matches!(cmp(v), Some(Ordering::Greater | Ordering::Equal)),
            RangeCondition::Between(low, high) => {
                matches!(cmp(low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(cmp(high), Some(Ordering::Less | Ordering::Equal))
            }
            RangeCondition::BeginsWith(v) => begins_with(key, v),
        }
    }
}

impl KeyCondition {
    /// Fails unless every value has its key attribute's type (`hash` and `range`: the types
    /// of the key's attributes in key schema order).
    pub fn check_types(&self, hash: &[ScalarType], range: &[ScalarType]) -> Result<(), Error> {
        let mismatch =
            || Error::invalid_parameter("Condition parameter type does not match schema type");
        let typed = |value: &Value, kind: Option<&ScalarType>| {
            value.scalar_type().is_some() && value.scalar_type().as_ref() == kind
        };
        let hash_ok = self.hash.iter().zip(hash).all(|(v, k)| typed(v, Some(k)));
        let prefix_ok = self
            .sort_prefix
            .iter()
            .zip(range)
            .all(|(v, k)| typed(v, Some(k)));
        if !hash_ok || !prefix_ok {
            return Err(mismatch());
        }
        if let Some(condition) = &self.range {
            let kind = range.get(self.sort_prefix.len());
            if condition.values().iter().any(|v| !typed(v, kind)) {
                return Err(mismatch());
            }
        }
        Ok(())
    }
}

/// The comparisons a key condition may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    Between,
    BeginsWith,
}

/// One extracted condition: attribute, comparison, values.
#[derive(Clone, Debug)]
pub(crate) struct Part {
    pub name: String,
    pub op: KeyOp,
    pub values: Vec<Value>,
}

impl KeyConditionExpression {
    /// Matches the conditions with the key schema of the table or index queried: its
    /// partition key and sort key attribute names.
    pub fn key_condition(&self, hash: &[&str], range: &[&str]) -> Result<KeyCondition, Error> {
        let mut parts = Vec::new();
        extract(&self.root, &mut parts)?;
        assemble(parts, hash, range)
    }
}

fn invalid_condition(detail: &str) -> Error {
    Error::Validation(format!(
        "Invalid condition in KeyConditionExpression: {detail}"
    ))
}

fn extract(node: &Node, parts: &mut Vec<Part>) -> Result<(), Error> {
    let (op, operands) = match node {
        Node::Op(Op::And, operands) => {
            return operands.iter().try_for_each(|o| extract(o, parts));
        }
        Node::Op(op, operands) => (*op, operands),
        Node::Not(..) => {
            return Err(Error::Validation(
                "Invalid operator used in KeyConditionExpression: NOT".into(),
            ));
        }
        _ => return Err(invalid_condition("No operator specified for condition")),
    };
    let mut key_op = match op {
        Op::Eq => KeyOp::Eq,
        Op::Lt => KeyOp::Lt,
        Op::Le => KeyOp::Le,
        Op::Gt => KeyOp::Gt,
        Op::Ge => KeyOp::Ge,
        Op::Between => KeyOp::Between,
        Op::BeginsWith => KeyOp::BeginsWith,
        other => {
            return Err(Error::Validation(format!(
                "Invalid operator used in KeyConditionExpression: {}",
                other.name()
            )));
        }
    };
    let mut name: Option<&str> = None;
    let mut values = Vec::new();
    for operand in operands {
        match operand {
            Node::Path(path) => {
                if name.is_some() {
                    return Err(invalid_condition(
                        "Multiple attribute names used in one condition",
                    ));
                }
                if path.is_nested() {
                    return Err(Error::Validation(
                        "KeyConditionExpressions cannot have conditions on nested attributes"
                            .into(),
                    ));
                }
                name = Some(path.top());
            }
            Node::Value(value) => {
                if name.is_none() {
                    // A value before the key: `:v < k` is `k > :v`; BETWEEN and
                    // begins_with cannot be turned around.
                    key_op = match key_op {
                        KeyOp::Between | KeyOp::BeginsWith => {
                            return Err(invalid_condition(&format!(
                                "{} operator must have the key attribute as its first operand",
                                op.name()
                            )));
                        }
                        KeyOp::Lt => KeyOp::Gt,
                        KeyOp::Gt => KeyOp::Lt,
                        KeyOp::Le => KeyOp::Ge,
                        KeyOp::Ge => KeyOp::Le,
                        KeyOp::Eq => KeyOp::Eq,
                    };
                }
                values.push(value.clone());
            }
            Node::Op(..) | Node::Not(..) => {
                return Err(Error::Validation(
                    "KeyConditionExpressions cannot contain nested operations".into(),
                ));
            }
        }
    }
    let Some(name) = name else {
        return Err(invalid_condition("No key attribute specified"));
    };
    if parts.iter().any(|part| part.name == name) {
        return Err(Error::Validation(
            "KeyConditionExpressions must only contain one condition per key".into(),
        ));
    }
    parts.push(Part {
        name: name.to_string(),
        op: key_op,
        values,
    });
    Ok(())
}

/// Matches extracted conditions with the key schema.
pub(crate) fn assemble(
    parts: Vec<Part>,
    hash: &[&str],
    range: &[&str],
) -> Result<KeyCondition, Error> {
    match (hash, range) {
        ([hash], []) => assemble_single(parts, hash, None),
        ([hash], [range]) => assemble_single(parts, hash, Some(range)),
        _ => assemble_composite(parts, hash, range),
    }
}

/// A key of one partition key attribute and at most one sort key attribute.
fn assemble_single(
    mut parts: Vec<Part>,
    hash: &str,
    range: Option<&str>,
) -> Result<KeyCondition, Error> {
    if parts.is_empty() || parts.len() > 2 {
        return Err(Error::Validation(
            "Conditions can be of length 1 or 2 only".into(),
        ));
    }
    let not_supported = || Error::Validation("Query key condition not supported".into());
    let keys = if range.is_some() { 2 } else { 1 };
    if parts.len() > keys {
        return Err(not_supported());
    }
    let missed = |name: &str| {
        Error::Validation(format!("Query condition missed key schema element: {name}"))
    };
    let Some(at) = parts.iter().position(|part| part.name == hash) else {
        return Err(missed(hash));
    };
    let hash_part = parts.remove(at);
    if hash_part.op != KeyOp::Eq {
        return Err(not_supported());
    }
    let range = match (parts.pop(), range) {
        (None, _) => None,
        (Some(part), Some(range)) if part.name == range => Some(range_condition(part)),
        (Some(_), range) => return Err(missed(range.unwrap_or_default())),
    };
    let mut hash_values = hash_part.values;
    let hash = hash_values.pop().ok_or_else(not_supported)?;
    Ok(KeyCondition {
        hash: vec![hash],
        sort_prefix: Vec::new(),
        range,
    })
}

/// A global index's multi-attribute key: `=` on every partition key attribute; sort key
/// attributes from the first on, without gaps, all `=` but the last.
fn assemble_composite(
    mut parts: Vec<Part>,
    hash: &[&str],
    range: &[&str],
) -> Result<KeyCondition, Error> {
    let mut take = |name: &str| {
        parts
            .iter()
            .position(|part| part.name == name)
            .map(|at| parts.remove(at))
    };
    let mut hash_values = Vec::with_capacity(hash.len());
    for name in hash {
        match take(name) {
            Some(part) if part.op == KeyOp::Eq => hash_values.extend(part.values),
            _ => {
                return Err(Error::Validation(format!(
                    "Query key condition not supported: every HASH key attribute of the index \
                     needs an equality condition; {name} has none"
                )));
            }
        }
    }
    let mut used = Vec::new();
    let mut ended = false;
    for name in range {
        match take(name) {
            Some(part) if !ended => {
                ended = part.op != KeyOp::Eq;
                used.push(part);
            }
            Some(_) => {
                return Err(range_order(name));
            }
            None => ended = true,
        }
    }
    if let Some(part) = parts.first() {
        return Err(if range.contains(&part.name.as_str()) {
            range_order(&part.name)
        } else {
            Error::Validation(format!(
                "Query key condition not supported: {} is not a key attribute of the index",
                part.name
            ))
        });
    }
    let range = used.pop().map(range_condition);
    let sort_prefix = used.into_iter().flat_map(|part| part.values).collect();
    Ok(KeyCondition {
        hash: hash_values,
        sort_prefix,
        range,
    })
}

fn range_order(name: &str) -> Error {
    Error::Validation(format!(
        "Query key condition not supported: the RANGE key attributes of the index must be \
         used in key schema order, without gaps, each with an equality condition except the \
         last; {name} is out of place"
    ))
}

fn range_condition(part: Part) -> RangeCondition {
    let mut values = part.values.into_iter();
    let mut next = || values.next().unwrap_or(Value::Null);
    match part.op {
        KeyOp::Eq => RangeCondition::Eq(next()),
        KeyOp::Lt => RangeCondition::Lt(next()),
        KeyOp::Le => RangeCondition::Le(next()),
        KeyOp::Gt => RangeCondition::Gt(next()),
        KeyOp::Ge => RangeCondition::Ge(next()),
        KeyOp::Between => {
            let low = next();
            RangeCondition::Between(low, next())
        }
        KeyOp::BeginsWith => RangeCondition::BeginsWith(next()),
    }
}
