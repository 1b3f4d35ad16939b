//! Order-preserving key encoding: the byte order of encoded tuples is the order of their values.
//!
//! A key is a [`Space`] byte followed by typed elements. Every element is self-delimiting, so the
//! keys that extend a tuple are exactly the keys that start with its bytes
//! ([`KeyBuilder::range`]). The encoding follows FoundationDB's tuple layer in spirit:
//!
//! | element | encoding |
//! |---|---|
//! | bytes | `0x01`, bytes with `0x00` escaped as `0x00 0xFF`, `0x00` |
//! | string | `0x02`, UTF-8 escaped like bytes, `0x00` |
//! | negative decimal | `0x10`, then the positive encoding with every byte inverted |
//! | zero | `0x11` |
//! | positive decimal | `0x12`, exponent as `u16` big-endian (+0x8000), digit pairs as `10a+b+1`, `0x00` |
//! | signed integer | `0x14`, 8 bytes big-endian with the sign bit flipped |
//! | unsigned integer | `0x15`, 8 bytes big-endian |
//! | false / true | `0x26` / `0x27` |

use std::fmt;
use std::str::FromStr;

use crate::{KeyRange, Space};

const BYTES: u8 = 0x01;
const STRING: u8 = 0x02;
const NEGATIVE: u8 = 0x10;
const ZERO: u8 = 0x11;
const POSITIVE: u8 = 0x12;
const INT: u8 = 0x14;
const UINT: u8 = 0x15;
const FALSE: u8 = 0x26;
const TRUE: u8 = 0x27;

/// Starts a key in `space`.
pub fn key(space: Space) -> KeyBuilder {
    let mut buf = Vec::with_capacity(32);
    buf.push(space.byte());
    KeyBuilder(buf)
}

/// Appends tuple elements to a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyBuilder(Vec<u8>);

impl KeyBuilder {
    /// Appends a byte string.
    pub fn bytes(mut self, value: &[u8]) -> Self {
        self.0.push(BYTES);
        escape_into(&mut self.0, value);
        self
    }

    /// Appends a string.
    pub fn str(mut self, value: &str) -> Self {
        self.0.push(STRING);
        escape_into(&mut self.0, value.as_bytes());
        self
    }

    /// Appends a signed integer.
    pub fn int(mut self, value: i64) -> Self {
        self.0.push(INT);
        self.0
            .extend_from_slice(&((value as u64) ^ (1 << 63)).to_be_bytes());
        self
    }

    /// Appends an unsigned integer.
    pub fn uint(mut self, value: u64) -> Self {
        self.0.push(UINT);
        self.0.extend_from_slice(&value.to_be_bytes());
        self
    }

    /// Appends a decimal number.
    pub fn number(mut self, value: &Decimal) -> Self {
        value.encode_into(&mut self.0);
        self
    }

    /// Appends a boolean.
    pub fn bool(mut self, value: bool) -> Self {
        self.0.push(if value { TRUE } else { FALSE });
        self
    }

    /// Appends raw bytes that are already an encoded tuple tail (for example a key read back).
    pub fn raw(mut self, encoded: &[u8]) -> Self {
        self.0.extend_from_slice(encoded);
        self
    }

    /// The encoded key.
    pub fn finish(self) -> Vec<u8> {
        self.0
    }

    /// Every key that extends this tuple.
    pub fn range(self) -> KeyRange {
        KeyRange::prefix(&self.0)
    }
}

fn escape_into(out: &mut Vec<u8>, value: &[u8]) {
    for &byte in value {
        out.push(byte);
        if byte == 0 {
            out.push(0xFF);
        }
    }
    out.push(0);
}

/// A key that does not decode as the expected tuple.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed tuple at byte {at}: {reason}")]
pub struct DecodeError {
    at: usize,
    reason: &'static str,
}

/// Reads the elements of an encoded key in order.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// Reads `key`, whose first byte must be `space`.
    pub fn new(key: &'a [u8], space: Space) -> Result<Self, DecodeError> {
        let mut reader = Self { bytes: key, at: 0 };
        if reader.byte()? != space.byte() {
            return Err(reader.fail("wrong key space"));
        }
        Ok(reader)
    }

    /// Reads a tuple that has no space byte.
    pub fn bare(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn fail(&self, reason: &'static str) -> DecodeError {
        DecodeError {
            at: self.at,
            reason,
        }
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        let byte = *self
            .bytes
            .get(self.at)
            .ok_or_else(|| self.fail("unexpected end"))?;
        self.at += 1;
        Ok(byte)
    }

    fn expect(&mut self, code: u8) -> Result<(), DecodeError> {
        if self.byte()? == code {
            Ok(())
        } else {
            self.at -= 1;
            Err(self.fail("unexpected element type"))
        }
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let end = self.at + N;
        let slice = self
            .bytes
            .get(self.at..end)
            .ok_or_else(|| self.fail("unexpected end"))?;
        self.at = end;
        Ok(slice.try_into().expect("slice has length N"))
    }

    fn unescape(&mut self) -> Result<Vec<u8>, DecodeError> {
        let mut out = Vec::new();
        loop {
            match self.byte()? {
                0 if self.bytes.get(self.at) == Some(&0xFF) => {
                    self.at += 1;
                    out.push(0);
                }
                0 => return Ok(out),
                byte => out.push(byte),
            }
        }
    }

    /// Whether every element has been read.
    pub fn is_end(&self) -> bool {
        self.at >= self.bytes.len()
    }

    /// What has not been read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at.min(self.bytes.len())..]
    }

    /// Reads a byte string.
    pub fn bytes(&mut self) -> Result<Vec<u8>, DecodeError> {
        self.expect(BYTES)?;
        self.unescape()
    }

    /// Reads a string.
    pub fn str(&mut self) -> Result<String, DecodeError> {
        self.expect(STRING)?;
        let raw = self.unescape()?;
        String::from_utf8(raw).map_err(|_| self.fail("string is not UTF-8"))
    }

    /// Reads a signed integer.
    pub fn int(&mut self) -> Result<i64, DecodeError> {
        self.expect(INT)?;
        Ok((u64::from_be_bytes(self.fixed()?) ^ (1 << 63)) as i64)
    }

    /// Reads an unsigned integer.
    pub fn uint(&mut self) -> Result<u64, DecodeError> {
        self.expect(UINT)?;
        Ok(u64::from_be_bytes(self.fixed()?))
    }

    /// Reads a boolean.
    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.byte()? {
            FALSE => Ok(false),
            TRUE => Ok(true),
            _ => {
                self.at -= 1;
                Err(self.fail("unexpected element type"))
            }
        }
    }

    /// Reads a decimal number.
    pub fn number(&mut self) -> Result<Decimal, DecodeError> {
        let negative = match self.byte()? {
            ZERO => return Ok(Decimal::ZERO),
            POSITIVE => false,
            NEGATIVE => true,
            _ => {
                self.at -= 1;
                return Err(self.fail("unexpected element type"));
            }
        };
        let flip = |byte: u8| if negative { !byte } else { byte };
        let exponent = self.fixed::<2>()?;
        let exponent =
            (u16::from_be_bytes([flip(exponent[0]), flip(exponent[1])]) as i32 - 0x8000) as i16;
        let mut digits = Vec::new();
        loop {
            match flip(self.byte()?) {
                0 => break,
                pair @ 1..=100 => {
                    digits.push((pair - 1) / 10);
                    digits.push((pair - 1) % 10);
                }
                _ => return Err(self.fail("bad decimal digit pair")),
            }
        }
        if digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.first().is_none_or(|&d| d == 0) || digits.last() == Some(&0) {
            return Err(self.fail("decimal is not normalized"));
        }
        Ok(Decimal {
            negative,
            exponent,
            digits,
        })
    }
}

/// An exact decimal number: `±0.d₁d₂…dₙ × 10^exponent`, normalized (no leading or trailing zero
/// digits), so equal numbers have equal representations and equal encodings.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    negative: bool,
    exponent: i16,
    digits: Vec<u8>,
}

/// A string that is not a decimal number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a decimal number")]
pub struct ParseDecimalError;

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal {
        negative: false,
        exponent: 0,
        digits: Vec::new(),
    };

    /// Whether the number is zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Whether the number is below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The significant digits, most significant first (empty for zero).
    pub fn digits(&self) -> &[u8] {
        &self.digits
    }

    /// The power of ten of the leading digit in scientific notation (`1.5E3` gives 3).
    pub fn scientific_exponent(&self) -> i32 {
        self.exponent as i32 - 1
    }

    /// Builds a number from its parts: `±0.digits × 10^exponent`; digits are normalized here.
    pub fn from_parts(negative: bool, exponent: i32, digits: &[u8]) -> Option<Decimal> {
        let first = digits.iter().position(|&d| d != 0);
        let Some(first) = first else {
            return Some(Decimal::ZERO);
        };
        let last = digits
            .iter()
            .rposition(|&d| d != 0)
            .expect("a nonzero digit exists");
        let exponent = i16::try_from(exponent - first as i32).ok()?;
        Some(Decimal {
            negative,
            exponent,
            digits: digits[first..=last].to_vec(),
        })
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(ZERO);
            return;
        }
        out.push(if self.negative { NEGATIVE } else { POSITIVE });
        let flip = |byte: u8| if self.negative { !byte } else { byte };
        let exponent = ((self.exponent as i32 + 0x8000) as u16).to_be_bytes();
        out.push(flip(exponent[0]));
        out.push(flip(exponent[1]));
        for pair in self.digits.chunks(2) {
            let high = pair[0];
            let low = pair.get(1).copied().unwrap_or(0);
            out.push(flip(10 * high + low + 1));
        }
        out.push(flip(0));
    }
}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    /// Parses `[+-]digits[.digits][(e|E)[+-]digits]` (digits may be absent on one side of the
    /// point, not both).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                at += 1;
                true
            }
            Some(b'+') => {
                at += 1;
                false
            }
            _ => false,
        };
        let mut digits = Vec::new();
        let mut point: Option<usize> = None;
        while let Some(&byte) = bytes.get(at) {
            match byte {
                b'0'..=b'9' => digits.push(byte - b'0'),
                b'.' if point.is_none() => point = Some(digits.len()),
                _ => break,
            }
            at += 1;
        }
        if digits.is_empty() {
            return Err(ParseDecimalError);
        }
        let mut exponent: i64 = 0;
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            let sign = match bytes.get(at) {
                Some(b'-') => {
                    at += 1;
                    -1
                }
                Some(b'+') => {
                    at += 1;
                    1
                }
                _ => 1,
            };
            let start = at;
            while let Some(&byte @ b'0'..=b'9') = bytes.get(at) {
                exponent = (exponent * 10 + (byte - b'0') as i64).min(1 << 40);
                at += 1;
            }
            if at == start {
                return Err(ParseDecimalError);
            }
            exponent *= sign;
        }
        if at != bytes.len() {
            return Err(ParseDecimalError);
        }
        let integer_digits = point.unwrap_or(digits.len()) as i64;
        let exponent = i32::try_from(exponent + integer_digits).map_err(|_| ParseDecimalError)?;
        let mut number =
            Decimal::from_parts(negative, exponent, &digits).ok_or(ParseDecimalError)?;
        if number.is_zero() {
            number.negative = false;
        }
        Ok(number)
    }
}

impl fmt::Display for Decimal {
    /// Plain notation without an exponent, as DynamoDB returns numbers: `-12.5`, `0.001`, `1000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut text = String::with_capacity(self.digits.len() + 8);
        if self.negative {
            text.push('-');
        }
        let digit = |d: &u8| char::from(b'0' + d);
        let exponent = self.exponent as i64;
        let count = self.digits.len() as i64;
        if exponent <= 0 {
            text.push_str("0.");
            text.extend(std::iter::repeat_n('0', (-exponent) as usize));
            text.extend(self.digits.iter().map(digit));
        } else if exponent >= count {
            text.extend(self.digits.iter().map(digit));
            text.extend(std::iter::repeat_n('0', (exponent - count) as usize));
        } else {
            let (whole, fraction) = self.digits.split_at(exponent as usize);
            text.extend(whole.iter().map(digit));
            text.push('.');
            text.extend(fraction.iter().map(digit));
        }
        f.write_str(&text)
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        let mut a = Vec::new();
        let mut b = Vec::new();
        self.encode_into(&mut a);
        other.encode_into(&mut b);
        a.cmp(&b)
    }
}

/// A key escaped for logs and error messages: printable ASCII as is, other bytes as `\xNN`.
pub fn printable(key: &[u8]) -> String {
    let mut out = String::with_capacity(key.len());
    for &byte in key {
        if byte.is_ascii_graphic() || byte == b' ' {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn decimals_normalize_and_print_plainly() {
        let cases = [
            ("0", "0"),
            ("-0.000", "0"),
            ("1.50", "1.5"),
            ("1e3", "1000"),
            ("+12.5E-3", "0.0125"),
            ("-00042.100", "-42.1"),
            ("1E-130", &format!("0.{}1", "0".repeat(129))),
            (".5", "0.5"),
            ("5.", "5"),
        ];
        for (input, shown) in cases {
            assert_eq!(dec(input).to_string(), shown, "{input}");
        }
        for bad in [
            "",
            "-",
            ".",
            "1e",
            "1e+",
            "abc",
            "1.2.3",
            "1 ",
            " 1",
            "0x10",
            "1e99999999999",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad:?} should not parse");
        }
        assert_eq!(
            dec("12345678901234567890123456789012345678").digits().len(),
            38
        );
        assert_eq!(dec("1.5E3").scientific_exponent(), 3);
        assert_eq!(dec("0.015").scientific_exponent(), -2);
    }

    #[test]
    fn decimal_order_matches_numeric_order() {
        let ascending = [
            "-9.9999999999999999999999999999999999999E+125",
            "-1000",
            "-10.5",
            "-10.05",
            "-10",
            "-1",
            "-0.105",
            "-0.1",
            "-1E-130",
            "0",
            "1E-130",
            "0.1",
            "0.105",
            "1",
            "10",
            "10.05",
            "10.5",
            "1000",
            "9.9999999999999999999999999999999999999E+125",
        ];
        let keys: Vec<Vec<u8>> = ascending
            .iter()
            .map(|n| key(Space::Test).number(&dec(n)).finish())
            .collect();
        for pair in keys.windows(2) {
            assert!(
                pair[0] < pair[1],
                "{} !< {}",
                printable(&pair[0]),
                printable(&pair[1])
            );
        }
    }

    #[test]
    fn elements_round_trip() {
        let encoded = key(Space::Test)
            .str("users")
            .bytes(b"a\x00b\xff")
            .int(-7)
            .uint(u64::MAX)
            .number(&dec("-12.75"))
            .bool(true)
            .finish();
        let mut reader = Reader::new(&encoded, Space::Test).unwrap();
        assert_eq!(reader.str().unwrap(), "users");
        assert_eq!(reader.bytes().unwrap(), b"a\x00b\xff");
        assert_eq!(reader.int().unwrap(), -7);
        assert_eq!(reader.uint().unwrap(), u64::MAX);
        assert_eq!(reader.number().unwrap(), dec("-12.75"));
        assert!(reader.bool().unwrap());
        assert!(reader.is_end());
        assert!(Reader::new(&encoded, Space::Iam).is_err());
        assert!(Reader::bare(&encoded[1..]).int().is_err());
    }

    #[test]
    fn tuple_prefix_range_holds_exactly_its_extensions() {
        let range = key(Space::Test).str("ab").range();
        assert!(range.contains(&key(Space::Test).str("ab").str("x").finish()));
        assert!(!range.contains(&key(Space::Test).str("abc").finish()));
        assert!(!range.contains(&key(Space::Test).str("a").finish()));
    }

    fn decimal_text() -> impl Strategy<Value = String> {
        (any::<bool>(), "[0-9]{1,38}", -140i32..140).prop_map(|(neg, digits, exp)| {
            format!("{}{}E{}", if neg { "-" } else { "" }, digits, exp)
        })
    }

    proptest! {
        #[test]
        fn decimal_encoding_orders_like_values(a in decimal_text(), b in decimal_text()) {
            let (x, y) = (dec(&a), dec(&b));
            let kx = key(Space::Test).number(&x).finish();
            let ky = key(Space::Test).number(&y).finish();
            // Compare numerically through exact rational comparison of digit strings.
            prop_assert_eq!(kx.cmp(&ky), numeric_cmp(&x, &y));
            let mut reader = Reader::new(&kx, Space::Test).unwrap();
            prop_assert_eq!(reader.number().unwrap(), x.clone());
            prop_assert_eq!(dec(&x.to_string()), x);
        }

        #[test]
        fn strings_and_ints_order_like_values(a in ".*", b in ".*", i in any::<i64>(), j in any::<i64>()) {
            let ka = key(Space::Test).str(&a).int(i).finish();
            let kb = key(Space::Test).str(&b).int(j).finish();
            prop_assert_eq!(ka.cmp(&kb), (a.as_bytes(), i).cmp(&(b.as_bytes(), j)));
        }

        #[test]
        fn bytes_order_like_values(a in proptest::collection::vec(any::<u8>(), 0..16), b in proptest::collection::vec(any::<u8>(), 0..16)) {
            let ka = key(Space::Test).bytes(&a).finish();
            let kb = key(Space::Test).bytes(&b).finish();
            prop_assert_eq!(ka.cmp(&kb), a.cmp(&b));
            prop_assert_eq!(Reader::new(&ka, Space::Test).unwrap().bytes().unwrap(), a);
        }
    }

    /// Numeric comparison independent of the encoding: align both digit strings on a common
    /// exponent and compare as big unsigned integers, then apply signs.
    fn numeric_cmp(x: &Decimal, y: &Decimal) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let sign = |d: &Decimal| {
            if d.is_zero() {
                0
            } else if d.is_negative() {
                -1
            } else {
                1
            }
        };
        let (sx, sy) = (sign(x), sign(y));
        if sx != sy || sx == 0 {
            return sx.cmp(&sy);
        }
        let magnitude = if x.exponent != y.exponent {
            x.exponent.cmp(&y.exponent)
        } else {
            x.digits.cmp(&y.digits)
        };
        if sx < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
        .then(Ordering::Equal)
    }
}
