//! API Gateway v2's operations, one module per operation, and what they share: ids, the API
//! an operation addresses, validation of routes and integrations, deployments, pages.

mod create_api;
mod create_authorizer;
mod create_deployment;
mod create_integration;
mod create_route;
mod create_stage;
mod delete_access_log_settings;
mod delete_api;
mod delete_authorizer;
mod delete_cors_configuration;
mod delete_deployment;
mod delete_integration;
mod delete_route;
mod delete_route_settings;
mod delete_stage;
mod get_api;
mod get_apis;
mod get_authorizer;
mod get_authorizers;
mod get_deployment;
mod get_deployments;
mod get_integration;
mod get_integrations;
mod get_route;
mod get_routes;
mod get_stage;
mod get_stages;
mod get_tags;
mod reset_authorizers_cache;
mod tag_resource;
mod untag_resource;
mod update_api;
mod update_authorizer;
mod update_deployment;
mod update_integration;
mod update_route;
mod update_stage;

use std::collections::BTreeMap;

use rand::Rng as _;
use unkai_store::Tx;

use crate::api::{AuthorizerInput, IntegrationInput, RouteInput};
use crate::error::Error;
use crate::routing::{self, RouteKey};
use crate::store::{self, Api, Authorizer, Deployment, Integration, Jwt, Kind, Route, Stage};
use crate::{ApiGatewayV2, Call};

/// A fresh id of `len` lowercase letters and digits.
pub(crate) fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Tags as stored: sorted by key.
pub(crate) fn tag_pairs(tags: Option<BTreeMap<String, String>>) -> Vec<(String, String)> {
    tags.unwrap_or_default().into_iter().collect()
}

/// The function a Lambda integration URI names: a function ARN, or the
/// `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function-arn>/invocations` form.
pub(crate) fn function_of(uri: &str) -> Option<&str> {
    if uri.starts_with("arn:aws:lambda:") {
        return Some(uri);
    }
    let rest = uri.strip_prefix("arn:aws:apigateway:")?;
    let (_, path) = rest.split_once(":lambda:path/2015-03-31/functions/")?;
    let function = path.strip_suffix("/invocations")?;
    function.starts_with("arn:aws:lambda:").then_some(function)
}

impl ApiGatewayV2 {
    /// The API `id`, or `NotFoundException`.
    pub(crate) fn load_api(&self, tx: &mut Tx, id: &str) -> Result<Api, Error> {
        store::get_api(tx, id)?.ok_or_else(|| Error::api_not_found(&self.inner.options.account, id))
    }

    /// A record of `kind` under `api`, or `NotFoundException` naming it as AWS does.
    pub(crate) fn load<R: unkai_store::record::Record>(
        &self,
        tx: &mut Tx,
        kind: Kind,
        api: &str,
        id: &str,
    ) -> Result<R, Error> {
        self.load_api(tx, api)?;
        store::get(tx, kind, api, id)?.ok_or_else(|| match kind {
            Kind::Route => Error::invalid_identifier("Route", id),
            Kind::Integration => Error::invalid_identifier("Integration", id),
            Kind::Deployment => Error::invalid_identifier("Deployment", id),
            Kind::Authorizer => Error::invalid_identifier("Authorizer", id),
            Kind::Stage => Error::stage_not_found(),
        })
    }
}

/// The page of `items` (in id order) a call asks for with `maxResults` and `nextToken`, and the
/// token of the next page.
pub(crate) fn page<T>(
    items: Vec<T>,
    id: impl Fn(&T) -> &str,
    call: &Call<'_>,
) -> Result<(Vec<T>, Option<String>), Error> {
    let limit = match call.query("maxResults") {
        Some(text) => match text.parse::<usize>() {
            Ok(limit) if limit > 0 => limit,
            _ => {
                return Err(Error::bad_request(format!(
                    "Invalid value specified for maxResults: {text}"
                )));
            }
        },
        None => usize::MAX,
    };
    let after = call.query("nextToken").unwrap_or_default().to_owned();
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|item| after.is_empty() || id(item) > after.as_str())
        .collect();
    let next = if rest.len() > limit {
        rest.truncate(limit);
        rest.last().map(|item| id(item).to_owned())
    } else {
        None
    };
    Ok((rest, next))
}

/// A snapshot of the API's routes, integrations and authorizers, stored as a new deployment.
pub(crate) fn deploy(
    tx: &mut Tx,
    api: &str,
    description: Option<String>,
    auto_deployed: bool,
    now_ms: u64,
) -> Result<Deployment, Error> {
    let deployment = Deployment {
        id: random_id(6),
        description,
        auto_deployed,
        created_ms: now_ms,
        routes: store::list(tx, Kind::Route, api)?,
        integrations: store::list(tx, Kind::Integration, api)?,
        authorizers: store::list(tx, Kind::Authorizer, api)?,
    };
    store::put(tx, Kind::Deployment, api, &deployment.id, &deployment);
    Ok(deployment)
}

/// Points `stage` at a fresh automatic deployment.
pub(crate) fn auto_deploy(
    tx: &mut Tx,
    api: &str,
    stage: &mut Stage,
    now_ms: u64,
) -> Result<(), Error> {
    let deployment = deploy(tx, api, None, true, now_ms)?;
    stage.last_deployment_status_message = Some(format!(
        "Successfully deployed stage with deployment ID '{}'",
        deployment.id
    ));
    stage.deployment_id = Some(deployment.id);
    stage.updated_ms = now_ms;
    Ok(())
}

/// After a change of routes, integrations or authorizers: deploys once to every stage with
/// `AutoDeploy`.
pub(crate) fn redeploy(tx: &mut Tx, api: &str, now_ms: u64) -> Result<(), Error> {
    let stages: Vec<Stage> = store::list(tx, Kind::Stage, api)?;
    let mut automatic = stages.into_iter().filter(|stage| stage.auto_deploy);
    let Some(mut first) = automatic.next() else {
        return Ok(());
    };
    auto_deploy(tx, api, &mut first, now_ms)?;
    store::put(tx, Kind::Stage, api, &first.name.clone(), &first);
    for mut stage in automatic {
        stage.deployment_id = first.deployment_id.clone();
        stage.last_deployment_status_message = first.last_deployment_status_message.clone();
        stage.updated_ms = now_ms;
        store::put(tx, Kind::Stage, api, &stage.name.clone(), &stage);
    }
    Ok(())
}

/// Checks a route's key against the API's other routes (`except` is the route being updated).
pub(crate) fn check_route_key(
    tx: &mut Tx,
    api: &Api,
    key: &str,
    except: Option<&str>,
) -> Result<(), Error> {
    if key.is_empty() {
        return Err(Error::bad_request("Route key is required"));
    }
    let parsed = if api.protocol_type == store::HTTP {
        Some(RouteKey::parse(key)?)
    } else {
        None
    };
    let routes: Vec<Route> = store::list(tx, Kind::Route, &api.id)?;
    for other in routes
        .iter()
        .filter(|other| Some(other.id.as_str()) != except)
    {
        if other.key == key {
            return Err(Error::ConflictException(format!(
                "Route with key {key} already exists for this API"
            )));
        }
        if let (Some(parsed), Ok(existing)) = (&parsed, RouteKey::parse(&other.key))
            && routing::conflicts(parsed, &existing)
        {
            return Err(Error::ConflictException(format!(
                "The provided route key \"{key}\" has a conflicting variable on the same \
                 hierarchical level as \"{}\"",
                other.key
            )));
        }
    }
    Ok(())
}

/// Applies a `CreateRoute`/`UpdateRoute` input to `route`, checking its target and
/// authorization.
pub(crate) fn apply_route(
    tx: &mut Tx,
    api: &Api,
    route: &mut Route,
    input: RouteInput,
) -> Result<(), Error> {
    if let Some(key) = input.route_key {
        route.key = key;
    }
    if let Some(target) = input.target {
        let Some(integration) = target.strip_prefix("integrations/") else {
            return Err(Error::bad_request(format!(
                "Invalid target specified: {target}. A target must be of the form \
                 integrations/<integration-id>"
            )));
        };
        if store::get::<Integration>(tx, Kind::Integration, &api.id, integration)?.is_none() {
            return Err(Error::invalid_identifier("Integration", integration));
        }
        route.target = Some(target);
    }
    if let Some(kind) = input.authorization_type {
        if !["NONE", "AWS_IAM", "CUSTOM", "JWT"].contains(&kind.as_str()) {
            return Err(Error::bad_request(format!(
                "Invalid authorization type specified: {kind}. Must be one of [NONE, AWS_IAM, \
                 CUSTOM, JWT]"
            )));
        }
        route.authorization_type = kind;
    }
    if let Some(id) = input.authorizer_id {
        route.authorizer_id = Some(id);
    }
    if matches!(route.authorization_type.as_str(), "NONE" | "AWS_IAM") {
        route.authorizer_id = None;
    } else {
        let Some(id) = &route.authorizer_id else {
            return Err(Error::bad_request(format!(
                "An authorizerId is required for authorization type {}",
                route.authorization_type
            )));
        };
        if store::get::<Authorizer>(tx, Kind::Authorizer, &api.id, id)?.is_none() {
            return Err(Error::invalid_identifier("Authorizer", id));
        }
    }
    if let Some(scopes) = input.authorization_scopes {
        route.authorization_scopes = scopes;
    }
    if let Some(required) = input.api_key_required {
        route.api_key_required = required;
    }
    if let Some(name) = input.operation_name {
        route.operation_name = Some(name);
    }
    if let Some(parameters) = input.request_parameters {
        route.request_parameters = parameters
            .into_iter()
            .map(|(name, constraints)| (name, constraints.required))
            .collect();
    }
    if let Some(models) = input.request_models {
        route.request_models = models.into_iter().collect();
    }
    if let Some(expression) = input.model_selection_expression {
        route.model_selection_expression = Some(expression);
    }
    if let Some(expression) = input.route_response_selection_expression {
        route.route_response_selection_expression = Some(expression);
    }
    Ok(())
}

/// The integration types HTTP APIs take.
const HTTP_INTEGRATION_TYPES: &[&str] = &["AWS_PROXY", "HTTP_PROXY"];
/// Every integration type.
const INTEGRATION_TYPES: &[&str] = &["AWS", "HTTP", "MOCK", "HTTP_PROXY", "AWS_PROXY"];

/// A new integration's defaults, before its input is applied.
pub(crate) fn new_integration(id: String) -> Integration {
    Integration {
        id,
        integration_type: String::new(),
        uri: None,
        method: None,
        payload_format_version: String::new(),
        timeout_ms: 0,
        description: None,
        connection_type: "INTERNET".into(),
        connection_id: None,
        credentials_arn: None,
        subtype: None,
        request_parameters: Vec::new(),
        request_templates: Vec::new(),
        response_parameters: Vec::new(),
        template_selection_expression: None,
        passthrough_behavior: None,
        content_handling_strategy: None,
        server_name_to_verify: None,
        managed: false,
    }
}

/// Applies a `CreateIntegration`/`UpdateIntegration` input to `integration` and checks the
/// result as API Gateway does for the API's protocol.
pub(crate) fn apply_integration(
    api: &Api,
    integration: &mut Integration,
    input: IntegrationInput,
) -> Result<(), Error> {
    let http = api.protocol_type == store::HTTP;
    if let Some(kind) = input.integration_type {
        let allowed = if http {
            HTTP_INTEGRATION_TYPES
        } else {
            INTEGRATION_TYPES
        };
        if !allowed.contains(&kind.as_str()) {
            return Err(Error::bad_request(format!(
                "Integration type {kind} is not supported for {} APIs. Supported types: [{}]",
                api.protocol_type,
                allowed.join(", ")
            )));
        }
        integration.integration_type = kind;
    }
    if let Some(uri) = input.integration_uri {
        integration.uri = Some(uri);
    }
    if let Some(method) = input.integration_method {
        integration.method = Some(method);
    }
    if let Some(version) = input.payload_format_version {
        integration.payload_format_version = version;
    }
    if let Some(timeout) = input.timeout_in_millis {
        let max = if http { 30_000 } else { 29_000 };
        if !(50..=max).contains(&timeout) {
            return Err(Error::bad_request(format!(
                "Timeout must be between 50 ms and {max} ms"
            )));
        }
        integration.timeout_ms = timeout as u32;
    }
    if let Some(description) = input.description {
        integration.description = Some(description);
    }
    if let Some(kind) = input.connection_type {
        if kind != "INTERNET" && kind != "VPC_LINK" {
            return Err(Error::bad_request(format!(
                "Invalid connection type specified: {kind}. Must be one of [INTERNET, VPC_LINK]"
            )));
        }
        integration.connection_type = kind;
    }
    if let Some(id) = input.connection_id {
        integration.connection_id = Some(id);
    }
    if let Some(arn) = input.credentials_arn {
        integration.credentials_arn = Some(arn);
    }
    if let Some(subtype) = input.integration_subtype {
        integration.subtype = Some(subtype);
    }
    if let Some(parameters) = input.request_parameters {
        integration.request_parameters = parameters.into_iter().collect();
    }
    if let Some(templates) = input.request_templates {
        integration.request_templates = templates.into_iter().collect();
    }
    if let Some(parameters) = input.response_parameters {
        integration.response_parameters = parameters
            .into_iter()
            .map(|(status, mappings)| (status, mappings.into_iter().collect()))
            .collect();
    }
    if let Some(expression) = input.template_selection_expression {
        integration.template_selection_expression = Some(expression);
    }
    if let Some(behavior) = input.passthrough_behavior {
        integration.passthrough_behavior = Some(behavior);
    }
    if let Some(strategy) = input.content_handling_strategy {
        integration.content_handling_strategy = Some(strategy);
    }
    if let Some(tls) = input.tls_config {
        integration.server_name_to_verify = tls.server_name_to_verify;
    }
    check_integration(http, integration)
}

/// API Gateway's rules for an integration of an HTTP (`http`) or WebSocket API; fills in the
/// defaults.
fn check_integration(http: bool, integration: &mut Integration) -> Result<(), Error> {
    if integration.timeout_ms == 0 {
        integration.timeout_ms = if http { 30_000 } else { 29_000 };
    }
    let kind = integration.integration_type.clone();
    if integration.payload_format_version.is_empty() {
        integration.payload_format_version = if http && kind == "AWS_PROXY" {
            "2.0".into()
        } else {
            "1.0".into()
        };
    }
    let version = integration.payload_format_version.as_str();
    if version != "1.0" && version != "2.0" {
        return Err(Error::bad_request(format!(
            "Invalid payload format version specified: {version}. Supported values are 1.0 and \
             2.0"
        )));
    }
    if !http {
        return Ok(());
    }
    match kind.as_str() {
        "AWS_PROXY" if integration.subtype.is_none() => {
            let Some(uri) = &integration.uri else {
                return Err(Error::bad_request(
                    "IntegrationUri is required for AWS_PROXY integrations",
                ));
            };
            if function_of(uri).is_none() && !uri.contains("${stageVariables.") {
                return Err(Error::bad_request(format!(
                    "Invalid integration URI specified: {uri}. A Lambda integration URI must be \
                     a function ARN or arn:aws:apigateway:<region>:lambda:path/2015-03-31/\
                     functions/<function-arn>/invocations"
                )));
            }
            if integration.method.is_none() {
                integration.method = Some("POST".into());
            }
        }
        "HTTP_PROXY" => {
            let Some(uri) = &integration.uri else {
                return Err(Error::bad_request(
                    "IntegrationUri is required for HTTP_PROXY integrations",
                ));
            };
            if integration.connection_type == "INTERNET"
                && !uri.starts_with("http://")
                && !uri.starts_with("https://")
            {
                return Err(Error::bad_request(format!(
                    "Invalid HTTP endpoint specified for URI: {uri}"
                )));
            }
            if integration.method.is_none() {
                return Err(Error::bad_request(
                    "IntegrationMethod is required for HTTP_PROXY integrations",
                ));
            }
            if integration.payload_format_version != "1.0" {
                return Err(Error::bad_request(
                    "Payload format version 1.0 is the only supported value for HTTP_PROXY \
                     integrations",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Applies a `CreateAuthorizer`/`UpdateAuthorizer` input to `authorizer` and checks it.
pub(crate) fn apply_authorizer(
    api: &Api,
    authorizer: &mut Authorizer,
    input: AuthorizerInput,
) -> Result<(), Error> {
    if let Some(name) = input.name {
        authorizer.name = name;
    }
    if let Some(kind) = input.authorizer_type {
        if kind != "JWT" && kind != "REQUEST" {
            return Err(Error::bad_request(format!(
                "Invalid authorizer type specified: {kind}. Must be one of [REQUEST, JWT]"
            )));
        }
        authorizer.authorizer_type = kind;
    }
    if let Some(sources) = input.identity_source {
        authorizer.identity_source = sources;
    }
    if let Some(jwt) = input.jwt_configuration {
        let current = authorizer.jwt.get_or_insert_with(Jwt::default);
        if let Some(audience) = jwt.audience {
            current.audience = Some(audience);
        }
        if let Some(issuer) = jwt.issuer {
            current.issuer = Some(issuer);
        }
    }
    if let Some(uri) = input.authorizer_uri {
        authorizer.uri = Some(uri);
    }
    if let Some(arn) = input.authorizer_credentials_arn {
        authorizer.credentials_arn = Some(arn);
    }
    if let Some(version) = input.authorizer_payload_format_version {
        authorizer.payload_format_version = Some(version);
    }
    if let Some(ttl) = input.authorizer_result_ttl_in_seconds {
        if !(0..=3600).contains(&ttl) {
            return Err(Error::bad_request(
                "AuthorizerResultTtlInSeconds must be between 0 and 3600",
            ));
        }
        authorizer.result_ttl = Some(ttl as u32);
    }
    if let Some(simple) = input.enable_simple_responses {
        authorizer.enable_simple_responses = Some(simple);
    }
    if let Some(expression) = input.identity_validation_expression {
        authorizer.identity_validation_expression = Some(expression);
    }
    if authorizer.name.is_empty() {
        return Err(Error::bad_request("Authorizer name is required"));
    }
    match authorizer.authorizer_type.as_str() {
        "JWT" => {
            if api.protocol_type != store::HTTP {
                return Err(Error::bad_request(
                    "JWT authorizers are supported only for HTTP APIs",
                ));
            }
            let issuer = authorizer.jwt.as_ref().and_then(|jwt| jwt.issuer.as_ref());
            if issuer.is_none() {
                return Err(Error::bad_request(
                    "JwtConfiguration with an Issuer is required for JWT authorizers",
                ));
            }
            if authorizer.identity_source.is_empty() {
                return Err(Error::bad_request(
                    "IdentitySource is required for JWT authorizers",
                ));
            }
        }
        "REQUEST" => {
            if authorizer.uri.is_none() {
                return Err(Error::bad_request(
                    "AuthorizerUri is required for REQUEST authorizers",
                ));
            }
            if api.protocol_type == store::HTTP {
                match authorizer.payload_format_version.as_deref() {
                    Some("1.0" | "2.0") => {}
                    _ => {
                        return Err(Error::bad_request(
                            "AuthorizerPayloadFormatVersion must be 1.0 or 2.0 for REQUEST \
                             authorizers of HTTP APIs",
                        ));
                    }
                }
            }
        }
        _ => return Err(Error::bad_request("AuthorizerType is required")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_alphanumerics() {
        let id = random_id(10);
        assert_eq!(id.len(), 10);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }

    #[test]
    fn lambda_integration_uris_name_their_function() {
        let arn = "arn:aws:lambda:us-east-1:000000000000:function:f";
        assert_eq!(function_of(arn), Some(arn));
        assert_eq!(
            function_of(&format!(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"
            )),
            Some(arn)
        );
        assert_eq!(function_of("http://example.com"), None);
        assert_eq!(
            function_of("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f"),
            None
        );
    }
}
