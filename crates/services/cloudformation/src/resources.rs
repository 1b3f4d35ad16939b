//! Resource handlers: how each resource type is created, updated and deleted, through the same
//! API operations the SDKs call (the [`Api`] port), so every validation and error message is
//! the owning service's own.
//!
//! Most API Gateway types follow one shape (a collection under an API: create with `POST`,
//! change with `PATCH`, remove with `DELETE`) and are described by a [`Collection`] row; the
//! others have a function each.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use unkai_types::Caller;
use unkai_types::ports::{Api, ApiRequest};

/// What a created or updated resource is known by.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Made {
    /// What `Ref` returns.
    pub physical_id: String,
    /// `Fn::GetAtt` attributes.
    pub attributes: Map<String, Value>,
}

/// What a handler needs to know about the resource it works on.
#[derive(Clone, Copy, Debug)]
pub struct Target<'a> {
    /// Who the stack acts as.
    pub caller: &'a Caller,
    /// The stack's name (generated names start with it).
    pub stack: &'a str,
    /// The resource's logical id.
    pub logical_id: &'a str,
    /// `AWS::Lambda::Function`.
    pub resource_type: &'a str,
}

/// Every resource type unkai provisions.
pub const SUPPORTED: &[&str] = &[
    "AWS::ApiGateway::ApiKey",
    "AWS::ApiGateway::Authorizer",
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Method",
    "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::ApiGateway::UsagePlan",
    "AWS::ApiGateway::UsagePlanKey",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Deployment",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::DynamoDB::Table",
    "AWS::IAM::Policy",
    "AWS::IAM::Role",
    "AWS::Lambda::Alias",
    "AWS::Lambda::Function",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Url",
    "AWS::Lambda::Version",
    "AWS::Logs::LogGroup",
];

/// A type of API Gateway child resource that lives in a collection under its API.
struct Collection {
    resource_type: &'static str,
    service: &'static str,
    /// The collection's path; `{Name}` is the property `Name`.
    path: &'static str,
    /// The properties that name the parent (in the path, not the body).
    parents: &'static [&'static str],
    /// The response member holding the new id (`routeId`); `None`: the property `id_property`.
    id_member: Option<&'static str>,
    /// When the id is a property instead (a stage's name).
    id_property: Option<&'static str>,
    /// `Fn::GetAtt` attributes: (attribute, response member).
    attributes: &'static [(&'static str, &'static str)],
    /// Whether changes are applied with `PATCH` of the same body (API Gateway v2) rather than
    /// by replacement.
    patch: bool,
}

const COLLECTIONS: &[Collection] = &[
    Collection {
        resource_type: "AWS::ApiGatewayV2::Integration",
        service: "apigatewayv2",
        path: "/v2/apis/{ApiId}/integrations",
        parents: &["ApiId"],
        id_member: Some("integrationId"),
        id_property: None,
        attributes: &[("IntegrationId", "integrationId")],
        patch: true,
    },
    Collection {
        resource_type: "AWS::ApiGatewayV2::Route",
        service: "apigatewayv2",
        path: "/v2/apis/{ApiId}/routes",
        parents: &["ApiId"],
        id_member: Some("routeId"),
        id_property: None,
        attributes: &[("RouteId", "routeId")],
        patch: true,
    },
    Collection {
        resource_type: "AWS::ApiGatewayV2::Stage",
        service: "apigatewayv2",
        path: "/v2/apis/{ApiId}/stages",
        parents: &["ApiId"],
        id_member: None,
        id_property: Some("StageName"),
        attributes: &[],
        patch: true,
    },
    Collection {
        resource_type: "AWS::ApiGatewayV2::Deployment",
        service: "apigatewayv2",
        path: "/v2/apis/{ApiId}/deployments",
        parents: &["ApiId"],
        id_member: Some("deploymentId"),
        id_property: None,
        attributes: &[("DeploymentId", "deploymentId")],
        patch: false,
    },
    Collection {
        resource_type: "AWS::ApiGatewayV2::Authorizer",
        service: "apigatewayv2",
        path: "/v2/apis/{ApiId}/authorizers",
        parents: &["ApiId"],
        id_member: Some("authorizerId"),
        id_property: None,
        attributes: &[("AuthorizerId", "authorizerId")],
        patch: true,
    },
    Collection {
        resource_type: "AWS::ApiGateway::Resource",
        service: "apigateway",
        path: "/restapis/{RestApiId}/resources/{ParentId}",
        parents: &["RestApiId", "ParentId"],
        id_member: Some("id"),
        id_property: None,
        attributes: &[("ResourceId", "id")],
        patch: false,
    },
    Collection {
        resource_type: "AWS::ApiGateway::Deployment",
        service: "apigateway",
        path: "/restapis/{RestApiId}/deployments",
        parents: &["RestApiId"],
        id_member: Some("id"),
        id_property: None,
        attributes: &[("DeploymentId", "id")],
        patch: false,
    },
    Collection {
        resource_type: "AWS::ApiGateway::Authorizer",
        service: "apigateway",
        path: "/restapis/{RestApiId}/authorizers",
        parents: &["RestApiId"],
        id_member: Some("id"),
        id_property: None,
        attributes: &[("AuthorizerId", "id")],
        patch: false,
    },
    Collection {
        resource_type: "AWS::ApiGateway::ApiKey",
        service: "apigateway",
        path: "/apikeys",
        parents: &[],
        id_member: Some("id"),
        id_property: None,
        attributes: &[("APIKeyId", "id")],
        patch: false,
    },
    Collection {
        resource_type: "AWS::ApiGateway::UsagePlan",
        service: "apigateway",
        path: "/usageplans",
        parents: &[],
        id_member: Some("id"),
        id_property: None,
        attributes: &[("Id", "id")],
        patch: false,
    },
    Collection {
        resource_type: "AWS::ApiGateway::UsagePlanKey",
        service: "apigateway",
        path: "/usageplans/{UsagePlanId}/keys",
        parents: &["UsagePlanId"],
        id_member: Some("id"),
        id_property: None,
        attributes: &[("Id", "id")],
        patch: false,
    },
];

/// Properties whose members are names chosen by the user (kept as they are when property
/// names are turned into the camelCase of the API Gateway APIs).
const MAPS: &[&str] = &[
    "Tags",
    "StageVariables",
    "Variables",
    "RequestParameters",
    "ResponseParameters",
    "RequestTemplates",
    "ResponseTemplates",
    "RequestModels",
    "ResponseModels",
    "RouteSettings",
];

/// Properties whose value is a number even when a template writes it as a string.
const NUMBERS: &[&str] = &[
    "ReadCapacityUnits",
    "WriteCapacityUnits",
    "MemorySize",
    "Timeout",
    "ReservedConcurrentExecutions",
    "RetentionInDays",
    "TimeoutInMillis",
    "AuthorizerResultTtlInSeconds",
    "BurstLimit",
    "RateLimit",
    "Limit",
    "Offset",
    "MaxAge",
    "Size",
    "MinimumCompressionSize",
];

/// Properties whose value is a boolean even when a template writes it as a string.
const BOOLEANS: &[&str] = &[
    "AutoDeploy",
    "Enabled",
    "StreamEnabled",
    "DeletionProtectionEnabled",
    "ApiKeyRequired",
    "AllowCredentials",
    "DisableExecuteApiEndpoint",
    "EnableSimpleResponses",
    "SSEEnabled",
];

/// Turns template strings into the numbers and booleans the APIs take.
fn coerce(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                match member {
                    Value::String(text) if NUMBERS.contains(&key.as_str()) => {
                        if let Ok(number) = text.parse::<i64>() {
                            *member = json!(number);
                        } else if let Ok(number) = text.parse::<f64>() {
                            *member = json!(number);
                        }
                    }
                    Value::String(text) if BOOLEANS.contains(&key.as_str()) => {
                        match text.to_ascii_lowercase().as_str() {
                            "true" => *member = Value::Bool(true),
                            "false" => *member = Value::Bool(false),
                            _ => {}
                        }
                    }
                    _ => coerce(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(coerce),
        _ => {}
    }
}

/// CloudFormation's property names (`ProtocolType`) as API Gateway's members (`protocolType`).
fn camel(value: &Value) -> Value {
    fn lower(key: &str) -> String {
        // `ProviderARNs` → `providerARNs`; acronyms at the start (`URI`) stay as API Gateway has them.
        let mut chars = key.chars();
        match chars.next() {
            Some(first) => first.to_lowercase().chain(chars).collect(),
            None => String::new(),
        }
    }
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, member)| {
                    let member = if MAPS.contains(&key.as_str()) {
                        match member {
                            Value::Object(inner) => Value::Object(
                                inner
                                    .iter()
                                    .map(|(name, value)| (name.clone(), camel(value)))
                                    .collect(),
                            ),
                            other => other.clone(),
                        }
                    } else {
                        camel(member)
                    };
                    (lower(key), member)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(camel).collect()),
        other => other.clone(),
    }
}

const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn segment(text: &str) -> String {
    utf8_percent_encode(text, PATH_SEGMENT).to_string()
}

fn text(props: &Value, name: &str) -> Option<String> {
    match props.get(name)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn required(props: &Value, name: &str) -> Result<String, String> {
    text(props, name).ok_or_else(|| {
        format!("Properties validation failed for resource: required key [{name}] not found")
    })
}

fn without(props: &Value, names: &[&str]) -> Value {
    let mut body = props.clone();
    if let Some(map) = body.as_object_mut() {
        for name in names {
            map.remove(*name);
        }
    }
    body
}

fn fill(path: &str, props: &Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |end| start + end);
        out.push_str(&segment(&required(props, &rest[start + 1..end])?));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A name CloudFormation would generate: `<stack>-<logical id>-<13 random characters>`, cut to
/// `limit` characters.
pub fn generated_name(stack: &str, logical_id: &str, limit: usize) -> String {
    let suffix: String = uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .to_uppercase()
        .chars()
        .take(13)
        .collect();
    let room = limit.saturating_sub(suffix.len() + 2);
    let stack_part: String = stack.chars().take(room / 2).collect();
    let logical_part: String = logical_id
        .chars()
        .take(room - stack_part.chars().count())
        .collect();
    format!("{stack_part}-{logical_part}-{suffix}")
}

/// Tags as CloudFormation writes them (`[{Key, Value}]`) as a map.
fn tag_map(tags: Option<&Value>) -> Option<Value> {
    let list = tags?.as_array()?;
    Some(Value::Object(
        list.iter()
            .filter_map(|tag| Some((text(tag, "Key")?, json!(text(tag, "Value")?))))
            .collect(),
    ))
}

/// Provisions resources through unkai's APIs.
#[derive(Clone)]
pub struct Provisioner {
    api: Arc<dyn Api>,
    account: String,
    region: String,
    /// How long to wait for a resource to become ready (a function `Active`, a table `ACTIVE`).
    pub settle: Duration,
}

impl std::fmt::Debug for Provisioner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioner")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// A service's error answer, as a resource's failure reason.
fn failure(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let (code, message) = match serde_json::from_slice::<Value>(body) {
        Ok(document) => (
            document
                .get("__type")
                .and_then(Value::as_str)
                .map(|code| code.rsplit('#').next().unwrap_or(code).to_string()),
            ["message", "Message", "errorMessage"]
                .iter()
                .find_map(|key| document.get(*key).and_then(Value::as_str))
                .map(str::to_string),
        ),
        Err(_) => (
            between(&text, "<Code>", "</Code>"),
            between(&text, "<Message>", "</Message>"),
        ),
    };
    let message = message.unwrap_or_else(|| format!("HTTP {status}"));
    match code {
        Some(code) => format!(
            "Resource handler returned message: \"{message}\" (Service: {code}, Status Code: {status})"
        ),
        None => format!("Resource handler returned message: \"{message}\" (Status Code: {status})"),
    }
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(text[start..end].to_string())
}

/// Whether a failure says the thing is already gone (deleting it again is then done).
fn is_not_found(status: u16) -> bool {
    status == 404
}

impl Provisioner {
    /// A provisioner calling `api` for resources in `account` and `region`.
    pub fn new(api: Arc<dyn Api>, account: &str, region: &str) -> Self {
        Self {
            api,
            account: account.to_owned(),
            region: region.to_owned(),
            settle: Duration::from_secs(60),
        }
    }

    async fn send(
        &self,
        caller: &Caller,
        service: &'static str,
        method: &'static str,
        path: String,
        operation: Option<&'static str>,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), String> {
        let request = ApiRequest {
            service,
            method,
            path,
            operation,
            body: body
                .map(|body| body.to_string().into_bytes())
                .unwrap_or_default(),
        };
        let response = self.api.call(caller, request).await?;
        Ok((response.status, response.body))
    }

    /// Calls an operation and returns its JSON answer, or the failure reason.
    async fn call(
        &self,
        caller: &Caller,
        service: &'static str,
        method: &'static str,
        path: String,
        operation: Option<&'static str>,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let (status, bytes) = self
            .send(caller, service, method, path, operation, body)
            .await?;
        if !(200..300).contains(&status) {
            return Err(failure(status, &bytes));
        }
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).or(Ok(Value::Null))
    }

    /// Like [`Self::call`] for deletions: a resource already gone counts as deleted.
    async fn remove(
        &self,
        caller: &Caller,
        service: &'static str,
        method: &'static str,
        path: String,
        operation: Option<&'static str>,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let (status, bytes) = self
            .send(caller, service, method, path, operation, body)
            .await?;
        let gone = is_not_found(status)
            || (status == 400 && String::from_utf8_lossy(&bytes).contains("ResourceNotFound"));
        if (200..300).contains(&status) || gone {
            Ok(())
        } else {
            Err(failure(status, &bytes))
        }
    }

    /// Creates a resource from its resolved properties.
    pub async fn create(&self, target: Target<'_>, props: &Value) -> Result<Made, String> {
        let mut props = props.clone();
        if props.is_null() {
            props = json!({});
        }
        coerce(&mut props);
        let caller = target.caller;
        match target.resource_type {
            "AWS::IAM::Role" => Ok(self.role(target, &props)),
            "AWS::IAM::Policy" | "AWS::CloudFormation::WaitConditionHandle" => Ok(Made {
                physical_id: generated_name(target.stack, target.logical_id, 64),
                attributes: Map::new(),
            }),
            "AWS::Logs::LogGroup" => {
                let name = text(&props, "LogGroupName")
                    .unwrap_or_else(|| generated_name(target.stack, target.logical_id, 512));
                self.call(
                    caller,
                    "logs",
                    "POST",
                    "/".into(),
                    Some("CreateLogGroup"),
                    Some(&json!({"logGroupName": name})),
                )
                .await?;
                self.retention(caller, &name, &props).await?;
                Ok(self.log_group(&name))
            }
            "AWS::DynamoDB::Table" => self.create_table(target, &props).await,
            "AWS::Lambda::Function" => self.create_function(target, &props).await,
            "AWS::Lambda::Permission" => {
                let function = required(&props, "FunctionName")?;
                let statement = generated_name(target.stack, target.logical_id, 100);
                let mut body = without(&props, &["FunctionName"]);
                body["StatementId"] = json!(statement);
                self.call(
                    caller,
                    "lambda",
                    "POST",
                    format!("/2015-03-31/functions/{}/policy", segment(&function)),
                    None,
                    Some(&body),
                )
                .await?;
                Ok(Made {
                    physical_id: statement,
                    attributes: Map::new(),
                })
            }
            "AWS::Lambda::Url" => {
                let answer = self.url(caller, "POST", &props).await?;
                Ok(Made {
                    physical_id: text(&answer, "FunctionArn").unwrap_or_default(),
                    attributes: [
                        ("FunctionArn", answer.get("FunctionArn")),
                        ("FunctionUrl", answer.get("FunctionUrl")),
                    ]
                    .into_iter()
                    .filter_map(|(key, value)| Some((key.to_string(), value?.clone())))
                    .collect(),
                })
            }
            "AWS::Lambda::Version" => {
                let function = required(&props, "FunctionName")?;
                let body = without(&props, &["FunctionName", "ProvisionedConcurrencyConfig"]);
                let answer = self
                    .call(
                        caller,
                        "lambda",
                        "POST",
                        format!("/2015-03-31/functions/{}/versions", segment(&function)),
                        None,
                        Some(&body),
                    )
                    .await?;
                let arn = text(&answer, "FunctionArn").unwrap_or_default();
                let unqualified = arn.rsplit_once(':').map_or(arn.as_str(), |(base, _)| base);
                Ok(Made {
                    physical_id: arn.clone(),
                    attributes: [
                        ("Version".to_string(), json!(text(&answer, "Version"))),
                        ("FunctionArn".to_string(), json!(unqualified)),
                    ]
                    .into_iter()
                    .collect(),
                })
            }
            "AWS::Lambda::Alias" => {
                let function = required(&props, "FunctionName")?;
                let body = without(&props, &["FunctionName", "ProvisionedConcurrencyConfig"]);
                let answer = self
                    .call(
                        caller,
                        "lambda",
                        "POST",
                        format!("/2015-03-31/functions/{}/aliases", segment(&function)),
                        None,
                        Some(&body),
                    )
                    .await?;
                Ok(Made {
                    physical_id: text(&answer, "AliasArn").unwrap_or_default(),
                    attributes: Map::new(),
                })
            }
            "AWS::ApiGatewayV2::Api" => {
                if props.get("Body").is_some() || props.get("BodyS3Location").is_some() {
                    return Err(
                        "unkai does not import OpenAPI definitions into HTTP APIs yet \
                                (Body, BodyS3Location); declare routes and integrations as \
                                resources"
                            .into(),
                    );
                }
                let answer = self
                    .call(
                        caller,
                        "apigatewayv2",
                        "POST",
                        "/v2/apis".into(),
                        None,
                        Some(&camel(&props)),
                    )
                    .await?;
                let id = text(&answer, "apiId").unwrap_or_default();
                Ok(Made {
                    attributes: [
                        ("ApiId".to_string(), json!(id)),
                        (
                            "ApiEndpoint".to_string(),
                            json!(text(&answer, "apiEndpoint")),
                        ),
                    ]
                    .into_iter()
                    .collect(),
                    physical_id: id,
                })
            }
            "AWS::ApiGateway::RestApi" => self.create_rest_api(caller, &props).await,
            "AWS::ApiGateway::Method" => self.put_method(caller, &props).await,
            "AWS::ApiGateway::Stage" => {
                let api = required(&props, "RestApiId")?;
                let name = required(&props, "StageName")?;
                let body = camel(&without(&props, &["RestApiId", "MethodSettings"]));
                self.call(
                    caller,
                    "apigateway",
                    "POST",
                    format!("/restapis/{}/stages", segment(&api)),
                    None,
                    Some(&body),
                )
                .await?;
                Ok(Made {
                    physical_id: name,
                    attributes: Map::new(),
                })
            }
            other => match COLLECTIONS.iter().find(|row| row.resource_type == other) {
                Some(row) => self.create_in_collection(caller, row, &props).await,
                None => Err(format!("Unsupported resource type {other}")),
            },
        }
    }

    /// Whether changing `old` into `new` needs a new resource (CloudFormation's "Replacement:
    /// True").
    pub fn replaces(resource_type: &str, old: &Value, new: &Value) -> bool {
        let changed = |names: &[&str]| names.iter().any(|name| old.get(*name) != new.get(*name));
        match resource_type {
            "AWS::IAM::Role" | "AWS::IAM::Policy" => changed(&["RoleName", "Path"]),
            "AWS::Logs::LogGroup" => changed(&["LogGroupName"]),
            "AWS::DynamoDB::Table" => changed(&[
                "TableName",
                "KeySchema",
                "AttributeDefinitions",
                "LocalSecondaryIndexes",
                "GlobalSecondaryIndexes",
            ]),
            "AWS::Lambda::Function" => changed(&["FunctionName", "PackageType"]),
            "AWS::Lambda::Url" => changed(&["TargetFunctionArn", "Qualifier"]),
            "AWS::Lambda::Alias" => changed(&["FunctionName", "Name"]),
            "AWS::ApiGatewayV2::Api" => changed(&["ProtocolType"]),
            "AWS::ApiGateway::RestApi" => {
                old.get("Body").is_none() || new.get("Body").is_none() || {
                    let rest = |value: &Value| without(value, &["Body"]);
                    rest(old) != rest(new)
                }
            }
            "AWS::ApiGateway::Method" => false,
            "AWS::ApiGateway::Stage" => {
                changed(&["RestApiId", "StageName"])
                    || without(old, &["DeploymentId", "Description"])
                        != without(new, &["DeploymentId", "Description"])
            }
            other => match COLLECTIONS.iter().find(|row| row.resource_type == other) {
                Some(row) if row.patch => changed(row.parents),
                _ => true,
            },
        }
    }

    /// Changes a resource in place (when [`Self::replaces`] says it can be).
    pub async fn update(
        &self,
        target: Target<'_>,
        current: &Made,
        old: &Value,
        new: &Value,
    ) -> Result<Made, String> {
        let mut new = new.clone();
        coerce(&mut new);
        let mut old = old.clone();
        coerce(&mut old);
        let caller = target.caller;
        let id = &current.physical_id;
        match target.resource_type {
            "AWS::IAM::Role" | "AWS::IAM::Policy" => Ok(current.clone()),
            "AWS::Logs::LogGroup" => {
                self.retention(caller, id, &new).await?;
                Ok(current.clone())
            }
            "AWS::DynamoDB::Table" => self.update_table(caller, id, &old, &new).await,
            "AWS::Lambda::Function" => self.update_function(caller, current, &old, &new).await,
            "AWS::Lambda::Url" => {
                self.url(caller, "PUT", &new).await?;
                Ok(current.clone())
            }
            "AWS::Lambda::Alias" => {
                let function = required(&new, "FunctionName")?;
                let name = required(&new, "Name")?;
                let body = without(
                    &new,
                    &["FunctionName", "Name", "ProvisionedConcurrencyConfig"],
                );
                self.call(
                    caller,
                    "lambda",
                    "PUT",
                    format!(
                        "/2015-03-31/functions/{}/aliases/{}",
                        segment(&function),
                        segment(&name)
                    ),
                    None,
                    Some(&body),
                )
                .await?;
                Ok(current.clone())
            }
            "AWS::ApiGatewayV2::Api" => {
                self.call(
                    caller,
                    "apigatewayv2",
                    "PATCH",
                    format!("/v2/apis/{}", segment(id)),
                    None,
                    Some(&camel(&new)),
                )
                .await?;
                Ok(current.clone())
            }
            "AWS::ApiGateway::RestApi" => {
                let body = match new.get("Body") {
                    Some(Value::String(text)) => text.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                let request = ApiRequest {
                    service: "apigateway",
                    method: "PUT",
                    path: format!("/restapis/{}?mode=overwrite", segment(id)),
                    operation: None,
                    body: body.into_bytes(),
                };
                let response = self.api.call(caller, request).await?;
                if !(200..300).contains(&response.status) {
                    return Err(failure(response.status, &response.body));
                }
                Ok(current.clone())
            }
            "AWS::ApiGateway::Method" => {
                self.delete(target, current, &old).await?;
                self.put_method(caller, &new).await
            }
            "AWS::ApiGateway::Stage" => {
                let api = required(&new, "RestApiId")?;
                let mut operations = Vec::new();
                for (name, path) in [
                    ("DeploymentId", "/deploymentId"),
                    ("Description", "/description"),
                ] {
                    if old.get(name) != new.get(name) {
                        operations.push(
                            json!({"op": "replace", "path": path, "value": text(&new, name)}),
                        );
                    }
                }
                self.call(
                    caller,
                    "apigateway",
                    "PATCH",
                    format!("/restapis/{}/stages/{}", segment(&api), segment(id)),
                    None,
                    Some(&json!({"patchOperations": operations})),
                )
                .await?;
                Ok(current.clone())
            }
            other => match COLLECTIONS.iter().find(|row| row.resource_type == other) {
                Some(row) if row.patch => {
                    let path = format!("{}/{}", fill(row.path, &new)?, segment(id));
                    let body = camel(&without(&new, row.parents));
                    self.call(caller, row.service, "PATCH", path, None, Some(&body))
                        .await?;
                    Ok(current.clone())
                }
                _ => Err(format!("{other} cannot be updated in place")),
            },
        }
    }

    /// Deletes a resource.
    pub async fn delete(
        &self,
        target: Target<'_>,
        current: &Made,
        props: &Value,
    ) -> Result<(), String> {
        let caller = target.caller;
        let id = &current.physical_id;
        match target.resource_type {
            "AWS::IAM::Role" | "AWS::IAM::Policy" | "AWS::CloudFormation::WaitConditionHandle" => {
                Ok(())
            }
            "AWS::Logs::LogGroup" => {
                self.remove(
                    caller,
                    "logs",
                    "POST",
                    "/".into(),
                    Some("DeleteLogGroup"),
                    Some(&json!({"logGroupName": id})),
                )
                .await
            }
            "AWS::DynamoDB::Table" => {
                self.remove(
                    caller,
                    "dynamodb",
                    "POST",
                    "/".into(),
                    Some("DeleteTable"),
                    Some(&json!({"TableName": id})),
                )
                .await
            }
            "AWS::Lambda::Function" => {
                self.remove(
                    caller,
                    "lambda",
                    "DELETE",
                    format!("/2015-03-31/functions/{}", segment(id)),
                    None,
                    None,
                )
                .await
            }
            "AWS::Lambda::Permission" => {
                let function = required(props, "FunctionName")?;
                self.remove(
                    caller,
                    "lambda",
                    "DELETE",
                    format!(
                        "/2015-03-31/functions/{}/policy/{}",
                        segment(&function),
                        segment(id)
                    ),
                    None,
                    None,
                )
                .await
            }
            "AWS::Lambda::Url" => {
                let path = url_path(props)?;
                self.remove(caller, "lambda", "DELETE", path, None, None)
                    .await
            }
            "AWS::Lambda::Version" | "AWS::Lambda::Alias" => {
                let (function, qualifier) = id.rsplit_once(':').unwrap_or((id, ""));
                let path = if target.resource_type == "AWS::Lambda::Version" {
                    format!(
                        "/2015-03-31/functions/{}?Qualifier={}",
                        segment(function),
                        segment(qualifier)
                    )
                } else {
                    format!(
                        "/2015-03-31/functions/{}/aliases/{}",
                        segment(function),
                        segment(qualifier)
                    )
                };
                self.remove(caller, "lambda", "DELETE", path, None, None)
                    .await
            }
            "AWS::ApiGatewayV2::Api" => {
                self.remove(
                    caller,
                    "apigatewayv2",
                    "DELETE",
                    format!("/v2/apis/{}", segment(id)),
                    None,
                    None,
                )
                .await
            }
            "AWS::ApiGateway::RestApi" => {
                self.remove(
                    caller,
                    "apigateway",
                    "DELETE",
                    format!("/restapis/{}", segment(id)),
                    None,
                    None,
                )
                .await
            }
            "AWS::ApiGateway::Method" => {
                let api = required(props, "RestApiId")?;
                let resource = required(props, "ResourceId")?;
                let method = required(props, "HttpMethod")?;
                self.remove(
                    caller,
                    "apigateway",
                    "DELETE",
                    format!(
                        "/restapis/{}/resources/{}/methods/{}",
                        segment(&api),
                        segment(&resource),
                        segment(&method)
                    ),
                    None,
                    None,
                )
                .await
            }
            "AWS::ApiGateway::Stage" => {
                let api = required(props, "RestApiId")?;
                self.remove(
                    caller,
                    "apigateway",
                    "DELETE",
                    format!("/restapis/{}/stages/{}", segment(&api), segment(id)),
                    None,
                    None,
                )
                .await
            }
            "AWS::ApiGateway::Deployment" => {
                let api = required(props, "RestApiId")?;
                // The stage a deployment made for itself goes with it, as in CloudFormation.
                if let Some(stage) = text(props, "StageName") {
                    self.remove(
                        caller,
                        "apigateway",
                        "DELETE",
                        format!("/restapis/{}/stages/{}", segment(&api), segment(&stage)),
                        None,
                        None,
                    )
                    .await?;
                }
                self.remove(
                    caller,
                    "apigateway",
                    "DELETE",
                    format!("/restapis/{}/deployments/{}", segment(&api), segment(id)),
                    None,
                    None,
                )
                .await
            }
            other => match COLLECTIONS.iter().find(|row| row.resource_type == other) {
                Some(row) => {
                    let path = format!("{}/{}", fill(row.path, props)?, segment(id));
                    let path = if other == "AWS::ApiGateway::Resource" {
                        // A resource is addressed without its parent.
                        format!(
                            "/restapis/{}/resources/{}",
                            segment(&required(props, "RestApiId")?),
                            segment(id)
                        )
                    } else {
                        path
                    };
                    self.remove(caller, row.service, "DELETE", path, None, None)
                        .await
                }
                None => Ok(()),
            },
        }
    }

    fn role(&self, target: Target<'_>, props: &Value) -> Made {
        let name = text(props, "RoleName")
            .unwrap_or_else(|| generated_name(target.stack, target.logical_id, 64));
        let path = text(props, "Path").unwrap_or_else(|| "/".into());
        let id: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .to_uppercase()
            .chars()
            .take(17)
            .collect();
        Made {
            attributes: [
                (
                    "Arn".to_string(),
                    json!(format!("arn:aws:iam::{}:role{path}{name}", self.account)),
                ),
                ("RoleId".to_string(), json!(format!("AROA{id}"))),
            ]
            .into_iter()
            .collect(),
            physical_id: name,
        }
    }

    fn log_group(&self, name: &str) -> Made {
        Made {
            physical_id: name.to_owned(),
            attributes: [(
                "Arn".to_string(),
                json!(format!(
                    "arn:aws:logs:{}:{}:log-group:{name}:*",
                    self.region, self.account
                )),
            )]
            .into_iter()
            .collect(),
        }
    }

    async fn retention(&self, caller: &Caller, name: &str, props: &Value) -> Result<(), String> {
        match props.get("RetentionInDays") {
            Some(days) => self
                .call(
                    caller,
                    "logs",
                    "POST",
                    "/".into(),
                    Some("PutRetentionPolicy"),
                    Some(&json!({"logGroupName": name, "retentionInDays": days})),
                )
                .await
                .map(drop),
            None => {
                self.remove(
                    caller,
                    "logs",
                    "POST",
                    "/".into(),
                    Some("DeleteRetentionPolicy"),
                    Some(&json!({"logGroupName": name})),
                )
                .await
            }
        }
    }

    async fn create_table(&self, target: Target<'_>, props: &Value) -> Result<Made, String> {
        let caller = target.caller;
        let name = text(props, "TableName")
            .unwrap_or_else(|| generated_name(target.stack, target.logical_id, 255));
        let mut body = without(
            props,
            &[
                "TimeToLiveSpecification",
                "PointInTimeRecoverySpecification",
                "ContributorInsightsSpecification",
                "KinesisStreamSpecification",
                "ImportSourceSpecification",
                "ResourcePolicy",
                "WarmThroughput",
            ],
        );
        body["TableName"] = json!(name);
        if let Some(stream) = body.get_mut("StreamSpecification")
            && let Some(map) = stream.as_object_mut()
        {
            map.insert("StreamEnabled".into(), Value::Bool(true));
        }
        self.call(
            caller,
            "dynamodb",
            "POST",
            "/".into(),
            Some("CreateTable"),
            Some(&body),
        )
        .await?;
        if let Some(ttl) = props.get("TimeToLiveSpecification") {
            self.call(
                caller,
                "dynamodb",
                "POST",
                "/".into(),
                Some("UpdateTimeToLive"),
                Some(&json!({"TableName": name, "TimeToLiveSpecification": ttl})),
            )
            .await?;
        }
        self.table_ready(caller, &name).await
    }

    async fn table_ready(&self, caller: &Caller, name: &str) -> Result<Made, String> {
        let started = tokio::time::Instant::now();
        loop {
            let answer = self
                .call(
                    caller,
                    "dynamodb",
                    "POST",
                    "/".into(),
                    Some("DescribeTable"),
                    Some(&json!({"TableName": name})),
                )
                .await?;
            let table = &answer["Table"];
            let indexes_ready = table["GlobalSecondaryIndexes"]
                .as_array()
                .is_none_or(|indexes| {
                    indexes
                        .iter()
                        .all(|index| index["IndexStatus"].as_str() == Some("ACTIVE"))
                });
            if table["TableStatus"].as_str() == Some("ACTIVE") && indexes_ready {
                let mut attributes = Map::new();
                attributes.insert("Arn".into(), table["TableArn"].clone());
                if let Some(stream) = table.get("LatestStreamArn") {
                    attributes.insert("StreamArn".into(), stream.clone());
                }
                return Ok(Made {
                    physical_id: name.to_owned(),
                    attributes,
                });
            }
            if started.elapsed() > self.settle {
                return Err(format!("Table {name} did not become ACTIVE"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn update_table(
        &self,
        caller: &Caller,
        name: &str,
        old: &Value,
        new: &Value,
    ) -> Result<Made, String> {
        let mut body = json!({"TableName": name});
        for member in [
            "BillingMode",
            "ProvisionedThroughput",
            "DeletionProtectionEnabled",
        ] {
            if old.get(member) != new.get(member)
                && let Some(value) = new.get(member)
            {
                body[member] = value.clone();
            }
        }
        if old.get("StreamSpecification") != new.get("StreamSpecification") {
            body["StreamSpecification"] = match new.get("StreamSpecification") {
                Some(stream) => {
                    let mut stream = stream.clone();
                    stream["StreamEnabled"] = json!(true);
                    stream
                }
                None => json!({"StreamEnabled": false}),
            };
        }
        if body.as_object().is_some_and(|map| map.len() > 1) {
            self.call(
                caller,
                "dynamodb",
                "POST",
                "/".into(),
                Some("UpdateTable"),
                Some(&body),
            )
            .await?;
        }
        if old.get("TimeToLiveSpecification") != new.get("TimeToLiveSpecification") {
            let ttl = match new.get("TimeToLiveSpecification") {
                Some(ttl) => ttl.clone(),
                None => json!({
                    "AttributeName": old["TimeToLiveSpecification"]["AttributeName"],
                    "Enabled": false
                }),
            };
            self.call(
                caller,
                "dynamodb",
                "POST",
                "/".into(),
                Some("UpdateTimeToLive"),
                Some(&json!({"TableName": name, "TimeToLiveSpecification": ttl})),
            )
            .await?;
        }
        self.table_ready(caller, name).await
    }

    /// The `Code` of CreateFunction from the template's: `ZipFile` source text becomes a zip
    /// holding `index.py` or `index.js`, as CloudFormation packages inline code.
    fn code(props: &Value) -> Result<Value, String> {
        let code = props.get("Code").cloned().unwrap_or(json!({}));
        let Some(source) = code.get("ZipFile").and_then(Value::as_str) else {
            return Ok(code);
        };
        let runtime = text(props, "Runtime").unwrap_or_default();
        let file = if runtime.starts_with("python") {
            "index.py"
        } else if runtime.starts_with("nodejs") {
            "index.js"
        } else {
            return Err(format!(
                "ZipFile can only be used when Runtime is set to either of python or nodejs \
                 runtimes, not {runtime}"
            ));
        };
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .unix_permissions(0o644);
            zip.start_file(file, options)
                .map_err(|error| error.to_string())?;
            std::io::Write::write_all(&mut zip, source.as_bytes())
                .map_err(|error| error.to_string())?;
            zip.finish().map_err(|error| error.to_string())?;
        }
        Ok(json!({
            "ZipFile": base64::engine::general_purpose::STANDARD.encode(buffer.into_inner())
        }))
    }

    /// The configuration members of a function's properties (what
    /// UpdateFunctionConfiguration takes).
    fn configuration(props: &Value) -> Value {
        without(
            props,
            &[
                "Code",
                "Tags",
                "ReservedConcurrentExecutions",
                "FunctionName",
                "PackageType",
                "Architectures",
                "CodeSigningConfigArn",
                "SnapStart",
                "RecursiveLoop",
                "RuntimeManagementConfig",
            ],
        )
    }

    async fn create_function(&self, target: Target<'_>, props: &Value) -> Result<Made, String> {
        let caller = target.caller;
        let name = text(props, "FunctionName")
            .unwrap_or_else(|| generated_name(target.stack, target.logical_id, 64));
        let mut body = without(props, &["ReservedConcurrentExecutions", "Tags"]);
        body["FunctionName"] = json!(name);
        body["Code"] = Self::code(props)?;
        if let Some(tags) = tag_map(props.get("Tags")) {
            body["Tags"] = tags;
        }
        let answer = self
            .call(
                caller,
                "lambda",
                "POST",
                "/2015-03-31/functions".into(),
                None,
                Some(&body),
            )
            .await?;
        self.concurrency(caller, &name, props.get("ReservedConcurrentExecutions"))
            .await?;
        self.function_ready(caller, &name).await?;
        Ok(Made {
            physical_id: name,
            attributes: [("Arn".to_string(), answer["FunctionArn"].clone())]
                .into_iter()
                .collect(),
        })
    }

    async fn concurrency(
        &self,
        caller: &Caller,
        name: &str,
        reserved: Option<&Value>,
    ) -> Result<(), String> {
        let path = format!("/2017-10-31/functions/{}/concurrency", segment(name));
        match reserved {
            Some(reserved) => self
                .call(
                    caller,
                    "lambda",
                    "PUT",
                    path,
                    None,
                    Some(&json!({"ReservedConcurrentExecutions": reserved})),
                )
                .await
                .map(drop),
            None => {
                self.remove(caller, "lambda", "DELETE", path, None, None)
                    .await
            }
        }
    }

    /// Waits until the function is `Active` and its last update `Successful`.
    async fn function_ready(&self, caller: &Caller, name: &str) -> Result<(), String> {
        let started = tokio::time::Instant::now();
        loop {
            let answer = self
                .call(
                    caller,
                    "lambda",
                    "GET",
                    format!("/2015-03-31/functions/{}/configuration", segment(name)),
                    None,
                    None,
                )
                .await?;
            let state = answer["State"].as_str().unwrap_or("Active");
            let update = answer["LastUpdateStatus"].as_str().unwrap_or("Successful");
            if state == "Failed" || update == "Failed" {
                let reason = answer["StateReason"]
                    .as_str()
                    .or(answer["LastUpdateStatusReason"].as_str())
                    .unwrap_or("the function failed");
                return Err(format!("Resource handler returned message: \"{reason}\""));
            }
            if state == "Active" && update == "Successful" {
                return Ok(());
            }
            if started.elapsed() > self.settle {
                return Err(format!("Function {name} did not become Active"));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn update_function(
        &self,
        caller: &Caller,
        current: &Made,
        old: &Value,
        new: &Value,
    ) -> Result<Made, String> {
        let name = &current.physical_id;
        if old.get("Code") != new.get("Code")
            || old.get("Architectures") != new.get("Architectures")
        {
            let mut body = Self::code(new)?;
            if let Some(architectures) = new.get("Architectures") {
                body["Architectures"] = architectures.clone();
            }
            self.call(
                caller,
                "lambda",
                "PUT",
                format!("/2015-03-31/functions/{}/code", segment(name)),
                None,
                Some(&body),
            )
            .await?;
            self.function_ready(caller, name).await?;
        }
        if Self::configuration(old) != Self::configuration(new) {
            let mut body = Self::configuration(new);
            // Members the new template dropped go back to their defaults.
            for (member, default) in [
                ("Environment", json!({"Variables": {}})),
                ("Description", json!("")),
                ("MemorySize", json!(128)),
                ("Timeout", json!(3)),
                ("Layers", json!([])),
            ] {
                if body.get(member).is_none() && old.get(member).is_some() {
                    body[member] = default;
                }
            }
            self.call(
                caller,
                "lambda",
                "PUT",
                format!("/2015-03-31/functions/{}/configuration", segment(name)),
                None,
                Some(&body),
            )
            .await?;
            self.function_ready(caller, name).await?;
        }
        if old.get("ReservedConcurrentExecutions") != new.get("ReservedConcurrentExecutions") {
            self.concurrency(caller, name, new.get("ReservedConcurrentExecutions"))
                .await?;
        }
        Ok(current.clone())
    }

    async fn url(
        &self,
        caller: &Caller,
        method: &'static str,
        props: &Value,
    ) -> Result<Value, String> {
        let path = url_path(props)?;
        let body = without(props, &["TargetFunctionArn", "Qualifier"]);
        self.call(caller, "lambda", method, path, None, Some(&body))
            .await
    }

    async fn create_rest_api(&self, caller: &Caller, props: &Value) -> Result<Made, String> {
        let answer = match props.get("Body") {
            Some(body) => {
                let document = match body {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                let request = ApiRequest {
                    service: "apigateway",
                    method: "POST",
                    path: "/restapis?mode=import".into(),
                    operation: None,
                    body: document.into_bytes(),
                };
                let response = self.api.call(caller, request).await?;
                if !(200..300).contains(&response.status) {
                    return Err(failure(response.status, &response.body));
                }
                let answer: Value = serde_json::from_slice(&response.body).unwrap_or_default();
                if let Some(name) = text(props, "Name")
                    && answer["name"].as_str() != Some(name.as_str())
                {
                    self.call(
                        caller,
                        "apigateway",
                        "PATCH",
                        format!("/restapis/{}", segment(answer["id"].as_str().unwrap_or_default())),
                        None,
                        Some(&json!({"patchOperations": [{"op": "replace", "path": "/name", "value": name}]})),
                    )
                    .await?;
                }
                answer
            }
            None => {
                let body = camel(&without(props, &["Parameters", "FailOnWarnings", "Mode"]));
                self.call(
                    caller,
                    "apigateway",
                    "POST",
                    "/restapis".into(),
                    None,
                    Some(&body),
                )
                .await?
            }
        };
        let id = text(&answer, "id").unwrap_or_default();
        let root = text(&answer, "rootResourceId");
        let root = match root {
            Some(root) => root,
            None => {
                let resources = self
                    .call(
                        caller,
                        "apigateway",
                        "GET",
                        format!("/restapis/{}/resources?limit=500", segment(&id)),
                        None,
                        None,
                    )
                    .await?;
                resources["item"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|item| item["path"].as_str() == Some("/"))
                    .and_then(|item| text(item, "id"))
                    .unwrap_or_default()
            }
        };
        Ok(Made {
            attributes: [
                ("RestApiId".to_string(), json!(id)),
                ("RootResourceId".to_string(), json!(root)),
            ]
            .into_iter()
            .collect(),
            physical_id: id,
        })
    }

    async fn put_method(&self, caller: &Caller, props: &Value) -> Result<Made, String> {
        let api = required(props, "RestApiId")?;
        let resource = required(props, "ResourceId")?;
        let method = required(props, "HttpMethod")?.to_uppercase();
        let base = format!(
            "/restapis/{}/resources/{}/methods/{}",
            segment(&api),
            segment(&resource),
            segment(&method)
        );
        let mut body = camel(&without(
            props,
            &[
                "RestApiId",
                "ResourceId",
                "HttpMethod",
                "Integration",
                "MethodResponses",
            ],
        ));
        if body.get("authorizationType").is_none() {
            body["authorizationType"] = json!("NONE");
        }
        self.call(caller, "apigateway", "PUT", base.clone(), None, Some(&body))
            .await?;
        for response in props["MethodResponses"].as_array().into_iter().flatten() {
            let status = required(response, "StatusCode")?;
            let body = camel(&without(response, &["StatusCode"]));
            self.call(
                caller,
                "apigateway",
                "PUT",
                format!("{base}/responses/{}", segment(&status)),
                None,
                Some(&body),
            )
            .await?;
        }
        if let Some(integration) = props.get("Integration") {
            let mut body = camel(&without(
                integration,
                &["IntegrationResponses", "IntegrationHttpMethod"],
            ));
            if let Some(method) = integration.get("IntegrationHttpMethod") {
                body["httpMethod"] = method.clone();
            }
            self.call(
                caller,
                "apigateway",
                "PUT",
                format!("{base}/integration"),
                None,
                Some(&body),
            )
            .await?;
            for response in integration["IntegrationResponses"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let status = required(response, "StatusCode")?;
                let body = camel(&without(response, &["StatusCode"]));
                self.call(
                    caller,
                    "apigateway",
                    "PUT",
                    format!("{base}/integration/responses/{}", segment(&status)),
                    None,
                    Some(&body),
                )
                .await?;
            }
        }
        Ok(Made {
            physical_id: format!("{api}-{resource}-{method}"),
            attributes: Map::new(),
        })
    }

    async fn create_in_collection(
        &self,
        caller: &Caller,
        row: &Collection,
        props: &Value,
    ) -> Result<Made, String> {
        let path = fill(row.path, props)?;
        let mut body = camel(&without(props, row.parents));
        if row.resource_type == "AWS::ApiGateway::UsagePlan"
            && let Some(name) = props.get("UsagePlanName")
        {
            body["name"] = name.clone();
            if let Some(map) = body.as_object_mut() {
                map.remove("usagePlanName");
            }
        }
        let answer = self
            .call(caller, row.service, "POST", path, None, Some(&body))
            .await?;
        let physical_id = match (row.id_member, row.id_property) {
            (Some(member), _) => text(&answer, member).unwrap_or_default(),
            (None, Some(property)) => required(props, property)?,
            (None, None) => String::new(),
        };
        Ok(Made {
            physical_id,
            attributes: row
                .attributes
                .iter()
                .filter_map(|(attribute, member)| {
                    Some((attribute.to_string(), answer.get(*member)?.clone()))
                })
                .collect(),
        })
    }
}

fn url_path(props: &Value) -> Result<String, String> {
    let function = required(props, "TargetFunctionArn")?;
    let mut path = format!("/2021-10-31/functions/{}/url", segment(&function));
    if let Some(qualifier) = text(props, "Qualifier") {
        path.push_str("?Qualifier=");
        path.push_str(&segment(&qualifier));
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_names_become_api_gateway_members_except_user_names() {
        let props = json!({
            "Name": "api",
            "CorsConfiguration": {"AllowOrigins": ["*"], "MaxAge": 10},
            "Tags": {"Owner": "me"},
            "RouteSettings": {"GET /": {"ThrottlingBurstLimit": 5}},
        });
        assert_eq!(
            camel(&props),
            json!({
                "name": "api",
                "corsConfiguration": {"allowOrigins": ["*"], "maxAge": 10},
                "tags": {"Owner": "me"},
                "routeSettings": {"GET /": {"throttlingBurstLimit": 5}},
            })
        );
    }

    #[test]
    fn strings_become_numbers_and_booleans_where_apis_want_them() {
        let mut props = json!({"MemorySize": "256", "Timeout": 3, "AutoDeploy": "true",
                               "Handler": "10"});
        coerce(&mut props);
        assert_eq!(
            props,
            json!({"MemorySize": 256, "Timeout": 3, "AutoDeploy": true, "Handler": "10"})
        );
    }

    #[test]
    fn generated_names_fit_their_limit() {
        let name = generated_name(&"s".repeat(100), &"L".repeat(100), 64);
        assert_eq!(name.len(), 64);
        let short = generated_name("app", "Items", 255);
        assert!(short.starts_with("app-Items-"), "{short}");
        assert_eq!(short.len(), "app-Items-".len() + 13);
    }

    #[test]
    fn inline_code_is_zipped_as_index_file() {
        let code = Provisioner::code(&json!({"Runtime": "python3.12",
                                             "Code": {"ZipFile": "def handler(e, c): return 1"}}))
        .expect("zipped");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(code["ZipFile"].as_str().expect("base64"))
            .expect("decodes");
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        assert_eq!(archive.by_index(0).expect("one file").name(), "index.py");
        let rejected = Provisioner::code(&json!({"Runtime": "provided.al2023",
                                                 "Code": {"ZipFile": "x"}}));
        assert!(rejected.is_err());
    }

    #[test]
    fn service_errors_become_handler_messages() {
        let reason = failure(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException","message":"Table already exists: t"}"#,
        );
        assert_eq!(
            reason,
            "Resource handler returned message: \"Table already exists: t\" (Service: \
             ResourceInUseException, Status Code: 400)"
        );
    }
}
