//! `CreateApi`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html#CreateApi>.
//!
//! Quick create (`Target`, and `RouteKey`, `$default` when absent) also makes what AWS makes:
//! an integration (`AWS_PROXY` with payload format 2.0 for a function ARN, `HTTP_PROXY` with
//! method `ANY` for a URL), a route targeting it, and a `$default` stage with `AutoDeploy`, all
//! `ApiGatewayManaged`. Deviation: `ApiEndpoint` is `http://<api-id>.execute-api.localhost:<port>`.

use http::StatusCode;

use super::{apply_integration, apply_route, new_integration, random_id, tag_pairs};
use crate::api::{ApiInput, IntegrationInput, RouteInput};
use crate::error::Error;
use crate::routing::DEFAULT_ROUTE;
use crate::store::{self, Api, Kind, Route, RouteSettings, Stage};
use crate::{ApiGatewayV2, Call, Reply};

/// The route selection expression of every HTTP API.
pub(crate) const HTTP_ROUTE_SELECTION: &str = "$request.method $request.path";

/// `ipv4` or `dualstack`.
pub(crate) fn check_ip_address_type(kind: &str) -> Result<(), Error> {
    if kind == "ipv4" || kind == "dualstack" {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "Invalid IP address type specified: {kind}. Must be one of [ipv4, dualstack]"
        )))
    }
}

/// A new route's defaults.
pub(crate) fn new_route(id: String, key: String) -> Route {
    Route {
        id,
        key,
        target: None,
        authorization_type: "NONE".into(),
        authorizer_id: None,
        authorization_scopes: Vec::new(),
        api_key_required: false,
        operation_name: None,
        request_parameters: Vec::new(),
        request_models: Vec::new(),
        model_selection_expression: None,
        route_response_selection_expression: None,
        managed: false,
    }
}

/// The integration input of a quick-create `target`.
pub(crate) fn quick_integration(target: &str, credentials_arn: Option<String>) -> IntegrationInput {
    let http = target.starts_with("http://") || target.starts_with("https://");
    IntegrationInput {
        integration_type: Some(if http { "HTTP_PROXY" } else { "AWS_PROXY" }.into()),
        integration_uri: Some(target.to_owned()),
        integration_method: Some(if http { "ANY" } else { "POST" }.into()),
        payload_format_version: Some(if http { "1.0" } else { "2.0" }.into()),
        credentials_arn,
        ..IntegrationInput::default()
    }
}

impl ApiGatewayV2 {
    pub(crate) async fn create_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let mut input: ApiInput = call.body()?;
        let Some(name) = input.name.take().filter(|name| !name.is_empty()) else {
            return Err(Error::bad_request("Name is required"));
        };
        let protocol = input.protocol_type.take().unwrap_or_default();
        if protocol != store::HTTP && protocol != store::WEBSOCKET {
            return Err(Error::bad_request(
                "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]",
            ));
        }
        let http = protocol == store::HTTP;
        let route_selection = match input.route_selection_expression.take() {
            Some(expression) => expression,
            None if http => HTTP_ROUTE_SELECTION.into(),
            None => {
                return Err(Error::bad_request(
                    "RouteSelectionExpression is required for WEBSOCKET APIs",
                ));
            }
        };
        if !http && (input.target.is_some() || input.cors_configuration.is_some()) {
            return Err(Error::bad_request(
                "Target and CorsConfiguration are supported only for HTTP APIs",
            ));
        }
        if input.target.is_none() && (input.route_key.is_some() || input.credentials_arn.is_some())
        {
            return Err(Error::bad_request(
                "RouteKey and CredentialsArn are supported only for quick create, with a Target",
            ));
        }
        let ip_address_type = input
            .ip_address_type
            .take()
            .unwrap_or_else(|| "ipv4".into());
        let cors: Option<store::Cors> = input.cors_configuration.take().map(Into::into);
        check_ip_address_type(&ip_address_type)?;
        let now = self.now_ms();
        let api = self
            .inner
            .kv
            .transact(|tx| {
                let id = loop {
                    let id = random_id(10);
                    if store::get_api(tx, &id)?.is_none() {
                        break id;
                    }
                };
                let mut api = Api {
                    id: id.clone(),
                    name: name.clone(),
                    protocol_type: protocol.clone(),
                    description: input.description.clone(),
                    version: input.version.clone(),
                    route_selection_expression: route_selection.clone(),
                    api_key_selection_expression: input
                        .api_key_selection_expression
                        .clone()
                        .unwrap_or_else(|| "$request.header.x-api-key".into()),
                    disable_execute_api_endpoint: input
                        .disable_execute_api_endpoint
                        .unwrap_or(false),
                    disable_schema_validation: input.disable_schema_validation.unwrap_or(false),
                    ip_address_type: ip_address_type.clone(),
                    cors: cors.clone(),
                    tags: tag_pairs(input.tags.clone()),
                    created_ms: now,
                    managed: None,
                };
                if let Some(target) = &input.target {
                    let mut integration = new_integration(random_id(7));
                    integration.managed = true;
                    apply_integration(
                        &api,
                        &mut integration,
                        quick_integration(target, input.credentials_arn.clone()),
                    )?;
                    store::put(tx, Kind::Integration, &id, &integration.id, &integration);
                    let key = input
                        .route_key
                        .clone()
                        .unwrap_or_else(|| DEFAULT_ROUTE.into());
                    super::check_route_key(tx, &api, &key, None)?;
                    let mut route = new_route(random_id(7), key);
                    route.managed = true;
                    apply_route(
                        tx,
                        &api,
                        &mut route,
                        RouteInput {
                            target: Some(format!("integrations/{}", integration.id)),
                            ..RouteInput::default()
                        },
                    )?;
                    store::put(tx, Kind::Route, &id, &route.id, &route);
                    let mut stage = Stage {
                        name: store::DEFAULT_STAGE.into(),
                        description: None,
                        deployment_id: None,
                        auto_deploy: true,
                        variables: Vec::new(),
                        default_route_settings: RouteSettings::default(),
                        route_settings: Vec::new(),
                        access_log: None,
                        client_certificate_id: None,
                        last_deployment_status_message: None,
                        tags: Vec::new(),
                        created_ms: now,
                        updated_ms: now,
                        managed: true,
                    };
                    super::auto_deploy(tx, &id, &mut stage, now)?;
                    store::put(tx, Kind::Stage, &id, &stage.name.clone(), &stage);
                    api.managed = Some((route.id, integration.id));
                }
                store::put_api(tx, &api);
                Ok::<_, Error>(api)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            crate::api::api_json(&api, &self.endpoint(&api)),
        ))
    }
}
