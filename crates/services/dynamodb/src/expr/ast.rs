//! The two trees of the engine.
//!
//! The parser produces the *raw* tree ([`RawCond`], [`RawOperand`], [`RawAction`]…): exactly
//! what the text says, placeholders unresolved. Resolution (see `resolve.rs`) turns it into
//! the *resolved* tree ([`Node`], [`Path`]) that evaluation works on: placeholders replaced by
//! names and values, every operator validated the way DynamoDB validates it.

use std::fmt;

use crate::item::Value;

// ---------------------------------------------------------------------------------------------
// Raw tree
// ---------------------------------------------------------------------------------------------

/// One element of a document path as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawElem {
    /// A bare name (`a`); subject to the reserved-word check.
    Name(String),
    /// A name placeholder (`#a`).
    NameRef(String),
    /// A list index (`[3]`), its digits as written.
    Index(String),
}

/// A document path as written: `a.#b[2]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawPath(pub Vec<RawElem>);

/// A function call as written: `name(arg, …)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawCall {
    pub name: String,
    pub args: Vec<RawOperand>,
}

/// An operand: a path, a value placeholder or a function call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawOperand {
    Path(RawPath),
    Value(String),
    Call(Box<RawCall>),
}

/// The six comparators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A condition as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawCond {
    // The operands are boxed to keep the enum (and the parser's stack frames) small.
    Compare(Box<(Cmp, RawOperand, RawOperand)>),
    Between(Box<(RawOperand, RawOperand, RawOperand)>),
    In(Box<(RawOperand, Vec<RawOperand>)>),
    /// A function used as a condition: `attribute_exists(a)`.
    Call(Box<RawCall>),
    /// `NOT` repeated `n` times in front of a condition.
    Not(u32, Box<RawCond>),
    /// Two or more conditions joined by `AND` (left to right).
    And(Vec<RawCond>),
    /// Two or more conditions joined by `OR` (left to right).
    Or(Vec<RawCond>),
}

/// `+` or `-` in a `SET` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Plus,
    Minus,
}

/// The right-hand side of a `SET` action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawSetValue {
    Operand(RawOperand),
    Arith(Arith, RawOperand, RawOperand),
}

/// The four update sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    Set,
    Remove,
    Add,
    Delete,
}

impl Section {
    pub fn name(self) -> &'static str {
        match self {
            Section::Set => "SET",
            Section::Remove => "REMOVE",
            Section::Add => "ADD",
            Section::Delete => "DELETE",
        }
    }
}

/// One update action as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RawAction {
    Set(RawPath, RawSetValue),
    Remove(RawPath),
    Add(RawPath, String),
    Delete(RawPath, String),
}

impl RawAction {
    pub fn path(&self) -> &RawPath {
        match self {
            RawAction::Set(path, _)
            | RawAction::Remove(path)
            | RawAction::Add(path, _)
            | RawAction::Delete(path, _) => path,
        }
    }
}

/// An update expression as written: its sections in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawUpdate(pub Vec<(Section, Vec<RawAction>)>);

// ---------------------------------------------------------------------------------------------
// Resolved tree
// ---------------------------------------------------------------------------------------------

/// One element of a resolved document path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PathElement {
    /// A map key (or a top-level attribute name).
    Name(String),
    /// A list index.
    Index(usize),
}

/// A resolved document path: a top-level attribute name followed by map keys and list indexes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path(pub(crate) Vec<PathElement>);

impl Path {
    /// A path naming one top-level attribute (dots in `name` are part of the name).
    pub fn attribute(name: &str) -> Path {
        Path(vec![PathElement::Name(name.to_string())])
    }

    /// The elements, first to last.
    pub fn elements(&self) -> &[PathElement] {
        &self.0
    }

    /// The top-level attribute the path starts at.
    pub fn top(&self) -> &str {
        match self.0.first() {
            Some(PathElement::Name(name)) => name,
            // Paths always start with a name; an empty string keeps this total.
            _ => "",
        }
    }

    /// Whether the path goes below its top-level attribute.
    pub fn is_nested(&self) -> bool {
        self.0.len() > 1
    }
}

/// DynamoDB's rendering in error messages: `[a, b, [2]]`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, element) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match element {
                PathElement::Name(name) => f.write_str(name)?,
                PathElement::Index(index) => write!(f, "[{index}]")?,
            }
        }
        f.write_str("]")
    }
}

/// The operators and functions of every expression kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Between,
    In,
    And,
    Or,
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Contains,
    Size,
    Plus,
    Minus,
    ListAppend,
    IfNotExists,
}

impl Op {
    /// The name DynamoDB uses for it in messages.
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Between => "BETWEEN",
            Op::In => "IN",
            Op::And => "AND",
            Op::Or => "OR",
            Op::AttributeExists => "attribute_exists",
            Op::AttributeNotExists => "attribute_not_exists",
            Op::AttributeType => "attribute_type",
            Op::BeginsWith => "begins_with",
            Op::Contains => "contains",
            Op::Size => "size",
            Op::Plus => "+",
            Op::Minus => "-",
            Op::ListAppend => "list_append",
            Op::IfNotExists => "if_not_exists",
        }
    }

    pub fn from_cmp(cmp: Cmp) -> Op {
        match cmp {
            Cmp::Eq => Op::Eq,
            Cmp::Ne => Op::Ne,
            Cmp::Lt => Op::Lt,
            Cmp::Le => Op::Le,
            Cmp::Gt => Op::Gt,
            Cmp::Ge => Op::Ge,
        }
    }

    /// The functions usable in condition-type expressions.
    pub fn condition_function(name: &str) -> Option<Op> {
        Some(match name {
            "attribute_exists" => Op::AttributeExists,
            "attribute_not_exists" => Op::AttributeNotExists,
            "attribute_type" => Op::AttributeType,
            "begins_with" => Op::BeginsWith,
            "contains" => Op::Contains,
            "size" => Op::Size,
            _ => return None,
        })
    }

    /// The functions usable in update expressions.
    pub fn update_function(name: &str) -> Option<Op> {
        Some(match name {
            "if_not_exists" => Op::IfNotExists,
            "list_append" => Op::ListAppend,
            _ => return None,
        })
    }
}

/// A node of a resolved expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Path(Path),
    Value(Value),
    Op(Op, Vec<Node>),
    /// `NOT` applied `n` times.
    Not(u32, Box<Node>),
}
