//! The regular expressions of a parameter's `AllowedPattern`, matched against the whole value
//! as CloudFormation does (Java's `matches`). A small backtracking matcher for the syntax such
//! patterns use (classes, `\d\w\s`, groups, alternation, the usual quantifiers) rather than a
//! regex dependency for one check.

/// A compiled pattern.
#[derive(Debug)]
pub(crate) struct Pattern {
    root: Vec<Vec<Piece>>,
}

#[derive(Debug)]
struct Piece {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Debug)]
enum Atom {
    Char(char),
    Any,
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Group(Vec<Vec<Piece>>),
    Start,
    End,
}

impl Pattern {
    /// Compiles `source`; the error says what is not understood.
    pub(crate) fn new(source: &str) -> Result<Self, String> {
        let chars: Vec<char> = source.chars().collect();
        let mut parser = Parser {
            chars: &chars,
            pos: 0,
        };
        let root = parser.alternation()?;
        if parser.pos != chars.len() {
            return Err(format!("unbalanced ')' in pattern {source}"));
        }
        Ok(Pattern { root })
    }

    /// Whether the whole of `text` matches.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let input: Vec<char> = text.chars().collect();
        alternation(&self.root, &input, 0, &mut |end| end == input.len())
    }
}

type Next<'a> = &'a mut dyn FnMut(usize) -> bool;

fn alternation(branches: &[Vec<Piece>], input: &[char], pos: usize, next: Next) -> bool {
    branches
        .iter()
        .any(|branch| sequence(branch, input, pos, next))
}

fn sequence(pieces: &[Piece], input: &[char], pos: usize, next: Next) -> bool {
    match pieces.split_first() {
        None => next(pos),
        Some((piece, rest)) => repeat(piece, 0, input, pos, &mut |end| {
            sequence(rest, input, end, next)
        }),
    }
}

/// Greedy repetition with backtracking; past the minimum, a repetition that matched nothing
/// is not repeated (zero-width atoms such as `^` still count towards the minimum).
fn repeat(piece: &Piece, count: usize, input: &[char], pos: usize, next: Next) -> bool {
    if count < piece.max
        && atom(&piece.atom, input, pos, &mut |end| {
            (end != pos || count < piece.min) && repeat(piece, count + 1, input, end, next)
        })
    {
        return true;
    }
    count >= piece.min && next(pos)
}

fn atom(atom: &Atom, input: &[char], pos: usize, next: Next) -> bool {
    match atom {
        Atom::Start => pos == 0 && next(pos),
        Atom::End => pos == input.len() && next(pos),
        Atom::Group(branches) => alternation(branches, input, pos, next),
        single => match input.get(pos) {
            Some(&c) if single_matches(single, c) => next(pos + 1),
            _ => false,
        },
    }
}

fn single_matches(atom: &Atom, c: char) -> bool {
    match atom {
        Atom::Char(expected) => c == *expected,
        Atom::Any => c != '\n',
        Atom::Class { ranges, negated } => {
            ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != *negated
        }
        Atom::Group(_) | Atom::Start | Atom::End => false,
    }
}

struct Parser<'a> {
    chars: &'a [char],
    pos: usize,
}

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('a', 'z'), ('A', 'Z'), ('0', '9'), ('_', '_')];
const SPACE: &[(char, char)] = &[(' ', ' '), ('\t', '\r')];

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        self.pos += 1;
        c
    }

    fn alternation(&mut self) -> Result<Vec<Vec<Piece>>, String> {
        let mut branches = vec![self.sequence()?];
        while self.peek() == Some('|') {
            self.pos += 1;
            branches.push(self.sequence()?);
        }
        Ok(branches)
    }

    fn sequence(&mut self) -> Result<Vec<Piece>, String> {
        let mut pieces = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let (min, max) = self.quantifier()?;
            pieces.push(Piece { atom, min, max });
        }
        Ok(pieces)
    }

    fn atom(&mut self) -> Result<Atom, String> {
        let Some(c) = self.bump() else {
            return Err("pattern ends early".to_string());
        };
        Ok(match c {
            '^' => Atom::Start,
            '$' => Atom::End,
            '.' => Atom::Any,
            '(' => {
                if self.chars[self.pos..].starts_with(&['?', ':']) {
                    self.pos += 2;
                }
                let branches = self.alternation()?;
                if self.bump() != Some(')') {
                    return Err("missing ')' in pattern".to_string());
                }
                Atom::Group(branches)
            }
            '[' => self.class()?,
            '\\' => self.escape()?,
            c => Atom::Char(c),
        })
    }

    fn escape(&mut self) -> Result<Atom, String> {
        let c = self.bump().ok_or("pattern ends with '\\'")?;
        Ok(match c {
            'd' | 'w' | 's' | 'D' | 'W' | 'S' => Atom::Class {
                ranges: shorthand(c.to_ascii_lowercase()).to_vec(),
                negated: c.is_ascii_uppercase(),
            },
            other => Atom::Char(literal_escape(other)),
        })
    }

    fn class(&mut self) -> Result<Atom, String> {
        let negated = self.peek() == Some('^');
        if negated {
            self.pos += 1;
        }
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let c = self.bump().ok_or("missing ']' in pattern")?;
            if c == ']' && !first {
                break;
            }
            first = false;
            let lo = if c == '\\' {
                let e = self.bump().ok_or("pattern ends with '\\'")?;
                if matches!(e, 'd' | 'w' | 's') {
                    ranges.extend_from_slice(shorthand(e));
                    continue;
                }
                literal_escape(e)
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|&n| n != ']') {
                self.pos += 1;
                let hi = match self.bump() {
                    Some('\\') => literal_escape(self.bump().ok_or("pattern ends with '\\'")?),
                    Some(hi) => hi,
                    None => return Err("missing ']' in pattern".to_string()),
                };
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Atom::Class { ranges, negated })
    }

    fn quantifier(&mut self) -> Result<(usize, usize), String> {
        let bounds = match self.peek() {
            Some('*') => (0, usize::MAX),
            Some('+') => (1, usize::MAX),
            Some('?') => (0, 1),
            Some('{') => return self.braces(),
            _ => return Ok((1, 1)),
        };
        self.pos += 1;
        self.lazy_suffix();
        Ok(bounds)
    }

    fn braces(&mut self) -> Result<(usize, usize), String> {
        let close = self.chars[self.pos..]
            .iter()
            .position(|&c| c == '}')
            .ok_or("missing '}' in pattern")?;
        let inside: String = self.chars[self.pos + 1..self.pos + close].iter().collect();
        self.pos += close + 1;
        let number = |s: &str| {
            s.trim()
                .parse::<usize>()
                .map_err(|_| format!("bad repetition {{{inside}}}"))
        };
        let bounds = match inside.split_once(',') {
            None => {
                let n = number(&inside)?;
                (n, n)
            }
            Some((lo, "")) => (number(lo)?, usize::MAX),
            Some((lo, hi)) => (number(lo)?, number(hi)?),
        };
        self.lazy_suffix();
        Ok(bounds)
    }

    /// `*?` and friends: whole-string matching makes laziness irrelevant.
    fn lazy_suffix(&mut self) {
        if self.peek() == Some('?') {
            self.pos += 1;
        }
    }
}

fn shorthand(c: char) -> &'static [(char, char)] {
    match c {
        'd' => DIGIT,
        'w' => WORD,
        _ => SPACE,
    }
}

fn literal_escape(c: char) -> char {
    match c {
        'n' => '\n',
        't' => '\t',
        'r' => '\r',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    fn matches(pattern: &str, text: &str) -> bool {
        Pattern::new(pattern).unwrap().matches(text)
    }

    #[test]
    fn whole_string_semantics() {
        assert!(matches("[a-z]+", "abc"));
        assert!(!matches("[a-z]+", "abc1"));
        assert!(matches("^[a-zA-Z][a-zA-Z0-9-]*$", "My-stack1"));
        assert!(!matches("^[a-zA-Z][a-zA-Z0-9-]*$", "1stack"));
        assert!(matches(r"\d{12}", "123456789012"));
        assert!(!matches(r"\d{12}", "12345678901"));
        assert!(matches("(dev|test|prod)", "prod"));
        assert!(!matches("(dev|test|prod)", "stage"));
        assert!(matches(
            r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})",
            "10.0.0.0/16"
        ));
        assert!(matches("[^ ]*", "no-spaces"));
        assert!(!matches("[^ ]*", "a space"));
        assert!(matches("a.c", "abc"));
        assert!(matches("[-_a-z]{2,}", "a_-b"));
        assert!(matches("x?y*", ""));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(Pattern::new("(a").is_err());
        assert!(Pattern::new("[a").is_err());
        assert!(Pattern::new("a)").is_err());
    }
}
