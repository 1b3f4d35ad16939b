//! OpenAPI import (`ImportRestApi`, `PutRestApi`)
//! (<https://docs.aws.amazon.com/apigateway/latest/developerguide/import-edge-optimized-api.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions.html>):
//! an OpenAPI 3 or Swagger 2 definition in JSON or YAML. `paths` become resources and methods
//! (`x-amazon-apigateway-any-method` is `ANY`), `x-amazon-apigateway-integration` the
//! methods' integrations (with their `responses` as integration responses), the operations'
//! `responses` method responses, and `parameters` request parameters. Security schemes with
//! `x-amazon-apigateway-authorizer` become authorizers (`token`, `request`,
//! `cognito_user_pools`), `apiKey` schemes make methods require an API key, and
//! `x-amazon-apigateway-authtype: awsSigv4` makes them `AWS_IAM`. Also read:
//! `x-amazon-apigateway-binary-media-types`, `x-amazon-apigateway-api-key-source`.
//! Deviations: models, request validators, gateway responses and documentation are not
//! imported.

use serde_json::{Map, Value as Json};
use unkai_store::Tx;

use crate::api::IntegrationInput;
use crate::error::Error;
use crate::ops::create_resource::add_child;
use crate::ops::put_integration::new_integration;
use crate::ops::random_id;
use crate::store::{
    self, Authorizer, IntegrationResponse, Method, MethodResponse, Resource, RestApi,
};

/// A parsed definition.
#[derive(Debug)]
pub(crate) struct Definition {
    document: Json,
}

/// How operations are keyed in a path item, and the method each is.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

fn invalid(reason: &str) -> Error {
    Error::bad_request(format!("Invalid OpenAPI input: {reason}"))
}

impl Definition {
    /// Parses a JSON or YAML definition (YAML as CloudFormation templates are read: keys such
    /// as an unquoted `200` become strings).
    pub(crate) fn parse(body: &[u8]) -> Result<Self, Error> {
        let document: Json = serde_json::from_slice(body)
            .ok()
            .or_else(|| unkai_template::parse(std::str::from_utf8(body).ok()?).ok())
            .ok_or_else(|| {
                invalid("the definition must be OpenAPI 3 or Swagger 2, in JSON or YAML")
            })?;
        if !document.is_object() {
            return Err(invalid("the definition is not an object"));
        }
        if document.get("openapi").is_none() && document.get("swagger").is_none() {
            return Err(invalid("the definition names neither openapi nor swagger"));
        }
        Ok(Self { document })
    }

    /// `info.title`.
    pub(crate) fn title(&self) -> Option<String> {
        self.document["info"]["title"]
            .as_str()
            .filter(|title| !title.is_empty())
            .map(str::to_owned)
    }

    fn schemes(&self) -> Map<String, Json> {
        self.document["components"]["securitySchemes"]
            .as_object()
            .or_else(|| self.document["securityDefinitions"].as_object())
            .cloned()
            .unwrap_or_default()
    }
}

/// What a security scheme does to a method.
#[derive(Clone, Debug)]
enum Scheme {
    Authorizer { id: String, kind: String },
    Iam,
    ApiKey,
}

fn string_pairs(value: &Json) -> Vec<(String, String)> {
    value
        .as_object()
        .map(|map| {
            map.iter()
                .map(|(key, value)| {
                    let text = match value {
                        Json::String(text) => text.clone(),
                        other => other.to_string(),
                    };
                    (key.clone(), text)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The authorizers the definition's security schemes declare, stored (replacing those of the
/// same name), and what each scheme means for a method.
fn import_schemes(
    tx: &mut Tx,
    api: &str,
    definition: &Definition,
) -> Result<Vec<(String, Scheme)>, Error> {
    let existing: Vec<Authorizer> = store::list(tx, &[store::AUTHORIZER, api])?;
    let mut schemes = Vec::new();
    for (name, scheme) in definition.schemes() {
        if let Some(config) = scheme.get("x-amazon-apigateway-authorizer") {
            let kind = config["type"]
                .as_str()
                .unwrap_or("token")
                .to_ascii_uppercase();
            let header = scheme["name"].as_str().unwrap_or("Authorization");
            let identity_source = config["identitySource"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| (kind == "TOKEN").then(|| format!("method.request.header.{header}")));
            let id = existing
                .iter()
                .find(|authorizer| authorizer.name == name)
                .map_or_else(|| random_id(10), |authorizer| authorizer.id.clone());
            let authorizer = Authorizer {
                id: id.clone(),
                name: name.clone(),
                authorizer_type: kind.clone(),
                provider_arns: config["providerARNs"]
                    .as_array()
                    .map(|arns| {
                        arns.iter()
                            .filter_map(|a| a.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default(),
                auth_type: scheme["x-amazon-apigateway-authtype"]
                    .as_str()
                    .map(str::to_owned),
                uri: config["authorizerUri"].as_str().map(str::to_owned),
                credentials: config["authorizerCredentials"].as_str().map(str::to_owned),
                identity_source,
                identity_validation_expression: config["identityValidationExpression"]
                    .as_str()
                    .map(str::to_owned),
                result_ttl: config["authorizerResultTtlInSeconds"]
                    .as_u64()
                    .map_or(300, |ttl| ttl.min(3600) as u32),
            };
            crate::ops::create_authorizer::check_authorizer(&authorizer).map_err(|error| {
                Error::bad_request(format!(
                    "Errors found during import:\n\tUnable to create authorizer '{name}': {error}"
                ))
            })?;
            store::put(tx, &[store::AUTHORIZER, api, &id], &authorizer);
            schemes.push((name, Scheme::Authorizer { id, kind }));
        } else if scheme["x-amazon-apigateway-authtype"].as_str() == Some("awsSigv4") {
            schemes.push((name, Scheme::Iam));
        } else if scheme["type"].as_str() == Some("apiKey") {
            schemes.push((name, Scheme::ApiKey));
        }
    }
    Ok(schemes)
}

/// The resource at `path`, made (with its parents) when missing.
fn ensure_path(
    tx: &mut Tx,
    api: &str,
    resources: &mut Vec<Resource>,
    path: &str,
) -> Result<usize, Error> {
    let mut current = resources
        .iter()
        .position(|resource| resource.parent_id.is_none())
        .ok_or_else(|| invalid("the API has no root resource"))?;
    for part in path.split('/').filter(|part| !part.is_empty()) {
        let parent_id = resources[current].id.clone();
        current = match resources
            .iter()
            .position(|r| r.parent_id.as_deref() == Some(&parent_id) && r.path_part == part)
        {
            Some(index) => index,
            None => {
                let parent = resources[current].clone();
                let child = add_child(tx, api, &parent, part).map_err(|error| {
                    Error::bad_request(format!(
                        "Errors found during import:\n\tUnable to create resource at path \
                         '{path}': {error}"
                    ))
                })?;
                resources.push(child);
                resources.len() - 1
            }
        };
    }
    Ok(current)
}

/// A method from an operation object.
fn import_method(
    http_method: &str,
    resource: &Resource,
    operation: &Json,
    global_security: &Json,
    schemes: &[(String, Scheme)],
) -> Result<Method, Error> {
    let mut method = Method {
        http_method: http_method.to_owned(),
        authorization_type: "NONE".into(),
        authorizer_id: None,
        api_key_required: false,
        operation_name: operation["operationId"].as_str().map(str::to_owned),
        request_parameters: Vec::new(),
        request_models: Vec::new(),
        request_validator_id: None,
        authorization_scopes: Vec::new(),
        responses: Vec::new(),
        integration: None,
    };
    let security = operation.get("security").unwrap_or(global_security);
    for requirement in security.as_array().into_iter().flatten() {
        for (name, scopes) in requirement.as_object().into_iter().flatten() {
            match schemes
                .iter()
                .find(|(scheme, _)| scheme == name)
                .map(|(_, s)| s)
            {
                Some(Scheme::Authorizer { id, kind }) => {
                    method.authorization_type = if kind == "COGNITO_USER_POOLS" {
                        "COGNITO_USER_POOLS".into()
                    } else {
                        "CUSTOM".into()
                    };
                    method.authorizer_id = Some(id.clone());
                    method.authorization_scopes = scopes
                        .as_array()
                        .map(|s| {
                            s.iter()
                                .filter_map(|s| s.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default();
                }
                Some(Scheme::Iam) => method.authorization_type = "AWS_IAM".into(),
                Some(Scheme::ApiKey) => method.api_key_required = true,
                None => {}
            }
        }
    }
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let location = match parameter["in"].as_str() {
            Some("path") => "path",
            Some("query") => "querystring",
            Some("header") => "header",
            _ => continue,
        };
        if let Some(name) = parameter["name"].as_str() {
            let required = parameter["required"]
                .as_bool()
                .unwrap_or(location == "path");
            method
                .request_parameters
                .push((format!("method.request.{location}.{name}"), required));
        }
    }
    for (code, _) in operation["responses"].as_object().into_iter().flatten() {
        if code.len() == 3 && code.parse::<u16>().is_ok() {
            method.responses.push(MethodResponse {
                status_code: code.clone(),
                response_parameters: Vec::new(),
                response_models: Vec::new(),
            });
        }
    }
    if let Some(config) = operation.get("x-amazon-apigateway-integration") {
        let input = IntegrationInput {
            integration_type: config["type"].as_str().map(str::to_ascii_uppercase),
            integration_http_method: config["httpMethod"].as_str().map(str::to_ascii_uppercase),
            uri: config["uri"].as_str().map(str::to_owned),
            connection_type: config["connectionType"].as_str().map(str::to_owned),
            connection_id: config["connectionId"].as_str().map(str::to_owned),
            credentials: config["credentials"].as_str().map(str::to_owned),
            request_parameters: Some(
                string_pairs(&config["requestParameters"])
                    .into_iter()
                    .collect(),
            ),
            request_templates: Some(
                string_pairs(&config["requestTemplates"])
                    .into_iter()
                    .collect(),
            ),
            passthrough_behavior: config["passthroughBehavior"]
                .as_str()
                .map(str::to_ascii_uppercase),
            cache_namespace: config["cacheNamespace"].as_str().map(str::to_owned),
            cache_key_parameters: None,
            content_handling: config["contentHandling"].as_str().map(str::to_owned),
            timeout_in_millis: config["timeoutInMillis"].as_i64(),
        };
        let mut integration = new_integration(&resource.id, input).map_err(|error| {
            Error::bad_request(format!(
                "Errors found during import:\n\tUnable to put integration on '{http_method}' \
                 for resource at path '{}': {error}",
                resource.path
            ))
        })?;
        for (pattern, response) in config["responses"].as_object().into_iter().flatten() {
            let status = match &response["statusCode"] {
                Json::String(text) => text.clone(),
                Json::Number(number) => number.to_string(),
                _ => "200".into(),
            };
            integration.responses.push(IntegrationResponse {
                status_code: status,
                selection_pattern: (pattern != "default").then(|| pattern.clone()),
                response_parameters: string_pairs(&response["responseParameters"]),
                response_templates: string_pairs(&response["responseTemplates"]),
                content_handling: response["contentHandling"].as_str().map(str::to_owned),
            });
        }
        integration
            .responses
            .sort_by(|a, b| a.status_code.cmp(&b.status_code));
        method.integration = Some(integration);
    }
    Ok(method)
}

/// Applies `definition` to `api`: with `overwrite`, its resources (but `/`) and authorizers
/// are replaced; otherwise the definition's methods are added, replacing those it names.
pub(crate) fn apply(
    tx: &mut Tx,
    api: &mut RestApi,
    definition: &Definition,
    overwrite: bool,
) -> Result<(), Error> {
    let document = &definition.document;
    let id = api.id.clone();
    if let Some(title) = definition.title() {
        api.name = title;
    }
    if let Some(description) = document["info"]["description"].as_str() {
        api.description = Some(description.to_owned());
    }
    if let Some(version) = document["info"]["version"].as_str() {
        api.version = Some(version.to_owned());
    }
    if let Some(types) = document["x-amazon-apigateway-binary-media-types"].as_array() {
        api.binary_media_types = types
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect();
    }
    if let Some(source) = document["x-amazon-apigateway-api-key-source"].as_str() {
        api.api_key_source = source.to_ascii_uppercase();
    }
    api.warnings = Vec::new();
    let mut resources: Vec<Resource> = store::list(tx, &[store::RESOURCE, &id])?;
    if overwrite {
        for resource in &resources {
            if resource.parent_id.is_some() {
                store::delete(tx, &[store::RESOURCE, &id, &resource.id]);
            }
        }
        resources.retain(|resource| resource.parent_id.is_none());
        if let Some(root) = resources.first_mut() {
            root.methods.clear();
            store::put(tx, &[store::RESOURCE, &id, &root.id.clone()], root);
        }
        tx.clear_range(store::range(&[store::AUTHORIZER, &id]));
    }
    let schemes = import_schemes(tx, &id, definition)?;
    let global_security = document.get("security").cloned().unwrap_or(Json::Null);
    let Some(paths) = document["paths"].as_object() else {
        return Ok(());
    };
    for (path, item) in paths {
        if !path.starts_with('/') {
            return Err(invalid(&format!("path {path} does not start with /")));
        }
        let index = ensure_path(tx, &id, &mut resources, path)?;
        for (key, http_method) in OPERATIONS {
            let Some(operation) = item.get(*key) else {
                continue;
            };
            let method = import_method(
                http_method,
                &resources[index],
                operation,
                &global_security,
                &schemes,
            )?;
            if method.integration.is_none() {
                api.warnings.push(format!(
                    "No integration defined for method {http_method} {path}"
                ));
            }
            let resource = &mut resources[index];
            resource.methods.retain(|m| m.http_method != *http_method);
            resource.methods.push(method);
            resource
                .methods
                .sort_by(|a, b| a.http_method.cmp(&b.http_method));
        }
        let resource = &resources[index];
        store::put(tx, &[store::RESOURCE, &id, &resource.id], resource);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_are_json_or_yaml() {
        let yaml = b"openapi: 3.0.1\ninfo:\n  title: pets\n  version: '1'\npaths:\n  /ping:\n    get:\n      responses:\n        200:\n          description: ok\n";
        let definition = Definition::parse(yaml).unwrap();
        assert_eq!(definition.title().as_deref(), Some("pets"));
        assert_eq!(
            definition.document["paths"]["/ping"]["get"]["responses"]["200"]["description"],
            "ok"
        );
        let json = br#"{"swagger": "2.0", "info": {"title": "t"}, "paths": {}}"#;
        assert_eq!(
            Definition::parse(json).unwrap().title().as_deref(),
            Some("t")
        );
        for bad in [
            &b"not a definition"[..],
            b"- a list",
            b"\xff\xfe",
            b"title: no version key",
        ] {
            let error = Definition::parse(bad).unwrap_err();
            assert!(
                error.to_string().contains("Invalid OpenAPI input"),
                "{error}"
            );
        }
    }
}
