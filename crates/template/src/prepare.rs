//! Validation, parameters, conditions and the dependency order: everything CloudFormation
//! checks before it creates the first resource.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::pattern::Pattern;
use crate::resolve::{
    Env, SubPart, as_function, is_pseudo, scalar_string, sub_parts, undefined_resource,
    unknown_condition,
};
use crate::{Error, Planned, PlannedOutput, Prepared, Stack, expand_sam, is_sam};

/// The top-level sections a template may have.
const SECTIONS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
    "Hooks",
];

/// The attributes a resource may have.
const RESOURCE_ATTRIBUTES: &[&str] = &[
    "Type",
    "Properties",
    "DependsOn",
    "Condition",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Metadata",
    "CreationPolicy",
    "UpdatePolicy",
    "Description",
];

/// Validates and prepares: runs expand_sam when is_sam, checks the structure (Resources present and
/// non-empty, each with Type; Parameters types String/Number/List<Number>/CommaDelimitedList/AWS::* /
/// SSM types rejected politely; AllowedValues, AllowedPattern, MinLength/MaxLength, MinValue/MaxValue),
/// resolves parameters, evaluates Conditions (Fn::Equals/And/Or/Not/Condition, referencing parameters
/// and pseudo parameters), drops resources/outputs whose Condition is false, computes dependencies and
/// the order (cycles → error).
pub fn prepare(template: &Value, stack: &Stack) -> Result<Prepared, Error> {
    let sam = is_sam(template);
    let template = if sam {
        expand_sam(template)?
    } else {
        template.clone()
    };
    let root = template
        .as_object()
        .ok_or_else(|| Error::new("Template format error: unsupported structure."))?;
    let unknown: Vec<&str> = root
        .keys()
        .map(String::as_str)
        .filter(|k| !SECTIONS.contains(k))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::new(format!(
            "Template format error: Invalid template property or properties [{}]",
            unknown.join(", ")
        )));
    }
    let resources = root
        .get("Resources")
        .and_then(Value::as_object)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            Error::new("Template format error: At least one Resources member must be defined.")
        })?;
    check_resources(resources, sam)?;

    let parameters = parameters(root.get("Parameters"), stack)?;
    let mappings = root.get("Mappings").unwrap_or(&Value::Null);
    let conditions = conditions(root.get("Conditions"), &parameters, stack, mappings)?;

    let included = |condition: Option<&Value>, place: &str| -> Result<bool, Error> {
        match condition {
            None => Ok(true),
            Some(Value::String(name)) => conditions
                .get(name)
                .copied()
                .ok_or_else(|| unknown_condition(name, place)),
            Some(_) => Err(Error::new(
                "Template format error: Every Condition member must be a string.",
            )),
        }
    };
    let mut active: Vec<(&String, &Map<String, Value>)> = Vec::new();
    for (id, resource) in resources {
        let resource = resource
            .as_object()
            .expect("check_resources saw every resource is an object");
        if included(resource.get("Condition"), "Resources block")? {
            active.push((id, resource));
        }
    }
    let active_ids: BTreeSet<&str> = active.iter().map(|(id, _)| id.as_str()).collect();
    let names = Names {
        parameters: &parameters,
        resources: &active_ids,
        conditions: &conditions,
    };

    let env = Env {
        parameters: &parameters,
        conditions: &conditions,
        stack,
        mappings,
        lookup: None,
    };
    let mut planned = Vec::with_capacity(active.len());
    for (id, resource) in &active {
        let properties = resource
            .get("Properties")
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        let mut depends_on = BTreeSet::new();
        names.references(&properties, &mut depends_on, "Resources")?;
        for dependency in depends_on_list(resource.get("DependsOn"))? {
            if !active_ids.contains(dependency.as_str()) {
                return Err(unresolved(&dependency, "Resources"));
            }
            depends_on.insert(dependency);
        }
        let deletion_policy = match resource.get("DeletionPolicy") {
            None => None,
            Some(policy) => Some(
                scalar_string(&env.eval(policy)?.unwrap_or(Value::Null)).ok_or_else(|| {
                    Error::new(format!(
                        "Template format error: Unrecognized DeletionPolicy for resource {id}"
                    ))
                })?,
            ),
        };
        planned.push(Planned {
            logical_id: id.to_string(),
            resource_type: resource
                .get("Type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            properties,
            depends_on,
            deletion_policy,
            metadata: resource.get("Metadata").cloned(),
        });
    }
    let resources = order(planned)?;

    let mut outputs = Vec::new();
    if let Some(section) = root.get("Outputs") {
        let section = section
            .as_object()
            .ok_or_else(|| Error::new("Template format error: Outputs must be an object"))?;
        for (key, output) in section {
            let value = output.get("Value").ok_or_else(|| {
                Error::new(
                    "Template format error: Every Outputs member must contain a Value object",
                )
            })?;
            if !included(output.get("Condition"), "Outputs block")? {
                continue;
            }
            let mut referenced = BTreeSet::new();
            names.references(value, &mut referenced, "Outputs")?;
            let export = output
                .get("Export")
                .map(|e| e.get("Name").cloned().unwrap_or(Value::Null));
            if let Some(export) = &export {
                names.references(export, &mut referenced, "Outputs")?;
            }
            outputs.push(PlannedOutput {
                key: key.clone(),
                value: value.clone(),
                description: output.get("Description").and_then(scalar_string),
                export,
            });
        }
    }

    Ok(Prepared {
        parameters,
        conditions,
        resources,
        outputs,
        template,
        stack: stack.clone(),
    })
}

/// Every resource is an object with a `Type` of a valid shape and only known attributes.
fn check_resources(resources: &Map<String, Value>, sam: bool) -> Result<(), Error> {
    let mut unrecognized = Vec::new();
    for (id, resource) in resources {
        let Some(resource) = resource.as_object() else {
            return Err(Error::new(format!(
                "Template format error: [/Resources/{id}] resource definition is malformed"
            )));
        };
        let Some(Value::String(kind)) = resource.get("Type") else {
            return Err(Error::new(
                "Template format error: Every Resources object must contain a Type member.",
            ));
        };
        if !type_shape_is_valid(kind) || (!sam && kind.starts_with("AWS::Serverless::")) {
            unrecognized.push(kind.as_str());
        }
        if let Some(attribute) = resource
            .keys()
            .find(|k| !RESOURCE_ATTRIBUTES.contains(&k.as_str()))
        {
            return Err(Error::new(format!(
                "Template format error: Invalid template resource property '{attribute}'"
            )));
        }
    }
    if !unrecognized.is_empty() {
        unrecognized.dedup();
        return Err(Error::new(format!(
            "Template format error: Unrecognized resource types: [{}]",
            unrecognized.join(", ")
        )));
    }
    Ok(())
}

/// `Org::Service::Resource` (an optional `::MODULE` after it), or `Custom::Name`.
fn type_shape_is_valid(kind: &str) -> bool {
    let segments: Vec<&str> = kind.split("::").collect();
    let word = |s: &&str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '@')
    };
    match segments.as_slice() {
        ["Custom", name] => word(name),
        [_, _, _] => segments.iter().all(word),
        [_, _, _, "MODULE"] => segments.iter().all(word),
        _ => false,
    }
}

fn depends_on_list(value: Option<&Value>) -> Result<Vec<String>, Error> {
    let shape =
        || Error::new("Template format error: DependsOn must be a string or list of strings");
    match value {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(shape))
            .collect(),
        Some(_) => Err(shape()),
    }
}

fn unresolved(name: &str, block: &str) -> Error {
    Error::new(format!(
        "Template format error: Unresolved resource dependencies [{name}] in the {block} block of the template"
    ))
}

/// What a name in a `Ref`, `Fn::GetAtt` or `Fn::Sub` may refer to.
struct Names<'a> {
    parameters: &'a BTreeMap<String, Value>,
    resources: &'a BTreeSet<&'a str>,
    conditions: &'a BTreeMap<String, bool>,
}

impl Names<'_> {
    /// Adds to `found` every resource `value` refers to, checking every reference resolves.
    /// `Fn::If` only counts its chosen branch, as CloudFormation does: a reference to a
    /// resource excluded by the same condition is fine.
    fn references(
        &self,
        value: &Value,
        found: &mut BTreeSet<String>,
        block: &str,
    ) -> Result<(), Error> {
        if let Some((function, argument)) = as_function(value) {
            match function {
                "Ref" => {
                    let Value::String(name) = argument else {
                        return Err(Error::new(
                            "Template format error: Every Ref object must have a single String value.",
                        ));
                    };
                    return self.reference(name, found, block);
                }
                "Fn::GetAtt" => {
                    let (resource, rest) = match argument {
                        Value::Array(items) if !items.is_empty() => {
                            (items[0].as_str(), &items[1..])
                        }
                        Value::String(s) => (s.split_once('.').map(|(r, _)| r), &[][..]),
                        _ => (None, &[][..]),
                    };
                    let Some(resource) = resource else {
                        return Err(Error::new(
                            "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource name and the resource attribute",
                        ));
                    };
                    self.attribute(resource, found)?;
                    for item in rest {
                        self.references(item, found, block)?;
                    }
                    return Ok(());
                }
                "Fn::Sub" => {
                    let (source, variables) = match argument {
                        Value::String(s) => (Some(s.as_str()), None),
                        Value::Array(items) if items.len() == 2 => {
                            (items[0].as_str(), items[1].as_object())
                        }
                        _ => (None, None),
                    };
                    if let Some(variables) = variables {
                        for v in variables.values() {
                            self.references(v, found, block)?;
                        }
                    }
                    for part in sub_parts(source.unwrap_or_default()) {
                        let SubPart::Variable(name) = part else {
                            continue;
                        };
                        if variables.is_some_and(|v| v.contains_key(&name)) {
                            continue;
                        }
                        if is_pseudo(&name) || self.parameters.contains_key(&name) {
                            continue;
                        }
                        match name.split_once('.') {
                            Some((resource, _)) => self.attribute(resource, found)?,
                            None => self.reference(&name, found, block)?,
                        }
                    }
                    return Ok(());
                }
                "Fn::If" => {
                    if let Some([Value::String(condition), yes, no]) =
                        argument.as_array().map(Vec::as_slice)
                    {
                        let holds = self
                            .conditions
                            .get(condition)
                            .copied()
                            .ok_or_else(|| unknown_condition(condition, "Fn::If"))?;
                        return self.references(if holds { yes } else { no }, found, block);
                    }
                }
                _ => {}
            }
        }
        match value {
            Value::Array(items) => items
                .iter()
                .try_for_each(|i| self.references(i, found, block)),
            Value::Object(map) => map
                .values()
                .try_for_each(|i| self.references(i, found, block)),
            _ => Ok(()),
        }
    }

    fn reference(
        &self,
        name: &str,
        found: &mut BTreeSet<String>,
        block: &str,
    ) -> Result<(), Error> {
        if is_pseudo(name) || self.parameters.contains_key(name) {
            return Ok(());
        }
        if self.resources.contains(name) {
            found.insert(name.to_string());
            return Ok(());
        }
        Err(unresolved(name, block))
    }

    fn attribute(&self, resource: &str, found: &mut BTreeSet<String>) -> Result<(), Error> {
        if self.resources.contains(resource) {
            found.insert(resource.to_string());
            Ok(())
        } else {
            Err(undefined_resource(resource))
        }
    }
}

/// Topological order, ties broken by template order; a cycle names the resources on it.
fn order(planned: Vec<Planned>) -> Result<Vec<Planned>, Error> {
    let index: BTreeMap<&str, usize> = planned
        .iter()
        .enumerate()
        .map(|(i, p)| (p.logical_id.as_str(), i))
        .collect();
    let mut waiting_on: Vec<usize> = planned.iter().map(|p| p.depends_on.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); planned.len()];
    for (i, p) in planned.iter().enumerate() {
        for dependency in &p.depends_on {
            dependents[index[dependency.as_str()]].push(i);
        }
    }
    let mut ready: BTreeSet<usize> = (0..planned.len()).filter(|&i| waiting_on[i] == 0).collect();
    let mut sequence = Vec::with_capacity(planned.len());
    while let Some(next) = ready.pop_first() {
        sequence.push(next);
        for &dependent in &dependents[next] {
            waiting_on[dependent] -= 1;
            if waiting_on[dependent] == 0 {
                ready.insert(dependent);
            }
        }
    }
    if sequence.len() < planned.len() {
        let on_cycle: Vec<&str> = (0..planned.len())
            .filter(|&i| waiting_on[i] > 0 && reaches(i, i, &planned, &index))
            .map(|i| planned[i].logical_id.as_str())
            .collect();
        return Err(Error::new(format!(
            "Circular dependency between resources: [{}]",
            on_cycle.join(", ")
        )));
    }
    let mut slots: Vec<Option<Planned>> = planned.into_iter().map(Some).collect();
    Ok(sequence
        .into_iter()
        .filter_map(|i| slots[i].take())
        .collect())
}

/// Whether `target` is reachable from `from` through at least one dependency edge.
fn reaches(from: usize, target: usize, planned: &[Planned], index: &BTreeMap<&str, usize>) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from];
    while let Some(node) = stack.pop() {
        for dependency in &planned[node].depends_on {
            let d = index[dependency.as_str()];
            if d == target {
                return true;
            }
            if seen.insert(d) {
                stack.push(d);
            }
        }
    }
    false
}

/// Resolves every parameter from the user's values and the defaults, checking each constraint.
fn parameters(section: Option<&Value>, stack: &Stack) -> Result<BTreeMap<String, Value>, Error> {
    let empty = Map::new();
    let section = match section {
        None => &empty,
        Some(Value::Object(map)) => map,
        Some(_) => {
            return Err(Error::new(
                "Template format error: Parameters must be an object",
            ));
        }
    };
    let extra: Vec<&str> = stack
        .parameters
        .keys()
        .map(String::as_str)
        .filter(|k| !section.contains_key(*k))
        .collect();
    if !extra.is_empty() {
        return Err(Error::new(format!(
            "Parameters: [{}] do not exist in the template",
            extra.join(", ")
        )));
    }
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for (name, definition) in section {
        let Some(Value::String(kind)) = definition.get("Type") else {
            return Err(Error::new(
                "Template format error: Every Parameters object must contain a Type member.",
            ));
        };
        check_type(name, kind)?;
        let given = match stack.parameters.get(name) {
            Some(v) => v.clone(),
            None => match definition.get("Default") {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(scalar_string)
                    .collect::<Vec<_>>()
                    .join(","),
                Some(default) => match scalar_string(default) {
                    Some(s) => s,
                    None => {
                        return Err(Error::new(format!(
                            "Template format error: Default of parameter '{name}' must be a string"
                        )));
                    }
                },
                None => {
                    missing.push(name.as_str());
                    continue;
                }
            },
        };
        let value = if kind.starts_with("List<") || kind == "CommaDelimitedList" {
            let items: Vec<String> = given.split(',').map(|s| s.trim().to_string()).collect();
            for item in &items {
                check_constraints(name, kind == "List<Number>", item, definition)?;
            }
            Value::Array(items.into_iter().map(Value::String).collect())
        } else {
            check_constraints(name, kind == "Number", &given, definition)?;
            Value::String(given)
        };
        values.insert(name.clone(), value);
    }
    if !missing.is_empty() {
        return Err(Error::new(format!(
            "Parameters: [{}] must have values",
            missing.join(", ")
        )));
    }
    Ok(values)
}

fn check_type(name: &str, kind: &str) -> Result<(), Error> {
    match kind {
        "String" | "Number" | "List<Number>" | "CommaDelimitedList" => Ok(()),
        _ if kind.starts_with("AWS::") || kind.starts_with("List<AWS::") => {
            Err(Error::new(format!(
                "Template format error: Parameter '{name}' has type {kind}; unkai supports the types String, Number, List<Number> and CommaDelimitedList, not AWS-specific or SSM parameter types yet"
            )))
        }
        _ => Err(Error::new(format!(
            "Template format error: Unrecognized parameter type: {kind}"
        ))),
    }
}

/// Checks one value (or one element of a list) against the parameter's constraints.
fn check_constraints(
    name: &str,
    numeric: bool,
    value: &str,
    definition: &Value,
) -> Result<(), Error> {
    let failed = |rule: String| -> Error {
        match definition
            .get("ConstraintDescription")
            .and_then(scalar_string)
        {
            Some(description) => Error::new(format!(
                "Parameter '{name}' failed to satisfy constraint: {description}"
            )),
            None => Error::new(format!("Parameter '{name}' {rule}")),
        }
    };
    let number_of = |key: &str| -> Result<Option<f64>, Error> {
        match definition.get(key) {
            None => Ok(None),
            Some(v) => scalar_string(v)
                .and_then(|s| s.trim().parse::<f64>().ok())
                .map(Some)
                .ok_or_else(|| {
                    Error::new(format!(
                        "Template format error: {key} of parameter '{name}' must be a number"
                    ))
                }),
        }
    };
    if numeric {
        let Ok(n) = value.trim().parse::<f64>() else {
            return Err(Error::new(format!("Parameter '{name}' must be a number")));
        };
        if let Some(min) = number_of("MinValue")?
            && n < min
        {
            return Err(failed(format!(
                "must be a number not less than {}",
                show(min)
            )));
        }
        if let Some(max) = number_of("MaxValue")?
            && n > max
        {
            return Err(failed(format!(
                "must be a number not greater than {}",
                show(max)
            )));
        }
    } else {
        let length = value.chars().count() as f64;
        if let Some(min) = number_of("MinLength")?
            && length < min
        {
            return Err(failed(format!(
                "must contain at least {} characters",
                show(min)
            )));
        }
        if let Some(max) = number_of("MaxLength")?
            && length > max
        {
            return Err(failed(format!(
                "must contain at most {} characters",
                show(max)
            )));
        }
        if let Some(pattern) = definition.get("AllowedPattern").and_then(scalar_string) {
            let compiled = Pattern::new(&pattern).map_err(|e| {
                Error::new(format!(
                    "Template format error: AllowedPattern of parameter '{name}': {e}"
                ))
            })?;
            if !compiled.matches(value) {
                return Err(failed(format!("must match pattern {pattern}")));
            }
        }
    }
    if let Some(allowed) = definition.get("AllowedValues") {
        let allowed = allowed.as_array().ok_or_else(|| {
            Error::new(format!(
                "Template format error: AllowedValues of parameter '{name}' must be a list"
            ))
        })?;
        if !allowed.iter().filter_map(scalar_string).any(|a| a == value) {
            return Err(failed("must be one of AllowedValues".to_string()));
        }
    }
    Ok(())
}

/// A constraint bound as the template wrote it: `3`, not `3.0`.
fn show(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// Evaluates every condition, each once, following `Condition` references between them.
fn conditions(
    section: Option<&Value>,
    parameters: &BTreeMap<String, Value>,
    stack: &Stack,
    mappings: &Value,
) -> Result<BTreeMap<String, bool>, Error> {
    let Some(section) = section else {
        return Ok(BTreeMap::new());
    };
    let definitions = section
        .as_object()
        .ok_or_else(|| Error::new("Template format error: Conditions must be an object"))?;
    let no_conditions = BTreeMap::new();
    let env = Env {
        parameters,
        conditions: &no_conditions,
        stack,
        mappings,
        lookup: None,
    };
    let mut evaluated = BTreeMap::new();
    for name in definitions.keys() {
        evaluate(name, definitions, &env, &mut evaluated, &mut Vec::new())?;
    }
    Ok(evaluated)
}

fn evaluate(
    name: &str,
    definitions: &Map<String, Value>,
    env: &Env<'_>,
    evaluated: &mut BTreeMap<String, bool>,
    visiting: &mut Vec<String>,
) -> Result<bool, Error> {
    if let Some(&known) = evaluated.get(name) {
        return Ok(known);
    }
    let definition = definitions
        .get(name)
        .ok_or_else(|| unknown_condition(name, "Conditions block"))?;
    if visiting.iter().any(|v| v == name) {
        visiting.push(name.to_string());
        return Err(Error::new(format!(
            "Template format error: Circular dependency between conditions: [{}]",
            visiting.join(", ")
        )));
    }
    visiting.push(name.to_string());
    let holds = {
        let mut named = |other: &str| evaluate(other, definitions, env, evaluated, visiting);
        env.condition(definition, &mut named)?
    };
    visiting.pop();
    evaluated.insert(name.to_string(), holds);
    Ok(holds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stack(parameters: &[(&str, &str)]) -> Stack {
        Stack {
            name: "s".to_string(),
            id: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1".to_string(),
            account_id: "123456789012".to_string(),
            region: "us-east-1".to_string(),
            parameters: parameters
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn error(template: Value, parameters: &[(&str, &str)]) -> String {
        prepare(&template, &stack(parameters)).unwrap_err().0
    }

    fn bucket() -> Value {
        json!({"Type": "AWS::S3::Bucket"})
    }

    #[test]
    fn structure_errors() {
        assert_eq!(
            error(json!({}), &[]),
            "Template format error: At least one Resources member must be defined."
        );
        assert_eq!(
            error(json!({"Resources": {}}), &[]),
            "Template format error: At least one Resources member must be defined."
        );
        assert_eq!(
            error(json!({"Resources": {"A": {"Properties": {}}}}), &[]),
            "Template format error: Every Resources object must contain a Type member."
        );
        assert_eq!(
            error(
                json!({"Resources": {"A": {"Type": "Foo"}, "B": {"Type": "AWS::Serverless::Function"}}}),
                &[]
            ),
            "Template format error: Unrecognized resource types: [Foo, AWS::Serverless::Function]"
        );
        assert_eq!(
            error(json!({"Resources": {"A": bucket()}, "Resource": {}}), &[]),
            "Template format error: Invalid template property or properties [Resource]"
        );
        assert_eq!(
            error(
                json!({"Resources": {"A": {"Type": "AWS::S3::Bucket", "Propertes": {}}}}),
                &[]
            ),
            "Template format error: Invalid template resource property 'Propertes'"
        );
        assert!(prepare(&json!({"Resources": {"A": {"Type": "Custom::Thing"}, "B": {"Type": "Org::Svc::Res::MODULE"}}}), &stack(&[])).is_ok());
    }

    #[test]
    fn parameter_errors() {
        let t = |definition: Value| json!({"Parameters": {"Stage": definition}, "Resources": {"A": bucket()}});
        assert_eq!(
            error(t(json!({"Type": "String"})), &[]),
            "Parameters: [Stage] must have values"
        );
        assert_eq!(
            error(
                t(json!({"Type": "String", "Default": "x"})),
                &[("Other", "1")]
            ),
            "Parameters: [Other] do not exist in the template"
        );
        assert_eq!(
            error(t(json!({"Type": "Strin"})), &[]),
            "Template format error: Unrecognized parameter type: Strin"
        );
        assert!(
            error(
                t(json!({"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/x"})),
                &[]
            )
            .contains("not AWS-specific or SSM parameter types yet")
        );
        assert_eq!(
            error(
                t(json!({"Type": "String", "AllowedValues": ["dev", "prod"]})),
                &[("Stage", "test")]
            ),
            "Parameter 'Stage' must be one of AllowedValues"
        );
        assert_eq!(
            error(
                t(json!({"Type": "String", "AllowedPattern": "[a-z]+"})),
                &[("Stage", "Prod")]
            ),
            "Parameter 'Stage' must match pattern [a-z]+"
        );
        assert_eq!(
            error(
                t(
                    json!({"Type": "String", "AllowedPattern": "[a-z]+", "ConstraintDescription": "lowercase letters only"})
                ),
                &[("Stage", "Prod")]
            ),
            "Parameter 'Stage' failed to satisfy constraint: lowercase letters only"
        );
        assert_eq!(
            error(
                t(json!({"Type": "String", "MinLength": 3})),
                &[("Stage", "ab")]
            ),
            "Parameter 'Stage' must contain at least 3 characters"
        );
        assert_eq!(
            error(
                t(json!({"Type": "String", "MaxLength": "3"})),
                &[("Stage", "abcd")]
            ),
            "Parameter 'Stage' must contain at most 3 characters"
        );
        assert_eq!(
            error(t(json!({"Type": "Number"})), &[("Stage", "x")]),
            "Parameter 'Stage' must be a number"
        );
        assert_eq!(
            error(
                t(json!({"Type": "Number", "MinValue": 1})),
                &[("Stage", "0")]
            ),
            "Parameter 'Stage' must be a number not less than 1"
        );
        assert_eq!(
            error(
                t(json!({"Type": "Number", "MaxValue": 10})),
                &[("Stage", "11")]
            ),
            "Parameter 'Stage' must be a number not greater than 10"
        );
        assert_eq!(
            error(
                t(json!({"Type": "CommaDelimitedList", "AllowedValues": ["a", "b"]})),
                &[("Stage", "a, c")]
            ),
            "Parameter 'Stage' must be one of AllowedValues"
        );
        assert_eq!(
            error(t(json!({"Type": "List<Number>"})), &[("Stage", "1,x")]),
            "Parameter 'Stage' must be a number"
        );
    }

    #[test]
    fn parameters_resolve_to_strings_and_lists() {
        let t = json!({
            "Parameters": {
                "S": {"Type": "String", "Default": "d"},
                "N": {"Type": "Number", "Default": 5},
                "L": {"Type": "CommaDelimitedList", "Default": "a, b,c"},
                "LN": {"Type": "List<Number>", "Default": "1,2"}
            },
            "Resources": {"A": bucket()}
        });
        let p = prepare(&t, &stack(&[("S", "given")])).unwrap();
        assert_eq!(p.parameters["S"], json!("given"));
        assert_eq!(p.parameters["N"], json!("5"));
        assert_eq!(p.parameters["L"], json!(["a", "b", "c"]));
        assert_eq!(p.parameters["LN"], json!(["1", "2"]));
    }

    #[test]
    fn conditions_drop_resources_and_outputs() {
        let t = json!({
            "Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
            "Conditions": {
                "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
                "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
                "Both": {"Fn::And": [{"Condition": "IsDev"}, {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}]}
            },
            "Resources": {
                "ProdOnly": {"Type": "AWS::S3::Bucket", "Condition": "IsProd"},
                "Always": {"Type": "AWS::S3::Bucket", "Properties": {"Name": {"Fn::If": ["IsProd", {"Ref": "ProdOnly"}, "none"]}}}
            },
            "Outputs": {
                "P": {"Value": {"Ref": "ProdOnly"}, "Condition": "IsProd"},
                "A": {"Value": {"Ref": "Always"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-A"}}, "Description": "d"}
            }
        });
        let p = prepare(&t, &stack(&[])).unwrap();
        assert_eq!(
            p.conditions,
            [
                ("Both".to_string(), true),
                ("IsDev".to_string(), true),
                ("IsProd".to_string(), false)
            ]
            .into_iter()
            .collect()
        );
        assert_eq!(p.resources.len(), 1);
        assert_eq!(p.resources[0].logical_id, "Always");
        assert!(p.resources[0].depends_on.is_empty());
        assert_eq!(p.outputs.len(), 1);
        assert_eq!(
            p.outputs[0].export,
            Some(json!({"Fn::Sub": "${AWS::StackName}-A"}))
        );
        assert_eq!(p.outputs[0].description.as_deref(), Some("d"));

        let mut prod = t.clone();
        prod["Resources"]["Always"]["Properties"]["Name"] = json!({"Ref": "ProdOnly"});
        assert_eq!(
            error(prod, &[]),
            "Template format error: Unresolved resource dependencies [ProdOnly] in the Resources block of the template"
        );
    }

    #[test]
    fn condition_errors() {
        let t = |conditions: Value| json!({"Conditions": conditions, "Resources": {"A": bucket()}});
        assert_eq!(
            error(
                t(json!({"A": {"Condition": "B"}, "B": {"Condition": "A"}})),
                &[]
            ),
            "Template format error: Circular dependency between conditions: [A, B, A]"
        );
        assert_eq!(
            error(t(json!({"A": {"Condition": "Nope"}})), &[]),
            "Template format error: Unresolved condition dependency Nope in Conditions block"
        );
        assert_eq!(
            error(
                json!({"Resources": {"A": {"Type": "AWS::S3::Bucket", "Condition": "Nope"}}}),
                &[]
            ),
            "Template format error: Unresolved condition dependency Nope in Resources block"
        );
    }

    #[test]
    fn dependencies_and_order() {
        let t = json!({
            "Resources": {
                "C": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Fn::Sub": "${B.Arn}-${A}-${!Lit}-${AWS::Region}"}}},
                "B": {"Type": "AWS::S3::Bucket", "DependsOn": "A"},
                "A": {"Type": "AWS::S3::Bucket"},
                "D": {"Type": "AWS::S3::Bucket", "Properties": {"Y": {"Fn::Sub": ["${V}", {"V": {"Fn::GetAtt": ["A", "Arn"]}}]}}}
            }
        });
        let p = prepare(&t, &stack(&[])).unwrap();
        let ids: Vec<&str> = p.resources.iter().map(|r| r.logical_id.as_str()).collect();
        assert_eq!(ids, ["A", "B", "C", "D"]);
        assert_eq!(
            p.resources[2].depends_on,
            ["A".to_string(), "B".to_string()].into_iter().collect()
        );
        assert_eq!(
            p.resources[3].depends_on,
            ["A".to_string()].into_iter().collect()
        );
    }

    #[test]
    fn reference_errors() {
        let one = |properties: Value| json!({"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": properties}}});
        assert_eq!(
            error(one(json!({"X": {"Ref": "Foo"}})), &[]),
            "Template format error: Unresolved resource dependencies [Foo] in the Resources block of the template"
        );
        assert_eq!(
            error(one(json!({"X": {"Fn::GetAtt": ["Foo", "Arn"]}})), &[]),
            "Template error: instance of Fn::GetAtt references undefined resource Foo"
        );
        assert_eq!(
            error(one(json!({"X": {"Fn::Sub": "${Foo}"}})), &[]),
            "Template format error: Unresolved resource dependencies [Foo] in the Resources block of the template"
        );
        assert_eq!(
            error(
                json!({"Resources": {"A": {"Type": "AWS::S3::Bucket", "DependsOn": ["Foo"]}}}),
                &[]
            ),
            "Template format error: Unresolved resource dependencies [Foo] in the Resources block of the template"
        );
        assert_eq!(
            error(
                json!({"Resources": {"A": bucket()}, "Outputs": {"O": {"Value": {"Ref": "Foo"}}}}),
                &[]
            ),
            "Template format error: Unresolved resource dependencies [Foo] in the Outputs block of the template"
        );
    }

    #[test]
    fn cycles_name_the_resources_on_them() {
        let t = json!({
            "Resources": {
                "A": {"Type": "AWS::S3::Bucket", "Properties": {"X": {"Ref": "B"}}},
                "B": {"Type": "AWS::S3::Bucket", "DependsOn": "A"},
                "C": {"Type": "AWS::S3::Bucket", "DependsOn": "A"},
                "D": {"Type": "AWS::S3::Bucket", "DependsOn": "D"}
            }
        });
        assert_eq!(
            error(t, &[]),
            "Circular dependency between resources: [A, B, D]"
        );
    }
}
