//! Resolution: placeholders replaced by names and values, every operator checked.
//!
//! DynamoDB validates a parsed expression bottom-up, operands before their operator, left to
//! right; for each operator it checks, in order:
//!
//! 1. the number of operands (`size(a, b)`);
//! 2. each operand's type, when it is known without the item: a value's type, a function's
//!    return type (`size(:number)`, `a < :list`, `begins_with(a, size(b))` are errors, while
//!    `a < b` never is: paths may hold anything);
//! 3. that the first operand, when a path, does not appear again (`a = a`, `contains(a, a)`);
//! 4. operator-specific rules: BETWEEN bounds given as values must have one type and be in
//!    order, IN takes at most 100 values, `attribute_exists`/`attribute_not_exists`/
//!    `if_not_exists` need a path first, `attribute_type` needs a known type name as a value;
//!
//! and then counts it against the limit of 300 operators. A path is checked when it is met:
//! at most 32 elements, then its `#name` placeholders in order; a `:value` placeholder
//! likewise.

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::ast::{
    Arith, Cmp, Node, Op, Path, PathElement, RawCall, RawCond, RawElem, RawOperand, RawPath,
    RawSetValue,
};
use super::{Context, MAX_IN_OPERANDS, MAX_OPERATORS, MAX_PATH_DEPTH};
use crate::item::Value;

/// The value types, as a bit set, for operand type checks.
pub(crate) mod types {
    use crate::item::Value;

    pub const S: u16 = 1;
    pub const N: u16 = 1 << 1;
    pub const B: u16 = 1 << 2;
    pub const SS: u16 = 1 << 3;
    pub const NS: u16 = 1 << 4;
    pub const BS: u16 = 1 << 5;
    pub const BOOL: u16 = 1 << 6;
    pub const NULL: u16 = 1 << 7;
    pub const L: u16 = 1 << 8;
    pub const M: u16 = 1 << 9;
    pub const ALL: u16 = (1 << 10) - 1;
    /// What `<`, `<=`, `>`, `>=` and BETWEEN compare.
    pub const ORDERED: u16 = S | N | B;
    /// What `size` measures.
    pub const SIZED: u16 = S | B | SS | NS | BS | L | M;

    pub fn of(value: &Value) -> u16 {
        match value {
            Value::S(_) => S,
            Value::N(_) => N,
            Value::B(_) => B,
            Value::Ss(_) => SS,
            Value::Ns(_) => NS,
            Value::Bs(_) => BS,
            Value::Bool(_) => BOOL,
            Value::Null => NULL,
            Value::L(_) => L,
            Value::M(_) => M,
        }
    }

    /// How DynamoDB writes a set of possible types: one name, or all of them in braces.
    pub fn describe(types: u16) -> &'static str {
        match types {
            S => "S",
            N => "N",
            B => "B",
            SS => "SS",
            NS => "NS",
            BS => "BS",
            BOOL => "BOOL",
            NULL => "NULL",
            L => "L",
            M => "M",
            _ => "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}",
        }
    }
}

impl Op {
    /// The types each operand may have.
    fn operand_types(self) -> u16 {
        match self {
            Op::Lt | Op::Le | Op::Gt | Op::Ge | Op::Between => types::ORDERED,
            Op::BeginsWith => types::S | types::B,
            Op::Size => types::SIZED,
            Op::And | Op::Or => types::BOOL,
            Op::Plus | Op::Minus => types::N,
            Op::ListAppend => types::L,
            Op::Eq
            | Op::Ne
            | Op::In
            | Op::AttributeExists
            | Op::AttributeNotExists
            | Op::AttributeType
            | Op::Contains
            | Op::IfNotExists => types::ALL,
        }
    }

    /// The types it returns.
    fn return_types(self) -> u16 {
        match self {
            Op::Size | Op::Plus | Op::Minus => types::N,
            Op::ListAppend => types::L,
            Op::IfNotExists => types::ALL,
            _ => types::BOOL,
        }
    }

    /// Whether the number of operands is right.
    fn arity_ok(self, count: usize) -> bool {
        match self {
            Op::In => count >= 1,
            Op::Between => count == 3,
            Op::AttributeExists | Op::AttributeNotExists | Op::Size => count == 1,
            _ => count == 2,
        }
    }

    /// The condition operators, whose first operand (when a path) must not be repeated.
    fn needs_distinct_operands(self) -> bool {
        !matches!(
            self,
            Op::And | Op::Or | Op::Plus | Op::Minus | Op::ListAppend | Op::IfNotExists
        )
    }
}

fn node_types(node: &Node) -> u16 {
    match node {
        Node::Path(_) => types::ALL,
        Node::Value(value) => types::of(value),
        Node::Op(op, _) => op.return_types(),
        Node::Not(..) => types::BOOL,
    }
}

/// How DynamoDB shows a value in BETWEEN messages: `AttributeValue: {N:1}`.
fn show_value(value: &Value) -> String {
    let text = match value {
        Value::S(s) => s.clone(),
        Value::N(n) => n.to_string(),
        Value::B(b) => BASE64.encode(b),
        other => serde_json::to_string(other).unwrap_or_default(),
    };
    format!("AttributeValue: {{{}:{text}}}", value.type_name())
}

/// The type names `attribute_type` accepts.
const TYPE_NAMES: [&str; 10] = ["S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"];

/// Resolves the raw trees of one expression against a request's placeholders.
pub(crate) struct Resolver<'c, 'a> {
    ctx: &'c Context<'a>,
    operators: usize,
}

impl<'c, 'a> Resolver<'c, 'a> {
    pub fn new(ctx: &'c Context<'a>) -> Self {
        Resolver { ctx, operators: 0 }
    }

    fn count_operator(&mut self) -> Result<(), String> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(format!(
                "The expression contains too many operators; operator count: {}",
                self.operators
            ));
        }
        Ok(())
    }

    pub fn path(&mut self, raw: &RawPath) -> Result<Path, String> {
        if raw.0.len() > MAX_PATH_DEPTH {
            return Err(format!(
                "The document path has too many nesting levels; nesting levels: {}",
                raw.0.len()
            ));
        }
        let mut elements = Vec::with_capacity(raw.0.len());
        for element in &raw.0 {
            elements.push(match element {
                RawElem::Name(name) => PathElement::Name(name.clone()),
                RawElem::NameRef(key) => match self.ctx.name(key) {
                    Some(name) => PathElement::Name(name.to_string()),
                    None => {
                        return Err(format!(
                            "An expression attribute name used in the document path is not defined; attribute name: {key}"
                        ));
                    }
                },
                // The parser's tree checks have rejected indexes that overflow.
                RawElem::Index(digits) => PathElement::Index(digits.parse().unwrap_or(0)),
            });
        }
        Ok(Path(elements))
    }

    pub fn value(&mut self, key: &str) -> Result<Value, String> {
        match self.ctx.value(key) {
            Some(value) => Ok(value.clone()),
            None => Err(format!(
                "An expression attribute value used in expression is not defined; attribute value: {key}"
            )),
        }
    }

    pub fn operand(&mut self, raw: &RawOperand) -> Result<Node, String> {
        match raw {
            RawOperand::Path(path) => Ok(Node::Path(self.path(path)?)),
            RawOperand::Value(key) => Ok(Node::Value(self.value(key)?)),
            RawOperand::Call(call) => self.call(call),
        }
    }

    fn call(&mut self, call: &RawCall) -> Result<Node, String> {
        let op = Op::condition_function(&call.name)
            .or_else(|| Op::update_function(&call.name))
            .ok_or_else(|| format!("Invalid function name; function: {}", call.name))?;
        let mut args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            args.push(self.operand(arg)?);
        }
        self.op(op, args)
    }

    pub fn set_value(&mut self, raw: &RawSetValue) -> Result<Node, String> {
        match raw {
            RawSetValue::Operand(operand) => self.operand(operand),
            RawSetValue::Arith(arith, left, right) => {
                let left = self.operand(left)?;
                let right = self.operand(right)?;
                let op = match arith {
                    Arith::Plus => Op::Plus,
                    Arith::Minus => Op::Minus,
                };
                self.op(op, vec![left, right])
            }
        }
    }

    /// Resolves a condition. Each kind of condition has its own function: the recursion goes
    /// through here, and a small frame lets deeply nested conditions fit on the stack.
    pub fn cond(&mut self, raw: &RawCond) -> Result<Node, String> {
        match raw {
            RawCond::Compare(compare) => self.compare(compare),
            RawCond::Between(between) => self.between(between),
            RawCond::In(in_list) => self.in_list(in_list),
            RawCond::Call(call) => self.call(call),
            RawCond::Not(count, inner) => self.not(*count, inner),
            RawCond::And(items) => self.junction(Op::And, items),
            RawCond::Or(items) => self.junction(Op::Or, items),
        }
    }

    fn compare(&mut self, compare: &(Cmp, RawOperand, RawOperand)) -> Result<Node, String> {
        let (cmp, left, right) = compare;
        let left = self.operand(left)?;
        let right = self.operand(right)?;
        self.op(Op::from_cmp(*cmp), vec![left, right])
    }

    fn between(&mut self, between: &(RawOperand, RawOperand, RawOperand)) -> Result<Node, String> {
        let (value, low, high) = between;
        let value = self.operand(value)?;
        let low = self.operand(low)?;
        let high = self.operand(high)?;
        self.op(Op::Between, vec![value, low, high])
    }

    fn in_list(&mut self, in_list: &(RawOperand, Vec<RawOperand>)) -> Result<Node, String> {
        let (value, list) = in_list;
        let mut operands = Vec::with_capacity(list.len() + 1);
        operands.push(self.operand(value)?);
        for item in list {
            operands.push(self.operand(item)?);
        }
        self.op(Op::In, operands)
    }

    fn not(&mut self, count: u32, inner: &RawCond) -> Result<Node, String> {
        let inner = self.cond(inner)?;
        for _ in 0..count {
            self.count_operator()?;
        }
        Ok(Node::Not(count, Box::new(inner)))
    }

    fn junction(&mut self, op: Op, items: &[RawCond]) -> Result<Node, String> {
        // `a AND b AND c` is `(a AND b) AND c`: one operator counted per joint.
        let mut nodes = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            nodes.push(self.cond(item)?);
            if i > 0 {
                self.count_operator()?;
            }
        }
        Ok(Node::Op(op, nodes))
    }

    /// Checks an operator whose operands are resolved, and counts it.
    fn op(&mut self, op: Op, operands: Vec<Node>) -> Result<Node, String> {
        let name = op.name();
        if !op.arity_ok(operands.len()) {
            return Err(format!(
                "Incorrect number of operands for operator or function; operator or function: {name}, number of operands: {}",
                operands.len()
            ));
        }
        for operand in &operands {
            let operand_types = node_types(operand);
            if operand_types & op.operand_types() == 0 {
                return Err(incorrect_operand_type(name, operand_types));
            }
        }
        if op.needs_distinct_operands()
            && let Some(Node::Path(first)) = operands.first()
            && operands[1..]
                .iter()
                .any(|later| matches!(later, Node::Path(p) if p == first))
        {
            return Err(format!(
                "The first operand must be distinct from the remaining operands for this operator or function; operator: {name}, first operand: {first}"
            ));
        }
        match op {
            Op::Between => {
                if let (Node::Value(low), Node::Value(high)) = (&operands[1], &operands[2]) {
                    if low.type_name() != high.type_name() {
                        return Err(format!(
                            "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: {}, upper bound operand: {}",
                            show_value(low),
                            show_value(high)
                        ));
                    }
                    if low.compare(high) == Some(Ordering::Greater) {
                        return Err(format!(
                            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: {}, upper bound operand: {}",
                            show_value(low),
                            show_value(high)
                        ));
                    }
                }
            }
            Op::In if operands.len() - 1 > MAX_IN_OPERANDS => {
                return Err(format!(
                    "The IN operator is provided with too many operands; number of operands: {}",
                    operands.len() - 1
                ));
            }
            Op::AttributeExists | Op::AttributeNotExists | Op::IfNotExists
                if !matches!(operands[0], Node::Path(_)) =>
            {
                return Err(format!(
                    "Operator or function requires a document path; operator or function: {name}"
                ));
            }
            Op::AttributeType => match &operands[1] {
                Node::Value(Value::S(type_name)) => {
                    if !TYPE_NAMES.contains(&type_name.as_str()) {
                        return Err(format!(
                            "Invalid attribute type name found; type: {type_name}, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
                        ));
                    }
                }
                other => return Err(incorrect_operand_type(name, node_types(other))),
            },
            _ => {}
        }
        self.count_operator()?;
        Ok(Node::Op(op, operands))
    }
}

fn incorrect_operand_type(name: &str, operand_types: u16) -> String {
    format!(
        "Incorrect operand type for operator or function; operator or function: {name}, operand type: {}",
        types::describe(operand_types)
    )
}

/// The paths an UpdateExpression writes or a ProjectionExpression reads, as a tree: no path
/// may repeat another or lie inside it ("overlap"), and no two paths may use one map or list
/// both as a map and as a list ("conflict").
#[derive(Clone, Debug, Default)]
pub(crate) struct PathTree {
    /// Children in insertion order; `None` where a path ends.
    pub children: Vec<(PathElement, Option<PathTree>)>,
}

fn same_shape(a: &PathElement, b: &PathElement) -> bool {
    matches!(
        (a, b),
        (PathElement::Name(_), PathElement::Name(_))
            | (PathElement::Index(_), PathElement::Index(_))
    )
}

impl PathTree {
    /// Adds a path, or explains why it cannot be added. As in DynamoDB, the other path in
    /// the message is the first one found below the point of collision.
    pub fn insert(&mut self, path: &Path) -> Result<(), String> {
        let elements = &path.0;
        let mut node = self;
        for (depth, element) in elements.iter().enumerate() {
            let last = depth + 1 == elements.len();
            let Some(at) = node.children.iter().position(|(e, _)| e == element) else {
                if let Some((first, _)) = node.children.first()
                    && !same_shape(first, element)
                {
                    return Err(format!(
                        "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {path}, path two: {}",
                        node.first_path(&elements[..depth])
                    ));
                }
                node.children
                    .push((element.clone(), Self::chain(&elements[depth + 1..])));
                return Ok(());
            };
            if last || node.children[at].1.is_none() {
                return Err(format!(
                    "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {path}, path two: {}",
                    node.first_path(&elements[..depth])
                ));
            }
            match &mut node.children[at].1 {
                Some(child) => node = child,
                None => unreachable!("checked just above"),
            }
        }
        Ok(())
    }

    fn chain(rest: &[PathElement]) -> Option<PathTree> {
        let (first, rest) = rest.split_first()?;
        Some(PathTree {
            children: vec![(first.clone(), Self::chain(rest))],
        })
    }

    /// `prefix` followed by the first path below this node.
    fn first_path(&self, prefix: &[PathElement]) -> Path {
        let mut elements = prefix.to_vec();
        let mut node = self;
        while let Some((element, child)) = node.children.first() {
            elements.push(element.clone());
            match child {
                Some(child) => node = child,
                None => break,
            }
        }
        Path(elements)
    }
}
