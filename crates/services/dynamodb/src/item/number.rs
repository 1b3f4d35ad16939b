//! DynamoDB numbers: exact decimals with up to 38 significant digits and a magnitude between
//! 1E-130 and 9.99…E+125, compared numerically, added and subtracted exactly.

use std::cmp::Ordering;
use std::fmt;

use unkai_store::tuple::Decimal;

use crate::Error;

/// Most significant digits a number may have.
pub const MAX_DIGITS: usize = 38;
/// The largest allowed power of ten of the leading digit.
const MAX_EXPONENT: i64 = 125;
/// The smallest allowed power of ten of the leading digit.
const MIN_EXPONENT: i64 = -130;

const OVERFLOW: &str =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
const UNDERFLOW: &str =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
const PRECISION: &str = "Attempting to store more than 38 significant digits in a Number";

/// A valid DynamoDB number.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Number(Decimal);

impl Number {
    /// Parses and validates the text of an `N` value.
    pub fn parse(text: &str) -> Result<Number, Error> {
        let invalid = || {
            Error::Validation(format!(
                "The parameter cannot be converted to a numeric value: {text}"
            ))
        };
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
        let mut digits = Vec::with_capacity(bytes.len());
        let mut point = None;
        while let Some(&byte) = bytes.get(at) {
            match byte {
                b'0'..=b'9' => digits.push(byte - b'0'),
                b'.' if point.is_none() => point = Some(digits.len()),
                _ => break,
            }
            at += 1;
        }
        if digits.is_empty() {
            return Err(invalid());
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
                exponent = (exponent * 10 + i64::from(byte - b'0')).min(1 << 40);
                at += 1;
            }
            if at == start {
                return Err(invalid());
            }
            exponent *= sign;
        }
        if at != bytes.len() {
            return Err(invalid());
        }
        let point = point.unwrap_or(digits.len()) as i64;
        Self::from_digits(negative, exponent + point, &digits)
    }

    /// `±0.digits × 10^exponent`, validated.
    fn from_digits(negative: bool, exponent: i64, digits: &[u8]) -> Result<Number, Error> {
        let Some(first) = digits.iter().position(|&d| d != 0) else {
            return Ok(Number(Decimal::ZERO));
        };
        let last = digits
            .iter()
            .rposition(|&d| d != 0)
            .expect("a nonzero digit exists");
        let leading = exponent - first as i64 - 1;
        if leading > MAX_EXPONENT {
            return Err(Error::Validation(OVERFLOW.into()));
        }
        if leading < MIN_EXPONENT {
            return Err(Error::Validation(UNDERFLOW.into()));
        }
        if last + 1 - first > MAX_DIGITS {
            return Err(Error::Validation(PRECISION.into()));
        }
        let decimal = Decimal::from_parts(negative, exponent as i32, digits)
            .expect("the exponent is within range");
        Ok(Number(decimal))
    }

    /// The number as stored in keys.
    pub fn decimal(&self) -> &Decimal {
        &self.0
    }

    /// Wraps a decimal read back from a key.
    pub fn from_decimal(decimal: Decimal) -> Number {
        Number(decimal)
    }

    /// `self + other`, or the error DynamoDB gives when the result cannot be stored (DynamoDB
    /// reports lost precision as an overflow too).
    pub fn add(&self, other: &Number) -> Result<Number, Error> {
        add(&self.0, &other.0, false)
    }

    /// `self - other`.
    pub fn sub(&self, other: &Number) -> Result<Number, Error> {
        add(&self.0, &other.0, true)
    }

    /// How many significant digits it has (0 for zero).
    pub fn significant_digits(&self) -> usize {
        self.0.digits().len()
    }

    /// Whether it is below zero.
    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }
}

/// Digits of `d` aligned so that index `i` has weight `10^(top - i)`.
fn aligned(d: &Decimal, top: i64, len: usize) -> Vec<i32> {
    let mut out = vec![0; len];
    let first = top - d.scientific_exponent() as i64;
    for (i, &digit) in d.digits().iter().enumerate() {
        out[first as usize + i] = i32::from(digit);
    }
    out
}

fn add(a: &Decimal, b: &Decimal, subtract: bool) -> Result<Number, Error> {
    if b.is_zero() {
        return Ok(Number(a.clone()));
    }
    let b_negative = b.is_negative() != subtract;
    if a.is_zero() {
        let negated = Decimal::from_parts(b_negative, b.scientific_exponent() + 1, b.digits())
            .expect("same magnitude");
        return Ok(Number(negated));
    }
    // Exponents are bounded (-130..=125), so the aligned width is at most a few hundred digits.
    let low = |d: &Decimal| d.scientific_exponent() as i64 - d.digits().len() as i64 + 1;
    let top = a.scientific_exponent().max(b.scientific_exponent()) as i64 + 1;
    let bottom = low(a).min(low(b));
    let len = (top - bottom + 1) as usize;
    let x = aligned(a, top, len);
    let y = aligned(b, top, len);
    let sign_a = if a.is_negative() { -1 } else { 1 };
    let sign_b = if b_negative { -1 } else { 1 };
    let mut sum: Vec<i32> = x
        .iter()
        .zip(&y)
        .map(|(p, q)| sign_a * p + sign_b * q)
        .collect();
    // Normalize to a sign and digits in 0..=9.
    let negative = sum.iter().find(|&&d| d != 0).is_some_and(|&d| d < 0);
    if negative {
        sum.iter_mut().for_each(|d| *d = -*d);
    }
    for i in (1..sum.len()).rev() {
        while sum[i] < 0 {
            sum[i] += 10;
            sum[i - 1] -= 1;
        }
        if sum[i] >= 10 {
            sum[i] -= 10;
            sum[i - 1] += 1;
        }
    }
    let digits: Vec<u8> = sum.iter().map(|&d| d as u8).collect();
    Number::from_digits(negative, top + 1, &digits).map_err(|error| match error {
        Error::Validation(message) if message == PRECISION => Error::Validation(OVERFLOW.into()),
        other => other,
    })
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        Number::parse(text).unwrap()
    }

    fn message(result: Result<Number, Error>) -> String {
        match result {
            Err(Error::Validation(message)) => message,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn the_allowed_range_and_precision_are_dynamodbs() {
        for ok in [
            "1e125",
            "9.99999999e125",
            "1e-130",
            "-1e-130",
            "0e126",
            "0.0e126",
            "0e-131",
            "3.1415926535897932384626433832795028841",
            "31415926535897932384626433832795028841e30",
            "3",
            "-7.1234",
            "-17e5",
            "-17.4E37",
            "+3",
            ".123",
            "0001.23",
            "1e+5",
        ] {
            Number::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        assert!(message(Number::parse("1e126")).contains("overflow"));
        assert!(message(Number::parse("11e125")).contains("overflow"));
        assert!(message(Number::parse("1.0e100000000")).contains("overflow"));
        assert!(message(Number::parse("1e-131")).contains("underflow"));
        assert!(message(Number::parse("0.9e-130")).contains("underflow"));
        assert!(
            message(Number::parse("3.14159265358979323846264338327950288419"))
                .contains("significant")
        );
        for bad in [
            "NaN",
            "Infinity",
            "-Infinity",
            "dog",
            " 1",
            "1 ",
            "",
            "-",
            "1e",
            "1.2.3",
        ] {
            assert!(message(Number::parse(bad)).contains("numeric"), "{bad}");
        }
        assert_eq!(n("0001.2300").to_string(), "1.23");
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("1e3").to_string(), "1000");
    }

    #[test]
    fn arithmetic_is_exact_within_38_digits() {
        assert_eq!(
            n("1").add(&n("10000000000000000000000")).unwrap(),
            n("10000000000000000000001")
        );
        assert_eq!(
            n("10000000000000000000000").sub(&n("1")).unwrap(),
            n("9999999999999999999999")
        );
        assert_eq!(n("9e125").add(&n("9e124")).unwrap(), n("9.9e125"));
        assert!(message(n("9e125").add(&n("9e125"))).contains("overflow"));
        assert!(message(n("9e125").sub(&n("-9e125"))).contains("overflow"));
        assert!(message(n("1e50").sub(&n("1"))).contains("overflow"));
        assert_eq!(n("-5").add(&n("3")).unwrap(), n("-2"));
        assert_eq!(n("5").sub(&n("5")).unwrap(), n("0"));
        assert_eq!(n("0").sub(&n("2.5")).unwrap(), n("-2.5"));
        assert_eq!(n("0.1").add(&n("0.2")).unwrap(), n("0.3"));
        assert_eq!(n("-0.5").sub(&n("-0.25")).unwrap(), n("-0.25"));
        assert_eq!(n("1e-130").add(&n("1e-130")).unwrap(), n("2e-130"));
        assert!(n("-1") < n("0.5") && n("10") > n("9.99"));
    }
}
