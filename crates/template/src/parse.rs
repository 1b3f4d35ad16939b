//! Template text to a JSON [`Value`]: JSON as is, YAML with its short-form tags expanded.

use serde_json::{Map, Value, json};
use serde_yaml_ng::Value as Yaml;

use crate::Error;

/// The YAML short-form tags CloudFormation accepts, each with the long-form key it stands for.
/// `!GetAtt` and `!Condition` have their own shapes and are handled apart.
const FUNCTIONS: &[&str] = &[
    "Sub",
    "Join",
    "Select",
    "Split",
    "If",
    "Equals",
    "And",
    "Or",
    "Not",
    "FindInMap",
    "GetAZs",
    "Base64",
    "ImportValue",
    "Cidr",
    "Transform",
    "Length",
    "ToJsonString",
];

/// Parses a template body, JSON or YAML (YAML 1.1 as CloudFormation reads it). YAML short-form tags
/// become their long forms: `!Ref x` → {"Ref":"x"}, `!GetAtt A.B` (and list form) → {"Fn::GetAtt":["A","B"]},
/// `!Sub`, `!Join`, `!Select`, `!Split`, `!If`, `!Equals`, `!And`, `!Or`, `!Not`, `!FindInMap`,
/// `!GetAZs`, `!Base64`, `!ImportValue`, `!Cidr`, `!Condition` → {"Condition": name}, `!Transform`.
/// YAML keys and scalars: numbers/bools stay JSON numbers/bools (CloudFormation treats them as strings
/// where a string is needed; resolve() does not convert).
pub fn parse(body: &str) -> Result<Value, Error> {
    let trimmed = body.trim_start();
    if trimmed.starts_with('{') {
        return serde_json::from_str(body).map_err(|e| {
            Error::new(format!(
                "Template format error: JSON not well-formed. ({e})"
            ))
        });
    }
    let yaml: Yaml = serde_yaml_ng::from_str(body).map_err(|e| {
        Error::new(format!(
            "Template format error: YAML not well-formed. ({e})"
        ))
    })?;
    let value = to_json(yaml)?;
    if !value.is_object() {
        return Err(Error::new(
            "Template format error: unsupported structure.".to_string(),
        ));
    }
    Ok(value)
}

fn to_json(yaml: Yaml) -> Result<Value, Error> {
    Ok(match yaml {
        Yaml::Null => Value::Null,
        Yaml::Bool(b) => Value::Bool(b),
        Yaml::Number(n) => number(&n),
        Yaml::String(s) => Value::String(s),
        Yaml::Sequence(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Yaml::Mapping(mapping) => {
            let mut map = Map::new();
            for (key, value) in mapping {
                map.insert(key_string(key)?, to_json(value)?);
            }
            Value::Object(map)
        }
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let value = to_json(tagged.value)?;
            match name {
                "Ref" => json!({ "Ref": value }),
                "Condition" => json!({ "Condition": value }),
                "GetAtt" => json!({ "Fn::GetAtt": get_att(value) }),
                _ if FUNCTIONS.contains(&name) => {
                    let mut map = Map::new();
                    map.insert(format!("Fn::{name}"), value);
                    Value::Object(map)
                }
                _ => {
                    return Err(Error::new(format!(
                        "Template format error: YAML not well-formed. (unknown tag {tag})"
                    )));
                }
            }
        }
    })
}

/// `!GetAtt Resource.Attribute` splits at the first dot (attributes such as
/// `Endpoint.Address` keep theirs); the list form is already long-form.
fn get_att(value: Value) -> Value {
    match value {
        Value::String(s) => match s.split_once('.') {
            Some((resource, attribute)) => json!([resource, attribute]),
            None => json!([s]),
        },
        other => other,
    }
}

fn number(n: &serde_yaml_ng::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::from(i)
    } else if let Some(u) = n.as_u64() {
        Value::from(u)
    } else {
        n.as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            // .inf and .nan have no JSON number; CloudFormation would read them as text.
            .unwrap_or_else(|| Value::String(n.to_string()))
    }
}

fn key_string(key: Yaml) -> Result<String, Error> {
    match key {
        Yaml::String(s) => Ok(s),
        Yaml::Number(n) => Ok(n.to_string()),
        Yaml::Bool(b) => Ok(b.to_string()),
        Yaml::Null => Ok("null".to_string()),
        _ => Err(Error::new(
            "Template format error: YAML not well-formed. (a mapping key must be a scalar)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_become_long_forms() {
        let body = r#"
Resources:
  A:
    Type: AWS::S3::Bucket
    Properties:
      R: !Ref Stage
      G: !GetAtt Fn.Arn
      G2: !GetAtt [Fn, Endpoint.Address]
      G3: !GetAtt Db.Endpoint.Address
      S: !Sub "${AWS::Region}-x"
      J: !Join [",", [a, !Ref B]]
      C: !If [IsProd, 1, !Ref AWS::NoValue]
      E: !Equals [!Condition X, true]
      Z: !GetAZs ''
"#;
        let v = parse(body).unwrap();
        let p = &v["Resources"]["A"]["Properties"];
        assert_eq!(p["R"], json!({"Ref": "Stage"}));
        assert_eq!(p["G"], json!({"Fn::GetAtt": ["Fn", "Arn"]}));
        assert_eq!(p["G2"], json!({"Fn::GetAtt": ["Fn", "Endpoint.Address"]}));
        assert_eq!(p["G3"], json!({"Fn::GetAtt": ["Db", "Endpoint.Address"]}));
        assert_eq!(p["S"], json!({"Fn::Sub": "${AWS::Region}-x"}));
        assert_eq!(p["J"], json!({"Fn::Join": [",", ["a", {"Ref": "B"}]]}));
        assert_eq!(
            p["C"],
            json!({"Fn::If": ["IsProd", 1, {"Ref": "AWS::NoValue"}]})
        );
        assert_eq!(p["E"], json!({"Fn::Equals": [{"Condition": "X"}, true]}));
        assert_eq!(p["Z"], json!({"Fn::GetAZs": ""}));
    }

    #[test]
    fn scalars_keep_their_yaml_types_but_account_ids_keep_leading_zeros() {
        let v = parse("A: 1\nB: true\nC: 012345678901\nD: 2010-09-09\n1: x\n").unwrap();
        assert_eq!(v["A"], json!(1));
        assert_eq!(v["B"], json!(true));
        assert_eq!(v["C"], json!("012345678901"));
        assert_eq!(v["D"], json!("2010-09-09"));
        assert_eq!(v["1"], json!("x"));
    }

    #[test]
    fn json_is_read_as_json() {
        let v = parse(r#"{"Resources": {"A": {"Type": "AWS::S3::Bucket"}}}"#).unwrap();
        assert_eq!(v["Resources"]["A"]["Type"], json!("AWS::S3::Bucket"));
    }

    #[test]
    fn malformed_text_is_a_format_error() {
        let e = parse("{\"a\": ").unwrap_err();
        assert!(
            e.0.starts_with("Template format error: JSON not well-formed."),
            "{e}"
        );
        let e = parse("a: [b").unwrap_err();
        assert!(
            e.0.starts_with("Template format error: YAML not well-formed."),
            "{e}"
        );
        let e = parse("a: !Bogus x").unwrap_err();
        assert!(e.0.contains("unknown tag !Bogus"), "{e}");
    }
}
