//! Updates: UpdateExpression, and the legacy `AttributeUpdates` converted to the same form;
//! and their application to an item.
//!
//! Parsing follows DynamoDB's order: after the syntax and tree checks, the paths written by
//! the actions are resolved and checked for overlaps and conflicts *from the last action to
//! the first*, then the actions' operands are resolved and checked, again from the last to
//! the first (which decides which error a request with several gets).
//!
//! Application reads every operand from the item as it was, then writes:
//!
//! * `SET a.b.c = v` needs `a.b` to exist and be a map (`a[1]`: a list); it fails with "The
//!   document path provided in the update expression is invalid for update" otherwise. An
//!   index past the end of a list appends (several such indexes append in index order).
//! * `REMOVE` deletes; list elements after a removed one shift down, but every index in the
//!   expression refers to the list as it was. Removing what is not there does nothing, but
//!   the parent must exist (when the item itself does not exist, nothing is checked).
//! * `ADD` adds to a number (a missing one counts as 0) or unites sets (a missing one counts
//!   as empty); `DELETE` removes elements from a set and removes the attribute once the set
//!   is empty. Mismatched types fail with "An operand in the update expression has an
//!   incorrect data type".
//! * Reading a missing attribute fails with "The provided expression refers to an attribute
//!   that does not exist in the item" (`if_not_exists` is the way around it); `+`, `-` and
//!   `list_append` on the wrong types fail like ADD does; arithmetic goes through
//!   [`Number::add`]/[`Number::sub`], whose errors (overflow…) propagate.

use std::collections::BTreeSet;

use super::ast::{Node, Op, Path, PathElement, RawAction};
use super::condition::lookup;
use super::parser;
use super::projection::Projection;
use super::resolve::{PathTree, Resolver};
use super::{Context, ExprKind, check_text};
use crate::Error;
use crate::item::Value;

/// What one action does.
#[derive(Clone, Debug)]
pub(crate) enum ActionKind {
    /// `SET path = value`.
    Set(Node),
    /// `REMOVE path`, or `AttributeUpdates` `DELETE` without a value.
    Remove,
    /// `ADD path :value` (numbers and sets).
    Add(Value),
    /// `DELETE path :set`.
    Delete(Value),
    /// `AttributeUpdates` `PUT`.
    Put(Value),
    /// `AttributeUpdates` `ADD` (numbers, sets and lists).
    LegacyAdd(Value),
    /// `AttributeUpdates` `DELETE` with a set.
    LegacyDelete(Value),
}

/// One action on one path.
#[derive(Clone, Debug)]
pub(crate) struct Action {
    pub path: Path,
    pub kind: ActionKind,
}

/// A parsed, validated update.
#[derive(Clone, Debug)]
pub struct Update {
    pub(crate) actions: Vec<Action>,
}

/// Parses and validates an UpdateExpression, resolving its placeholders from `ctx`.
pub fn parse_update(text: &str, ctx: &Context<'_>) -> Result<Update, Error> {
    let kind = ExprKind::Update;
    ctx.validate()?;
    check_text(text, kind)?;
    let raw = parser::parse_update(text).map_err(|message| kind.invalid(message))?;
    let actions: Vec<&RawAction> = raw.0.iter().flat_map(|(_, actions)| actions).collect();
    let mut resolver = Resolver::new(ctx);

    let mut paths = vec![None; actions.len()];
    let mut tree = PathTree::default();
    for (i, action) in actions.iter().enumerate().rev() {
        let path = resolver
            .path(action.path())
            .map_err(|message| kind.invalid(message))?;
        tree.insert(&path)
            .map_err(|message| kind.invalid(message))?;
        paths[i] = Some(path);
    }

    let mut kinds = vec![None; actions.len()];
    for (i, action) in actions.iter().enumerate().rev() {
        kinds[i] = Some(resolve_action(&mut resolver, action).map_err(|m| kind.invalid(m))?);
    }

    let actions = paths
        .into_iter()
        .zip(kinds)
        .filter_map(|(path, kind)| {
            Some(Action {
                path: path?,
                kind: kind?,
            })
        })
        .collect();
    Ok(Update { actions })
}

/// DynamoDB's long type names, used in ADD and DELETE operand errors.
fn long_type_name(value: &Value) -> &'static str {
    match value {
        Value::S(_) => "STRING",
        Value::N(_) => "NUMBER",
        Value::B(_) => "BINARY",
        Value::Ss(_) => "STRING_SET",
        Value::Ns(_) => "NUMBER_SET",
        Value::Bs(_) => "BINARY_SET",
        Value::Bool(_) => "BOOLEAN",
        Value::Null => "NULL",
        Value::L(_) => "LIST",
        Value::M(_) => "MAP",
    }
}

fn is_set(value: &Value) -> bool {
    matches!(value, Value::Ss(_) | Value::Ns(_) | Value::Bs(_))
}

fn resolve_action(
    resolver: &mut Resolver<'_, '_>,
    action: &RawAction,
) -> Result<ActionKind, String> {
    Ok(match action {
        RawAction::Set(_, value) => ActionKind::Set(resolver.set_value(value)?),
        RawAction::Remove(_) => ActionKind::Remove,
        RawAction::Add(_, key) => {
            let value = resolver.value(key)?;
            if !(matches!(value, Value::N(_)) || is_set(&value)) {
                return Err(format!(
                    "Incorrect operand type for operator or function; operator: ADD, operand type: {}, typeSet: ALLOWED_FOR_ADD_OPERAND",
                    long_type_name(&value)
                ));
            }
            ActionKind::Add(value)
        }
        RawAction::Delete(_, key) => {
            let value = resolver.value(key)?;
            if !is_set(&value) {
                return Err(format!(
                    "Incorrect operand type for operator or function; operator: DELETE, operand type: {}, typeSet: ALLOWED_FOR_DELETE_OPERAND",
                    long_type_name(&value)
                ));
            }
            ActionKind::Delete(value)
        }
    })
}

fn invalid_path() -> Error {
    Error::Validation(
        "The document path provided in the update expression is invalid for update".into(),
    )
}

fn missing_attribute() -> Error {
    Error::Validation(
        "The provided expression refers to an attribute that does not exist in the item".into(),
    )
}

fn wrong_type() -> Error {
    Error::Validation("An operand in the update expression has an incorrect data type".into())
}

fn legacy_mismatch() -> Error {
    Error::Validation("Type mismatch for attribute to update".into())
}

/// The value of a SET operand: `Ok(None)` when it names a missing attribute.
fn evaluate(node: &Node, item: &crate::item::Item) -> Result<Option<Value>, Error> {
    let (op, operands) = match node {
        Node::Path(path) => return Ok(lookup(item, path).cloned()),
        Node::Value(value) => return Ok(Some(value.clone())),
        Node::Op(op, operands) => (*op, operands),
        // Conditions are not SET operands; validation keeps them out.
        Node::Not(..) => return Err(wrong_type()),
    };
    let mut values = Vec::with_capacity(operands.len());
    for operand in operands {
        values.push(evaluate(operand, item)?);
    }
    match op {
        Op::IfNotExists => {
            // Both operands are evaluated: a missing fallback fails even when unused.
            let fallback = values.pop().flatten().ok_or_else(missing_attribute)?;
            Ok(Some(values.pop().flatten().unwrap_or(fallback)))
        }
        Op::Plus | Op::Minus | Op::ListAppend => {
            let mut present = Vec::with_capacity(2);
            for value in values {
                present.push(value.ok_or_else(missing_attribute)?);
            }
            let (Some(right), Some(left)) = (present.pop(), present.pop()) else {
                return Err(wrong_type());
            };
            match (op, left, right) {
                (Op::Plus, Value::N(a), Value::N(b)) => Ok(Some(Value::N(a.add(&b)?))),
                (Op::Minus, Value::N(a), Value::N(b)) => Ok(Some(Value::N(a.sub(&b)?))),
                (Op::ListAppend, Value::L(mut a), Value::L(b)) => {
                    a.extend(b);
                    Ok(Some(Value::L(a)))
                }
                _ => Err(wrong_type()),
            }
        }
        _ => Err(wrong_type()),
    }
}

/// The paths of an update, as a tree whose leaves are action indexes.
enum Target {
    Leaf(usize),
    Inner(Vec<(PathElement, Target)>),
}

impl Target {
    fn insert(children: &mut Vec<(PathElement, Target)>, path: &[PathElement], action: usize) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        if rest.is_empty() {
            children.push((first.clone(), Target::Leaf(action)));
            return;
        }
        let at = match children.iter().position(|(e, _)| e == first) {
            Some(at) => at,
            None => {
                children.push((first.clone(), Target::Inner(Vec::new())));
                children.len() - 1
            }
        };
        // Validation guarantees no path ends where another continues.
        if let Target::Inner(grandchildren) = &mut children[at].1 {
            Target::insert(grandchildren, rest, action);
        }
    }

    fn only_removes(&self, actions: &[Action]) -> bool {
        match self {
            Target::Leaf(i) => matches!(actions[*i].kind, ActionKind::Remove),
            Target::Inner(children) => children.iter().all(|(_, t)| t.only_removes(actions)),
        }
    }
}

struct Applier<'u> {
    actions: &'u [Action],
    /// The SET values, computed from the item as it was.
    values: Vec<Option<Value>>,
    existed: bool,
}

impl Applier<'_> {
    /// The new value of the attribute or element an action targets (`None`: absent).
    fn result(&mut self, action: usize, current: Option<Value>) -> Result<Option<Value>, Error> {
        Ok(match &self.actions[action].kind {
            ActionKind::Set(_) | ActionKind::Put(_) => self.values[action].take(),
            ActionKind::Remove => None,
            ActionKind::Add(value) => add(current, value, false)?,
            ActionKind::LegacyAdd(value) => add(current, value, true)?,
            ActionKind::Delete(value) => delete(current, value, false)?,
            ActionKind::LegacyDelete(value) => delete(current, value, true)?,
        })
    }

    /// Whether a missing parent may be skipped: only for removals from an item that does
    /// not exist (DynamoDB ignores those).
    fn skippable(&self, target: &Target) -> bool {
        !self.existed && target.only_removes(self.actions)
    }

    fn map(
        &mut self,
        map: &mut crate::item::Item,
        children: &[(PathElement, Target)],
    ) -> Result<(), Error> {
        for (element, target) in children {
            let PathElement::Name(name) = element else {
                return Err(invalid_path());
            };
            match target {
                Target::Leaf(action) => {
                    let current = map.remove(name);
                    if let Some(value) = self.result(*action, current)? {
                        map.insert(name.clone(), value);
                    }
                }
                Target::Inner(grandchildren) => match map.get_mut(name) {
                    Some(Value::M(inner)) => self.map(inner, grandchildren)?,
                    Some(Value::L(inner)) => self.list(inner, grandchildren)?,
                    None if self.skippable(target) => {}
                    _ => return Err(invalid_path()),
                },
            }
        }
        Ok(())
    }

    fn list(
        &mut self,
        list: &mut Vec<Value>,
        children: &[(PathElement, Target)],
    ) -> Result<(), Error> {
        let mut slots: Vec<Option<Value>> = list.drain(..).map(Some).collect();
        let len = slots.len();
        let mut appended: Vec<(usize, Value)> = Vec::new();
        for (element, target) in children {
            let PathElement::Index(index) = *element else {
                return Err(invalid_path());
            };
            match target {
                Target::Leaf(action) => {
                    let current = if index < len {
                        slots[index].take()
                    } else {
                        None
                    };
                    let result = self.result(*action, current)?;
                    if index < len {
                        slots[index] = result;
                    } else if let Some(value) = result {
                        appended.push((index, value));
                    }
                }
                Target::Inner(grandchildren) => match slots.get_mut(index) {
                    Some(Some(Value::M(inner))) => self.map(inner, grandchildren)?,
                    Some(Some(Value::L(inner))) => self.list(inner, grandchildren)?,
                    None if self.skippable(target) => {}
                    _ => return Err(invalid_path()),
                },
            }
        }
        appended.sort_by_key(|(index, _)| *index);
        list.extend(slots.into_iter().flatten());
        list.extend(appended.into_iter().map(|(_, value)| value));
        Ok(())
    }
}

fn union<T: Clone + PartialEq>(mut current: Vec<T>, added: &[T]) -> Vec<T> {
    for element in added {
        if !current.contains(element) {
            current.push(element.clone());
        }
    }
    current
}

fn difference<T: PartialEq>(current: Vec<T>, removed: &[T]) -> Option<Vec<T>> {
    let rest: Vec<T> = current
        .into_iter()
        .filter(|e| !removed.contains(e))
        .collect();
    (!rest.is_empty()).then_some(rest)
}

/// ADD: numbers add up, sets unite (lists concatenate, for AttributeUpdates only).
fn add(current: Option<Value>, value: &Value, legacy: bool) -> Result<Option<Value>, Error> {
    let mismatch = if legacy { legacy_mismatch } else { wrong_type };
    let Some(current) = current else {
        return Ok(Some(value.clone()));
    };
    Ok(Some(match (current, value) {
        (Value::N(a), Value::N(b)) => Value::N(a.add(b)?),
        (Value::Ss(a), Value::Ss(b)) => Value::Ss(union(a, b)),
        (Value::Ns(a), Value::Ns(b)) => Value::Ns(union(a, b)),
        (Value::Bs(a), Value::Bs(b)) => Value::Bs(union(a, b)),
        (Value::L(mut a), Value::L(b)) if legacy => {
            a.extend(b.iter().cloned());
            Value::L(a)
        }
        _ => return Err(mismatch()),
    }))
}

/// DELETE: removes set elements; an emptied set disappears, a missing one stays missing.
fn delete(current: Option<Value>, value: &Value, legacy: bool) -> Result<Option<Value>, Error> {
    let mismatch = if legacy { legacy_mismatch } else { wrong_type };
    let Some(current) = current else {
        return Ok(None);
    };
    Ok(match (current, value) {
        (Value::Ss(a), Value::Ss(b)) => difference(a, b).map(Value::Ss),
        (Value::Ns(a), Value::Ns(b)) => difference(a, b).map(Value::Ns),
        (Value::Bs(a), Value::Bs(b)) => difference(a, b).map(Value::Bs),
        _ => return Err(mismatch()),
    })
}

impl Update {
    /// Applies the update to `item`: the existing item, or (`existed` false) one holding
    /// just the key. On error the item is left unchanged.
    pub fn apply(&self, item: &mut crate::item::Item, existed: bool) -> Result<(), Error> {
        let mut values = Vec::with_capacity(self.actions.len());
        for action in &self.actions {
            values.push(match &action.kind {
                ActionKind::Set(node) => Some(evaluate(node, item)?.ok_or_else(missing_attribute)?),
                ActionKind::Put(value) => Some(value.clone()),
                _ => None,
            });
        }
        let mut targets = Vec::new();
        for (i, action) in self.actions.iter().enumerate() {
            Target::insert(&mut targets, &action.path.0, i);
        }
        let mut applier = Applier {
            actions: &self.actions,
            values,
            existed,
        };
        let mut updated = item.clone();
        applier.map(&mut updated, &targets)?;
        *item = updated;
        Ok(())
    }

    /// The top-level attributes the update writes (once each, in order).
    pub fn top_level_attributes(&self) -> impl Iterator<Item = &str> {
        let mut seen = BTreeSet::new();
        self.actions
            .iter()
            .map(|action| action.path.top())
            .filter(move |name| seen.insert(*name))
    }

    /// The top-level attributes the update writes below (`a.b`, `a[1]`).
    pub fn nested_attributes(&self) -> impl Iterator<Item = &str> {
        let mut seen = BTreeSet::new();
        self.actions
            .iter()
            .filter(|action| action.path.is_nested())
            .map(|action| action.path.top())
            .filter(move |name| seen.insert(*name))
    }

    /// Fails if the update writes one of the key attributes (`keys`: hash key first).
    pub fn check_key_attributes(&self, keys: &[&str]) -> Result<(), Error> {
        for key in keys {
            if self.top_level_attributes().any(|name| name == *key) {
                return Err(Error::invalid_parameter(format!(
                    "Cannot update attribute {key}. This attribute is part of the key"
                )));
            }
        }
        Ok(())
    }

    /// The paths the update writes, as a projection: applied to the item before and after
    /// the update it gives what `ReturnValues` `UPDATED_OLD` and `UPDATED_NEW` return.
    pub fn projection(&self) -> Projection {
        let paths: Vec<Path> = self.actions.iter().map(|a| a.path.clone()).collect();
        let mut tree = PathTree::default();
        for path in &paths {
            // Validation has ruled out overlaps; a legacy update has one path per attribute.
            let _ = tree.insert(path);
        }
        Projection { tree, paths }
    }

    /// Whether the update only removes attributes or set elements (so applying it to a
    /// missing item leaves nothing worth creating, for `AttributeUpdates`).
    pub fn only_removes(&self) -> bool {
        self.actions.iter().all(|action| {
            matches!(
                action.kind,
                ActionKind::Remove | ActionKind::Delete(_) | ActionKind::LegacyDelete(_)
            )
        })
    }
}
