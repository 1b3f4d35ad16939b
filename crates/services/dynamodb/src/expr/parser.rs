//! The recursive-descent parser and the checks DynamoDB makes on the parsed tree before it
//! looks at any placeholder.
//!
//! The grammar (every kind of expression shares the lexer and the operand rules):
//!
//! ```text
//! condition   := or EOF
//! or          := and (OR and)*
//! and         := not (AND not)*
//! not         := NOT* primary
//! primary     := '(' or ')'                      -- grouping
//!              | operand comparator operand
//!              | operand BETWEEN operand AND operand
//!              | operand IN '(' operand (',' operand)* ')'
//!              | function                          -- a function used as a condition
//! operand     := path | :value | function | '(' operand ')'
//! function    := NAME '(' operand (',' operand)* ')'
//! path        := (NAME | #name) ('.' (NAME | #name) | '[' INDEX ']')*
//!
//! update      := (SET set (',' set)* | REMOVE path (',' path)*
//!               | ADD path :value (',' path :value)* | DELETE path :value (…)*)+ EOF
//! set         := path '=' value
//! value       := term | operand ('+' | '-') operand
//! term        := operand | '(' value ')'
//!
//! projection  := path (',' path)* EOF
//! ```
//!
//! A pair of parentheses directly around another pair (`((a = b))`, `((a))`) is "redundant"
//! and rejected as soon as the outer one closes; a single pair anywhere is fine.
//!
//! Errors come in the order DynamoDB reports them: the first syntax error or redundant
//! parentheses while parsing; then, walking the tree in text order, reserved words, list
//! indexes out of range, unknown functions and functions used where they are not allowed, and
//! sections used twice (reported when the second one ends).

use super::ast::{
    Arith, Cmp, Op, RawAction, RawCall, RawCond, RawElem, RawOperand, RawPath, RawSetValue,
    RawUpdate, Section,
};
use super::lexer::{Kind, Token, tokenize};
use super::reserved::is_reserved;

/// How deeply parentheses and function calls may nest before the parser stops recursing.
///
/// Every level of a valid expression needs an operator (two pairs of parentheses in a row
/// are redundant) and an expression may hold at most 300 operators, so only contrived valid
/// expressions (`(NOT (NOT (…)))` 400 deep) nest this deeply. The limit keeps the recursion
/// (parsing, resolution, evaluation) well within 1 MiB of stack even in debug builds; what
/// DynamoDB would say about such an expression is then guessed (see [`too_deep_message`]).
const MAX_NESTING: usize = 400;

/// Why parsing stopped.
#[derive(Debug)]
enum Fail {
    /// A syntax error at this token.
    Syntax(usize),
    /// `((…))`.
    Redundant,
    /// Nested beyond [`MAX_NESTING`].
    TooDeep,
}

/// A condition, or (inside parentheses) an operand that may turn out to be one side of a
/// comparison; `parens` says whether it is wrapped in its own pair of parentheses.
struct Parsed {
    term: Term,
    parens: bool,
}

enum Term {
    Cond(RawCond),
    Operand(RawOperand),
}

struct Parser<'a> {
    source: &'a str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(source: &'a str) -> Self {
        Parser {
            source,
            tokens: tokenize(source),
            at: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Kind {
        self.tokens[self.at].kind
    }

    fn peek_at(&self, ahead: usize) -> Kind {
        self.tokens
            .get(self.at + ahead)
            .map_or(Kind::Eof, |token| token.kind)
    }

    fn text(&self) -> &'a str {
        self.tokens[self.at].text(self.source)
    }

    fn bump(&mut self) {
        if self.tokens[self.at].kind != Kind::Eof {
            self.at += 1;
        }
    }

    fn expect(&mut self, kind: Kind) -> Result<(), Fail> {
        if self.peek() == kind {
            self.bump();
            Ok(())
        } else {
            Err(Fail::Syntax(self.at))
        }
    }

    fn enter(&mut self) -> Result<(), Fail> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(Fail::TooDeep);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // --- operands -----------------------------------------------------------------------

    fn path(&mut self) -> Result<RawPath, Fail> {
        let mut elements = vec![self.path_name()?];
        loop {
            match self.peek() {
                Kind::Dot => {
                    self.bump();
                    elements.push(self.path_name()?);
                }
                Kind::LBracket => {
                    self.bump();
                    if self.peek() != Kind::Index {
                        return Err(Fail::Syntax(self.at));
                    }
                    elements.push(RawElem::Index(self.text().to_string()));
                    self.bump();
                    self.expect(Kind::RBracket)?;
                }
                _ => return Ok(RawPath(elements)),
            }
        }
    }

    fn path_name(&mut self) -> Result<RawElem, Fail> {
        let element = match self.peek() {
            Kind::Id => RawElem::Name(self.text().to_string()),
            Kind::NameRef => RawElem::NameRef(self.text().to_string()),
            _ => return Err(Fail::Syntax(self.at)),
        };
        self.bump();
        Ok(element)
    }

    fn operand(&mut self) -> Result<RawOperand, Fail> {
        Ok(self.operand_with_parens()?.0)
    }

    /// An operand, and whether it was in its own parentheses. (Parentheses and calls have
    /// their own functions: the recursion goes through here, and a small frame lets deeply
    /// nested operands fit on the stack.)
    fn operand_with_parens(&mut self) -> Result<(RawOperand, bool), Fail> {
        match self.peek() {
            Kind::LParen => self.parenthesized_operand(),
            Kind::ValueRef => {
                let name = self.text().to_string();
                self.bump();
                Ok((RawOperand::Value(name), false))
            }
            Kind::Id if self.peek_at(1) == Kind::LParen => {
                Ok((RawOperand::Call(Box::new(self.call()?)), false))
            }
            Kind::Id | Kind::NameRef => Ok((RawOperand::Path(self.path()?), false)),
            _ => Err(Fail::Syntax(self.at)),
        }
    }

    fn parenthesized_operand(&mut self) -> Result<(RawOperand, bool), Fail> {
        self.bump();
        self.enter()?;
        let (inner, parens) = self.operand_with_parens()?;
        self.expect(Kind::RParen)?;
        self.leave();
        if parens {
            return Err(Fail::Redundant);
        }
        Ok((inner, true))
    }

    fn call(&mut self) -> Result<RawCall, Fail> {
        let name = self.text().to_string();
        self.bump(); // the name
        self.bump(); // '('
        self.enter()?;
        let mut args = vec![self.operand()?];
        while self.peek() == Kind::Comma {
            self.bump();
            args.push(self.operand()?);
        }
        self.expect(Kind::RParen)?;
        self.leave();
        Ok(RawCall { name, args })
    }

    // --- conditions ---------------------------------------------------------------------

    fn condition(&mut self) -> Result<RawCond, Fail> {
        let parsed = self.expression(false)?;
        self.expect(Kind::Eof)?;
        match parsed.term {
            Term::Cond(cond) => Ok(cond),
            // `expression(false)` never returns a bare operand.
            Term::Operand(_) => Err(Fail::Syntax(self.at)),
        }
    }

    /// `or`, `and` and `not` of the grammar in one function (loops rather than recursion, so
    /// that a level of parentheses costs two stack frames).
    fn expression(&mut self, allow_operand: bool) -> Result<Parsed, Fail> {
        let mut alternatives: Vec<RawCond> = Vec::new();
        loop {
            let mut conjuncts: Vec<RawCond> = Vec::new();
            loop {
                // NOT binds tighter than AND and may repeat: NOT NOT a = b.
                let mut nots = 0u32;
                while self.peek() == Kind::Not {
                    self.bump();
                    nots += 1;
                }
                let alone = alternatives.is_empty() && conjuncts.is_empty() && nots == 0;
                let primary = self.primary(allow_operand && alone)?;
                let cond = match primary.term {
                    Term::Cond(cond) => cond,
                    // Only returned when allowed, and then `)` follows.
                    Term::Operand(_) => return Ok(primary),
                };
                let cond = if nots > 0 {
                    RawCond::Not(nots, Box::new(cond))
                } else {
                    cond
                };
                if alone && !matches!(self.peek(), Kind::And | Kind::Or) {
                    return Ok(Parsed {
                        term: Term::Cond(cond),
                        parens: primary.parens && nots == 0,
                    });
                }
                conjuncts.push(cond);
                if self.peek() != Kind::And {
                    break;
                }
                self.bump();
            }
            alternatives.push(if conjuncts.len() == 1 {
                conjuncts.swap_remove(0)
            } else {
                RawCond::And(conjuncts)
            });
            if self.peek() != Kind::Or {
                break;
            }
            self.bump();
        }
        let cond = if alternatives.len() == 1 {
            alternatives.swap_remove(0)
        } else {
            RawCond::Or(alternatives)
        };
        Ok(Parsed {
            term: Term::Cond(cond),
            parens: false,
        })
    }

    fn primary(&mut self, allow_operand: bool) -> Result<Parsed, Fail> {
        if self.peek() != Kind::LParen {
            let operand = self.operand()?;
            return self.after_operand(operand, false, allow_operand);
        }
        // `(` opens either a grouped condition or a parenthesized operand; which one is
        // only known once the inside has been read.
        self.bump();
        self.enter()?;
        let inner = self.expression(true)?;
        self.expect(Kind::RParen)?;
        self.leave();
        if inner.parens {
            return Err(Fail::Redundant);
        }
        match inner.term {
            Term::Cond(cond) => Ok(Parsed {
                term: Term::Cond(cond),
                parens: true,
            }),
            Term::Operand(operand) => self.after_operand(operand, true, allow_operand),
        }
    }

    /// What follows an operand at the start of a condition.
    fn after_operand(
        &mut self,
        operand: RawOperand,
        parens: bool,
        allow_operand: bool,
    ) -> Result<Parsed, Fail> {
        let cmp = match self.peek() {
            Kind::Eq => Some(Cmp::Eq),
            Kind::Ne => Some(Cmp::Ne),
            Kind::Lt => Some(Cmp::Lt),
            Kind::Le => Some(Cmp::Le),
            Kind::Gt => Some(Cmp::Gt),
            Kind::Ge => Some(Cmp::Ge),
            _ => None,
        };
        let cond = if let Some(cmp) = cmp {
            self.bump();
            let right = self.operand()?;
            RawCond::Compare(Box::new((cmp, operand, right)))
        } else {
            match self.peek() {
                Kind::Between => {
                    self.bump();
                    let low = self.operand()?;
                    self.expect(Kind::And)?;
                    let high = self.operand()?;
                    RawCond::Between(Box::new((operand, low, high)))
                }
                Kind::In => {
                    self.bump();
                    self.expect(Kind::LParen)?;
                    let mut list = vec![self.operand()?];
                    while self.peek() == Kind::Comma {
                        self.bump();
                        list.push(self.operand()?);
                    }
                    self.expect(Kind::RParen)?;
                    RawCond::In(Box::new((operand, list)))
                }
                Kind::RParen if allow_operand => {
                    return Ok(Parsed {
                        term: Term::Operand(operand),
                        parens,
                    });
                }
                _ => match operand {
                    // A function call on its own is a condition (whether it may be one is
                    // checked later).
                    RawOperand::Call(call) => {
                        return Ok(Parsed {
                            term: Term::Cond(RawCond::Call(call)),
                            parens,
                        });
                    }
                    _ => return Err(Fail::Syntax(self.at)),
                },
            }
        };
        Ok(Parsed {
            term: Term::Cond(cond),
            parens: false,
        })
    }

    // --- updates ------------------------------------------------------------------------

    fn update(&mut self) -> Result<RawUpdate, Fail> {
        let mut sections = Vec::new();
        loop {
            let section = match self.peek() {
                Kind::Set => Section::Set,
                Kind::Remove => Section::Remove,
                Kind::Add => Section::Add,
                Kind::Delete => Section::Delete,
                _ if sections.is_empty() => return Err(Fail::Syntax(self.at)),
                _ => break,
            };
            self.bump();
            let mut actions = vec![self.action(section)?];
            while self.peek() == Kind::Comma {
                self.bump();
                actions.push(self.action(section)?);
            }
            sections.push((section, actions));
        }
        self.expect(Kind::Eof)?;
        Ok(RawUpdate(sections))
    }

    fn action(&mut self, section: Section) -> Result<RawAction, Fail> {
        let path = self.path()?;
        Ok(match section {
            Section::Set => {
                self.expect(Kind::Eq)?;
                RawAction::Set(path, self.set_value()?.0)
            }
            Section::Remove => RawAction::Remove(path),
            Section::Add | Section::Delete => {
                if self.peek() != Kind::ValueRef {
                    return Err(Fail::Syntax(self.at));
                }
                let value = self.text().to_string();
                self.bump();
                if section == Section::Add {
                    RawAction::Add(path, value)
                } else {
                    RawAction::Delete(path, value)
                }
            }
        })
    }

    fn set_value(&mut self) -> Result<(RawSetValue, bool), Fail> {
        let (term, parens) = self.set_term()?;
        let op = match self.peek() {
            Kind::Plus => Arith::Plus,
            Kind::Minus => Arith::Minus,
            _ => return Ok((term, parens)),
        };
        match term {
            RawSetValue::Operand(left) => {
                self.bump();
                let right = self.operand()?;
                Ok((RawSetValue::Arith(op, left, right), false))
            }
            // `(a + b) + c`: only two operands may be added.
            RawSetValue::Arith(..) => Err(Fail::Syntax(self.at)),
        }
    }

    fn set_term(&mut self) -> Result<(RawSetValue, bool), Fail> {
        if self.peek() != Kind::LParen {
            return Ok((RawSetValue::Operand(self.operand()?), false));
        }
        self.bump();
        self.enter()?;
        let (inner, parens) = self.set_value()?;
        self.expect(Kind::RParen)?;
        self.leave();
        if parens {
            return Err(Fail::Redundant);
        }
        Ok((inner, true))
    }

    // --- projections --------------------------------------------------------------------

    fn projection(&mut self) -> Result<Vec<RawPath>, Fail> {
        let mut paths = vec![self.path()?];
        while self.peek() == Kind::Comma {
            self.bump();
            paths.push(self.path()?);
        }
        self.expect(Kind::Eof)?;
        Ok(paths)
    }

    // --- errors -------------------------------------------------------------------------

    fn message(&self, fail: Fail) -> String {
        match fail {
            Fail::Syntax(at) => self.syntax_message(at),
            Fail::Redundant => "The expression has redundant parentheses;".into(),
            Fail::TooDeep => self.too_deep_message(),
        }
    }

    /// `Syntax error; token: "<token>", near: "<previous token, token, next token>"`, the
    /// three tokens quoted with the whitespace between them (the end of the text is
    /// `<EOF>` as the token and nothing in the quote).
    fn syntax_message(&self, at: usize) -> String {
        let token = self.tokens[at];
        let start = if at == 0 {
            0
        } else {
            self.tokens[at - 1].start
        };
        let end = match self.tokens.get(at + 1) {
            Some(next) if next.kind != Kind::Eof => next.end,
            _ => self.source.len(),
        };
        format!(
            "Syntax error; token: \"{}\", near: \"{}\"",
            token.text(self.source),
            &self.source[start..end]
        )
    }

    /// What to report for an expression nested beyond [`MAX_NESTING`]. DynamoDB rejects every
    /// such expression; its reason depends on the shape, which is guessed from the tokens.
    fn too_deep_message(&self) -> String {
        too_deep_message(self)
    }
}

fn too_deep_message(parser: &Parser<'_>) -> String {
    let tokens = &parser.tokens;
    let count = |kind| tokens.iter().filter(|t| t.kind == kind).count();
    if count(Kind::LParen) != count(Kind::RParen) {
        // Unbalanced: the parser would run into the end of the text.
        return parser.syntax_message(tokens.len() - 1);
    }
    // Two opening parentheses in a row, the first not a function's.
    if tokens
        .windows(3)
        .any(|w| w[0].kind != Kind::Id && w[1].kind == Kind::LParen && w[2].kind == Kind::LParen)
        || tokens.first().map(|t| t.kind) == Some(Kind::LParen)
            && tokens.get(1).map(|t| t.kind) == Some(Kind::LParen)
    {
        return "The expression has redundant parentheses;".into();
    }
    for w in tokens.windows(2) {
        if w[0].kind == Kind::Id && w[1].kind == Kind::LParen {
            let name = w[0].text(parser.source);
            if Op::condition_function(name).is_none() && Op::update_function(name).is_none() {
                return format!("Invalid function name; function: {name}");
            }
        }
    }
    format!(
        "The expression contains too many operators; operator count: {}",
        super::MAX_OPERATORS + 1
    )
}

// ---------------------------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------------------------

/// Parses a condition (ConditionExpression, FilterExpression, KeyConditionExpression) and runs
/// the tree checks. Errors are messages without the `Invalid …Expression: ` prefix.
pub(crate) fn parse_condition(source: &str) -> Result<RawCond, String> {
    let mut parser = Parser::new(source);
    let cond = parser.condition().map_err(|fail| parser.message(fail))?;
    let mut walker = Walker::new(Category::Condition);
    walker.cond(&cond)?;
    Ok(cond)
}

/// Parses an UpdateExpression and runs the tree checks.
pub(crate) fn parse_update(source: &str) -> Result<RawUpdate, String> {
    let mut parser = Parser::new(source);
    let update = parser.update().map_err(|fail| parser.message(fail))?;
    let mut walker = Walker::new(Category::Update);
    walker.update(&update)?;
    Ok(update)
}

/// Parses a ProjectionExpression and runs the tree checks.
pub(crate) fn parse_projection(source: &str) -> Result<Vec<RawPath>, String> {
    let mut parser = Parser::new(source);
    let paths = parser.projection().map_err(|fail| parser.message(fail))?;
    let mut walker = Walker::new(Category::Projection);
    for path in &paths {
        walker.path(path)?;
    }
    Ok(paths)
}

// ---------------------------------------------------------------------------------------------
// Tree checks
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Category {
    Condition,
    Update,
    Projection,
}

/// Walks a parsed tree in text order, as DynamoDB does before resolving placeholders.
struct Walker {
    category: Category,
    /// How many comparisons, functions and `+`/`-` enclose the current spot.
    nesting: usize,
    sections: Vec<Section>,
}

impl Walker {
    fn new(category: Category) -> Self {
        Walker {
            category,
            nesting: 0,
            sections: Vec::new(),
        }
    }

    fn path(&mut self, path: &RawPath) -> Result<(), String> {
        for element in &path.0 {
            match element {
                RawElem::Name(name) if is_reserved(name) => {
                    return Err(format!(
                        "Attribute name is a reserved keyword; reserved keyword: {name}"
                    ));
                }
                RawElem::Index(digits) if digits.parse::<i32>().is_err() => {
                    return Err(format!(
                        "List index is not within the allowable range; index: [{digits}]"
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn operand(&mut self, operand: &RawOperand) -> Result<(), String> {
        match operand {
            RawOperand::Path(path) => self.path(path),
            RawOperand::Value(_) => Ok(()),
            RawOperand::Call(call) => self.call(call),
        }
    }

    fn nested(&mut self, operands: &[&RawOperand]) -> Result<(), String> {
        self.nesting += 1;
        for operand in operands {
            self.operand(operand)?;
        }
        self.nesting -= 1;
        Ok(())
    }

    fn call(&mut self, call: &RawCall) -> Result<(), String> {
        let name = call.name.as_str();
        let condition = Op::condition_function(name);
        let update = Op::update_function(name);
        if condition.is_none() && update.is_none() {
            return Err(format!("Invalid function name; function: {name}"));
        }
        let misused = || {
            format!(
                "The function is not allowed to be used this way in an expression; function: {name}"
            )
        };
        match self.category {
            Category::Condition => {
                if update.is_some() {
                    return Err(format!(
                        "The function is not allowed in a condition expression; function: {name}"
                    ));
                }
                // A function standing as a condition must return a boolean (size does not);
                // inside an operator or another function only size may appear.
                let is_size = condition == Some(Op::Size);
                if (self.nesting == 0 && is_size) || (self.nesting > 0 && !is_size) {
                    return Err(misused());
                }
            }
            Category::Update => {
                if condition.is_some() {
                    return Err(format!(
                        "The function is not allowed in an update expression; function: {name}"
                    ));
                }
                // Only if_not_exists may appear inside another function or `+`/`-`.
                if self.nesting > 0 && update != Some(Op::IfNotExists) {
                    return Err(misused());
                }
            }
            // The projection grammar has no functions.
            Category::Projection => return Err(misused()),
        }
        let args: Vec<&RawOperand> = call.args.iter().collect();
        self.nested(&args)
    }

    fn cond(&mut self, cond: &RawCond) -> Result<(), String> {
        match cond {
            RawCond::Compare(compare) => self.nested(&[&compare.1, &compare.2]),
            RawCond::Between(between) => self.nested(&[&between.0, &between.1, &between.2]),
            RawCond::In(in_list) => {
                let (value, list) = &**in_list;
                let mut operands = vec![value];
                operands.extend(list.iter());
                self.nested(&operands)
            }
            RawCond::Call(call) => self.call(call),
            RawCond::Not(_, inner) => self.cond(inner),
            RawCond::And(items) | RawCond::Or(items) => {
                items.iter().try_for_each(|item| self.cond(item))
            }
        }
    }

    fn update(&mut self, update: &RawUpdate) -> Result<(), String> {
        for (section, actions) in &update.0 {
            for action in actions {
                self.path(action.path())?;
                if let RawAction::Set(_, value) = action {
                    match value {
                        RawSetValue::Operand(operand) => self.operand(operand)?,
                        RawSetValue::Arith(_, left, right) => self.nested(&[left, right])?,
                    }
                }
            }
            if self.sections.contains(section) {
                return Err(format!(
                    "The \"{}\" section can only be used once in an update expression;",
                    section.name()
                ));
            }
            self.sections.push(*section);
        }
        Ok(())
    }
}
