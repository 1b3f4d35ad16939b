//! API Gateway v2's wire shapes: the operation list, the REST routes that select an operation,
//! the request inputs (camelCase members), and the output documents.

use std::collections::BTreeMap;

use http::Method;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use crate::store::{
    self, Api, Authorizer, Cors, Deployment, Integration, Route, RouteSettings, Stage,
};

const NO_DOMAINS: &str = "custom domain names are not served yet";
const NO_PORTALS: &str = "developer portals have no equivalent in unkai";
const NO_VPC: &str = "VPC links have no equivalent in unkai";
const WEBSOCKET_ONLY: &str = "WebSocket API models and route/integration responses: a route's response selection expression returns the function's body";
const NO_OPENAPI: &str = "OpenAPI import and export are planned";
const LATER: &str = "planned";

unkai_edge::operations! {
    /// Every API Gateway v2 operation.
    pub enum Operation {
        CreateApi => Partial("APIs are served at http://<api-id>.execute-api.localhost:<port> (ws:// for WebSocket APIs, with @connections)"),
        CreateApiMapping => Planned(NO_DOMAINS),
        CreateAuthorizer => Partial("HTTP APIs enforce JWT authorizers (RS256/RS384/RS512 signatures against the issuer's OpenID discovery document and key set, kept for two hours; iss, aud or client_id, exp, nbf, iat; https:// issuers verified against the system's trusted roots (SSL_CERT_FILE honoured); http:// issuers accepted too) and Lambda REQUEST authorizers (payload format 2.0: the 2.0 event, simple or IAM-policy answers, policies evaluated against the route's ARN as REST APIs do; 1.0: the REST API style REQUEST event, IAM-policy answers; results cached for the TTL, a cached policy evaluated again for each route; identity sources from headers and query strings); WebSocket APIs run the Lambda REQUEST authorizer of a CUSTOM $connect route before the connection opens (identity sources route.request.header, route.request.querystring and stageVariables; IAM-policy answers, not cached; the context and principalId reach every event of the connection)"),
        CreateDeployment => Full,
        CreateDomainName => Planned(NO_DOMAINS),
        CreateIntegration => Partial("HTTP APIs run AWS_PROXY (Lambda) and HTTP_PROXY (http:// and https:// URLs; https certificates checked against the system's trusted roots) integrations; parameter mappings, VPC links and TLS settings are stored, not applied"),
        CreateIntegrationResponse => Planned(WEBSOCKET_ONLY),
        CreateModel => Planned(WEBSOCKET_ONLY),
        CreatePortal => No(NO_PORTALS),
        CreatePortalProduct => No(NO_PORTALS),
        CreateProductPage => No(NO_PORTALS),
        CreateProductRestEndpointPage => No(NO_PORTALS),
        CreateRoute => Partial("HTTP APIs enforce AWS_IAM (a SigV4 signature for execute-api), JWT (with AuthorizationScopes against the token's scope or scp) and CUSTOM (Lambda REQUEST authorizer) authorization; WebSocket APIs enforce CUSTOM and AWS_IAM (a signed handshake; the signer in requestContext.identity) authorization of the $connect route"),
        CreateRouteResponse => Planned(WEBSOCKET_ONLY),
        CreateRoutingRule => Planned(NO_DOMAINS),
        CreateStage => Partial("HTTP APIs apply the throttling of the default and per-route settings (a token bucket per route on this node); access log settings are stored, not applied"),
        CreateVpcLink => No(NO_VPC),
        DeleteAccessLogSettings => Full,
        DeleteApi => Full,
        DeleteApiMapping => Planned(NO_DOMAINS),
        DeleteAuthorizer => Full,
        DeleteCorsConfiguration => Full,
        DeleteDeployment => Full,
        DeleteDomainName => Planned(NO_DOMAINS),
        DeleteIntegration => Full,
        DeleteIntegrationResponse => Planned(WEBSOCKET_ONLY),
        DeleteModel => Planned(WEBSOCKET_ONLY),
        DeletePortal => No(NO_PORTALS),
        DeletePortalProduct => No(NO_PORTALS),
        DeletePortalProductSharingPolicy => No(NO_PORTALS),
        DeleteProductPage => No(NO_PORTALS),
        DeleteProductRestEndpointPage => No(NO_PORTALS),
        DeleteRoute => Full,
        DeleteRouteRequestParameter => Planned(LATER),
        DeleteRouteResponse => Planned(WEBSOCKET_ONLY),
        DeleteRouteSettings => Full,
        DeleteRoutingRule => Planned(NO_DOMAINS),
        DeleteStage => Full,
        DeleteVpcLink => No(NO_VPC),
        DisablePortal => No(NO_PORTALS),
        ExportApi => Planned(NO_OPENAPI),
        GetApi => Full,
        GetApiMapping => Planned(NO_DOMAINS),
        GetApiMappings => Planned(NO_DOMAINS),
        GetApis => Full,
        GetAuthorizer => Full,
        GetAuthorizers => Full,
        GetDeployment => Full,
        GetDeployments => Full,
        GetDomainName => Planned(NO_DOMAINS),
        GetDomainNames => Planned(NO_DOMAINS),
        GetIntegration => Full,
        GetIntegrationResponse => Planned(WEBSOCKET_ONLY),
        GetIntegrationResponses => Planned(WEBSOCKET_ONLY),
        GetIntegrations => Full,
        GetModel => Planned(WEBSOCKET_ONLY),
        GetModelTemplate => Planned(WEBSOCKET_ONLY),
        GetModels => Planned(WEBSOCKET_ONLY),
        GetPortal => No(NO_PORTALS),
        GetPortalProduct => No(NO_PORTALS),
        GetPortalProductSharingPolicy => No(NO_PORTALS),
        GetProductPage => No(NO_PORTALS),
        GetProductRestEndpointPage => No(NO_PORTALS),
        GetRoute => Full,
        GetRouteResponse => Planned(WEBSOCKET_ONLY),
        GetRouteResponses => Planned(WEBSOCKET_ONLY),
        GetRoutes => Full,
        GetRoutingRule => Planned(NO_DOMAINS),
        GetStage => Full,
        GetStages => Full,
        GetTags => Full,
        GetVpcLink => No(NO_VPC),
        GetVpcLinks => No(NO_VPC),
        ImportApi => Planned(NO_OPENAPI),
        ListPortalProducts => No(NO_PORTALS),
        ListPortals => No(NO_PORTALS),
        ListProductPages => No(NO_PORTALS),
        ListProductRestEndpointPages => No(NO_PORTALS),
        ListRoutingRules => Planned(NO_DOMAINS),
        PreviewPortal => No(NO_PORTALS),
        PublishPortal => No(NO_PORTALS),
        PutPortalProductSharingPolicy => No(NO_PORTALS),
        PutRoutingRule => Planned(NO_DOMAINS),
        ReimportApi => Planned(NO_OPENAPI),
        ResetAuthorizersCache => Partial("forgets the stage's cached Lambda authorizer answers on the node that serves the call (the cache is per node)"),
        TagResource => Full,
        UntagResource => Full,
        UpdateApi => Full,
        UpdateApiMapping => Planned(NO_DOMAINS),
        UpdateAuthorizer => Full,
        UpdateDeployment => Full,
        UpdateDomainName => Planned(NO_DOMAINS),
        UpdateIntegration => Full,
        UpdateIntegrationResponse => Planned(WEBSOCKET_ONLY),
        UpdateModel => Planned(WEBSOCKET_ONLY),
        UpdatePortal => No(NO_PORTALS),
        UpdatePortalProduct => No(NO_PORTALS),
        UpdateProductPage => No(NO_PORTALS),
        UpdateProductRestEndpointPage => No(NO_PORTALS),
        UpdateRoute => Full,
        UpdateRouteResponse => Planned(WEBSOCKET_ONLY),
        UpdateStage => Full,
        UpdateVpcLink => No(NO_VPC),
    }
}

use Operation as Op;

/// Every route: method, path template (`{Label}` matches one segment), operation.
const ROUTES: &[(Method, &str, Operation)] = &[
    (Method::POST, "/v2/apis", Op::CreateApi),
    (
        Method::POST,
        "/v2/domainnames/{domainName}/apimappings",
        Op::CreateApiMapping,
    ),
    (
        Method::POST,
        "/v2/apis/{apiId}/authorizers",
        Op::CreateAuthorizer,
    ),
    (
        Method::POST,
        "/v2/apis/{apiId}/deployments",
        Op::CreateDeployment,
    ),
    (Method::POST, "/v2/domainnames", Op::CreateDomainName),
    (
        Method::POST,
        "/v2/apis/{apiId}/integrations",
        Op::CreateIntegration,
    ),
    (
        Method::POST,
        "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses",
        Op::CreateIntegrationResponse,
    ),
    (Method::POST, "/v2/apis/{apiId}/models", Op::CreateModel),
    (Method::POST, "/v2/portals", Op::CreatePortal),
    (Method::POST, "/v2/portalproducts", Op::CreatePortalProduct),
    (
        Method::POST,
        "/v2/portalproducts/{portalProductId}/productpages",
        Op::CreateProductPage,
    ),
    (
        Method::POST,
        "/v2/portalproducts/{portalProductId}/productrestendpointpages",
        Op::CreateProductRestEndpointPage,
    ),
    (Method::POST, "/v2/apis/{apiId}/routes", Op::CreateRoute),
    (
        Method::POST,
        "/v2/apis/{apiId}/routes/{routeId}/routeresponses",
        Op::CreateRouteResponse,
    ),
    (
        Method::POST,
        "/v2/domainnames/{domainName}/routingrules",
        Op::CreateRoutingRule,
    ),
    (Method::POST, "/v2/apis/{apiId}/stages", Op::CreateStage),
    (Method::POST, "/v2/vpclinks", Op::CreateVpcLink),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings",
        Op::DeleteAccessLogSettings,
    ),
    (Method::DELETE, "/v2/apis/{apiId}", Op::DeleteApi),
    (
        Method::DELETE,
        "/v2/domainnames/{domainName}/apimappings/{apiMappingId}",
        Op::DeleteApiMapping,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/authorizers/{authorizerId}",
        Op::DeleteAuthorizer,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/cors",
        Op::DeleteCorsConfiguration,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/deployments/{deploymentId}",
        Op::DeleteDeployment,
    ),
    (
        Method::DELETE,
        "/v2/domainnames/{domainName}",
        Op::DeleteDomainName,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/integrations/{integrationId}",
        Op::DeleteIntegration,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}",
        Op::DeleteIntegrationResponse,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/models/{modelId}",
        Op::DeleteModel,
    ),
    (Method::DELETE, "/v2/portals/{portalId}", Op::DeletePortal),
    (
        Method::DELETE,
        "/v2/portalproducts/{portalProductId}",
        Op::DeletePortalProduct,
    ),
    (
        Method::DELETE,
        "/v2/portalproducts/{portalProductId}/sharingpolicy",
        Op::DeletePortalProductSharingPolicy,
    ),
    (
        Method::DELETE,
        "/v2/portalproducts/{portalProductId}/productpages/{productPageId}",
        Op::DeleteProductPage,
    ),
    (
        Method::DELETE,
        "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}",
        Op::DeleteProductRestEndpointPage,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/routes/{routeId}",
        Op::DeleteRoute,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}",
        Op::DeleteRouteRequestParameter,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}",
        Op::DeleteRouteResponse,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}",
        Op::DeleteRouteSettings,
    ),
    (
        Method::DELETE,
        "/v2/domainnames/{domainName}/routingrules/{routingRuleId}",
        Op::DeleteRoutingRule,
    ),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/stages/{stageName}",
        Op::DeleteStage,
    ),
    (
        Method::DELETE,
        "/v2/vpclinks/{vpcLinkId}",
        Op::DeleteVpcLink,
    ),
    (
        Method::DELETE,
        "/v2/portals/{portalId}/publish",
        Op::DisablePortal,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/exports/{specification}",
        Op::ExportApi,
    ),
    (Method::GET, "/v2/apis/{apiId}", Op::GetApi),
    (
        Method::GET,
        "/v2/domainnames/{domainName}/apimappings/{apiMappingId}",
        Op::GetApiMapping,
    ),
    (
        Method::GET,
        "/v2/domainnames/{domainName}/apimappings",
        Op::GetApiMappings,
    ),
    (Method::GET, "/v2/apis", Op::GetApis),
    (
        Method::GET,
        "/v2/apis/{apiId}/authorizers/{authorizerId}",
        Op::GetAuthorizer,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/authorizers",
        Op::GetAuthorizers,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/deployments/{deploymentId}",
        Op::GetDeployment,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/deployments",
        Op::GetDeployments,
    ),
    (
        Method::GET,
        "/v2/domainnames/{domainName}",
        Op::GetDomainName,
    ),
    (Method::GET, "/v2/domainnames", Op::GetDomainNames),
    (
        Method::GET,
        "/v2/apis/{apiId}/integrations/{integrationId}",
        Op::GetIntegration,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}",
        Op::GetIntegrationResponse,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses",
        Op::GetIntegrationResponses,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/integrations",
        Op::GetIntegrations,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/models/{modelId}",
        Op::GetModel,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/models/{modelId}/template",
        Op::GetModelTemplate,
    ),
    (Method::GET, "/v2/apis/{apiId}/models", Op::GetModels),
    (Method::GET, "/v2/portals/{portalId}", Op::GetPortal),
    (
        Method::GET,
        "/v2/portalproducts/{portalProductId}",
        Op::GetPortalProduct,
    ),
    (
        Method::GET,
        "/v2/portalproducts/{portalProductId}/sharingpolicy",
        Op::GetPortalProductSharingPolicy,
    ),
    (
        Method::GET,
        "/v2/portalproducts/{portalProductId}/productpages/{productPageId}",
        Op::GetProductPage,
    ),
    (
        Method::GET,
        "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}",
        Op::GetProductRestEndpointPage,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/routes/{routeId}",
        Op::GetRoute,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}",
        Op::GetRouteResponse,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/routes/{routeId}/routeresponses",
        Op::GetRouteResponses,
    ),
    (Method::GET, "/v2/apis/{apiId}/routes", Op::GetRoutes),
    (
        Method::GET,
        "/v2/domainnames/{domainName}/routingrules/{routingRuleId}",
        Op::GetRoutingRule,
    ),
    (
        Method::GET,
        "/v2/apis/{apiId}/stages/{stageName}",
        Op::GetStage,
    ),
    (Method::GET, "/v2/apis/{apiId}/stages", Op::GetStages),
    (Method::GET, "/v2/tags/{resource-arn}", Op::GetTags),
    (Method::GET, "/v2/vpclinks/{vpcLinkId}", Op::GetVpcLink),
    (Method::GET, "/v2/vpclinks", Op::GetVpcLinks),
    (Method::PUT, "/v2/apis", Op::ImportApi),
    (Method::GET, "/v2/portalproducts", Op::ListPortalProducts),
    (Method::GET, "/v2/portals", Op::ListPortals),
    (
        Method::GET,
        "/v2/portalproducts/{portalProductId}/productpages",
        Op::ListProductPages,
    ),
    (
        Method::GET,
        "/v2/portalproducts/{portalProductId}/productrestendpointpages",
        Op::ListProductRestEndpointPages,
    ),
    (
        Method::GET,
        "/v2/domainnames/{domainName}/routingrules",
        Op::ListRoutingRules,
    ),
    (
        Method::POST,
        "/v2/portals/{portalId}/preview",
        Op::PreviewPortal,
    ),
    (
        Method::POST,
        "/v2/portals/{portalId}/publish",
        Op::PublishPortal,
    ),
    (
        Method::PUT,
        "/v2/portalproducts/{portalProductId}/sharingpolicy",
        Op::PutPortalProductSharingPolicy,
    ),
    (
        Method::PUT,
        "/v2/domainnames/{domainName}/routingrules/{routingRuleId}",
        Op::PutRoutingRule,
    ),
    (Method::PUT, "/v2/apis/{apiId}", Op::ReimportApi),
    (
        Method::DELETE,
        "/v2/apis/{apiId}/stages/{stageName}/cache/authorizers",
        Op::ResetAuthorizersCache,
    ),
    (Method::POST, "/v2/tags/{resource-arn}", Op::TagResource),
    (Method::DELETE, "/v2/tags/{resource-arn}", Op::UntagResource),
    (Method::PATCH, "/v2/apis/{apiId}", Op::UpdateApi),
    (
        Method::PATCH,
        "/v2/domainnames/{domainName}/apimappings/{apiMappingId}",
        Op::UpdateApiMapping,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/authorizers/{authorizerId}",
        Op::UpdateAuthorizer,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/deployments/{deploymentId}",
        Op::UpdateDeployment,
    ),
    (
        Method::PATCH,
        "/v2/domainnames/{domainName}",
        Op::UpdateDomainName,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/integrations/{integrationId}",
        Op::UpdateIntegration,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}",
        Op::UpdateIntegrationResponse,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/models/{modelId}",
        Op::UpdateModel,
    ),
    (Method::PATCH, "/v2/portals/{portalId}", Op::UpdatePortal),
    (
        Method::PATCH,
        "/v2/portalproducts/{portalProductId}",
        Op::UpdatePortalProduct,
    ),
    (
        Method::PATCH,
        "/v2/portalproducts/{portalProductId}/productpages/{productPageId}",
        Op::UpdateProductPage,
    ),
    (
        Method::PATCH,
        "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}",
        Op::UpdateProductRestEndpointPage,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/routes/{routeId}",
        Op::UpdateRoute,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}",
        Op::UpdateRouteResponse,
    ),
    (
        Method::PATCH,
        "/v2/apis/{apiId}/stages/{stageName}",
        Op::UpdateStage,
    ),
    (Method::PATCH, "/v2/vpclinks/{vpcLinkId}", Op::UpdateVpcLink),
];

/// The operation a request names, and its path labels (percent-decoded), in template order.
pub(crate) fn route(method: &Method, path: &str) -> Option<(Operation, Vec<String>)> {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    for (route_method, template, operation) in ROUTES {
        if route_method != method {
            continue;
        }
        let Some(labels) = unkai_edge::protocol::rest::labels(template, &segments) else {
            continue;
        };
        return Some((*operation, labels));
    }
    None
}

/// `Cors` in requests.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorsInput {
    /// `AllowCredentials`.
    pub allow_credentials: Option<bool>,
    /// `AllowHeaders`.
    pub allow_headers: Option<Vec<String>>,
    /// `AllowMethods`.
    pub allow_methods: Option<Vec<String>>,
    /// `AllowOrigins`.
    pub allow_origins: Option<Vec<String>>,
    /// `ExposeHeaders`.
    pub expose_headers: Option<Vec<String>>,
    /// `MaxAge`.
    pub max_age: Option<i32>,
}

impl From<CorsInput> for Cors {
    fn from(input: CorsInput) -> Self {
        Cors {
            allow_credentials: input.allow_credentials,
            allow_headers: input.allow_headers,
            allow_methods: input.allow_methods,
            allow_origins: input.allow_origins,
            expose_headers: input.expose_headers,
            max_age: input.max_age,
        }
    }
}

/// `CreateApi` and `UpdateApi` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiInput {
    /// The name.
    pub name: Option<String>,
    /// `HTTP` or `WEBSOCKET` (create only).
    pub protocol_type: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The version label.
    pub version: Option<String>,
    /// The route selection expression.
    pub route_selection_expression: Option<String>,
    /// The API key selection expression.
    pub api_key_selection_expression: Option<String>,
    /// Turns the `execute-api` endpoint off.
    pub disable_execute_api_endpoint: Option<bool>,
    /// WebSocket APIs.
    pub disable_schema_validation: Option<bool>,
    /// `ipv4` or `dualstack`.
    pub ip_address_type: Option<String>,
    /// CORS.
    pub cors_configuration: Option<CorsInput>,
    /// Tags (create only).
    pub tags: Option<BTreeMap<String, String>>,
    /// Quick create: the integration target.
    pub target: Option<String>,
    /// Quick create: the route key (`$default` when absent).
    pub route_key: Option<String>,
    /// Quick create: the role that invokes the target.
    pub credentials_arn: Option<String>,
}

/// `ParameterConstraints`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterConstraints {
    /// Whether the parameter is required.
    #[serde(default)]
    pub required: bool,
}

/// `CreateRoute` and `UpdateRoute` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteInput {
    /// The route key.
    pub route_key: Option<String>,
    /// `integrations/<id>`.
    pub target: Option<String>,
    /// `NONE`, `AWS_IAM`, `CUSTOM`, `JWT`.
    pub authorization_type: Option<String>,
    /// The authorizer.
    pub authorizer_id: Option<String>,
    /// JWT scopes.
    pub authorization_scopes: Option<Vec<String>>,
    /// WebSocket APIs.
    pub api_key_required: Option<bool>,
    /// The operation name.
    pub operation_name: Option<String>,
    /// Request parameters.
    pub request_parameters: Option<BTreeMap<String, ParameterConstraints>>,
    /// Request models.
    pub request_models: Option<BTreeMap<String, String>>,
    /// WebSocket APIs.
    pub model_selection_expression: Option<String>,
    /// WebSocket APIs.
    pub route_response_selection_expression: Option<String>,
}

/// `TlsConfigInput`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfigInput {
    /// The server name the backend's certificate must carry.
    pub server_name_to_verify: Option<String>,
}

/// `CreateIntegration` and `UpdateIntegration` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationInput {
    /// `AWS_PROXY`, `HTTP_PROXY`, …
    pub integration_type: Option<String>,
    /// The function ARN or URL.
    pub integration_uri: Option<String>,
    /// The backend request's method.
    pub integration_method: Option<String>,
    /// `1.0` or `2.0`.
    pub payload_format_version: Option<String>,
    /// 50–30000.
    pub timeout_in_millis: Option<i64>,
    /// The description.
    pub description: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: Option<String>,
    /// The VPC link.
    pub connection_id: Option<String>,
    /// The role.
    pub credentials_arn: Option<String>,
    /// AWS service integrations.
    pub integration_subtype: Option<String>,
    /// Parameter mappings.
    pub request_parameters: Option<BTreeMap<String, String>>,
    /// Templates.
    pub request_templates: Option<BTreeMap<String, String>>,
    /// Response parameter mappings.
    pub response_parameters: Option<BTreeMap<String, BTreeMap<String, String>>>,
    /// WebSocket APIs.
    pub template_selection_expression: Option<String>,
    /// WebSocket APIs.
    pub passthrough_behavior: Option<String>,
    /// WebSocket APIs.
    pub content_handling_strategy: Option<String>,
    /// TLS.
    pub tls_config: Option<TlsConfigInput>,
}

/// `RouteSettings` in requests.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteSettingsInput {
    /// WebSocket APIs.
    pub data_trace_enabled: Option<bool>,
    /// Detailed metrics.
    pub detailed_metrics_enabled: Option<bool>,
    /// WebSocket APIs.
    pub logging_level: Option<String>,
    /// The burst limit.
    pub throttling_burst_limit: Option<i32>,
    /// The rate limit.
    pub throttling_rate_limit: Option<f64>,
}

impl RouteSettingsInput {
    /// Applies the members present to `settings`.
    pub fn apply(self, settings: &mut RouteSettings) {
        if let Some(value) = self.data_trace_enabled {
            settings.data_trace_enabled = Some(value);
        }
        if let Some(value) = self.detailed_metrics_enabled {
            settings.detailed_metrics_enabled = Some(value);
        }
        if let Some(value) = self.logging_level {
            settings.logging_level = Some(value);
        }
        if let Some(value) = self.throttling_burst_limit {
            settings.throttling_burst_limit = Some(value);
        }
        if let Some(value) = self.throttling_rate_limit {
            settings.throttling_rate_limit = Some(value);
        }
    }
}

/// `AccessLogSettings`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogInput {
    /// The log group ARN.
    pub destination_arn: Option<String>,
    /// The format.
    pub format: Option<String>,
}

/// `CreateStage` and `UpdateStage` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageInput {
    /// The name (create only).
    pub stage_name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The deployment served.
    pub deployment_id: Option<String>,
    /// Auto-deploy.
    pub auto_deploy: Option<bool>,
    /// Stage variables.
    pub stage_variables: Option<BTreeMap<String, String>>,
    /// Settings for every route.
    pub default_route_settings: Option<RouteSettingsInput>,
    /// Settings by route key.
    pub route_settings: Option<BTreeMap<String, RouteSettingsInput>>,
    /// Access logs.
    pub access_log_settings: Option<AccessLogInput>,
    /// The client certificate.
    pub client_certificate_id: Option<String>,
    /// Tags (create only).
    pub tags: Option<BTreeMap<String, String>>,
}

/// `CreateDeployment` and `UpdateDeployment` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentInput {
    /// The description.
    pub description: Option<String>,
    /// The stage to point at the deployment.
    pub stage_name: Option<String>,
}

/// `JWTConfiguration`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtInput {
    /// Audiences.
    pub audience: Option<Vec<String>>,
    /// The issuer.
    pub issuer: Option<String>,
}

/// `CreateAuthorizer` and `UpdateAuthorizer` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerInput {
    /// The name.
    pub name: Option<String>,
    /// `JWT` or `REQUEST`.
    pub authorizer_type: Option<String>,
    /// Identity sources.
    pub identity_source: Option<Vec<String>>,
    /// JWT settings.
    pub jwt_configuration: Option<JwtInput>,
    /// REQUEST authorizers: the function's invocation URI.
    pub authorizer_uri: Option<String>,
    /// The role.
    pub authorizer_credentials_arn: Option<String>,
    /// `1.0` or `2.0`.
    pub authorizer_payload_format_version: Option<String>,
    /// 0–3600.
    pub authorizer_result_ttl_in_seconds: Option<i64>,
    /// Simple responses.
    pub enable_simple_responses: Option<bool>,
    /// WebSocket APIs.
    pub identity_validation_expression: Option<String>,
}

/// `TagResource` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsInput {
    /// The tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// The restJson1 `__timestampIso8601` form: `2024-01-31T12:00:00Z`.
pub(crate) fn timestamp(unix_ms: u64) -> String {
    unkai_types::iso8601(unix_ms / 1000)
}

fn pairs_json(pairs: &[(String, String)]) -> Json {
    Json::Object(
        pairs
            .iter()
            .map(|(key, value)| (key.clone(), Json::from(value.clone())))
            .collect(),
    )
}

fn put_some<T: Into<Json>>(map: &mut Map<String, Json>, key: &str, value: Option<T>) {
    if let Some(value) = value {
        map.insert(key.into(), value.into());
    }
}

fn object(value: Json) -> Map<String, Json> {
    match value {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}

/// `CorsConfiguration`.
pub(crate) fn cors_json(cors: &Cors) -> Json {
    let mut map = Map::new();
    put_some(&mut map, "allowCredentials", cors.allow_credentials);
    put_some(&mut map, "allowHeaders", cors.allow_headers.clone());
    put_some(&mut map, "allowMethods", cors.allow_methods.clone());
    put_some(&mut map, "allowOrigins", cors.allow_origins.clone());
    put_some(&mut map, "exposeHeaders", cors.expose_headers.clone());
    put_some(&mut map, "maxAge", cors.max_age);
    Json::Object(map)
}

/// An `Api` document; `endpoint` is its `ApiEndpoint`.
pub(crate) fn api_json(api: &Api, endpoint: &str) -> Json {
    let mut map = object(json!({
        "apiEndpoint": endpoint,
        "apiId": api.id,
        "apiKeySelectionExpression": api.api_key_selection_expression,
        "createdDate": timestamp(api.created_ms),
        "disableExecuteApiEndpoint": api.disable_execute_api_endpoint,
        "ipAddressType": api.ip_address_type,
        "name": api.name,
        "protocolType": api.protocol_type,
        "routeSelectionExpression": api.route_selection_expression,
        "tags": pairs_json(&api.tags),
    }));
    put_some(&mut map, "description", api.description.clone());
    put_some(&mut map, "version", api.version.clone());
    if let Some(cors) = &api.cors {
        map.insert("corsConfiguration".into(), cors_json(cors));
    }
    if api.protocol_type == store::WEBSOCKET {
        map.insert(
            "disableSchemaValidation".into(),
            api.disable_schema_validation.into(),
        );
    }
    Json::Object(map)
}

/// A `Route` document.
pub(crate) fn route_json(route: &Route) -> Json {
    let mut map = object(json!({
        "apiKeyRequired": route.api_key_required,
        "authorizationType": route.authorization_type,
        "routeId": route.id,
        "routeKey": route.key,
    }));
    if route.managed {
        map.insert("apiGatewayManaged".into(), true.into());
    }
    put_some(&mut map, "target", route.target.clone());
    put_some(&mut map, "authorizerId", route.authorizer_id.clone());
    if !route.authorization_scopes.is_empty() {
        map.insert(
            "authorizationScopes".into(),
            route.authorization_scopes.clone().into(),
        );
    }
    put_some(&mut map, "operationName", route.operation_name.clone());
    if !route.request_parameters.is_empty() {
        let parameters: Map<String, Json> = route
            .request_parameters
            .iter()
            .map(|(name, required)| (name.clone(), json!({ "required": required })))
            .collect();
        map.insert("requestParameters".into(), parameters.into());
    }
    if !route.request_models.is_empty() {
        map.insert("requestModels".into(), pairs_json(&route.request_models));
    }
    put_some(
        &mut map,
        "modelSelectionExpression",
        route.model_selection_expression.clone(),
    );
    put_some(
        &mut map,
        "routeResponseSelectionExpression",
        route.route_response_selection_expression.clone(),
    );
    Json::Object(map)
}

/// An `Integration` document.
pub(crate) fn integration_json(integration: &Integration) -> Json {
    let mut map = object(json!({
        "connectionType": integration.connection_type,
        "integrationId": integration.id,
        "integrationType": integration.integration_type,
        "payloadFormatVersion": integration.payload_format_version,
        "timeoutInMillis": integration.timeout_ms,
    }));
    if integration.managed {
        map.insert("apiGatewayManaged".into(), true.into());
    }
    put_some(&mut map, "integrationUri", integration.uri.clone());
    put_some(&mut map, "integrationMethod", integration.method.clone());
    put_some(&mut map, "description", integration.description.clone());
    put_some(&mut map, "connectionId", integration.connection_id.clone());
    put_some(
        &mut map,
        "credentialsArn",
        integration.credentials_arn.clone(),
    );
    put_some(&mut map, "integrationSubtype", integration.subtype.clone());
    if !integration.request_parameters.is_empty() {
        map.insert(
            "requestParameters".into(),
            pairs_json(&integration.request_parameters),
        );
    }
    if !integration.request_templates.is_empty() {
        map.insert(
            "requestTemplates".into(),
            pairs_json(&integration.request_templates),
        );
    }
    if !integration.response_parameters.is_empty() {
        let parameters: Map<String, Json> = integration
            .response_parameters
            .iter()
            .map(|(status, mappings)| (status.clone(), pairs_json(mappings)))
            .collect();
        map.insert("responseParameters".into(), parameters.into());
    }
    put_some(
        &mut map,
        "templateSelectionExpression",
        integration.template_selection_expression.clone(),
    );
    put_some(
        &mut map,
        "passthroughBehavior",
        integration.passthrough_behavior.clone(),
    );
    put_some(
        &mut map,
        "contentHandlingStrategy",
        integration.content_handling_strategy.clone(),
    );
    if let Some(name) = &integration.server_name_to_verify {
        map.insert("tlsConfig".into(), json!({ "serverNameToVerify": name }));
    }
    Json::Object(map)
}

fn route_settings_json(settings: &RouteSettings) -> Json {
    let mut map = Map::new();
    put_some(&mut map, "dataTraceEnabled", settings.data_trace_enabled);
    map.insert(
        "detailedMetricsEnabled".into(),
        settings.detailed_metrics_enabled.unwrap_or(false).into(),
    );
    put_some(&mut map, "loggingLevel", settings.logging_level.clone());
    put_some(
        &mut map,
        "throttlingBurstLimit",
        settings.throttling_burst_limit,
    );
    put_some(
        &mut map,
        "throttlingRateLimit",
        settings.throttling_rate_limit,
    );
    Json::Object(map)
}

/// A `Stage` document.
pub(crate) fn stage_json(stage: &Stage) -> Json {
    let route_settings: Map<String, Json> = stage
        .route_settings
        .iter()
        .map(|(key, settings)| (key.clone(), route_settings_json(settings)))
        .collect();
    let mut map = object(json!({
        "autoDeploy": stage.auto_deploy,
        "createdDate": timestamp(stage.created_ms),
        "defaultRouteSettings": route_settings_json(&stage.default_route_settings),
        "lastUpdatedDate": timestamp(stage.updated_ms),
        "routeSettings": route_settings,
        "stageName": stage.name,
        "stageVariables": pairs_json(&stage.variables),
        "tags": pairs_json(&stage.tags),
    }));
    if stage.managed {
        map.insert("apiGatewayManaged".into(), true.into());
    }
    put_some(&mut map, "deploymentId", stage.deployment_id.clone());
    put_some(&mut map, "description", stage.description.clone());
    put_some(
        &mut map,
        "clientCertificateId",
        stage.client_certificate_id.clone(),
    );
    put_some(
        &mut map,
        "lastDeploymentStatusMessage",
        stage.last_deployment_status_message.clone(),
    );
    if let Some((destination, format)) = &stage.access_log {
        let mut log = Map::new();
        put_some(&mut log, "destinationArn", destination.clone());
        put_some(&mut log, "format", format.clone());
        map.insert("accessLogSettings".into(), log.into());
    }
    Json::Object(map)
}

/// A `Deployment` document.
pub(crate) fn deployment_json(deployment: &Deployment) -> Json {
    let mut map = object(json!({
        "autoDeployed": deployment.auto_deployed,
        "createdDate": timestamp(deployment.created_ms),
        "deploymentId": deployment.id,
        "deploymentStatus": "DEPLOYED",
    }));
    put_some(&mut map, "description", deployment.description.clone());
    Json::Object(map)
}

/// An `Authorizer` document.
pub(crate) fn authorizer_json(authorizer: &Authorizer) -> Json {
    let mut map = object(json!({
        "authorizerId": authorizer.id,
        "authorizerType": authorizer.authorizer_type,
        "identitySource": authorizer.identity_source,
        "name": authorizer.name,
    }));
    if let Some(jwt) = &authorizer.jwt {
        let mut config = Map::new();
        put_some(&mut config, "audience", jwt.audience.clone());
        put_some(&mut config, "issuer", jwt.issuer.clone());
        map.insert("jwtConfiguration".into(), config.into());
    }
    put_some(&mut map, "authorizerUri", authorizer.uri.clone());
    put_some(
        &mut map,
        "authorizerCredentialsArn",
        authorizer.credentials_arn.clone(),
    );
    put_some(
        &mut map,
        "authorizerPayloadFormatVersion",
        authorizer.payload_format_version.clone(),
    );
    put_some(
        &mut map,
        "authorizerResultTtlInSeconds",
        authorizer.result_ttl,
    );
    put_some(
        &mut map,
        "enableSimpleResponses",
        authorizer.enable_simple_responses,
    );
    put_some(
        &mut map,
        "identityValidationExpression",
        authorizer.identity_validation_expression.clone(),
    );
    Json::Object(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_one_route() {
        for operation in Operation::ALL {
            let count = ROUTES.iter().filter(|(_, _, op)| op == operation).count();
            assert_eq!(count, 1, "{}", operation.name());
        }
    }

    #[test]
    fn requests_select_operations_and_labels() {
        assert_eq!(
            route(&Method::POST, "/v2/apis"),
            Some((Op::CreateApi, vec![]))
        );
        assert_eq!(
            route(&Method::GET, "/v2/apis/abc/routes/r1"),
            Some((Op::GetRoute, vec!["abc".into(), "r1".into()]))
        );
        assert_eq!(
            route(
                &Method::DELETE,
                "/v2/apis/abc/stages/%24default/routesettings/GET%20%2Fx"
            ),
            Some((
                Op::DeleteRouteSettings,
                vec!["abc".into(), "$default".into(), "GET /x".into()]
            ))
        );
        assert_eq!(
            route(
                &Method::GET,
                "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc"
            ),
            Some((
                Op::GetTags,
                vec!["arn:aws:apigateway:us-east-1::/apis/abc".into()]
            ))
        );
        assert_eq!(route(&Method::PATCH, "/v2/apis"), None);
    }
}
