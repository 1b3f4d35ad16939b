//! Filter patterns of FilterLogEvents
//! ([syntax](https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)).
//!
//! Supported: the empty pattern (everything), terms (`ERROR Exception`: every term must
//! appear), quoted phrases (`"out of memory"`), alternatives (`?ERROR ?WARN`: at least one),
//! exclusions (`ERROR -Retry`), and JSON patterns: `{ $.level = "error" }`, `!=`, `<`, `<=`,
//! `>`, `>=` on numbers, `*` wildcards in string values, `&&`, `||`, parentheses, array
//! indexes (`$.items[0].id`), `IS NULL`, `IS TRUE`, `IS FALSE`, `EXISTS`, `NOT EXISTS`.
//! Terms match case-sensitively anywhere in the message. Space-delimited (`[a, b]`) and regex
//! (`%…%`) patterns are refused.

use serde_json::Value as Json;

/// A parsed filter pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    /// Matches every event.
    All,
    /// Terms of unstructured events.
    Terms {
        /// Every one must appear.
        required: Vec<String>,
        /// At least one must appear (`?term`), when there are any.
        optional: Vec<String>,
        /// None may appear (`-term`).
        excluded: Vec<String>,
    },
    /// A JSON pattern; events that are not JSON objects never match.
    Json(Expr),
}

/// A JSON pattern's expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Both hold.
    And(Box<Expr>, Box<Expr>),
    /// Either holds.
    Or(Box<Expr>, Box<Expr>),
    /// A field compared with a value.
    Compare(Selector, Op, Literal),
    /// A field checked for a kind of value.
    Is(Selector, Check),
}

/// The path to a field: `$.a.b[0]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector(Vec<Step>);

/// One step of a selector.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The value a field is compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A number.
    Number(f64),
    /// A string; `*` matches any run of characters.
    String(String),
}

/// What `IS …` / `EXISTS` checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// `IS NULL`: present and null.
    Null,
    /// `IS TRUE`.
    True,
    /// `IS FALSE`.
    False,
    /// `EXISTS`.
    Exists,
    /// `NOT EXISTS`.
    NotExists,
}

impl Pattern {
    /// Parses a filter pattern; the error says what is wrong with it.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed == "\"\"" {
            return Ok(Pattern::All);
        }
        if trimmed.starts_with('{') {
            return json_pattern(trimmed).map(Pattern::Json);
        }
        if trimmed.starts_with('[') {
            return Err("unkai does not support space-delimited filter patterns yet".into());
        }
        if trimmed.starts_with('%') {
            return Err("unkai does not support regular expression filter patterns yet".into());
        }
        terms(trimmed)
    }

    /// Whether `message` matches.
    pub fn matches(&self, message: &str) -> bool {
        match self {
            Pattern::All => true,
            Pattern::Terms {
                required,
                optional,
                excluded,
            } => {
                required.iter().all(|term| message.contains(term.as_str()))
                    && !excluded.iter().any(|term| message.contains(term.as_str()))
                    && (optional.is_empty()
                        || optional.iter().any(|term| message.contains(term.as_str())))
            }
            Pattern::Json(expr) => match serde_json::from_str::<Json>(message) {
                Ok(document @ (Json::Object(_) | Json::Array(_))) => expr.eval(&document),
                _ => false,
            },
        }
    }
}

fn terms(text: &str) -> Result<Pattern, String> {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let mut excluded = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let list = match first {
            '?' => {
                chars.next();
                &mut optional
            }
            '-' => {
                chars.next();
                &mut excluded
            }
            _ => &mut required,
        };
        let mut term = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('\\') => term.extend(chars.next()),
                    Some('"') => break,
                    Some(c) => term.push(c),
                    None => return Err(format!("Unterminated quoted term in pattern: {text}")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                term.push(c);
            }
        }
        if !term.is_empty() {
            list.push(term);
        }
    }
    if required.is_empty() && optional.is_empty() && excluded.is_empty() {
        return Ok(Pattern::All);
    }
    Ok(Pattern::Terms {
        required,
        optional,
        excluded,
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    And,
    Or,
    Op(Op),
    Selector(String),
    Quoted(String),
    Word(String),
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let token = match c {
            '(' => {
                chars.next();
                Token::Open
            }
            ')' => {
                chars.next();
                Token::Close
            }
            '&' | '|' => {
                chars.next();
                if chars.next() != Some(c) {
                    return Err(format!("Expected '{c}{c}' in filter pattern"));
                }
                if c == '&' { Token::And } else { Token::Or }
            }
            '=' => {
                chars.next();
                Token::Op(Op::Eq)
            }
            '!' => {
                chars.next();
                if chars.next() != Some('=') {
                    return Err("Expected '!=' in filter pattern".into());
                }
                Token::Op(Op::Ne)
            }
            '<' | '>' => {
                chars.next();
                let equal = chars.next_if_eq(&'=').is_some();
                Token::Op(match (c, equal) {
                    ('<', false) => Op::Lt,
                    ('<', true) => Op::Le,
                    ('>', false) => Op::Gt,
                    _ => Op::Ge,
                })
            }
            '"' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => value.extend(chars.next()),
                        Some('"') => break,
                        Some(c) => value.push(c),
                        None => return Err("Unterminated string in filter pattern".into()),
                    }
                }
                Token::Quoted(value)
            }
            _ => {
                let mut word = String::new();
                while let Some(c) =
                    chars.next_if(|c| !c.is_whitespace() && !"()&|=!<>\"".contains(*c))
                {
                    word.push(c);
                }
                if word.starts_with('$') {
                    Token::Selector(word)
                } else {
                    Token::Word(word)
                }
            }
        };
        tokens.push(token);
    }
    Ok(tokens)
}

fn json_pattern(text: &str) -> Result<Expr, String> {
    let inner = text
        .strip_prefix('{')
        .and_then(|rest| rest.strip_suffix('}'))
        .ok_or_else(|| format!("Invalid JSON filter pattern: {text}"))?;
    let tokens = tokenize(inner)?;
    let mut parser = Parser { tokens, at: 0 };
    let expr = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!("Invalid JSON filter pattern: {text}"));
    }
    Ok(expr)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Token::And) {
            self.at += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Open) => {
                let expr = self.or()?;
                match self.next() {
                    Some(Token::Close) => Ok(expr),
                    _ => Err("Expected ')' in filter pattern".into()),
                }
            }
            Some(Token::Selector(path)) => {
                let selector = selector(&path)?;
                self.comparison(selector)
            }
            other => Err(format!(
                "Expected a selector such as $.field in filter pattern, found {other:?}"
            )),
        }
    }

    fn comparison(&mut self, selector: Selector) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Op(op)) => {
                let literal = match self.next() {
                    Some(Token::Quoted(value)) => Literal::String(value),
                    Some(Token::Word(word)) => match word.parse::<f64>() {
                        Ok(number) if number.is_finite() => Literal::Number(number),
                        _ => Literal::String(word),
                    },
                    other => {
                        return Err(format!(
                            "Expected a value in filter pattern, found {other:?}"
                        ));
                    }
                };
                if !matches!(op, Op::Eq | Op::Ne) && !matches!(literal, Literal::Number(_)) {
                    return Err("Numeric comparisons need a number in filter pattern".into());
                }
                Ok(Expr::Compare(selector, op, literal))
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("IS") => {
                let check = match self.next() {
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("NULL") => Check::Null,
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("TRUE") => Check::True,
                    Some(Token::Word(w)) if w.eq_ignore_ascii_case("FALSE") => Check::False,
                    other => {
                        return Err(format!(
                            "Expected NULL, TRUE or FALSE after IS, found {other:?}"
                        ));
                    }
                };
                Ok(Expr::Is(selector, check))
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("EXISTS") => {
                Ok(Expr::Is(selector, Check::Exists))
            }
            Some(Token::Word(word)) if word.eq_ignore_ascii_case("NOT") => match self.next() {
                Some(Token::Word(w)) if w.eq_ignore_ascii_case("EXISTS") => {
                    Ok(Expr::Is(selector, Check::NotExists))
                }
                other => Err(format!("Expected EXISTS after NOT, found {other:?}")),
            },
            other => Err(format!(
                "Expected an operator in filter pattern, found {other:?}"
            )),
        }
    }
}

fn selector(path: &str) -> Result<Selector, String> {
    let invalid = || format!("Invalid selector in filter pattern: {path}");
    let mut rest = path.strip_prefix('$').ok_or_else(invalid)?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return Err(invalid());
            }
            steps.push(Step::Key(after[..end].to_string()));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']').ok_or_else(invalid)?;
            let index = after[..end].parse().map_err(|_| invalid())?;
            steps.push(Step::Index(index));
            rest = &after[end + 1..];
        } else {
            return Err(invalid());
        }
    }
    Ok(Selector(steps))
}

impl Selector {
    fn resolve<'a>(&self, document: &'a Json) -> Option<&'a Json> {
        self.0.iter().try_fold(document, |value, step| match step {
            Step::Key(key) => value.as_object()?.get(key),
            Step::Index(index) => value.as_array()?.get(*index),
        })
    }
}

impl Expr {
    fn eval(&self, document: &Json) -> bool {
        match self {
            Expr::And(a, b) => a.eval(document) && b.eval(document),
            Expr::Or(a, b) => a.eval(document) || b.eval(document),
            Expr::Is(selector, check) => {
                let value = selector.resolve(document);
                match check {
                    Check::Null => value.is_some_and(Json::is_null),
                    Check::True => value == Some(&Json::Bool(true)),
                    Check::False => value == Some(&Json::Bool(false)),
                    Check::Exists => value.is_some(),
                    Check::NotExists => value.is_none(),
                }
            }
            Expr::Compare(selector, op, literal) => {
                let Some(value) = selector.resolve(document) else {
                    return false;
                };
                match (literal, value) {
                    (Literal::Number(expected), Json::Number(actual)) => {
                        let Some(actual) = actual.as_f64() else {
                            return false;
                        };
                        match op {
                            Op::Eq => actual == *expected,
                            Op::Ne => actual != *expected,
                            Op::Lt => actual < *expected,
                            Op::Le => actual <= *expected,
                            Op::Gt => actual > *expected,
                            Op::Ge => actual >= *expected,
                        }
                    }
                    (Literal::String(expected), Json::String(actual)) => match op {
                        Op::Eq => wildcard(expected, actual),
                        Op::Ne => !wildcard(expected, actual),
                        _ => false,
                    },
                    (Literal::String(expected), Json::Bool(actual)) => match op {
                        Op::Eq => expected == &actual.to_string(),
                        Op::Ne => expected != &actual.to_string(),
                        _ => false,
                    },
                    // A number written as a string ("5") in the event, compared with a number.
                    (Literal::Number(expected), Json::String(actual)) => {
                        matches!(op, Op::Eq) && actual.parse::<f64>().ok() == Some(*expected)
                    }
                    _ => false,
                }
            }
        }
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any run of characters.
fn wildcard(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or_default();
    let Some(mut rest) = text.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, message: &str) -> bool {
        Pattern::parse(pattern).unwrap().matches(message)
    }

    #[test]
    fn terms_phrases_alternatives_and_exclusions() {
        assert!(matches("", "anything"));
        assert!(matches("ERROR", "[ERROR 401] UNAUTHORIZED"));
        assert!(!matches("ERROR", "error: lowercase"));
        assert!(matches("ERROR 401", "[ERROR 401] x"));
        assert!(!matches("ERROR 500", "[ERROR 401] x"));
        assert!(matches("\"out of memory\"", "killed: out of memory"));
        assert!(!matches("\"out of memory\"", "memory out of"));
        assert!(matches("?ERROR ?WARN", "WARN disk"));
        assert!(!matches("?ERROR ?WARN", "INFO disk"));
        assert!(matches("ERROR -Retry", "ERROR fatal"));
        assert!(!matches("ERROR -Retry", "ERROR Retry later"));
        assert!(matches("\"say \\\"hi\\\"\"", "they say \"hi\""));
        assert!(Pattern::parse("\"open").is_err());
        assert!(Pattern::parse("[ip, user]").is_err());
    }

    #[test]
    fn json_patterns() {
        let event = r#"{"level":"error","latency":120,"user":{"id":"u-17","admin":false},"tags":["a","b"],"gone":null}"#;
        assert!(matches(r#"{ $.level = "error" }"#, event));
        assert!(matches("{ $.level = error }", event));
        assert!(matches("{ $.level = err* }", event));
        assert!(!matches("{ $.level = warn }", event));
        assert!(matches("{ $.level != warn }", event));
        assert!(matches("{ $.latency > 100 }", event));
        assert!(matches("{ $.latency >= 120 && $.latency <= 120 }", event));
        assert!(!matches("{ $.latency < 100 }", event));
        assert!(matches("{ $.latency = 120 }", event));
        assert!(matches("{ $.user.id = \"u-*\" }", event));
        assert!(matches("{ $.tags[1] = b }", event));
        assert!(matches("{ $.user.admin IS FALSE }", event));
        assert!(matches("{ $.gone IS NULL }", event));
        assert!(matches("{ $.missing NOT EXISTS }", event));
        assert!(matches("{ $.level EXISTS }", event));
        assert!(matches(
            "{ ($.level = warn) || ($.latency > 100 && $.user.admin IS FALSE) }",
            event
        ));
        assert!(!matches("{ $.level = error && $.latency > 500 }", event));
        assert!(!matches("{ $.level = error }", "plain text error"));
        assert!(Pattern::parse("{ $.latency > high }").is_err());
        assert!(Pattern::parse("{ $.a = }").is_err());
        assert!(Pattern::parse("{ level = x }").is_err());
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("a*c", "abc"));
        assert!(wildcard("*", ""));
        assert!(wildcard("a*", "a"));
        assert!(wildcard("*c", "abc"));
        assert!(wildcard("a*b*c", "aXbYc"));
        assert!(!wildcard("a*b*c", "aXcYb"));
        assert!(!wildcard("abc", "abcd"));
        assert!(!wildcard("ab*ba", "aba"));
    }
}
