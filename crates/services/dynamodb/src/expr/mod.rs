//! DynamoDB expressions. (Interface stub until the full engine lands.)
#![allow(missing_docs, dead_code)]

use std::collections::HashMap;

use crate::Error;
use crate::item::{Item, Value};

fn unsupported() -> Error {
    Error::Validation("expressions are not supported yet".into())
}

pub struct Context<'a> {
    names: Option<&'a HashMap<String, String>>,
    values: Option<&'a HashMap<String, Value>>,
}

impl<'a> Context<'a> {
    pub fn new(
        names: Option<&'a HashMap<String, String>>,
        values: Option<&'a HashMap<String, Value>>,
    ) -> Self {
        Self { names, values }
    }

    pub fn check_unused(&self) -> Result<(), Error> {
        Ok(())
    }
}

#[derive(Clone, Copy, Debug)]
pub enum ExprKind {
    Condition,
    Filter,
}

pub struct Condition;

impl Condition {
    pub fn evaluate(&self, _item: Option<&Item>) -> bool {
        true
    }
}

pub fn parse_condition(_text: &str, _kind: ExprKind, _ctx: &Context) -> Result<Condition, Error> {
    Err(unsupported())
}

pub struct Update;

impl Update {
    pub fn apply(&self, _item: &mut Item) -> Result<(), Error> {
        Err(unsupported())
    }

    pub fn top_level_attributes(&self) -> impl Iterator<Item = &str> {
        std::iter::empty()
    }
}

pub fn parse_update(_text: &str, _ctx: &Context) -> Result<Update, Error> {
    Err(unsupported())
}

pub struct Projection;

impl Projection {
    pub fn apply(&self, item: &Item) -> Item {
        item.clone()
    }
}

pub fn parse_projection(_text: &str, _ctx: &Context) -> Result<Projection, Error> {
    Err(unsupported())
}

pub struct KeyCondition {
    pub hash: Value,
    pub range: Option<RangeCondition>,
}

pub enum RangeCondition {
    Eq(Value),
    Lt(Value),
    Le(Value),
    Gt(Value),
    Ge(Value),
    Between(Value, Value),
    BeginsWith(Value),
}

pub fn parse_key_condition(
    _text: &str,
    _ctx: &Context,
    _hash: &str,
    _range: Option<&str>,
) -> Result<KeyCondition, Error> {
    Err(unsupported())
}
