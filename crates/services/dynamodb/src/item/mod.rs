//! Items and attribute values: the data model, its JSON wire form ([`wire`]), its stored form
//! ([`codec`]), its size as DynamoDB counts it ([`size`]), and numbers ([`number`]).

pub mod codec;
pub mod number;
pub mod size;
pub mod wire;

use std::cmp::Ordering;
use std::collections::BTreeMap;

pub use number::Number;

/// An item: attribute names to values.
pub type Item = BTreeMap<String, Value>;

/// An attribute value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// `S`: a string.
    S(String),
    /// `N`: a number.
    N(Number),
    /// `B`: binary.
    B(Vec<u8>),
    /// `SS`: a set of strings (non-empty, no duplicates, kept in insertion order).
    Ss(Vec<String>),
    /// `NS`: a set of numbers.
    Ns(Vec<Number>),
    /// `BS`: a set of binaries.
    Bs(Vec<Vec<u8>>),
    /// `M`: a map.
    M(Item),
    /// `L`: a list.
    L(Vec<Value>),
    /// `NULL`.
    Null,
    /// `BOOL`.
    Bool(bool),
}

/// The scalar types a key attribute may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ScalarType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarType {
    /// `S`, `N` or `B`.
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }

    /// Parses `S`, `N` or `B`.
    pub fn parse(text: &str) -> Option<ScalarType> {
        match text {
            "S" => Some(ScalarType::S),
            "N" => Some(ScalarType::N),
            "B" => Some(ScalarType::B),
            _ => None,
        }
    }
}

impl Value {
    /// The DynamoDB type name: `S`, `N`, `B`, `SS`, `NS`, `BS`, `M`, `L`, `NULL`, `BOOL`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::S(_) => "S",
            Value::N(_) => "N",
            Value::B(_) => "B",
            Value::Ss(_) => "SS",
            Value::Ns(_) => "NS",
            Value::Bs(_) => "BS",
            Value::M(_) => "M",
            Value::L(_) => "L",
            Value::Null => "NULL",
            Value::Bool(_) => "BOOL",
        }
    }

    /// The scalar type, for `S`, `N` and `B` values.
    pub fn scalar_type(&self) -> Option<ScalarType> {
        match self {
            Value::S(_) => Some(ScalarType::S),
            Value::N(_) => Some(ScalarType::N),
            Value::B(_) => Some(ScalarType::B),
            _ => None,
        }
    }

    /// Orders two values of the same scalar type as DynamoDB's comparison operators do (strings
    /// and binaries bytewise, numbers numerically); `None` across types or for non-scalars.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::S(a), Value::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Value::N(a), Value::N(b)) => Some(a.cmp(b)),
            (Value::B(a), Value::B(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Equality as DynamoDB's `=` sees it: sets are equal whatever their order.
    pub fn equals(&self, other: &Value) -> bool {
        fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
            a.len() == b.len() && a.iter().all(|x| b.contains(x))
        }
        match (self, other) {
            (Value::Ss(a), Value::Ss(b)) => same_set(a, b),
            (Value::Ns(a), Value::Ns(b)) => same_set(a, b),
            (Value::Bs(a), Value::Bs(b)) => same_set(a, b),
            (Value::M(a), Value::M(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|w| v.equals(w)))
            }
            (Value::L(a), Value::L(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.equals(y))
            }
            (a, b) => a == b,
        }
    }
}
