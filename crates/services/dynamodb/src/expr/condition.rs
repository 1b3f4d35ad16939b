//! Conditions: ConditionExpression, FilterExpression, and the legacy `Expected`,
//! `QueryFilter` and `ScanFilter` converted to the same form; and their evaluation.
//!
//! Evaluation never fails: what DynamoDB rejects is rejected when the expression is parsed,
//! and everything else that does not fit is simply false:
//!
//! * a missing attribute is equal to nothing (`=` is false, `<>` is true, even between two
//!   missing attributes), and any ordering comparison with it is false;
//! * values of different types are never equal and never ordered; `<`, `<=`, `>`, `>=` and
//!   BETWEEN only order strings (bytewise), numbers and binaries (unsigned bytes);
//! * sets are equal whatever their order, also inside lists and maps;
//! * `size()` measures strings (in UTF-16 code units, as DynamoDB counts them), binaries,
//!   sets, lists and maps; on anything else, or a missing attribute, it has no value and
//!   every comparison with it is false;
//! * `contains(a, v)`: substring when both are strings or both binaries; membership when `a`
//!   is a set of `v`'s type, or a list with an element equal to `v`; false otherwise (maps
//!   contain nothing);
//! * `begins_with(a, v)`: both strings or both binaries.

use std::borrow::Cow;
use std::cmp::Ordering;

use super::ast::{Node, Op, Path, PathElement};
use super::parser;
use super::resolve::Resolver;
use super::{Context, ExprKind, check_text};
use crate::Error;
use crate::item::{Item, Number, Value};

/// Where a condition came from; it words the errors about key attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    Expression,
    QueryFilter,
    Other,
}

/// A parsed, validated condition.
#[derive(Clone, Debug)]
pub struct Condition {
    pub(crate) root: Node,
    pub(crate) origin: Origin,
}

/// Parses and validates a ConditionExpression or FilterExpression (`kind` names it in
/// messages), resolving its placeholders from `ctx`.
pub fn parse_condition(text: &str, kind: ExprKind, ctx: &Context<'_>) -> Result<Condition, Error> {
    let root = parse_condition_node(text, kind, ctx)?;
    Ok(Condition {
        root,
        origin: Origin::Expression,
    })
}

/// Parses and resolves any condition-type expression.
pub(crate) fn parse_condition_node(
    text: &str,
    kind: ExprKind,
    ctx: &Context<'_>,
) -> Result<Node, Error> {
    ctx.validate()?;
    check_text(text, kind)?;
    let raw = parser::parse_condition(text).map_err(|message| kind.invalid(message))?;
    Resolver::new(ctx)
        .cond(&raw)
        .map_err(|message| kind.invalid(message))
}

impl Condition {
    /// Whether the item (`None`: there is none) satisfies the condition.
    pub fn evaluate(&self, item: Option<&Item>) -> bool {
        let empty = Item::new();
        holds(&self.root, item.unwrap_or(&empty))
    }

    /// Every document path the condition reads, in text order.
    pub fn paths(&self) -> Vec<&Path> {
        let mut paths = Vec::new();
        collect_paths(&self.root, &mut paths);
        paths
    }

    /// The top-level attributes the condition reads.
    pub fn top_level_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for path in self.paths() {
            if !names.contains(&path.top()) {
                names.push(path.top());
            }
        }
        names
    }

    /// The top-level attributes the condition reads below (`a.b`, `a[1]`): key attributes may
    /// not be among them (see [`super::nested_key_attribute_error`]).
    pub fn nested_attributes(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for path in self.paths() {
            if path.is_nested() && !names.contains(&path.top()) {
                names.push(path.top());
            }
        }
        names
    }

    /// For Query: a filter may not refer to the table's (or index's) key attributes.
    /// `keys` lists them, hash key first.
    pub fn check_filter_keys(&self, keys: &[&str]) -> Result<(), Error> {
        let used = self.top_level_attributes();
        for key in keys {
            if used.contains(key) {
                let what = match self.origin {
                    Origin::QueryFilter => "QueryFilter",
                    _ => "Filter Expression",
                };
                return Err(Error::Validation(format!(
                    "{what} can only contain non-primary key attributes: Primary key attribute: {key}"
                )));
            }
        }
        Ok(())
    }
}

fn collect_paths<'a>(node: &'a Node, out: &mut Vec<&'a Path>) {
    match node {
        Node::Path(path) => out.push(path),
        Node::Value(_) => {}
        Node::Op(_, operands) => operands.iter().for_each(|o| collect_paths(o, out)),
        Node::Not(_, inner) => collect_paths(inner, out),
    }
}

/// The value at `path` in `item`, if there is one.
pub(crate) fn lookup<'a>(item: &'a Item, path: &Path) -> Option<&'a Value> {
    let mut elements = path.0.iter();
    let mut current = match elements.next()? {
        PathElement::Name(name) => item.get(name)?,
        PathElement::Index(_) => return None,
    };
    for element in elements {
        current = match (element, current) {
            (PathElement::Name(name), Value::M(map)) => map.get(name)?,
            (PathElement::Index(index), Value::L(list)) => list.get(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

/// `size()` of a value, if it has one.
pub(crate) fn size(value: &Value) -> Option<Value> {
    let size = match value {
        Value::S(text) => text.encode_utf16().count(),
        Value::B(bytes) => bytes.len(),
        Value::Ss(set) => set.len(),
        Value::Ns(set) => set.len(),
        Value::Bs(set) => set.len(),
        Value::L(list) => list.len(),
        Value::M(map) => map.len(),
        Value::N(_) | Value::Bool(_) | Value::Null => return None,
    };
    Number::parse(&size.to_string()).ok().map(Value::N)
}

/// The value of an operand of a condition.
fn operand<'a>(node: &'a Node, item: &'a Item) -> Option<Cow<'a, Value>> {
    match node {
        Node::Path(path) => lookup(item, path).map(Cow::Borrowed),
        Node::Value(value) => Some(Cow::Borrowed(value)),
        Node::Op(Op::Size, operands) => operands
            .first()
            .and_then(|o| operand(o, item))
            .and_then(|value| size(&value))
            .map(Cow::Owned),
        _ => None,
    }
}

/// `a` compared with `b`, when both exist and are of one orderable type.
fn order(a: Option<&Value>, b: Option<&Value>) -> Option<Ordering> {
    a?.compare(b?)
}

fn equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    matches!((a, b), (Some(a), Some(b)) if a.equals(b))
}

pub(crate) fn contains(haystack: &Value, needle: &Value) -> bool {
    match (haystack, needle) {
        (Value::S(text), Value::S(part)) => text.contains(part.as_str()),
        (Value::B(bytes), Value::B(part)) => {
            part.is_empty() || bytes.windows(part.len()).any(|w| w == part.as_slice())
        }
        (Value::Ss(set), Value::S(element)) => set.contains(element),
        (Value::Ns(set), Value::N(element)) => set.contains(element),
        (Value::Bs(set), Value::B(element)) => set.contains(element),
        (Value::L(list), element) => list.iter().any(|item| item.equals(element)),
        _ => false,
    }
}

pub(crate) fn begins_with(value: &Value, prefix: &Value) -> bool {
    match (value, prefix) {
        (Value::S(text), Value::S(prefix)) => text.starts_with(prefix.as_str()),
        (Value::B(bytes), Value::B(prefix)) => bytes.starts_with(prefix),
        _ => false,
    }
}

/// Whether a condition node holds for `item`.
pub(crate) fn holds(node: &Node, item: &Item) -> bool {
    let (op, operands) = match node {
        Node::Op(op, operands) => (*op, operands.as_slice()),
        Node::Not(count, inner) => return holds(inner, item) != (count % 2 == 1),
        // Paths and values are not conditions; the parser never makes them one.
        _ => return false,
    };
    let value = |i: usize| operands.get(i).and_then(|o| operand(o, item));
    match op {
        Op::And => operands.iter().all(|o| holds(o, item)),
        Op::Or => operands.iter().any(|o| holds(o, item)),
        Op::Eq => equal(value(0).as_deref(), value(1).as_deref()),
        Op::Ne => !equal(value(0).as_deref(), value(1).as_deref()),
        Op::Lt => order(value(0).as_deref(), value(1).as_deref()) == Some(Ordering::Less),
        Op::Le => matches!(
            order(value(0).as_deref(), value(1).as_deref()),
            Some(Ordering::Less | Ordering::Equal)
        ),
        Op::Gt => order(value(0).as_deref(), value(1).as_deref()) == Some(Ordering::Greater),
        Op::Ge => matches!(
            order(value(0).as_deref(), value(1).as_deref()),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        Op::Between => {
            let v = value(0);
            let above = order(v.as_deref(), value(1).as_deref());
            let below = order(v.as_deref(), value(2).as_deref());
            matches!(above, Some(Ordering::Greater | Ordering::Equal))
                && matches!(below, Some(Ordering::Less | Ordering::Equal))
        }
        Op::In => {
            let v = value(0);
            (1..operands.len()).any(|i| equal(v.as_deref(), value(i).as_deref()))
        }
        Op::AttributeExists => value(0).is_some(),
        Op::AttributeNotExists => value(0).is_none(),
        Op::AttributeType => match (value(0), value(1)) {
            (Some(v), Some(t)) => matches!(&*t, Value::S(name) if name == v.type_name()),
            _ => false,
        },
        Op::BeginsWith => match (value(0), value(1)) {
            (Some(v), Some(prefix)) => begins_with(&v, &prefix),
            _ => false,
        },
        Op::Contains => match (value(0), value(1)) {
            (Some(haystack), Some(needle)) => contains(&haystack, &needle),
            _ => false,
        },
        Op::Size | Op::Plus | Op::Minus | Op::ListAppend | Op::IfNotExists => false,
    }
}
