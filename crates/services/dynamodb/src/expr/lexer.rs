//! The tokenizer shared by every expression kind.
//!
//! DynamoDB's lexical rules (learned from its error messages and behaviour):
//!
//! * whitespace (space, tab, CR, LF) separates tokens and is otherwise ignored;
//! * `, ( ) . [ ] = <> < <= > >= + -` are punctuation;
//! * `IN BETWEEN NOT AND OR SET ADD DELETE REMOVE` are keywords, in any case, when they form a
//!   whole word (`index` is a name, `in` is the keyword);
//! * a name starts with an ASCII letter and continues with letters, digits and `_`;
//! * `#` and `:` followed by at least one letter, digit or `_` are name and value placeholders
//!   (so `#123` and `:_` are fine, a lone `#` is not);
//! * an index is `0` or a digit string without a leading zero (`01` is two indexes);
//! * any other character (`_`, `!`, `"`, `ü`…) is a token of its own that no rule accepts, so it
//!   becomes the subject of a syntax error.
//!
//! Tokens carry byte offsets into the text, which syntax errors use to quote their
//! surroundings.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Comma,
    LParen,
    RParen,
    Dot,
    LBracket,
    RBracket,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    In,
    Between,
    Not,
    And,
    Or,
    Set,
    Add,
    Delete,
    Remove,
    /// A list index: `0` or `[1-9][0-9]*`.
    Index,
    /// A bare name: `[A-Za-z][A-Za-z0-9_]*`.
    Id,
    /// `#` followed by name characters.
    NameRef,
    /// `:` followed by name characters.
    ValueRef,
    /// A character no rule accepts.
    Unknown,
    /// The end of the text.
    Eof,
}

/// A token: its kind and where it is in the text (byte offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text (`<EOF>` for the end).
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        match self.kind {
            Kind::Eof => "<EOF>",
            _ => &source[self.start..self.end],
        }
    }
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn keyword(word: &str) -> Option<Kind> {
    let kinds = [
        ("IN", Kind::In),
        ("BETWEEN", Kind::Between),
        ("NOT", Kind::Not),
        ("AND", Kind::And),
        ("OR", Kind::Or),
        ("SET", Kind::Set),
        ("ADD", Kind::Add),
        ("DELETE", Kind::Delete),
        ("REMOVE", Kind::Remove),
    ];
    kinds
        .iter()
        .find(|(text, _)| text.eq_ignore_ascii_case(word))
        .map(|&(_, kind)| kind)
}

/// Splits `source` into tokens, whitespace dropped, ending with an [`Kind::Eof`] token.
pub(crate) fn tokenize(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let c = bytes[at];
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                at += 1;
                continue;
            }
            b',' => Kind::Comma,
            b'(' => Kind::LParen,
            b')' => Kind::RParen,
            b'.' => Kind::Dot,
            b'[' => Kind::LBracket,
            b']' => Kind::RBracket,
            b'=' => Kind::Eq,
            b'+' => Kind::Plus,
            b'-' => Kind::Minus,
            b'<' => match bytes.get(at + 1) {
                Some(b'>') => {
                    at += 1;
                    Kind::Ne
                }
                Some(b'=') => {
                    at += 1;
                    Kind::Le
                }
                _ => Kind::Lt,
            },
            b'>' => match bytes.get(at + 1) {
                Some(b'=') => {
                    at += 1;
                    Kind::Ge
                }
                _ => Kind::Gt,
            },
            b'0' => Kind::Index,
            b'1'..=b'9' => {
                while bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
                    at += 1;
                }
                Kind::Index
            }
            b'#' | b':' if bytes.get(at + 1).copied().is_some_and(is_name_char) => {
                while bytes.get(at + 1).copied().is_some_and(is_name_char) {
                    at += 1;
                }
                if c == b'#' {
                    Kind::NameRef
                } else {
                    Kind::ValueRef
                }
            }
            c if c.is_ascii_alphabetic() => {
                while bytes.get(at + 1).copied().is_some_and(is_name_char) {
                    at += 1;
                }
                keyword(&source[start..=at]).unwrap_or(Kind::Id)
            }
            _ => {
                // One character, however many bytes it takes.
                let width = source[at..].chars().next().map_or(1, char::len_utf8);
                at += width - 1;
                Kind::Unknown
            }
        };
        at += 1;
        tokens.push(Token {
            kind,
            start,
            end: at,
        });
    }
    tokens.push(Token {
        kind: Kind::Eof,
        start: bytes.len(),
        end: bytes.len(),
    });
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokenize(text)
            .iter()
            .map(|t| (t.kind, t.text(text)))
            .collect()
    }

    #[test]
    fn punctuation_and_comparators() {
        assert_eq!(
            kinds("a<>b<=c>=d<e>f=g"),
            vec![
                (Kind::Id, "a"),
                (Kind::Ne, "<>"),
                (Kind::Id, "b"),
                (Kind::Le, "<="),
                (Kind::Id, "c"),
                (Kind::Ge, ">="),
                (Kind::Id, "d"),
                (Kind::Lt, "<"),
                (Kind::Id, "e"),
                (Kind::Gt, ">"),
                (Kind::Id, "f"),
                (Kind::Eq, "="),
                (Kind::Id, "g"),
                (Kind::Eof, "<EOF>"),
            ]
        );
    }

    #[test]
    fn keywords_are_whole_words_in_any_case() {
        assert_eq!(kinds("In")[0].0, Kind::In);
        assert_eq!(kinds("index")[0].0, Kind::Id);
        assert_eq!(kinds("bEtWeEn")[0].0, Kind::Between);
        assert_eq!(kinds("sets")[0].0, Kind::Id);
        assert_eq!(kinds("remove")[0].0, Kind::Remove);
    }

    #[test]
    fn placeholders_names_and_indexes() {
        assert_eq!(
            kinds("#1 :_ # : _a 0123 9"),
            vec![
                (Kind::NameRef, "#1"),
                (Kind::ValueRef, ":_"),
                (Kind::Unknown, "#"),
                (Kind::Unknown, ":"),
                (Kind::Unknown, "_"),
                (Kind::Id, "a"),
                (Kind::Index, "0"),
                (Kind::Index, "123"),
                (Kind::Index, "9"),
                (Kind::Eof, "<EOF>"),
            ]
        );
        assert_eq!(
            kinds("ü!")
                .iter()
                .map(|(k, t)| (*k, t.to_string()))
                .collect::<Vec<_>>(),
            vec![
                (Kind::Unknown, "ü".to_string()),
                (Kind::Unknown, "!".to_string()),
                (Kind::Eof, "<EOF>".to_string())
            ]
        );
    }
}
