//! The JSON wire form of attribute values: `{"S": "text"}`, `{"N": "12.5"}`, `{"B": base64}`,
//! `{"SS": […]}`, `{"M": {…}}`, `{"L": […]}`, `{"NULL": true}`, `{"BOOL": false}`.
//!
//! Malformed JSON is a `SerializationException`; well-formed JSON that is not a valid value
//! (two types at once, an empty set, a bad number) is a `ValidationException`. Both come out of
//! serde; validation errors carry [`VALIDATION`] in front of their message so the request
//! decoder can tell them apart.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use super::{Item, Number, Value};

/// Marks a serde error message that is a DynamoDB validation error.
pub const VALIDATION: &str = "\u{1}validation:";

fn invalid<E: de::Error>(message: impl fmt::Display) -> E {
    E::custom(format!("{VALIDATION}{message}"))
}

fn invalid_parameter<E: de::Error>(message: impl fmt::Display) -> E {
    invalid(format!(
        "One or more parameter values were invalid: {message}"
    ))
}

/// Splits a serde error into a validation message (when it is one) or nothing.
pub fn validation_message(error: &str) -> Option<&str> {
    let start = error.find(VALIDATION)? + VALIDATION.len();
    let rest = &error[start..];
    Some(rest.rfind(" at line ").map_or(rest, |end| &rest[..end]))
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            Value::S(text) => map.serialize_entry("S", text)?,
            Value::N(number) => map.serialize_entry("N", &number.to_string())?,
            Value::B(bytes) => map.serialize_entry("B", &BASE64.encode(bytes))?,
            Value::Ss(set) => map.serialize_entry("SS", set)?,
            Value::Ns(set) => map.serialize_entry("NS", &NumberList(set))?,
            Value::Bs(set) => map.serialize_entry("BS", &BinaryList(set))?,
            Value::M(item) => map.serialize_entry("M", item)?,
            Value::L(list) => map.serialize_entry("L", list)?,
            Value::Null => map.serialize_entry("NULL", &true)?,
            Value::Bool(value) => map.serialize_entry("BOOL", value)?,
        }
        map.end()
    }
}

struct NumberList<'a>(&'a [Number]);

impl Serialize for NumberList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for number in self.0 {
            seq.serialize_element(&number.to_string())?;
        }
        seq.end()
    }
}

struct BinaryList<'a>(&'a [Vec<u8>]);

impl Serialize for BinaryList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for bytes in self.0 {
            seq.serialize_element(&BASE64.encode(bytes))?;
        }
        seq.end()
    }
}

fn base64<E: de::Error>(text: &str) -> Result<Vec<u8>, E> {
    BASE64.decode(text).map_err(|_| {
        E::custom(format!(
            "Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            text.len()
        ))
    })
}

fn number<E: de::Error>(text: &str) -> Result<Number, E> {
    Number::parse(text).map_err(|error| invalid(error.to_string()))
}

fn check_set<T: PartialEq, E: de::Error>(
    set: &[T],
    empty: &str,
    show: impl Fn(&T) -> String,
) -> Result<(), E> {
    if set.is_empty() {
        return Err(invalid_parameter(empty));
    }
    for (i, a) in set.iter().enumerate() {
        if set[..i].contains(a) {
            let shown: Vec<String> = set.iter().map(show).collect();
            return Err(invalid_parameter(format!(
                "Input collection [{}] contains duplicates.",
                shown.join(", ")
            )));
        }
    }
    Ok(())
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an AttributeValue object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut found = None;
        let mut types = 0;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            types += 1;
            let value = match key.as_ref() {
                "S" => Value::S(map.next_value()?),
                "N" => {
                    let text: std::borrow::Cow<'de, str> = map.next_value()?;
                    Value::N(number(&text)?)
                }
                "B" => {
                    let text: std::borrow::Cow<'de, str> = map.next_value()?;
                    Value::B(base64(&text)?)
                }
                "SS" => {
                    let set: Vec<String> = map.next_value()?;
                    check_set(&set, "An string set  may not be empty", |s| s.clone())?;
                    Value::Ss(set)
                }
                "NS" => {
                    let texts: Vec<std::borrow::Cow<'de, str>> = map.next_value()?;
                    let set = texts
                        .iter()
                        .map(|t| number(t))
                        .collect::<Result<Vec<_>, _>>()?;
                    check_set(&set, "An number set  may not be empty", |n| n.to_string())?;
                    Value::Ns(set)
                }
                "BS" => {
                    let texts: Vec<std::borrow::Cow<'de, str>> = map.next_value()?;
                    let set = texts
                        .iter()
                        .map(|t| base64(t))
                        .collect::<Result<Vec<_>, _>>()?;
                    check_set(&set, "Binary sets should not be empty", |b| {
                        BASE64.encode(b)
                    })?;
                    Value::Bs(set)
                }
                "M" => Value::M(map.next_value::<Item>()?),
                "L" => Value::L(map.next_value::<Vec<Value>>()?),
                "NULL" => {
                    if !map.next_value::<bool>()? {
                        return Err(invalid_parameter(
                            "Null attribute value types must have the value of true",
                        ));
                    }
                    Value::Null
                }
                "BOOL" => Value::Bool(map.next_value()?),
                // DynamoDB ignores members it does not know: `{"dog": "cat"}` is an empty
                // AttributeValue.
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                    types -= 1;
                    continue;
                }
            };
            found = Some(value);
        }
        match (types, found) {
            (1, Some(value)) => Ok(value),
            (0, _) => Err(invalid(
                "Supplied AttributeValue is empty, must contain exactly one of the supported \
                 datatypes",
            )),
            _ => Err(invalid(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly \
                 one of the supported datatypes",
            )),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Value, A::Error> {
        Err(de::Error::custom("Unexpected value type in payload"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Value, String> {
        serde_json::from_str::<Value>(json).map_err(|e| {
            let text = e.to_string();
            match validation_message(&text) {
                Some(message) => format!("validation: {message}"),
                None => format!("serialization: {text}"),
            }
        })
    }

    #[test]
    fn values_round_trip_through_json() {
        let json = r#"{"M":{"a":{"S":"x"},"b":{"N":"1.50"},"c":{"B":"AAE="},"d":{"SS":["p","q"]},"e":{"NS":["1","2e2"]},"f":{"BS":["AA=="]},"g":{"L":[{"NULL":true},{"BOOL":false}]}}}"#;
        let value = parse(json).unwrap();
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"M":{"a":{"S":"x"},"b":{"N":"1.5"},"c":{"B":"AAE="},"d":{"SS":["p","q"]},"e":{"NS":["1","200"]},"f":{"BS":["AA=="]},"g":{"L":[{"NULL":true},{"BOOL":false}]}}}"#
        );
    }

    #[test]
    fn invalid_values_are_validation_errors_and_malformed_ones_serialization_errors() {
        assert!(
            parse("{}")
                .unwrap_err()
                .contains("validation: Supplied AttributeValue is empty")
        );
        assert!(
            parse(r#"{"S":"a","N":"1"}"#)
                .unwrap_err()
                .contains("more than one datatypes")
        );
        assert_eq!(
            parse(r#"{"SS":[]}"#).unwrap_err(),
            "validation: One or more parameter values were invalid: An string set  may not be empty"
        );
        assert_eq!(
            parse(r#"{"SS":["a","a"]}"#).unwrap_err(),
            "validation: One or more parameter values were invalid: Input collection [a, a] contains duplicates."
        );
        assert!(
            parse(r#"{"NS":["1","1.0"]}"#)
                .unwrap_err()
                .contains("contains duplicates")
        );
        assert!(
            parse(r#"{"N":"dog"}"#)
                .unwrap_err()
                .contains("numeric value: dog")
        );
        assert!(
            parse(r#"{"NULL":false}"#)
                .unwrap_err()
                .contains("value of true")
        );
        assert!(
            parse(r#"{"N":123}"#)
                .unwrap_err()
                .starts_with("serialization:")
        );
        // Unknown members are ignored, as DynamoDB ignores them.
        assert!(
            parse(r#"{"X":"a"}"#)
                .unwrap_err()
                .contains("Supplied AttributeValue is empty")
        );
        assert!(parse(r#"{"X":"a","S":"b"}"#).is_ok());
        assert!(
            parse(r#"{"B":"***"}"#)
                .unwrap_err()
                .starts_with("serialization:")
        );
    }
}
