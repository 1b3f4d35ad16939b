//! The intrinsic functions: evaluating `Ref`, `Fn::*` and the condition functions against
//! parameters, pseudo parameters and (through a [`Lookup`]) resources that already exist.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Value};

use crate::{Error, Lookup, Prepared, Stack};

/// Evaluates every intrinsic in `value` (Ref to parameters, pseudo parameters AWS::AccountId,
/// AWS::Region, AWS::StackName, AWS::StackId, AWS::Partition ("aws"), AWS::URLSuffix ("amazonaws.com"),
/// AWS::NotificationARNs ([]), AWS::NoValue (removes the key / list element); Ref/GetAtt to resources
/// through `lookup`; Fn::Sub in both forms incl. ${A.B} and ${!Literal}; Join, Select, Split, If,
/// FindInMap (with the template's Mappings), GetAZs (["<region>a","<region>b","<region>c"]), Base64,
/// ImportValue, Cidr, Fn::Length optional, Condition inside If). Errors name the problem as CloudFormation does.
///
/// A `value` that is itself `Ref AWS::NoValue` (or an `Fn::If` choosing it) resolves to `null`.
pub fn resolve(value: &Value, prepared: &Prepared, lookup: &dyn Lookup) -> Result<Value, Error> {
    let env = Env {
        parameters: &prepared.parameters,
        conditions: &prepared.conditions,
        stack: &prepared.stack,
        mappings: prepared.template.get("Mappings").unwrap_or(&Value::Null),
        lookup: Some(lookup),
    };
    Ok(env.eval(value)?.unwrap_or(Value::Null))
}

/// What intrinsics are evaluated against.
pub(crate) struct Env<'a> {
    pub parameters: &'a BTreeMap<String, Value>,
    pub conditions: &'a BTreeMap<String, bool>,
    pub stack: &'a Stack,
    /// The template's `Mappings` section (`null` when absent).
    pub mappings: &'a Value,
    /// Resources; `None` while evaluating the Conditions section, where they cannot be referenced.
    pub lookup: Option<&'a dyn Lookup>,
}

/// The pseudo parameters, other than `AWS::NoValue` which is no value at all.
pub(crate) fn pseudo(name: &str, stack: &Stack) -> Option<Value> {
    Some(match name {
        "AWS::AccountId" => Value::String(stack.account_id.clone()),
        "AWS::Region" => Value::String(stack.region.clone()),
        "AWS::StackName" => Value::String(stack.name.clone()),
        "AWS::StackId" => Value::String(stack.id.clone()),
        "AWS::Partition" => Value::String("aws".to_string()),
        "AWS::URLSuffix" => Value::String("amazonaws.com".to_string()),
        "AWS::NotificationARNs" => Value::Array(Vec::new()),
        _ => return None,
    })
}

/// Whether `name` is a pseudo parameter (including `AWS::NoValue`).
pub(crate) fn is_pseudo(name: &str) -> bool {
    name == "AWS::NoValue"
        || matches!(
            name,
            "AWS::AccountId"
                | "AWS::Region"
                | "AWS::StackName"
                | "AWS::StackId"
                | "AWS::Partition"
                | "AWS::URLSuffix"
                | "AWS::NotificationARNs"
        )
}

/// The text CloudFormation uses for a scalar where a string is needed (numbers and booleans
/// are written as they read); `None` for lists, maps and null.
pub(crate) fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// One piece of an `Fn::Sub` string.
#[derive(Debug, PartialEq)]
pub(crate) enum SubPart {
    /// Literal text (`${!Name}` already turned into `${Name}`).
    Text(String),
    /// A `${Name}` or `${Resource.Attribute}` variable.
    Variable(String),
}

/// Splits an `Fn::Sub` string into text and variables.
pub(crate) fn sub_parts(source: &str) -> Vec<SubPart> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = source;
    while let Some(start) = rest.find("${") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            text.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let name = &after[..end];
        if let Some(literal) = name.strip_prefix('!') {
            text.push_str("${");
            text.push_str(literal);
            text.push('}');
        } else {
            if !text.is_empty() {
                parts.push(SubPart::Text(std::mem::take(&mut text)));
            }
            parts.push(SubPart::Variable(name.trim().to_string()));
        }
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(SubPart::Text(text));
    }
    parts
}

/// Whether `value` is a one-key object naming an intrinsic function; returns the function and
/// its argument.
pub(crate) fn as_function(value: &Value) -> Option<(&str, &Value)> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (key, argument) = map.iter().next()?;
    (key == "Ref" || key.starts_with("Fn::")).then_some((key.as_str(), argument))
}

fn unresolved(name: &str) -> Error {
    Error::new(format!(
        "Template format error: Unresolved resource dependencies [{name}] in the Resources block of the template"
    ))
}

fn in_conditions(name: &str) -> Error {
    Error::new(format!(
        "Template format error: Unresolved dependencies [{name}]. Cannot reference resources in the Conditions block of the template"
    ))
}

const JOIN_SHAPE: &str = "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.";

impl Env<'_> {
    /// Evaluates `value`; `None` is `AWS::NoValue`, which removes the key or element holding it.
    pub(crate) fn eval(&self, value: &Value) -> Result<Option<Value>, Error> {
        if let Some((function, argument)) = as_function(value) {
            return self.function(function, argument);
        }
        Ok(Some(match value {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    if let Some(v) = self.eval(item)? {
                        out.push(v);
                    }
                }
                Value::Array(out)
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, item) in map {
                    if let Some(v) = self.eval(item)? {
                        out.insert(key.clone(), v);
                    }
                }
                Value::Object(out)
            }
            scalar => scalar.clone(),
        }))
    }

    /// Evaluates `value` where a value is required.
    fn value(&self, value: &Value) -> Result<Value, Error> {
        Ok(self.eval(value)?.unwrap_or(Value::Null))
    }

    /// Evaluates `value` where a string is required.
    fn string(&self, value: &Value, what: &str) -> Result<String, Error> {
        let v = self.value(value)?;
        scalar_string(&v)
            .ok_or_else(|| Error::new(format!("Template error: {what} must be a string")))
    }

    fn function(&self, function: &str, argument: &Value) -> Result<Option<Value>, Error> {
        Ok(Some(match function {
            "Ref" => return self.reference(argument),
            "Fn::GetAtt" => self.get_att(argument)?,
            "Fn::Sub" => Value::String(self.sub(argument)?),
            "Fn::Join" => Value::String(self.join(argument)?),
            "Fn::Select" => return self.select(argument),
            "Fn::Split" => self.split(argument)?,
            "Fn::If" => return self.if_(argument),
            "Fn::FindInMap" => self.find_in_map(argument)?,
            "Fn::GetAZs" => {
                let region = self.string(argument, "Fn::GetAZs")?;
                let region = if region.is_empty() {
                    self.stack.region.clone()
                } else {
                    region
                };
                Value::Array(
                    ["a", "b", "c"]
                        .iter()
                        .map(|z| Value::String(format!("{region}{z}")))
                        .collect(),
                )
            }
            "Fn::Base64" => Value::String(base64(self.string(argument, "Fn::Base64")?.as_bytes())),
            "Fn::ImportValue" => {
                let name = self.string(argument, "Fn::ImportValue")?;
                let lookup = self.lookup.ok_or_else(|| in_conditions(&name))?;
                Value::String(
                    lookup
                        .import(&name)
                        .ok_or_else(|| Error::new(format!("No export named {name} found.")))?,
                )
            }
            "Fn::Cidr" => self.cidr(argument)?,
            "Fn::Length" => match self.value(argument)? {
                Value::Array(items) => Value::from(items.len()),
                _ => return Err(Error::new("Template error: Fn::Length requires a list")),
            },
            "Fn::ToJsonString" => Value::String(self.value(argument)?.to_string()),
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" => {
                let mut named = |name: &str| {
                    self.conditions
                        .get(name)
                        .copied()
                        .ok_or_else(|| unknown_condition(name, "Fn::If"))
                };
                Value::Bool(self.condition(&json_function(function, argument), &mut named)?)
            }
            other => {
                return Err(Error::new(format!(
                    "Template format error: Encountered unsupported function: {other}"
                )));
            }
        }))
    }

    fn reference(&self, argument: &Value) -> Result<Option<Value>, Error> {
        let Value::String(name) = argument else {
            return Err(Error::new(
                "Template format error: Every Ref object must have a single String value.",
            ));
        };
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if let Some(v) = pseudo(name, self.stack) {
            return Ok(Some(v));
        }
        if let Some(v) = self.parameters.get(name) {
            return Ok(Some(v.clone()));
        }
        let lookup = self.lookup.ok_or_else(|| in_conditions(name))?;
        lookup
            .reference(name)
            .map(|id| Some(Value::String(id)))
            .ok_or_else(|| unresolved(name))
    }

    fn get_att(&self, argument: &Value) -> Result<Value, Error> {
        let (resource, attribute) = match argument {
            Value::Array(items) if items.len() == 2 => {
                let Value::String(resource) = &items[0] else {
                    return Err(get_att_shape());
                };
                (
                    resource.clone(),
                    self.string(&items[1], "Fn::GetAtt attribute")?,
                )
            }
            Value::String(s) => match s.split_once('.') {
                Some((r, a)) => (r.to_string(), a.to_string()),
                None => return Err(get_att_shape()),
            },
            _ => return Err(get_att_shape()),
        };
        self.attribute(&resource, &attribute)
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<Value, Error> {
        let lookup = self.lookup.ok_or_else(|| in_conditions(resource))?;
        if let Some(v) = lookup.attribute(resource, attribute) {
            return Ok(v);
        }
        if self.parameters.contains_key(resource) || lookup.reference(resource).is_none() {
            return Err(undefined_resource(resource));
        }
        Err(Error::new(format!(
            "Template error: resource {resource} does not support attribute type {attribute} in Fn::GetAtt"
        )))
    }

    fn sub(&self, argument: &Value) -> Result<String, Error> {
        let (source, variables) = match argument {
            Value::String(s) => (s.as_str(), None),
            Value::Array(items) if items.len() == 2 => match (&items[0], &items[1]) {
                (Value::String(s), Value::Object(vars)) => (s.as_str(), Some(vars)),
                _ => return Err(sub_shape()),
            },
            _ => return Err(sub_shape()),
        };
        let mut out = String::new();
        for part in sub_parts(source) {
            match part {
                SubPart::Text(text) => out.push_str(&text),
                SubPart::Variable(name) => {
                    let value = match variables.and_then(|vars| vars.get(&name)) {
                        Some(v) => self.value(v)?,
                        None => self.sub_variable(&name)?,
                    };
                    let text = scalar_string(&value).ok_or_else(|| {
                        Error::new(format!(
                            "Template error: variable {name} in Fn::Sub expression does not resolve to a string"
                        ))
                    })?;
                    out.push_str(&text);
                }
            }
        }
        Ok(out)
    }

    /// A `${Name}` with no entry in the variable map: a parameter, pseudo parameter or resource
    /// (`Ref`), or `Resource.Attribute` (`Fn::GetAtt`).
    fn sub_variable(&self, name: &str) -> Result<Value, Error> {
        if is_pseudo(name) || self.parameters.contains_key(name) {
            return Ok(self
                .reference(&Value::String(name.to_string()))?
                .unwrap_or(Value::Null));
        }
        match name.split_once('.') {
            Some((resource, attribute)) => self.attribute(resource, attribute),
            None => Ok(self
                .reference(&Value::String(name.to_string()))?
                .unwrap_or(Value::Null)),
        }
    }

    fn join(&self, argument: &Value) -> Result<String, Error> {
        let Some([delimiter, list]) = argument.as_array().map(Vec::as_slice) else {
            return Err(Error::new(JOIN_SHAPE));
        };
        let Value::String(delimiter) = delimiter else {
            return Err(Error::new(JOIN_SHAPE));
        };
        let Value::Array(items) = self.value(list)? else {
            return Err(Error::new(JOIN_SHAPE));
        };
        let strings = items
            .iter()
            .map(scalar_string)
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| Error::new(JOIN_SHAPE))?;
        Ok(strings.join(delimiter))
    }

    fn select(&self, argument: &Value) -> Result<Option<Value>, Error> {
        let shape = || {
            Error::new(
                "Template error: Fn::Select requires a list argument with two elements: an integer index and a list",
            )
        };
        let Some([index, list]) = argument.as_array().map(Vec::as_slice) else {
            return Err(shape());
        };
        let index = scalar_string(&self.value(index)?)
            .and_then(|s| s.parse::<usize>().ok())
            .ok_or_else(shape)?;
        let Value::Array(items) = self.value(list)? else {
            return Err(shape());
        };
        items.get(index).cloned().map(Some).ok_or_else(|| {
            Error::new(format!(
                "Template error: Fn::Select cannot select nonexistent value at index {index}"
            ))
        })
    }

    fn split(&self, argument: &Value) -> Result<Value, Error> {
        let shape = || {
            Error::new(
                "Template error: every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.",
            )
        };
        let Some([Value::String(delimiter), source]) = argument.as_array().map(Vec::as_slice)
        else {
            return Err(shape());
        };
        let source = scalar_string(&self.value(source)?).ok_or_else(shape)?;
        if delimiter.is_empty() {
            return Err(shape());
        }
        Ok(Value::Array(
            source
                .split(delimiter.as_str())
                .map(|s| Value::String(s.to_string()))
                .collect(),
        ))
    }

    fn if_(&self, argument: &Value) -> Result<Option<Value>, Error> {
        let Some([Value::String(condition), yes, no]) = argument.as_array().map(Vec::as_slice)
        else {
            return Err(Error::new(
                "Template error: every Fn::If object requires three parameters, (1) a condition name and (2) a value if true and (3) a value if false",
            ));
        };
        let holds = self
            .conditions
            .get(condition)
            .copied()
            .ok_or_else(|| unknown_condition(condition, "Fn::If"))?;
        self.eval(if holds { yes } else { no })
    }

    fn find_in_map(&self, argument: &Value) -> Result<Value, Error> {
        let items = argument.as_array().filter(|items| items.len() == 3 || items.len() == 4).ok_or_else(|| {
            Error::new("Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value")
        })?;
        let map = self.string(&items[0], "Fn::FindInMap map name")?;
        let top = self.string(&items[1], "Fn::FindInMap key")?;
        let second = self.string(&items[2], "Fn::FindInMap attribute")?;
        if let Some(found) = self
            .mappings
            .get(&map)
            .and_then(|m| m.get(&top))
            .and_then(|m| m.get(&second))
        {
            return Ok(found.clone());
        }
        if let Some(default) = items.get(3).and_then(|d| d.get("DefaultValue")) {
            return self.value(default);
        }
        Err(Error::new(format!(
            "Template error: Unable to get mapping for {map}::{top}::{second}"
        )))
    }

    fn cidr(&self, argument: &Value) -> Result<Value, Error> {
        let shape = || {
            Error::new(
                "Template error: every Fn::Cidr object requires three parameters, (1) an ipBlock, (2) the count of subnets and (3) the number of subnet bits",
            )
        };
        let Some([block, count, bits]) = argument.as_array().map(Vec::as_slice) else {
            return Err(shape());
        };
        let block = scalar_string(&self.value(block)?).ok_or_else(shape)?;
        let number = |v: &Value| -> Result<u32, Error> {
            scalar_string(&self.value(v)?)
                .and_then(|s| s.parse().ok())
                .ok_or_else(shape)
        };
        let (count, bits) = (number(count)?, number(bits)?);
        cidr(&block, count, bits).ok_or_else(|| {
            Error::new(format!("Template error: Fn::Cidr cannot make {count} subnets with {bits} subnet bits from {block}"))
        })
    }

    /// Evaluates a condition: `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not`, `{"Condition": name}`
    /// (through `named`) or a literal boolean.
    pub(crate) fn condition(
        &self,
        value: &Value,
        named: &mut dyn FnMut(&str) -> Result<bool, Error>,
    ) -> Result<bool, Error> {
        let and_or = |f: &str| {
            Error::new(format!(
                "Template error: every {f} object requires a list of at least 2 and at most 10 boolean parameters."
            ))
        };
        if let Some(map) = value.as_object().filter(|m| m.len() == 1) {
            let (key, argument) = map
                .iter()
                .next()
                .expect("a map of one entry has a first entry");
            match key.as_str() {
                "Condition" => {
                    let Value::String(name) = argument else {
                        return Err(Error::new(
                            "Template format error: Every Condition member must be a string.",
                        ));
                    };
                    return named(name);
                }
                "Fn::Equals" => {
                    let Some([a, b]) = argument.as_array().map(Vec::as_slice) else {
                        return Err(Error::new(
                            "Template error: every Fn::Equals object requires a list of 2 string parameters.",
                        ));
                    };
                    return Ok(loosely_equal(&self.value(a)?, &self.value(b)?));
                }
                "Fn::And" | "Fn::Or" => {
                    let items = argument
                        .as_array()
                        .filter(|i| (2..=10).contains(&i.len()))
                        .ok_or_else(|| and_or(key))?;
                    let mut results = Vec::with_capacity(items.len());
                    for item in items {
                        results.push(self.condition(item, named)?);
                    }
                    return Ok(if key == "Fn::And" {
                        results.iter().all(|&b| b)
                    } else {
                        results.iter().any(|&b| b)
                    });
                }
                "Fn::Not" => {
                    let Some([item]) = argument.as_array().map(Vec::as_slice) else {
                        return Err(Error::new(
                            "Template error: every Fn::Not object requires a list of 1 boolean parameter.",
                        ));
                    };
                    return Ok(!self.condition(item, named)?);
                }
                _ => {}
            }
        }
        match self.value(value)? {
            Value::Bool(b) => Ok(b),
            Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
            _ => Err(Error::new(
                "Template format error: Conditions can only be boolean operations on parameters and other conditions",
            )),
        }
    }
}

/// `{function: argument}` as a value, to hand a condition function met in a property back to
/// [`Env::condition`].
fn json_function(function: &str, argument: &Value) -> Value {
    let mut map = Map::new();
    map.insert(function.to_string(), argument.clone());
    Value::Object(map)
}

/// `Fn::Equals` compares what CloudFormation would read as strings: `1` equals `"1"`.
fn loosely_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| loosely_equal(a, b))
        }
        _ => match (scalar_string(a), scalar_string(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

pub(crate) fn unknown_condition(name: &str, place: &str) -> Error {
    Error::new(format!(
        "Template format error: Unresolved condition dependency {name} in {place}"
    ))
}

pub(crate) fn undefined_resource(name: &str) -> Error {
    Error::new(format!(
        "Template error: instance of Fn::GetAtt references undefined resource {name}"
    ))
}

fn get_att_shape() -> Error {
    Error::new(
        "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute",
    )
}

fn sub_shape() -> Error {
    Error::new(
        "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string",
    )
}

/// `Fn::Cidr`: `count` consecutive subnets of `bits` host bits carved from the start of `block`.
fn cidr(block: &str, count: u32, bits: u32) -> Option<Value> {
    let (address, prefix) = block.split_once('/')?;
    let prefix: u32 = prefix.parse().ok()?;
    let subnets = |width: u32, start: u128, show: &dyn Fn(u128) -> String| -> Option<Value> {
        if bits == 0 || bits > width || prefix > width || width - bits < prefix || count == 0 {
            return None;
        }
        let available_bits = width - bits - prefix;
        if available_bits < 32 && u128::from(count) > 1u128 << available_bits {
            return None;
        }
        let mask = if prefix == 0 {
            0
        } else {
            u128::MAX << (128 - prefix) >> (128 - width)
        };
        let network = start & mask;
        let size = 1u128 << bits;
        Some(Value::Array(
            (0..u128::from(count))
                .map(|i| Value::String(format!("{}/{}", show(network + i * size), width - bits)))
                .collect(),
        ))
    };
    if let Ok(v4) = address.parse::<Ipv4Addr>() {
        subnets(32, u128::from(u32::from(v4)), &|n| {
            Ipv4Addr::from(n as u32).to_string()
        })
    } else {
        let v6 = address.parse::<Ipv6Addr>().ok()?;
        subnets(128, u128::from(v6), &|n| Ipv6Addr::from(n).to_string())
    }
}

/// Standard base64 with padding, as `Fn::Base64` produces.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Fake;
    impl Lookup for Fake {
        fn reference(&self, id: &str) -> Option<String> {
            (id != "Missing").then(|| format!("{id}-physical"))
        }
        fn attribute(&self, id: &str, attribute: &str) -> Option<Value> {
            match (id, attribute) {
                ("Missing", _) | (_, "Nope") => None,
                ("List", _) => Some(json!(["x", "y"])),
                _ => Some(Value::String(format!("{id}.{attribute}"))),
            }
        }
        fn import(&self, export: &str) -> Option<String> {
            (export == "Shared").then(|| "shared-value".to_string())
        }
    }

    fn prepared() -> Prepared {
        Prepared {
            parameters: [
                ("Stage".to_string(), json!("prod")),
                ("Subnets".to_string(), json!(["a", "b"])),
                ("Count".to_string(), json!("3")),
            ]
            .into_iter()
            .collect(),
            conditions: [("IsProd".to_string(), true), ("IsDev".to_string(), false)]
                .into_iter()
                .collect(),
            resources: Vec::new(),
            outputs: Vec::new(),
            template: json!({"Mappings": {"Sizes": {"prod": {"Memory": 1024, "Zones": ["a", "b"]}}}}),
            stack: Stack {
                name: "s".to_string(),
                id: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1".to_string(),
                account_id: "123456789012".to_string(),
                region: "us-east-1".to_string(),
                parameters: BTreeMap::new(),
            },
        }
    }

    fn eval(value: Value) -> Result<Value, Error> {
        resolve(&value, &prepared(), &Fake)
    }

    #[test]
    fn ref_parameters_pseudo_parameters_and_resources() {
        assert_eq!(eval(json!({"Ref": "Stage"})).unwrap(), json!("prod"));
        assert_eq!(eval(json!({"Ref": "Subnets"})).unwrap(), json!(["a", "b"]));
        assert_eq!(
            eval(json!({"Ref": "AWS::Region"})).unwrap(),
            json!("us-east-1")
        );
        assert_eq!(
            eval(json!({"Ref": "AWS::AccountId"})).unwrap(),
            json!("123456789012")
        );
        assert_eq!(eval(json!({"Ref": "AWS::StackName"})).unwrap(), json!("s"));
        assert_eq!(
            eval(json!({"Ref": "AWS::Partition"})).unwrap(),
            json!("aws")
        );
        assert_eq!(
            eval(json!({"Ref": "AWS::URLSuffix"})).unwrap(),
            json!("amazonaws.com")
        );
        assert_eq!(
            eval(json!({"Ref": "AWS::NotificationARNs"})).unwrap(),
            json!([])
        );
        assert_eq!(
            eval(json!({"Ref": "Table"})).unwrap(),
            json!("Table-physical")
        );
        assert_eq!(
            eval(json!({"Ref": "Missing"})).unwrap_err().0,
            "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template"
        );
        assert_eq!(
            eval(json!({"Ref": ["x"]})).unwrap_err().0,
            "Template format error: Every Ref object must have a single String value."
        );
    }

    #[test]
    fn no_value_removes_keys_and_elements() {
        let v = eval(json!({"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}, 2], "C": {"Fn::If": ["IsDev", 1, {"Ref": "AWS::NoValue"}]}})).unwrap();
        assert_eq!(v, json!({"B": [1, 2]}));
        assert_eq!(eval(json!({"Ref": "AWS::NoValue"})).unwrap(), Value::Null);
    }

    #[test]
    fn get_att() {
        assert_eq!(
            eval(json!({"Fn::GetAtt": ["Fn", "Arn"]})).unwrap(),
            json!("Fn.Arn")
        );
        assert_eq!(
            eval(json!({"Fn::GetAtt": "Fn.Arn"})).unwrap(),
            json!("Fn.Arn")
        );
        assert_eq!(
            eval(json!({"Fn::GetAtt": ["Fn", {"Ref": "Stage"}]})).unwrap(),
            json!("Fn.prod")
        );
        assert_eq!(
            eval(json!({"Fn::GetAtt": ["Missing", "Arn"]}))
                .unwrap_err()
                .0,
            "Template error: instance of Fn::GetAtt references undefined resource Missing"
        );
        assert_eq!(
            eval(json!({"Fn::GetAtt": ["Fn", "Nope"]})).unwrap_err().0,
            "Template error: resource Fn does not support attribute type Nope in Fn::GetAtt"
        );
    }

    #[test]
    fn sub_both_forms() {
        assert_eq!(
            eval(json!({"Fn::Sub": "${AWS::StackName}-${Stage}-${Fn.Arn}-${Table}-${!Literal}"}))
                .unwrap(),
            json!("s-prod-Fn.Arn-Table-physical-${Literal}")
        );
        assert_eq!(
            eval(json!({"Fn::Sub": ["${A}/${B}/${Stage}", {"A": "x", "B": {"Ref": "Table"}}]}))
                .unwrap(),
            json!("x/Table-physical/prod")
        );
        assert_eq!(
            eval(json!({"Fn::Sub": "no vars ${unclosed"})).unwrap(),
            json!("no vars ${unclosed")
        );
        assert!(
            eval(json!({"Fn::Sub": "${Subnets}"}))
                .unwrap_err()
                .0
                .contains("does not resolve to a string")
        );
        assert!(eval(json!({"Fn::Sub": 3})).is_err());
    }

    #[test]
    fn join_select_split() {
        assert_eq!(
            eval(json!({"Fn::Join": [",", ["a", 1, {"Ref": "Stage"}]]})).unwrap(),
            json!("a,1,prod")
        );
        assert_eq!(
            eval(json!({"Fn::Join": ["-", {"Ref": "Subnets"}]})).unwrap(),
            json!("a-b")
        );
        assert_eq!(eval(json!({"Fn::Join": ["-"]})).unwrap_err().0, JOIN_SHAPE);
        assert_eq!(
            eval(json!({"Fn::Select": [1, ["a", "b"]]})).unwrap(),
            json!("b")
        );
        assert_eq!(
            eval(json!({"Fn::Select": ["0", {"Ref": "Subnets"}]})).unwrap(),
            json!("a")
        );
        assert_eq!(
            eval(json!({"Fn::Select": [5, ["a"]]})).unwrap_err().0,
            "Template error: Fn::Select cannot select nonexistent value at index 5"
        );
        assert_eq!(
            eval(json!({"Fn::Split": [",", "a,b,,c"]})).unwrap(),
            json!(["a", "b", "", "c"])
        );
        assert_eq!(
            eval(json!({"Fn::Select": [2, {"Fn::Split": ["/", {"Fn::Sub": "x/${Stage}/y"}]}]}))
                .unwrap(),
            json!("y")
        );
    }

    #[test]
    fn if_and_conditions() {
        assert_eq!(
            eval(json!({"Fn::If": ["IsProd", "big", "small"]})).unwrap(),
            json!("big")
        );
        assert_eq!(
            eval(json!({"Fn::If": ["IsDev", "big", {"Ref": "Stage"}]})).unwrap(),
            json!("prod")
        );
        assert_eq!(
            eval(json!({"Fn::If": ["Nope", 1, 2]})).unwrap_err().0,
            "Template format error: Unresolved condition dependency Nope in Fn::If"
        );
        let p = prepared();
        let env = Env {
            parameters: &p.parameters,
            conditions: &p.conditions,
            stack: &p.stack,
            mappings: &Value::Null,
            lookup: None,
        };
        let mut named = |n: &str| Ok(n == "Yes");
        let cond = json!({"Fn::And": [{"Fn::Equals": [{"Ref": "Stage"}, "prod"]}, {"Fn::Or": [{"Condition": "No"}, {"Fn::Not": [{"Condition": "No"}]}]}]});
        assert!(env.condition(&cond, &mut named).unwrap());
        assert!(
            env.condition(&json!({"Fn::Equals": [{"Ref": "Count"}, 3]}), &mut named)
                .unwrap()
        );
        assert_eq!(
            env.condition(&json!({"Fn::And": [true]}), &mut named)
                .unwrap_err()
                .0,
            "Template error: every Fn::And object requires a list of at least 2 and at most 10 boolean parameters."
        );
        assert_eq!(
            env.condition(&json!({"Fn::Equals": [{"Ref": "Table"}, "x"]}), &mut named)
                .unwrap_err()
                .0,
            "Template format error: Unresolved dependencies [Table]. Cannot reference resources in the Conditions block of the template"
        );
    }

    #[test]
    fn find_in_map_get_azs_base64_import() {
        assert_eq!(
            eval(json!({"Fn::FindInMap": ["Sizes", {"Ref": "Stage"}, "Memory"]})).unwrap(),
            json!(1024)
        );
        assert_eq!(
            eval(json!({"Fn::FindInMap": ["Sizes", "prod", "Zones"]})).unwrap(),
            json!(["a", "b"])
        );
        assert_eq!(
            eval(json!({"Fn::FindInMap": ["Sizes", "dev", "Memory"]}))
                .unwrap_err()
                .0,
            "Template error: Unable to get mapping for Sizes::dev::Memory"
        );
        assert_eq!(
            eval(json!({"Fn::FindInMap": ["Sizes", "dev", "Memory", {"DefaultValue": 128}]}))
                .unwrap(),
            json!(128)
        );
        assert_eq!(
            eval(json!({"Fn::GetAZs": ""})).unwrap(),
            json!(["us-east-1a", "us-east-1b", "us-east-1c"])
        );
        assert_eq!(
            eval(json!({"Fn::GetAZs": {"Ref": "AWS::Region"}})).unwrap(),
            json!(["us-east-1a", "us-east-1b", "us-east-1c"])
        );
        assert_eq!(
            eval(json!({"Fn::Base64": "hello"})).unwrap(),
            json!("aGVsbG8=")
        );
        assert_eq!(eval(json!({"Fn::Base64": "hi!"})).unwrap(), json!("aGkh"));
        assert_eq!(eval(json!({"Fn::Base64": "h"})).unwrap(), json!("aA=="));
        assert_eq!(
            eval(json!({"Fn::ImportValue": "Shared"})).unwrap(),
            json!("shared-value")
        );
        assert_eq!(
            eval(json!({"Fn::ImportValue": "Other"})).unwrap_err().0,
            "No export named Other found."
        );
    }

    #[test]
    fn cidr_length_and_unknown_functions() {
        assert_eq!(
            eval(json!({"Fn::Cidr": ["10.0.0.0/16", 3, 8]})).unwrap(),
            json!(["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"])
        );
        assert_eq!(
            eval(json!({"Fn::Cidr": ["2001:db8::/56", 2, 64]})).unwrap(),
            json!(["2001:db8::/64", "2001:db8:0:1::/64"])
        );
        assert!(eval(json!({"Fn::Cidr": ["10.0.0.0/30", 4, 8]})).is_err());
        assert_eq!(
            eval(json!({"Fn::Length": {"Ref": "Subnets"}})).unwrap(),
            json!(2)
        );
        assert_eq!(
            eval(json!({"Fn::ToJsonString": {"a": [1]}})).unwrap(),
            json!("{\"a\":[1]}")
        );
        assert_eq!(
            eval(json!({"Fn::Bogus": 1})).unwrap_err().0,
            "Template format error: Encountered unsupported function: Fn::Bogus"
        );
    }

    #[test]
    fn sub_parts_split_text_and_variables() {
        assert_eq!(
            sub_parts("a${B}c${!D}${E.F}"),
            vec![
                SubPart::Text("a".into()),
                SubPart::Variable("B".into()),
                SubPart::Text("c${D}".into()),
                SubPart::Variable("E.F".into())
            ]
        );
    }
}
