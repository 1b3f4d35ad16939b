//! The stored form of items: a tag byte per value, LEB128 lengths, numbers as their canonical
//! text. Golden bytes in the tests pin the encoding; a change needs a new record version.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::size::number_size;
use super::{Item, Number, Value};

const S: u8 = 0;
const N: u8 = 1;
const B: u8 = 2;
const SS: u8 = 3;
const NS: u8 = 4;
const BS: u8 = 5;
const M: u8 = 6;
const L: u8 = 7;
const NULL: u8 = 8;
const FALSE: u8 = 9;
const TRUE: u8 = 10;

fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let byte = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    put_len(out, bytes.len());
    out.extend_from_slice(bytes);
}

/// Appends the stored form of `item`.
pub fn encode_item(item: &Item, out: &mut Vec<u8>) {
    put_len(out, item.len());
    for (name, value) in item {
        put_bytes(out, name.as_bytes());
        encode_value(value, out);
    }
}

fn encode_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::S(text) => {
            out.push(S);
            put_bytes(out, text.as_bytes());
        }
        Value::N(number) => {
            out.push(N);
            put_bytes(out, number.to_string().as_bytes());
        }
        Value::B(bytes) => {
            out.push(B);
            put_bytes(out, bytes);
        }
        Value::Ss(set) => {
            out.push(SS);
            put_len(out, set.len());
            set.iter().for_each(|s| put_bytes(out, s.as_bytes()));
        }
        Value::Ns(set) => {
            out.push(NS);
            put_len(out, set.len());
            set.iter()
                .for_each(|n| put_bytes(out, n.to_string().as_bytes()));
        }
        Value::Bs(set) => {
            out.push(BS);
            put_len(out, set.len());
            set.iter().for_each(|b| put_bytes(out, b));
        }
        Value::M(item) => {
            out.push(M);
            encode_item(item, out);
        }
        Value::L(list) => {
            out.push(L);
            put_len(out, list.len());
            list.iter().for_each(|v| encode_value(v, out));
        }
        Value::Null => out.push(NULL),
        Value::Bool(false) => out.push(FALSE),
        Value::Bool(true) => out.push(TRUE),
    }
}

/// Reads a stored item.
pub fn decode_item(bytes: &[u8]) -> Result<Item, String> {
    read_whole(bytes, Reader::item)
}

/// Writes a stored item as DynamoDB JSON, the same text the decoded item serializes to, and
/// returns its size as [`super::size::item_size`] counts it, without building the item:
/// what reads that show items whole (no projection, no filter) send.
pub fn transcode_item(bytes: &[u8], out: &mut Vec<u8>) -> Result<usize, String> {
    read_whole(bytes, |reader| Ok(reader.json_item(out)?.0))
}

/// Reads `bytes` with `read`, which must consume all of them.
fn read_whole<'a, T>(
    bytes: &'a [u8],
    read: impl FnOnce(&mut Reader<'a>) -> Result<T, Corrupt>,
) -> Result<T, String> {
    let mut reader = Reader { bytes, at: 0 };
    let read = read(&mut reader).map_err(|corrupt| corrupt.to_string())?;
    if reader.at != bytes.len() {
        return Err(format!("{} trailing bytes", bytes.len() - reader.at));
    }
    Ok(read)
}

/// Writes `bytes` as a JSON string if they are ASCII needing no escape (most stored strings;
/// then they need no UTF-8 validation either), returning whether it did. The check has no
/// early exit, so it vectorizes.
fn json_plain_ascii(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let mut special = 0u8;
    for &b in bytes {
        special |=
            u8::from(b < 0x20) | u8::from(b >= 0x80) | u8::from(b == b'"') | u8::from(b == b'\\');
    }
    if special != 0 {
        return false;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.push(b'"');
    true
}

/// The significant digits of a number written as numbers are shown (`Decimal`'s plain form:
/// `-12.5`, `0.0012`, `1200`, `0`; no leading zeros but the one before a point, no trailing
/// zeros after one, no `-0`), or `None` for any other text.
fn plain_significant_digits(text: &[u8]) -> Option<usize> {
    if text == b"0" {
        return Some(0);
    }
    let unsigned = text.strip_prefix(b"-").unwrap_or(text);
    let (whole, fraction) = match unsigned.iter().position(|&b| b == b'.') {
        Some(point) => (&unsigned[..point], Some(&unsigned[point + 1..])),
        None => (unsigned, None),
    };
    let digits = |part: &[u8]| !part.is_empty() && part.iter().all(u8::is_ascii_digit);
    if !digits(whole) {
        return None;
    }
    let zeros = |part: &mut dyn Iterator<Item = &u8>| part.take_while(|&&b| b == b'0').count();
    match fraction {
        None if whole[0] != b'0' => Some(whole.len() - zeros(&mut whole.iter().rev())),
        Some(fraction) if digits(fraction) && fraction.last() != Some(&b'0') => {
            if whole == b"0" {
                Some(fraction.len() - zeros(&mut fraction.iter())).filter(|&n| n > 0)
            } else if whole[0] != b'0' {
                Some(whole.len() + fraction.len())
            } else {
                None
            }
        }
        _ => None,
    }
}

/// What is wrong with bytes that should be a stored item. Small, so that the reader's results
/// travel in registers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Corrupt {
    Truncated,
    LongLength,
    NotUtf8,
    Number,
    Tag(u8),
}

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Corrupt::Truncated => f.write_str("truncated item"),
            Corrupt::LongLength => f.write_str("length too long"),
            Corrupt::NotUtf8 => f.write_str("text is not UTF-8"),
            Corrupt::Number => f.write_str("not a number"),
            Corrupt::Tag(tag) => write!(f, "unknown value tag {tag}"),
        }
    }
}

/// A stored number's text, parsed.
fn parse_number(text: &[u8]) -> Result<Number, Corrupt> {
    let text = std::str::from_utf8(text).map_err(|_| Corrupt::NotUtf8)?;
    Number::parse(text).map_err(|_| Corrupt::Number)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, Corrupt> {
        let byte = *self.bytes.get(self.at).ok_or(Corrupt::Truncated)?;
        self.at += 1;
        Ok(byte)
    }

    fn len(&mut self) -> Result<usize, Corrupt> {
        // Most lengths fit in one byte.
        let first = self.byte()?;
        if first & 0x80 == 0 {
            return Ok(usize::from(first));
        }
        let mut n = usize::from(first & 0x7F);
        for shift in (7..64).step_by(7) {
            let byte = self.byte()?;
            n |= usize::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(Corrupt::LongLength)
    }

    fn bytes(&mut self) -> Result<&'a [u8], Corrupt> {
        let len = self.len()?;
        let end = self.at.checked_add(len).ok_or(Corrupt::LongLength)?;
        let slice = self.bytes.get(self.at..end).ok_or(Corrupt::Truncated)?;
        self.at = end;
        Ok(slice)
    }

    fn string(&mut self) -> Result<String, Corrupt> {
        std::str::from_utf8(self.bytes()?)
            .map(str::to_owned)
            .map_err(|_| Corrupt::NotUtf8)
    }

    /// A map's members as JSON: (Σ name and value sizes, member count).
    fn json_item(&mut self, out: &mut Vec<u8>) -> Result<(usize, usize), Corrupt> {
        self.json_sequence(out, *b"{}", |reader, out| {
            let name = reader.json_string(out)?;
            out.push(b':');
            Ok(name + reader.json_value(out)?)
        })
    }

    /// A JSON array of elements written by `element`: (Σ element sizes, element count).
    fn json_array(
        &mut self,
        out: &mut Vec<u8>,
        element: impl FnMut(&mut Self, &mut Vec<u8>) -> Result<usize, Corrupt>,
    ) -> Result<(usize, usize), Corrupt> {
        self.json_sequence(out, *b"[]", element)
    }

    /// A count, then that many elements written by `element` between `brackets`, separated by
    /// commas: (Σ element sizes, element count).
    fn json_sequence(
        &mut self,
        out: &mut Vec<u8>,
        [open, close]: [u8; 2],
        mut element: impl FnMut(&mut Self, &mut Vec<u8>) -> Result<usize, Corrupt>,
    ) -> Result<(usize, usize), Corrupt> {
        let count = self.len()?;
        let mut size = 0;
        out.push(open);
        for i in 0..count {
            if i > 0 {
                out.push(b',');
            }
            size += element(self, out)?;
        }
        out.push(close);
        Ok((size, count))
    }

    fn json_string(&mut self, out: &mut Vec<u8>) -> Result<usize, Corrupt> {
        let bytes = self.bytes()?;
        if !json_plain_ascii(out, bytes) {
            let text = std::str::from_utf8(bytes).map_err(|_| Corrupt::NotUtf8)?;
            serde_json::to_writer(&mut *out, text).expect("strings serialize into a Vec");
        }
        Ok(bytes.len())
    }

    fn json_number(&mut self, out: &mut Vec<u8>) -> Result<usize, Corrupt> {
        let text = self.bytes()?;
        // Numbers are digits, a sign and a point: nothing to escape. Stored in the form they
        // are shown in, they are copied; anything else is parsed and shown.
        out.push(b'"');
        let digits = match plain_significant_digits(text) {
            Some(digits) => {
                out.extend_from_slice(text);
                digits
            }
            None => {
                let number = parse_number(text)?;
                write!(out, "{number}").expect("numbers format into a Vec");
                number.significant_digits()
            }
        };
        out.push(b'"');
        Ok(number_size(digits))
    }

    fn json_binary(&mut self, out: &mut Vec<u8>) -> Result<usize, Corrupt> {
        let bytes = self.bytes()?;
        out.push(b'"');
        out.extend_from_slice(BASE64.encode(bytes).as_bytes());
        out.push(b'"');
        Ok(bytes.len())
    }

    /// A value as JSON (`{"S":"x"}`), returning its size.
    fn json_value(&mut self, out: &mut Vec<u8>) -> Result<usize, Corrupt> {
        let tag = self.byte()?;
        let size = match tag {
            S => {
                out.extend_from_slice(br#"{"S":"#);
                self.json_string(out)?
            }
            N => {
                out.extend_from_slice(br#"{"N":"#);
                self.json_number(out)?
            }
            B => {
                out.extend_from_slice(br#"{"B":"#);
                self.json_binary(out)?
            }
            SS => {
                out.extend_from_slice(br#"{"SS":"#);
                self.json_array(out, Self::json_string)?.0
            }
            NS => {
                out.extend_from_slice(br#"{"NS":"#);
                self.json_array(out, Self::json_number)?.0
            }
            BS => {
                out.extend_from_slice(br#"{"BS":"#);
                self.json_array(out, Self::json_binary)?.0
            }
            M => {
                out.extend_from_slice(br#"{"M":"#);
                let (size, count) = self.json_item(out)?;
                3 + count + size
            }
            L => {
                out.extend_from_slice(br#"{"L":"#);
                let (size, count) = self.json_array(out, Self::json_value)?;
                3 + count + size
            }
            NULL => {
                out.extend_from_slice(br#"{"NULL":true"#);
                1
            }
            FALSE => {
                out.extend_from_slice(br#"{"BOOL":false"#);
                1
            }
            TRUE => {
                out.extend_from_slice(br#"{"BOOL":true"#);
                1
            }
            tag => return Err(Corrupt::Tag(tag)),
        };
        out.push(b'}');
        Ok(size)
    }

    fn number(&mut self) -> Result<Number, Corrupt> {
        parse_number(self.bytes()?)
    }

    fn item(&mut self) -> Result<Item, Corrupt> {
        let count = self.len()?;
        let mut item = Item::new();
        for _ in 0..count {
            let name = self.string()?;
            let value = self.value()?;
            item.insert(name, value);
        }
        Ok(item)
    }

    fn value(&mut self) -> Result<Value, Corrupt> {
        Ok(match self.byte()? {
            S => Value::S(self.string()?),
            N => Value::N(self.number()?),
            B => Value::B(self.bytes()?.to_vec()),
            SS => {
                let count = self.len()?;
                Value::Ss(
                    (0..count)
                        .map(|_| self.string())
                        .collect::<Result<_, _>>()?,
                )
            }
            NS => {
                let count = self.len()?;
                Value::Ns(
                    (0..count)
                        .map(|_| self.number())
                        .collect::<Result<_, _>>()?,
                )
            }
            BS => {
                let count = self.len()?;
                Value::Bs(
                    (0..count)
                        .map(|_| self.bytes().map(<[u8]>::to_vec))
                        .collect::<Result<_, _>>()?,
                )
            }
            M => Value::M(self.item()?),
            L => {
                let count = self.len()?;
                Value::L((0..count).map(|_| self.value()).collect::<Result<_, _>>()?)
            }
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            tag => return Err(Corrupt::Tag(tag)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_keep_their_stored_form() {
        let mut item = Item::new();
        item.insert("a".into(), Value::S("x".into()));
        item.insert("b".into(), Value::N(Number::parse("-1.5").unwrap()));
        item.insert(
            "c".into(),
            Value::L(vec![
                Value::Null,
                Value::Bool(true),
                Value::Bs(vec![vec![0]]),
            ]),
        );
        let mut out = Vec::new();
        encode_item(&item, &mut out);
        assert_eq!(
            out,
            [
                3, 1, b'a', S, 1, b'x', 1, b'b', N, 4, b'-', b'1', b'.', b'5', 1, b'c', L, 3, NULL,
                TRUE, BS, 1, 1, 0
            ]
        );
        assert_eq!(decode_item(&out).unwrap(), item);
        assert!(decode_item(&out[..5]).is_err());
        let long = Value::S("y".repeat(300));
        let mut big = Item::new();
        big.insert("k".into(), long);
        let mut out = Vec::new();
        encode_item(&big, &mut out);
        assert_eq!(&out[..6], &[1, 1, b'k', S, 0xAC, 0x02]);
        assert_eq!(decode_item(&out).unwrap(), big);
    }

    /// Transcoding gives the text and size that decoding and serializing give.
    #[test]
    fn transcoded_items_are_their_decoded_json() {
        let n = |text: &str| Number::parse(text).unwrap();
        let mut inner = Item::new();
        inner.insert(
            "quote\"and\\slash".into(),
            Value::S("tab\t\u{1}雲海".into()),
        );
        inner.insert("empty".into(), Value::L(Vec::new()));
        inner.insert("nothing".into(), Value::M(Item::new()));
        let mut item = Item::new();
        item.insert("s".into(), Value::S(String::new()));
        item.insert("雲".into(), Value::S("海 sea".into()));
        item.insert("n".into(), Value::N(n("-0.00012300")));
        item.insert(
            "big".into(),
            Value::N(n("9.9999999999999999999999999999999999999E+125")),
        );
        item.insert("b".into(), Value::B(vec![0, 255, 7]));
        item.insert("ss".into(), Value::Ss(vec!["b".into(), "a".into()]));
        item.insert("ns".into(), Value::Ns(vec![n("10"), n("-1.5")]));
        item.insert("bs".into(), Value::Bs(vec![vec![1], vec![2, 3]]));
        item.insert("m".into(), Value::M(inner.clone()));
        item.insert(
            "l".into(),
            Value::L(vec![
                Value::Null,
                Value::Bool(false),
                Value::Bool(true),
                Value::M(inner),
                Value::L(vec![Value::S("x".into())]),
            ]),
        );
        for item in [item, Item::new()] {
            let mut stored = Vec::new();
            encode_item(&item, &mut stored);
            let mut json = Vec::new();
            let size = transcode_item(&stored, &mut json).unwrap();
            assert_eq!(
                String::from_utf8(json).unwrap(),
                serde_json::to_string(&item).unwrap()
            );
            assert_eq!(size, crate::item::size::item_size(&item));
        }
        // Corrupt bytes are refused with a reason, whichever reader meets them.
        for (bytes, reason) in [
            (&[1, 1, b'a', 99][..], "unknown value tag 99"),
            (&[1, 1, b'a', S, 5, b'x'], "truncated item"),
            (&[1, 1, b'a', S, 0xFF], "truncated item"),
            (&[1, 1, b'a', S, 1, 0xFF], "text is not UTF-8"),
            (&[1, 1, b'a', N, 1, b'x'], "not a number"),
            (&[1, 1, b'a', NULL, 0], "1 trailing bytes"),
        ] {
            assert_eq!(transcode_item(bytes, &mut Vec::new()), Err(reason.into()));
            assert_eq!(decode_item(bytes), Err(reason.into()));
        }
    }

    /// Numbers stored as they are shown are copied; numbers stored otherwise (none are, but
    /// the reader does not rely on it) are parsed and shown. Both give what serializing gives.
    #[test]
    fn stored_numbers_transcode_as_they_serialize() {
        let shown = [
            "0",
            "1",
            "-1",
            "7",
            "10",
            "1200",
            "-1200",
            "12.5",
            "-12.5",
            "0.5",
            "0.0012",
            "-0.0012",
            "100.001",
            "9.99",
            "1000000000000000000000000000000000000000",
            "12345678901234567890123456789012345678",
        ];
        let other = [
            "-0", "00", "01", "1.0", "1.50", "0.0", "1e3", "1E+2", ".5", "5.", "+1", "-.5", "0.000",
        ];
        for text in shown.into_iter().chain(other) {
            let mut stored = vec![1, 1, b'n', N];
            put_bytes(&mut stored, text.as_bytes());
            let mut json = Vec::new();
            let size = transcode_item(&stored, &mut json);
            let parsed = Number::parse(text);
            let (Ok(size), Ok(number)) = (size, parsed) else {
                panic!("{text}: stored numbers parse");
            };
            let mut item = Item::new();
            item.insert("n".into(), Value::N(number.clone()));
            assert_eq!(
                String::from_utf8(json).unwrap(),
                serde_json::to_string(&item).unwrap(),
                "{text}"
            );
            assert_eq!(size, crate::item::size::item_size(&item), "{text}");
            assert_eq!(
                plain_significant_digits(text.as_bytes()).is_some(),
                shown.contains(&text),
                "{text}"
            );
            assert_eq!(number.to_string() == text, shown.contains(&text), "{text}");
        }
    }

    proptest::proptest! {
        /// Any number, stored as shown or as written, transcodes as it serializes.
        #[test]
        fn any_stored_number_transcodes_as_it_serializes(
            negative in proptest::bool::ANY,
            digits in "[0-9]{1,38}",
            exponent in -130i32..126,
        ) {
            let written = format!("{}{digits}e{exponent}", if negative { "-" } else { "" });
            let Ok(number) = Number::parse(&written) else { return Ok(()) };
            let mut item = Item::new();
            item.insert("n".into(), Value::N(number.clone()));
            for text in [number.to_string(), written] {
                let mut stored = vec![1, 1, b'n', N];
                put_bytes(&mut stored, text.as_bytes());
                let mut json = Vec::new();
                let size = transcode_item(&stored, &mut json).unwrap();
                proptest::prop_assert_eq!(
                    String::from_utf8(json).unwrap(),
                    serde_json::to_string(&item).unwrap()
                );
                proptest::prop_assert_eq!(size, crate::item::size::item_size(&item));
            }
        }
    }
}
