//! The `AWS::Serverless-2016-10-31` transform, for the resource and event types unkai serves.
//! Generated resources take the logical ids SAM gives them (the AWS SAM developer guide's
//! "generated CloudFormation resources"), so templates that refer to them (`ServerlessRestApi`,
//! `MyFunctionRole`) keep working.
//!
//! One deliberate deviation: an HTTP API's routes become explicit `AWS::ApiGatewayV2::Route`
//! and `Integration` resources (`<Function><Event>Route`, `<Function><Event>Integration`)
//! rather than an OpenAPI `Body`, so the service provisions them like any other resource.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::localize::HOT_RELOAD_BUCKET;

/// The transform this module implements.
const SAM_TRANSFORM: &str = "AWS::Serverless-2016-10-31";

/// The implicit REST API SAM creates for `Api` events without a `RestApiId`.
const IMPLICIT_REST_API: &str = "ServerlessRestApi";

/// The implicit HTTP API SAM creates for `HttpApi` events without an `ApiId`.
const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";

/// The stage of the implicit REST API.
const IMPLICIT_REST_STAGE: &str = "Prod";

/// Whether the template asks for the SAM transform (`Transform: AWS::Serverless-2016-10-31`, string or list).
pub fn is_sam(template: &Value) -> bool {
    match template.get("Transform") {
        Some(Value::String(t)) => t == SAM_TRANSFORM,
        Some(Value::Array(items)) => items.iter().any(|t| t == SAM_TRANSFORM),
        _ => false,
    }
}

/// Expands the SAM transform into a plain CloudFormation template (what CloudFormation's
/// "processed template" shows). No-op without the transform.
pub fn expand_sam(template: &Value) -> Result<Value, Error> {
    if !is_sam(template) {
        return Ok(template.clone());
    }
    let mut out = template
        .as_object()
        .cloned()
        .ok_or_else(|| Error::new("Template format error: unsupported structure."))?;
    let globals = out.remove("Globals").unwrap_or(Value::Null);
    if let Some(Value::Array(items)) = out.remove("Transform") {
        let others: Vec<Value> = items.into_iter().filter(|t| t != SAM_TRANSFORM).collect();
        if !others.is_empty() {
            out.insert("Transform".to_string(), Value::Array(others));
        }
    }
    let resources = match out.get("Resources") {
        Some(Value::Object(r)) => r.clone(),
        _ => Map::new(),
    };
    // SAM reads a `!Ref Parameter` in a stage name with the parameter's value where it names
    // resources; the transform here runs before parameters are known, so it takes the default.
    let defaults: BTreeMap<String, String> = out
        .get("Parameters")
        .and_then(Value::as_object)
        .map(|parameters| {
            parameters
                .iter()
                .filter_map(|(name, p)| {
                    Some((name.clone(), p.get("Default")?.as_str()?.to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut expansion = Expansion {
        globals: &globals,
        resources: Map::new(),
        rest_apis: BTreeMap::new(),
        http_apis: BTreeMap::new(),
        referable: BTreeMap::new(),
    };
    // APIs first, so events of functions can add their routes to them.
    for (id, resource) in &resources {
        match resource_type(resource) {
            "AWS::Serverless::Api" => {
                let properties = expansion.properties(resource, "Api");
                expansion.rest_apis.insert(
                    id.clone(),
                    RestApi::explicit(id, resource, properties, &defaults)?,
                );
            }
            "AWS::Serverless::HttpApi" => {
                let properties = expansion.properties(resource, "HttpApi");
                expansion.http_apis.insert(
                    id.clone(),
                    HttpApi {
                        properties,
                        attributes: resource.clone(),
                    },
                );
            }
            _ => {}
        }
    }
    for (id, resource) in &resources {
        match resource_type(resource) {
            "AWS::Serverless::Function" => expansion.function(id, resource)?,
            "AWS::Serverless::SimpleTable" => expansion.simple_table(id, resource),
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {}
            _ => {
                expansion.resources.insert(id.clone(), resource.clone());
            }
        }
    }
    expansion.emit_apis()?;
    out.insert("Resources".to_string(), Value::Object(expansion.resources));
    let mut out = Value::Object(out);
    refer(&mut out, &expansion.referable);
    Ok(out)
}

fn resource_type(resource: &Value) -> &str {
    resource
        .get("Type")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// CloudFormation's message when the transform rejects a resource.
fn invalid_resource(id: &str, message: &str) -> Error {
    Error::new(format!(
        "Transform {SAM_TRANSFORM} failed with: Invalid Serverless Application Specification document. Number of errors found: 1. Resource with id [{id}] is invalid. {message}"
    ))
}

fn invalid_event(id: &str, event: &str, message: &str) -> Error {
    invalid_resource(
        id,
        &format!("Event with id [{event}] is invalid. {message}"),
    )
}

/// SAM's Globals rule: maps merge (the resource wins per key), lists append (globals first),
/// scalars are overridden by the resource.
fn merge(global: &Value, local: &Value) -> Value {
    match (global, local) {
        (Value::Object(g), Value::Object(l)) => {
            let mut out = g.clone();
            for (key, value) in l {
                let merged = match g.get(key) {
                    Some(existing) => merge(existing, value),
                    None => value.clone(),
                };
                out.insert(key.clone(), merged);
            }
            Value::Object(out)
        }
        (Value::Array(g), Value::Array(l)) => Value::Array(g.iter().chain(l).cloned().collect()),
        _ => local.clone(),
    }
}

/// The first `n` hex digits of the SHA-256 of `value`'s JSON text.
fn digest(value: &Value, n: usize) -> String {
    let hash = hex::encode(Sha256::digest(value.to_string().as_bytes()));
    hash[..n].to_string()
}

/// `{Key: Value}` tags as the list of `{Key, Value}` most resource types take, with SAM's
/// `lambda:createdBy` tag first.
fn tag_list(tags: Option<&Value>) -> Value {
    let mut out = vec![json!({"Key": "lambda:createdBy", "Value": "SAM"})];
    if let Some(Value::Object(tags)) = tags {
        out.extend(tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})));
    }
    Value::Array(out)
}

fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// Copies `keys` from `from` to `to` where present.
fn copy(from: &Map<String, Value>, to: &mut Map<String, Value>, keys: &[&str]) {
    for key in keys {
        if let Some(v) = from.get(*key) {
            to.insert((*key).to_string(), v.clone());
        }
    }
}

/// The name an `ApiId`/`RestApiId` refers to: `!Ref Api` or a plain logical id.
fn referenced_id(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => other.get("Ref").and_then(Value::as_str).map(str::to_string),
    }
}

/// An OpenAPI path with its `{parameters}` as `*`, as execute-api source ARNs take it.
fn arn_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "*"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A route of a REST API, added by an `Api` event.
struct RestRoute {
    path: String,
    method: String,
    /// The function (or alias) ARN as an `Fn::Sub` variable, `Fn.Arn` or `FnAliaslive`.
    target: String,
    api_key_required: Option<bool>,
    condition: Option<Value>,
}

struct RestApi {
    /// The merged `AWS::Serverless::Api` properties; empty for the implicit API.
    properties: Map<String, Value>,
    /// The `AWS::Serverless::Api` resource, for its Condition/DependsOn/... attributes.
    attributes: Value,
    stage: Value,
    /// The stage name the logical ids use: the literal, or a referenced parameter's default.
    stage_label: String,
    routes: Vec<RestRoute>,
}

impl RestApi {
    fn explicit(
        id: &str,
        resource: &Value,
        properties: Map<String, Value>,
        defaults: &BTreeMap<String, String>,
    ) -> Result<Self, Error> {
        let stage = properties.get("StageName").cloned().ok_or_else(|| {
            invalid_resource(
                id,
                "property StageName not defined for resource of type AWS::Serverless::Api",
            )
        })?;
        let stage_label = match &stage {
            Value::String(s) => s.clone(),
            other => other
                .get("Ref")
                .and_then(Value::as_str)
                .and_then(|p| defaults.get(p))
                .cloned()
                .unwrap_or_else(|| "Stage".to_string()),
        };
        Ok(RestApi {
            properties,
            attributes: resource.clone(),
            stage,
            stage_label,
            routes: Vec::new(),
        })
    }

    /// The stage's name as it appears in logical ids (`Prod` in `ServerlessRestApiProdStage`).
    fn stage_id(&self) -> String {
        self.stage_label
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect()
    }
}

struct HttpApi {
    properties: Map<String, Value>,
    attributes: Value,
}

struct Expansion<'a> {
    globals: &'a Value,
    resources: Map<String, Value>,
    rest_apis: BTreeMap<String, RestApi>,
    http_apis: BTreeMap<String, HttpApi>,
    /// SAM's referenceable properties (`MyApi.Stage`, `MyFunction.Alias`, …) and the logical
    /// ids of the generated resources they name, for `!Ref MyApi.Stage`.
    referable: BTreeMap<String, String>,
}

impl Expansion<'_> {
    /// A resource's properties with `Globals.<section>` merged in.
    fn properties(&self, resource: &Value, section: &str) -> Map<String, Value> {
        let local = resource
            .get("Properties")
            .cloned()
            .unwrap_or_else(|| json!({}));
        let merged = match self.globals.get(section) {
            Some(global) => merge(global, &local),
            None => local,
        };
        match merged {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    /// Adds a generated resource, carrying over the source resource's `Condition`.
    fn emit(&mut self, id: String, kind: &str, properties: Value, condition: Option<&Value>) {
        let mut resource = json!({ "Type": kind, "Properties": properties });
        if let Some(condition) = condition {
            resource["Condition"] = condition.clone();
        }
        self.resources.insert(id, resource);
    }

    /// The main resource of an expansion: the generated type and properties with the source's
    /// resource attributes (Condition, DependsOn, DeletionPolicy, …) kept.
    fn emit_main(&mut self, id: &str, kind: &str, properties: Map<String, Value>, source: &Value) {
        let mut resource = Map::new();
        resource.insert("Type".to_string(), Value::String(kind.to_string()));
        resource.insert("Properties".to_string(), Value::Object(properties));
        if let Some(source) = source.as_object() {
            copy(
                source,
                &mut resource,
                &[
                    "Condition",
                    "DependsOn",
                    "DeletionPolicy",
                    "UpdateReplacePolicy",
                    "Metadata",
                ],
            );
        }
        self.resources
            .insert(id.to_string(), Value::Object(resource));
    }

    fn function(&mut self, id: &str, resource: &Value) -> Result<(), Error> {
        let mut props = self.properties(resource, "Function");
        // A global CodeUri does not apply to a function that brings its own code otherwise.
        let local = resource.get("Properties");
        let has_own = |key: &str| local.and_then(|l| l.get(key)).is_some();
        if (has_own("InlineCode") || has_own("ImageUri")) && !has_own("CodeUri") {
            props.remove("CodeUri");
        }
        let condition = resource.get("Condition");
        let mut function = Map::new();
        function.insert("Code".to_string(), code(id, &props)?);
        copy(
            &props,
            &mut function,
            &[
                "Handler",
                "Runtime",
                "MemorySize",
                "Timeout",
                "Environment",
                "Description",
                "FunctionName",
                "Architectures",
                "Layers",
                "ReservedConcurrentExecutions",
                "KmsKeyArn",
                "VpcConfig",
                "EphemeralStorage",
                "LoggingConfig",
                "SnapStart",
                "RuntimeManagementConfig",
                "ImageConfig",
                "PackageType",
                "FileSystemConfigs",
                "CodeSigningConfigArn",
                "RecursiveLoop",
            ],
        );
        if props.contains_key("ImageUri") {
            function.insert("PackageType".to_string(), json!("Image"));
        }
        if let Some(mode) = props.get("Tracing") {
            function.insert("TracingConfig".to_string(), json!({ "Mode": mode }));
        }
        if let Some(target) = props
            .get("DeadLetterQueue")
            .and_then(|d| d.get("TargetArn"))
        {
            function.insert(
                "DeadLetterConfig".to_string(),
                json!({ "TargetArn": target }),
            );
        }
        function.insert("Tags".to_string(), tag_list(props.get("Tags")));
        match props.get("Role") {
            Some(role) => {
                function.insert("Role".to_string(), role.clone());
            }
            None => {
                let role_id = format!("{id}Role");
                let role = role(id, &props)?;
                self.referable.insert(format!("{id}.Role"), role_id.clone());
                self.emit(role_id.clone(), "AWS::IAM::Role", role, condition);
                function.insert(
                    "Role".to_string(),
                    json!({ "Fn::GetAtt": [role_id, "Arn"] }),
                );
            }
        }
        let code_digest = digest(&function["Code"], 10);
        self.emit_main(id, "AWS::Lambda::Function", function, resource);

        // What events and URLs invoke: the alias when AutoPublishAlias publishes one.
        let mut target_ref = reference(id);
        let mut target_arn = json!({ "Fn::GetAtt": [id, "Arn"] });
        let mut target_var = format!("{id}.Arn");
        let mut qualifier = None;
        if let Some(alias) = props.get("AutoPublishAlias") {
            let Some(alias_name) = alias.as_str() else {
                return Err(invalid_resource(id, "'AutoPublishAlias' must be a string."));
            };
            let version_id = format!("{id}Version{code_digest}");
            let mut version = json!({ "FunctionName": reference(id) });
            if let Some(description) = props.get("VersionDescription") {
                version["Description"] = description.clone();
            }
            self.emit(
                version_id.clone(),
                "AWS::Lambda::Version",
                version,
                condition,
            );
            self.resources[&version_id]["DeletionPolicy"] = json!("Retain");
            let alias_id = format!(
                "{id}Alias{}",
                alias_name
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            );
            self.emit(
                alias_id.clone(),
                "AWS::Lambda::Alias",
                json!({
                    "Name": alias_name,
                    "FunctionName": reference(id),
                    "FunctionVersion": { "Fn::GetAtt": [version_id, "Version"] }
                }),
                condition,
            );
            self.referable
                .insert(format!("{id}.Version"), version_id.clone());
            self.referable
                .insert(format!("{id}.Alias"), alias_id.clone());
            target_ref = reference(&alias_id);
            target_arn = reference(&alias_id);
            target_var = alias_id;
            qualifier = Some(alias_name.to_string());
        }

        if let Some(config) = props.get("FunctionUrlConfig") {
            let auth = config.get("AuthType").cloned().unwrap_or(Value::Null);
            let mut url = json!({ "TargetFunctionArn": target_ref.clone(), "AuthType": auth });
            for key in ["Cors", "InvokeMode"] {
                if let Some(v) = config.get(key) {
                    url[key] = v.clone();
                }
            }
            if let Some(q) = &qualifier {
                url["Qualifier"] = json!(q);
            }
            self.emit(format!("{id}Url"), "AWS::Lambda::Url", url, condition);
            if auth == "NONE" {
                self.emit(
                    format!("{id}UrlPublicPermissions"),
                    "AWS::Lambda::Permission",
                    json!({
                        "Action": "lambda:InvokeFunctionUrl",
                        "FunctionName": target_ref.clone(),
                        "Principal": "*",
                        "FunctionUrlAuthType": "NONE"
                    }),
                    condition,
                );
            }
        }

        if let Some(events) = props.get("Events") {
            let events = events
                .as_object()
                .ok_or_else(|| invalid_resource(id, "Type of property 'Events' is invalid."))?;
            let target = Target {
                function: id,
                reference: target_ref,
                arn: target_arn,
                variable: target_var,
            };
            for (event_id, event) in events {
                let kind = event
                    .get("Type")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let event_props = event
                    .get("Properties")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                match kind {
                    "Api" => self.api_event(&target, event_id, &event_props, condition)?,
                    "HttpApi" => self.http_api_event(&target, event_id, &event_props, condition)?,
                    other => {
                        return Err(invalid_event(
                            id,
                            event_id,
                            &format!("Event type '{other}' is not supported by unkai yet"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    fn api_event(
        &mut self,
        target: &Target,
        event_id: &str,
        event: &Value,
        condition: Option<&Value>,
    ) -> Result<(), Error> {
        let (Some(Value::String(path)), Some(Value::String(method))) =
            (event.get("Path"), event.get("Method"))
        else {
            return Err(invalid_event(
                target.function,
                event_id,
                "Event is missing key 'Path' or 'Method'.",
            ));
        };
        let api_id = match event.get("RestApiId") {
            None => IMPLICIT_REST_API.to_string(),
            Some(v) => referenced_id(v)
                .filter(|api| self.rest_apis.contains_key(api))
                .ok_or_else(|| invalid_event(target.function, event_id, "RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template."))?,
        };
        if api_id == IMPLICIT_REST_API && !self.rest_apis.contains_key(IMPLICIT_REST_API) {
            let properties = self.properties(&json!({}), "Api");
            self.rest_apis.insert(
                api_id.clone(),
                RestApi {
                    properties,
                    attributes: json!({}),
                    stage: json!(IMPLICIT_REST_STAGE),
                    stage_label: IMPLICIT_REST_STAGE.to_string(),
                    routes: Vec::new(),
                },
            );
        }
        let api = self
            .rest_apis
            .get_mut(&api_id)
            .expect("the API was found or created above");
        api.routes.push(RestRoute {
            path: path.clone(),
            method: method.to_lowercase(),
            target: target.variable.clone(),
            api_key_required: event
                .pointer("/Auth/ApiKeyRequired")
                .and_then(Value::as_bool),
            condition: condition.cloned(),
        });
        let stage_id = api.stage_id();
        let arn_method = if method.eq_ignore_ascii_case("any") {
            "*".to_string()
        } else {
            method.to_uppercase()
        };
        self.emit(
            format!("{}{event_id}Permission{stage_id}", target.function),
            "AWS::Lambda::Permission",
            json!({
                "Action": "lambda:InvokeFunction",
                "FunctionName": target.reference.clone(),
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": { "Fn::Sub": [
                    format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/${{__Stage__}}/{arn_method}{}", arn_path(path)),
                    { "__ApiId__": reference(&api_id), "__Stage__": "*" }
                ]}
            }),
            condition,
        );
        Ok(())
    }

    fn http_api_event(
        &mut self,
        target: &Target,
        event_id: &str,
        event: &Value,
        condition: Option<&Value>,
    ) -> Result<(), Error> {
        let api_id = match event.get("ApiId") {
            None => {
                if !self.http_apis.contains_key(IMPLICIT_HTTP_API) {
                    let properties = self.properties(&json!({}), "HttpApi");
                    self.http_apis.insert(IMPLICIT_HTTP_API.to_string(), HttpApi { properties, attributes: json!({}) });
                }
                IMPLICIT_HTTP_API.to_string()
            }
            Some(v) => referenced_id(v)
                .filter(|api| self.http_apis.contains_key(api))
                .ok_or_else(|| invalid_event(target.function, event_id, "ApiId must be a valid reference to an 'AWS::Serverless::HttpApi' resource in same template."))?,
        };
        let path = event.get("Path").and_then(Value::as_str);
        let method = event.get("Method").and_then(Value::as_str);
        let (route_key, arn_suffix) = match (path, method) {
            (None, None) => ("$default".to_string(), "$default".to_string()),
            (path, method) => {
                let path = path.unwrap_or("/");
                let method = method.map_or_else(
                    || "ANY".to_string(),
                    |m| {
                        if m.eq_ignore_ascii_case("any")
                            || m.eq_ignore_ascii_case("x-amazon-apigateway-any-method")
                        {
                            "ANY".to_string()
                        } else {
                            m.to_uppercase()
                        }
                    },
                );
                let arn_method = if method == "ANY" {
                    "*"
                } else {
                    method.as_str()
                };
                (
                    format!("{method} {path}"),
                    format!("{arn_method}{}", arn_path(path)),
                )
            }
        };
        let integration_id = format!("{}{event_id}Integration", target.function);
        let mut integration = json!({
            "ApiId": reference(&api_id),
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": target.arn.clone(),
            "PayloadFormatVersion": event.get("PayloadFormatVersion").cloned().unwrap_or_else(|| json!("2.0"))
        });
        if let Some(timeout) = event.get("TimeoutInMillis") {
            integration["TimeoutInMillis"] = timeout.clone();
        }
        self.emit(
            integration_id.clone(),
            "AWS::ApiGatewayV2::Integration",
            integration,
            condition,
        );
        self.emit(
            format!("{}{event_id}Route", target.function),
            "AWS::ApiGatewayV2::Route",
            json!({
                "ApiId": reference(&api_id),
                "RouteKey": route_key,
                "Target": { "Fn::Join": ["/", ["integrations", reference(&integration_id)]] }
            }),
            condition,
        );
        self.emit(
            format!("{}{event_id}Permission", target.function),
            "AWS::Lambda::Permission",
            json!({
                "Action": "lambda:InvokeFunction",
                "FunctionName": target.reference.clone(),
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": { "Fn::Sub": [
                    format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/*/{arn_suffix}"),
                    { "__ApiId__": reference(&api_id) }
                ]}
            }),
            condition,
        );
        Ok(())
    }

    fn simple_table(&mut self, id: &str, resource: &Value) {
        let props = self.properties(resource, "SimpleTable");
        let key = props.get("PrimaryKey");
        let name = key
            .and_then(|k| k.get("Name"))
            .cloned()
            .unwrap_or_else(|| json!("id"));
        let kind = match key.and_then(|k| k.get("Type")).and_then(Value::as_str) {
            Some("Number") => "N",
            Some("Binary") => "B",
            _ => "S",
        };
        let mut table = Map::new();
        table.insert(
            "AttributeDefinitions".to_string(),
            json!([{ "AttributeName": name, "AttributeType": kind }]),
        );
        table.insert(
            "KeySchema".to_string(),
            json!([{ "AttributeName": name, "KeyType": "HASH" }]),
        );
        match props.get("ProvisionedThroughput") {
            Some(throughput) => {
                table.insert("ProvisionedThroughput".to_string(), throughput.clone());
            }
            None => {
                table.insert("BillingMode".to_string(), json!("PAY_PER_REQUEST"));
            }
        }
        copy(
            &props,
            &mut table,
            &[
                "TableName",
                "SSESpecification",
                "PointInTimeRecoverySpecification",
            ],
        );
        if let Some(Value::Object(tags)) = props.get("Tags") {
            table.insert(
                "Tags".to_string(),
                Value::Array(
                    tags.iter()
                        .map(|(k, v)| json!({"Key": k, "Value": v}))
                        .collect(),
                ),
            );
        }
        self.emit_main(id, "AWS::DynamoDB::Table", table, resource);
    }

    fn emit_apis(&mut self) -> Result<(), Error> {
        for (id, api) in std::mem::take(&mut self.rest_apis) {
            self.rest_api(&id, api)?;
        }
        for (id, api) in std::mem::take(&mut self.http_apis) {
            self.http_api(&id, api);
        }
        Ok(())
    }

    fn rest_api(&mut self, id: &str, api: RestApi) -> Result<(), Error> {
        let props = &api.properties;
        let condition = api.attributes.get("Condition");
        let openapi3 = props
            .get("OpenApiVersion")
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with('3'))
            || props
                .get("DefinitionBody")
                .is_some_and(|b| b.get("openapi").is_some());
        let mut body = match props.get("DefinitionBody") {
            Some(body) => body.clone(),
            None if openapi3 => {
                json!({ "openapi": "3.0.1", "info": { "version": "1.0", "title": reference("AWS::StackName") }, "paths": {} })
            }
            None => {
                json!({ "swagger": "2.0", "info": { "version": "1.0", "title": reference("AWS::StackName") }, "paths": {} })
            }
        };
        let api_key_default = props
            .get("Auth")
            .and_then(|a| a.get("ApiKeyRequired"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let mut uses_api_key = false;
        for route in &api.routes {
            let method = if route.method == "any" {
                "x-amazon-apigateway-any-method".to_string()
            } else {
                route.method.clone()
            };
            let paths = body
                .as_object_mut()
                .ok_or_else(|| invalid_resource(id, "DefinitionBody must be an object."))?
                .entry("paths")
                .or_insert_with(|| json!({}));
            let operations = paths
                .as_object_mut()
                .ok_or_else(|| invalid_resource(id, "DefinitionBody paths must be an object."))?
                .entry(route.path.clone())
                .or_insert_with(|| json!({}));
            let mut operation = json!({
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy",
                    "httpMethod": "POST",
                    "uri": { "Fn::Sub": format!("arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{}}}/invocations", route.target) }
                },
                "responses": {}
            });
            if route.api_key_required.unwrap_or(api_key_default) {
                uses_api_key = true;
                operation["security"] = json!([{ "api_key": [] }]);
            }
            // A route of a function that may not exist is only there when its condition holds.
            if let Some(c) = &route.condition {
                operation = json!({ "Fn::If": [c, operation, reference("AWS::NoValue")] });
            }
            if let Some(map) = operations.as_object_mut() {
                map.entry(method).or_insert(operation);
            }
        }
        if uses_api_key {
            let scheme = json!({ "type": "apiKey", "name": "x-api-key", "in": "header" });
            if openapi3 {
                body["components"]["securitySchemes"]["api_key"] = scheme;
            } else {
                body["securityDefinitions"]["api_key"] = scheme;
            }
        }
        if let Some(cors) = props.get("Cors") {
            add_cors(&mut body, cors);
        }
        if let Some(types) = props.get("BinaryMediaTypes") {
            body["x-amazon-apigateway-binary-media-types"] = match types {
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|t| {
                            t.as_str()
                                .map_or_else(|| t.clone(), |s| json!(s.replace("~1", "/")))
                        })
                        .collect(),
                ),
                other => other.clone(),
            };
        }

        let mut rest_api = Map::new();
        rest_api.insert("Body".to_string(), body.clone());
        copy(
            props,
            &mut rest_api,
            &[
                "Name",
                "Description",
                "MinimumCompressionSize",
                "DisableExecuteApiEndpoint",
                "Policy",
                "Mode",
                "ApiKeySourceType",
            ],
        );
        if let Some(endpoint) = props.get("EndpointConfiguration") {
            let types = match endpoint {
                Value::String(t) => json!([t]),
                other => other
                    .get("Type")
                    .map(|t| json!([t]))
                    .unwrap_or_else(|| json!(["REGIONAL"])),
            };
            rest_api.insert(
                "EndpointConfiguration".to_string(),
                json!({ "Types": types }),
            );
        }
        if let Some(Value::Object(tags)) = props.get("Tags") {
            rest_api.insert(
                "Tags".to_string(),
                Value::Array(
                    tags.iter()
                        .map(|(k, v)| json!({"Key": k, "Value": v}))
                        .collect(),
                ),
            );
        }
        self.emit_main(id, "AWS::ApiGateway::RestApi", rest_api, &api.attributes);

        let body_hash = hex::encode(Sha256::digest(body.to_string().as_bytes()));
        let deployment_id = format!("{id}Deployment{}", &body_hash[..10]);
        self.emit(
            deployment_id.clone(),
            "AWS::ApiGateway::Deployment",
            json!({ "RestApiId": reference(id), "Description": format!("RestApi deployment id: {body_hash}"), "StageName": "Stage" }),
            condition,
        );
        let mut stage = Map::new();
        stage.insert("DeploymentId".to_string(), reference(&deployment_id));
        stage.insert("RestApiId".to_string(), reference(id));
        stage.insert("StageName".to_string(), api.stage.clone());
        copy(
            props,
            &mut stage,
            &[
                "Variables",
                "MethodSettings",
                "TracingEnabled",
                "CacheClusterEnabled",
                "CacheClusterSize",
                "AccessLogSetting",
                "CanarySetting",
            ],
        );
        let stage_id = format!("{id}{}Stage", api.stage_id());
        self.referable
            .insert(format!("{id}.Stage"), stage_id.clone());
        self.referable
            .insert(format!("{id}.Deployment"), deployment_id);
        self.emit(
            stage_id,
            "AWS::ApiGateway::Stage",
            Value::Object(stage),
            condition,
        );
        Ok(())
    }

    fn http_api(&mut self, id: &str, api: HttpApi) {
        let props = &api.properties;
        let condition = api.attributes.get("Condition");
        let mut resource = Map::new();
        resource.insert(
            "Name".to_string(),
            props
                .get("Name")
                .cloned()
                .unwrap_or_else(|| reference("AWS::StackName")),
        );
        resource.insert("ProtocolType".to_string(), json!("HTTP"));
        if let Some(body) = props.get("DefinitionBody") {
            resource.insert("Body".to_string(), body.clone());
        }
        copy(
            props,
            &mut resource,
            &["Description", "DisableExecuteApiEndpoint"],
        );
        match props.get("CorsConfiguration") {
            Some(Value::Bool(true)) => {
                resource.insert(
                    "CorsConfiguration".to_string(),
                    json!({ "AllowOrigins": ["*"], "AllowHeaders": ["*"], "AllowMethods": ["*"] }),
                );
            }
            Some(Value::Object(cors)) => {
                resource.insert("CorsConfiguration".to_string(), Value::Object(cors.clone()));
            }
            _ => {}
        }
        let mut tags = json!({ "httpapi:createdBy": "SAM" });
        if let Some(Value::Object(user)) = props.get("Tags") {
            for (k, v) in user {
                tags[k] = v.clone();
            }
        }
        resource.insert("Tags".to_string(), tags.clone());
        self.emit_main(id, "AWS::ApiGatewayV2::Api", resource, &api.attributes);

        let stage_name = props
            .get("StageName")
            .cloned()
            .unwrap_or_else(|| json!("$default"));
        let stage_id = match &stage_name {
            Value::String(s) if s == "$default" => format!("{id}ApiGatewayDefaultStage"),
            Value::String(s) => format!(
                "{id}{}Stage",
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ),
            _ => format!("{id}Stage"),
        };
        let mut stage = Map::new();
        stage.insert("ApiId".to_string(), reference(id));
        stage.insert("StageName".to_string(), stage_name);
        stage.insert("AutoDeploy".to_string(), json!(true));
        copy(
            props,
            &mut stage,
            &[
                "StageVariables",
                "DefaultRouteSettings",
                "RouteSettings",
                "AccessLogSettings",
            ],
        );
        stage.insert("Tags".to_string(), tags);
        self.referable
            .insert(format!("{id}.Stage"), stage_id.clone());
        self.emit(
            stage_id,
            "AWS::ApiGatewayV2::Stage",
            Value::Object(stage),
            condition,
        );
    }
}

/// Rewrites `{"Ref": "MyApi.Stage"}` and the other referenceable properties to the generated
/// resources they name.
fn refer(value: &mut Value, referable: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(Value::String(name)) = map.get_mut("Ref")
                && let Some(id) = referable.get(name.as_str())
            {
                *name = id.clone();
                return;
            }
            map.values_mut().for_each(|v| refer(v, referable));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| refer(v, referable)),
        _ => {}
    }
}

/// What an event invokes: the function, or its alias under AutoPublishAlias.
struct Target<'a> {
    function: &'a str,
    /// `Ref` of the function or alias, for permissions.
    reference: Value,
    /// Its ARN, for integrations.
    arn: Value,
    /// Its ARN as an `Fn::Sub` variable (`Fn.Arn`, or the alias whose `Ref` is its ARN).
    variable: String,
}

/// The function's `Code` from `InlineCode`, `ImageUri` or `CodeUri`.
fn code(id: &str, props: &Map<String, Value>) -> Result<Value, Error> {
    if let Some(inline) = props.get("InlineCode") {
        if props.contains_key("CodeUri") {
            return Err(invalid_resource(
                id,
                "Specify either 'CodeUri' or 'InlineCode', not both.",
            ));
        }
        return Ok(json!({ "ZipFile": inline }));
    }
    if let Some(image) = props.get("ImageUri") {
        return Ok(json!({ "ImageUri": image }));
    }
    match props.get("CodeUri") {
        Some(Value::String(uri)) => Ok(
            match uri
                .strip_prefix("s3://")
                .and_then(|rest| rest.split_once('/'))
            {
                Some((bucket, key)) => json!({ "S3Bucket": bucket, "S3Key": key }),
                None => json!({ "S3Bucket": HOT_RELOAD_BUCKET, "S3Key": uri }),
            },
        ),
        Some(Value::Object(location)) => {
            let mut code =
                json!({ "S3Bucket": location.get("Bucket"), "S3Key": location.get("Key") });
            if let Some(version) = location.get("Version") {
                code["S3ObjectVersion"] = version.clone();
            }
            Ok(code)
        }
        Some(_) => Err(invalid_resource(
            id,
            "'CodeUri' requires Bucket and Key properties to be specified.",
        )),
        None => Err(invalid_resource(
            id,
            "Either 'InlineCode' or 'CodeUri' must be set.",
        )),
    }
}

/// The execution role SAM generates for a function without `Role`.
fn role(id: &str, props: &Map<String, Value>) -> Result<Value, Error> {
    let mut managed = vec![json!(
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )];
    if props.contains_key("VpcConfig") {
        managed.push(json!(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
        ));
    }
    if props.get("Tracing").is_some_and(|t| t == "Active") {
        managed.push(json!("arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"));
    }
    let mut inline = Vec::new();
    let policies = match props.get("Policies") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(single) => vec![single.clone()],
    };
    for policy in policies {
        match &policy {
            Value::String(name) if name.starts_with("arn:") => managed.push(policy.clone()),
            Value::String(name) => managed.push(json!(format!("arn:aws:iam::aws:policy/{name}"))),
            Value::Object(document) if document.contains_key("Statement") => {
                inline.push(json!({ "PolicyName": format!("{id}RolePolicy{}", inline.len()), "PolicyDocument": policy }));
            }
            Value::Object(map) if map.len() == 1 => {
                let (name, parameters) = map
                    .iter()
                    .next()
                    .expect("a map of one entry has a first entry");
                if name == "Ref" || name.starts_with("Fn::") {
                    managed.push(policy.clone());
                    continue;
                }
                let statement = policy_template(name, parameters).ok_or_else(|| {
                    invalid_resource(
                        id,
                        &format!("Policy template '{name}' is not supported by unkai yet"),
                    )
                })?;
                inline.push(json!({
                    "PolicyName": format!("{id}RolePolicy{}", inline.len()),
                    "PolicyDocument": { "Statement": statement }
                }));
            }
            _ => {
                return Err(invalid_resource(
                    id,
                    "Type of property 'Policies' is invalid.",
                ));
            }
        }
    }
    let mut role = json!({
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": ["sts:AssumeRole"],
                "Effect": "Allow",
                "Principal": { "Service": ["lambda.amazonaws.com"] }
            }]
        },
        "ManagedPolicyArns": managed,
        "Tags": tag_list(props.get("Tags"))
    });
    if !inline.is_empty() {
        role["Policies"] = Value::Array(inline);
    }
    if let Some(boundary) = props.get("PermissionsBoundary") {
        role["PermissionsBoundary"] = boundary.clone();
    }
    if let Some(path) = props.get("RolePath") {
        role["Path"] = path.clone();
    }
    Ok(role)
}

/// The statements of the SAM policy templates unkai knows, for the services it serves.
fn policy_template(name: &str, parameters: &Value) -> Option<Value> {
    let table = |actions: &[&str]| {
        let table = parameters.get("TableName")?.clone();
        let arn = |suffix: &str| {
            json!({ "Fn::Sub": [
                format!("arn:${{AWS::Partition}}:dynamodb:${{AWS::Region}}:${{AWS::AccountId}}:table/${{tableName}}{suffix}"),
                { "tableName": table.clone() }
            ]})
        };
        Some(
            json!([{ "Effect": "Allow", "Action": actions, "Resource": [arn(""), arn("/index/*")] }]),
        )
    };
    match name {
        "DynamoDBCrudPolicy" => table(&[
            "dynamodb:GetItem",
            "dynamodb:DeleteItem",
            "dynamodb:PutItem",
            "dynamodb:Scan",
            "dynamodb:Query",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
            "dynamodb:BatchGetItem",
            "dynamodb:DescribeTable",
            "dynamodb:ConditionCheckItem",
        ]),
        "DynamoDBReadPolicy" => table(&[
            "dynamodb:GetItem",
            "dynamodb:Scan",
            "dynamodb:Query",
            "dynamodb:BatchGetItem",
            "dynamodb:DescribeTable",
        ]),
        "DynamoDBWritePolicy" => table(&[
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem",
        ]),
        "LambdaInvokePolicy" => {
            let function = parameters.get("FunctionName")?.clone();
            Some(json!([{
                "Effect": "Allow",
                "Action": ["lambda:InvokeFunction"],
                "Resource": { "Fn::Sub": [
                    "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*",
                    { "functionName": function }
                ]}
            }]))
        }
        _ => None,
    }
}

/// SAM's CORS for a REST API: an `options` method with a mock integration on every path.
fn add_cors(body: &mut Value, cors: &Value) {
    let (origin, methods, headers, max_age, credentials) = match cors {
        Value::Object(c) => (
            c.get("AllowOrigin").cloned(),
            c.get("AllowMethods").cloned(),
            c.get("AllowHeaders").cloned(),
            c.get("MaxAge").cloned(),
            c.get("AllowCredentials")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        other => (Some(other.clone()), None, None, None, false),
    };
    let Some(paths) = body.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operations in paths.values_mut() {
        let Some(operations) = operations.as_object_mut() else {
            continue;
        };
        if operations.contains_key("options") {
            continue;
        }
        let methods = methods.clone().unwrap_or_else(|| {
            let mut names: Vec<String> = operations
                .keys()
                .flat_map(|m| {
                    if m == "x-amazon-apigateway-any-method" {
                        ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"]
                            .iter()
                            .map(|s| s.to_string())
                            .collect()
                    } else {
                        vec![m.to_uppercase()]
                    }
                })
                .collect();
            names.push("OPTIONS".to_string());
            names.sort();
            names.dedup();
            json!(format!("'{}'", names.join(",")))
        });
        let mut parameters = Map::new();
        let mut response_headers = Map::new();
        let mut header = |name: &str, value: Option<Value>| {
            if let Some(value) = value {
                parameters.insert(format!("method.response.header.{name}"), value);
                response_headers.insert(name.to_string(), json!({ "type": "string" }));
            }
        };
        header("Access-Control-Allow-Origin", origin.clone());
        header("Access-Control-Allow-Methods", Some(methods));
        header("Access-Control-Allow-Headers", headers.clone());
        header("Access-Control-Max-Age", max_age.clone());
        header(
            "Access-Control-Allow-Credentials",
            credentials.then(|| json!("'true'")),
        );
        operations.insert(
            "options".to_string(),
            json!({
                "summary": "CORS support",
                "consumes": ["application/json"],
                "produces": ["application/json"],
                "x-amazon-apigateway-integration": {
                    "type": "mock",
                    "requestTemplates": { "application/json": "{\n  \"statusCode\" : 200\n}\n" },
                    "responses": { "default": {
                        "statusCode": "200",
                        "responseParameters": parameters,
                        "responseTemplates": { "application/json": "{}\n" }
                    }}
                },
                "responses": { "200": { "description": "Default response for CORS method", "headers": response_headers } }
            }),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sam(resources: Value) -> Value {
        json!({ "Transform": SAM_TRANSFORM, "Resources": resources })
    }

    #[test]
    fn is_sam_reads_string_and_list() {
        assert!(is_sam(&json!({"Transform": "AWS::Serverless-2016-10-31"})));
        assert!(is_sam(
            &json!({"Transform": ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]})
        ));
        assert!(!is_sam(&json!({"Resources": {}})));
    }

    #[test]
    fn without_the_transform_nothing_changes() {
        let t = json!({"Resources": {"F": {"Type": "AWS::Serverless::Function"}}});
        assert_eq!(expand_sam(&t).unwrap(), t);
    }

    #[test]
    fn globals_merge_maps_append_lists_override_scalars() {
        let merged = merge(
            &json!({"Timeout": 3, "Environment": {"Variables": {"A": "1", "B": "1"}}, "Layers": ["g"]}),
            &json!({"Timeout": 10, "Environment": {"Variables": {"B": "2"}}, "Layers": ["l"]}),
        );
        assert_eq!(
            merged,
            json!({"Timeout": 10, "Environment": {"Variables": {"A": "1", "B": "2"}}, "Layers": ["g", "l"]})
        );
    }

    #[test]
    fn function_with_role_gets_no_generated_role() {
        let t = sam(
            json!({"F": {"Type": "AWS::Serverless::Function", "Properties": {"InlineCode": "x", "Handler": "h", "Runtime": "python3.12", "Role": "arn:aws:iam::123456789012:role/r"}}}),
        );
        let out = expand_sam(&t).unwrap();
        assert_eq!(out["Resources"].as_object().unwrap().len(), 1);
        assert_eq!(
            out["Resources"]["F"]["Properties"]["Code"],
            json!({"ZipFile": "x"})
        );
        assert!(out.get("Transform").is_none());
    }

    #[test]
    fn code_sources() {
        let props = |p: Value| p.as_object().unwrap().clone();
        assert_eq!(
            code("F", &props(json!({"CodeUri": "s3://b/k/x.zip"}))).unwrap(),
            json!({"S3Bucket": "b", "S3Key": "k/x.zip"})
        );
        assert_eq!(
            code("F", &props(json!({"CodeUri": "/abs/src"}))).unwrap(),
            json!({"S3Bucket": "hot-reload", "S3Key": "/abs/src"})
        );
        assert_eq!(
            code(
                "F",
                &props(json!({"CodeUri": {"Bucket": "b", "Key": "k", "Version": "3"}}))
            )
            .unwrap(),
            json!({"S3Bucket": "b", "S3Key": "k", "S3ObjectVersion": "3"})
        );
        assert_eq!(
            code("F", &props(json!({}))).unwrap_err().0,
            "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document. Number of errors found: 1. Resource with id [F] is invalid. Either 'InlineCode' or 'CodeUri' must be set."
        );
    }

    #[test]
    fn unsupported_events_and_policy_templates_are_named() {
        let t = sam(
            json!({"F": {"Type": "AWS::Serverless::Function", "Properties": {"InlineCode": "x", "Events": {"Q": {"Type": "SQS", "Properties": {}}}}}}),
        );
        assert!(expand_sam(&t).unwrap_err().0.ends_with("Resource with id [F] is invalid. Event with id [Q] is invalid. Event type 'SQS' is not supported by unkai yet"));
        let t = sam(
            json!({"F": {"Type": "AWS::Serverless::Function", "Properties": {"InlineCode": "x", "Policies": [{"SESCrudPolicy": {}}]}}}),
        );
        assert!(
            expand_sam(&t)
                .unwrap_err()
                .0
                .ends_with("Policy template 'SESCrudPolicy' is not supported by unkai yet")
        );
        let t = sam(json!({"A": {"Type": "AWS::Serverless::Api", "Properties": {}}}));
        assert!(
            expand_sam(&t).unwrap_err().0.ends_with(
                "property StageName not defined for resource of type AWS::Serverless::Api"
            )
        );
        let t = sam(
            json!({"F": {"Type": "AWS::Serverless::Function", "Properties": {"InlineCode": "x", "Events": {"E": {"Type": "Api", "Properties": {"Path": "/", "Method": "get", "RestApiId": {"Ref": "Nope"}}}}}}}),
        );
        assert!(
            expand_sam(&t)
                .unwrap_err()
                .0
                .contains("RestApiId must be a valid reference")
        );
    }

    #[test]
    fn http_api_route_keys() {
        let t = sam(
            json!({"F": {"Type": "AWS::Serverless::Function", "Properties": {"InlineCode": "x", "Events": {
                "Default": {"Type": "HttpApi"},
                "Get": {"Type": "HttpApi", "Properties": {"Path": "/items/{id}", "Method": "get"}},
                "Any": {"Type": "HttpApi", "Properties": {"Path": "/{proxy+}", "Method": "ANY"}}
            }}}}),
        );
        let out = expand_sam(&t).unwrap();
        let r = &out["Resources"];
        assert_eq!(
            r["FDefaultRoute"]["Properties"]["RouteKey"],
            json!("$default")
        );
        assert_eq!(
            r["FGetRoute"]["Properties"]["RouteKey"],
            json!("GET /items/{id}")
        );
        assert_eq!(
            r["FAnyRoute"]["Properties"]["RouteKey"],
            json!("ANY /{proxy+}")
        );
        assert_eq!(
            r["FGetPermission"]["Properties"]["SourceArn"]["Fn::Sub"][0],
            json!(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/*/GET/items/*"
            )
        );
        assert_eq!(
            r["ServerlessHttpApi"]["Type"],
            json!("AWS::ApiGatewayV2::Api")
        );
        assert_eq!(
            r["ServerlessHttpApiApiGatewayDefaultStage"]["Properties"]["StageName"],
            json!("$default")
        );
    }
}
