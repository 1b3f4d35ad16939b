//! API Gateway's wire shapes: the operation list, the REST routes that select an operation,
//! the request inputs (camelCase members), and the output documents. Timestamps are epoch
//! seconds, restJson1's default.

use std::collections::BTreeMap;

use http::Method;
use serde::Deserialize;
use serde_json::{Map, Value as Json, json};

use crate::store::{
    ApiKey, Authorizer, Deployment, Integration, IntegrationResponse, Method as ApiMethod,
    MethodResponse, MethodSetting, Resource, RestApi, Stage, UsagePlan,
};

const NO_DOMAINS: &str = "custom domain names are not served yet";
const NO_VPC: &str = "VPC links have no equivalent in unkai";
const NO_DOCS: &str = "documentation parts and versions are planned";
const NO_CERTS: &str = "client certificates are planned";
const NO_SDK: &str = "SDK generation has no equivalent in unkai";
const NO_MODELS: &str = "models and request validation are planned";
const NO_CACHE: &str = "stage caches are not served";
const IMPORT: &str = "OpenAPI 3 and Swagger 2 definitions in JSON or YAML: paths become resources and methods, x-amazon-apigateway-integration (aws_proxy, http_proxy, mock) integrations, x-amazon-apigateway-authorizer and api_key security schemes authorizers and API key requirements; models, validators and documentation are skipped";
const LATER: &str = "planned";

unkai_edge::operations! {
    /// Every API Gateway (REST APIs) operation.
    pub enum Operation {
        CreateApiKey => Full,
        CreateAuthorizer => Partial("TOKEN and REQUEST Lambda authorizers run, with their result cache; COGNITO_USER_POOLS authorizers are stored, not enforced; identityValidationExpression is not applied"),
        CreateBasePathMapping => Planned(NO_DOMAINS),
        CreateDeployment => Partial("a snapshot of resources, methods, integrations and authorizers; canary settings and caches are not applied"),
        CreateDocumentationPart => Planned(NO_DOCS),
        CreateDocumentationVersion => Planned(NO_DOCS),
        CreateDomainName => Planned(NO_DOMAINS),
        CreateDomainNameAccessAssociation => Planned(NO_DOMAINS),
        CreateModel => Planned(NO_MODELS),
        CreateRequestValidator => Planned(NO_MODELS),
        CreateResource => Full,
        CreateRestApi => Partial("APIs are served at http://<api-id>.execute-api.localhost:<port>/<stage>/… and http://localhost:<port>/restapis/<api-id>/<stage>/_user_request_/…; cloneFrom, policies and endpoint types are stored, not applied"),
        CreateStage => Partial("method settings are stored; caching, tracing, canaries and access logs are not applied"),
        CreateUsagePlan => Partial("throttle and quota are enforced per API key at the invoke URLs; per-method throttles are stored, not applied"),
        CreateUsagePlanKey => Full,
        CreateVpcLink => No(NO_VPC),
        DeleteApiKey => Full,
        DeleteAuthorizer => Full,
        DeleteBasePathMapping => Planned(NO_DOMAINS),
        DeleteClientCertificate => Planned(NO_CERTS),
        DeleteDeployment => Full,
        DeleteDocumentationPart => Planned(NO_DOCS),
        DeleteDocumentationVersion => Planned(NO_DOCS),
        DeleteDomainName => Planned(NO_DOMAINS),
        DeleteDomainNameAccessAssociation => Planned(NO_DOMAINS),
        DeleteGatewayResponse => Planned(LATER),
        DeleteIntegration => Full,
        DeleteIntegrationResponse => Full,
        DeleteMethod => Full,
        DeleteMethodResponse => Full,
        DeleteModel => Planned(NO_MODELS),
        DeleteRequestValidator => Planned(NO_MODELS),
        DeleteResource => Full,
        DeleteRestApi => Full,
        DeleteStage => Full,
        DeleteUsagePlan => Full,
        DeleteUsagePlanKey => Full,
        DeleteVpcLink => No(NO_VPC),
        FlushStageAuthorizersCache => Full,
        FlushStageCache => Planned(NO_CACHE),
        GenerateClientCertificate => Planned(NO_CERTS),
        GetAccount => Planned(LATER),
        GetApiKey => Full,
        GetApiKeys => Full,
        GetAuthorizer => Full,
        GetAuthorizers => Full,
        GetBasePathMapping => Planned(NO_DOMAINS),
        GetBasePathMappings => Planned(NO_DOMAINS),
        GetClientCertificate => Planned(NO_CERTS),
        GetClientCertificates => Planned(NO_CERTS),
        GetDeployment => Full,
        GetDeployments => Full,
        GetDocumentationPart => Planned(NO_DOCS),
        GetDocumentationParts => Planned(NO_DOCS),
        GetDocumentationVersion => Planned(NO_DOCS),
        GetDocumentationVersions => Planned(NO_DOCS),
        GetDomainName => Planned(NO_DOMAINS),
        GetDomainNameAccessAssociations => Planned(NO_DOMAINS),
        GetDomainNames => Planned(NO_DOMAINS),
        GetExport => Planned(LATER),
        GetGatewayResponse => Planned(LATER),
        GetGatewayResponses => Planned(LATER),
        GetIntegration => Full,
        GetIntegrationResponse => Full,
        GetMethod => Full,
        GetMethodResponse => Full,
        GetModel => Planned(NO_MODELS),
        GetModelTemplate => Planned(NO_MODELS),
        GetModels => Planned(NO_MODELS),
        GetRequestValidator => Planned(NO_MODELS),
        GetRequestValidators => Planned(NO_MODELS),
        GetResource => Full,
        GetResources => Full,
        GetRestApi => Full,
        GetRestApis => Full,
        GetSdk => No(NO_SDK),
        GetSdkType => No(NO_SDK),
        GetSdkTypes => No(NO_SDK),
        GetStage => Full,
        GetStages => Full,
        GetTags => Full,
        GetUsage => Partial("daily counts of the requests the quota counted"),
        GetUsagePlan => Full,
        GetUsagePlanKey => Full,
        GetUsagePlanKeys => Full,
        GetUsagePlans => Full,
        GetVpcLink => No(NO_VPC),
        GetVpcLinks => No(NO_VPC),
        ImportApiKeys => Planned(LATER),
        ImportDocumentationParts => Planned(NO_DOCS),
        ImportRestApi => Partial(IMPORT),
        PutGatewayResponse => Planned(LATER),
        PutIntegration => Partial("AWS_PROXY (Lambda), HTTP_PROXY (http:// and https:// URLs; https certificates checked against the system's trusted roots) and MOCK run; AWS and HTTP integrations with mapping templates are stored, not run"),
        PutIntegrationResponse => Partial("MOCK integrations answer with the response whose selectionPattern equals the status code (or the default one), its responseTemplates as they are (no VTL) and its static header mappings"),
        PutMethod => Partial("AWS_IAM methods need a SigV4 signature for execute-api; COGNITO_USER_POOLS is stored, not enforced; request validators and models are stored, not applied"),
        PutMethodResponse => Full,
        PutRestApi => Partial(IMPORT),
        RejectDomainNameAccessAssociation => Planned(NO_DOMAINS),
        TagResource => Partial("REST APIs and stages take tags"),
        TestInvokeAuthorizer => Planned(LATER),
        TestInvokeMethod => Planned(LATER),
        UntagResource => Full,
        UpdateAccount => Planned(LATER),
        UpdateApiKey => Partial("patch paths: /name, /description, /enabled, /customerId"),
        UpdateAuthorizer => Partial("patch paths: /name, /authorizerUri, /identitySource, /authorizerResultTtlInSeconds, /identityValidationExpression"),
        UpdateBasePathMapping => Planned(NO_DOMAINS),
        UpdateClientCertificate => Planned(NO_CERTS),
        UpdateDeployment => Planned(LATER),
        UpdateDocumentationPart => Planned(NO_DOCS),
        UpdateDocumentationVersion => Planned(NO_DOCS),
        UpdateDomainName => Planned(NO_DOMAINS),
        UpdateGatewayResponse => Planned(LATER),
        UpdateIntegration => Partial("patch paths: /uri, /httpMethod, /timeoutInMillis, /passthroughBehavior, /requestTemplates/<type>"),
        UpdateIntegrationResponse => Planned(LATER),
        UpdateMethod => Partial("patch paths: /authorizationType, /authorizerId, /apiKeyRequired, /operationName"),
        UpdateMethodResponse => Planned(LATER),
        UpdateModel => Planned(NO_MODELS),
        UpdateRequestValidator => Planned(NO_MODELS),
        UpdateResource => Planned(LATER),
        UpdateRestApi => Partial("patch paths: /name, /description, /version, /apiKeySource, /policy, /minimumCompressionSize, /disableExecuteApiEndpoint, /binaryMediaTypes/<type>, /endpointConfiguration/types/<type>"),
        UpdateStage => Partial("patch paths: /description, /deploymentId, /variables/<name>, /tracingEnabled, /cacheClusterEnabled, /<resource>/<method>/<group>/<setting> method settings"),
        UpdateUsage => Planned(LATER),
        UpdateUsagePlan => Partial("patch paths: /name, /description, /throttle/rateLimit, /throttle/burstLimit, /quota/limit, /quota/period, /apiStages (add/remove <api-id>:<stage>)"),
        UpdateVpcLink => No(NO_VPC),
    }
}

use Operation as Op;

/// Every route: method, path template (`{label}` matches one segment), operation. `ImportRestApi`
/// and `ImportApiKeys` share `POST /restapis` and `POST /apikeys` with their create operations and
/// are told apart by `mode=import` (see [`route`]).
const ROUTES: &[(Method, &str, Operation)] = &[
    (Method::POST, "/apikeys", Op::CreateApiKey),
    (
        Method::POST,
        "/restapis/{restapi_id}/authorizers",
        Op::CreateAuthorizer,
    ),
    (
        Method::POST,
        "/domainnames/{domain_name}/basepathmappings",
        Op::CreateBasePathMapping,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/deployments",
        Op::CreateDeployment,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/documentation/parts",
        Op::CreateDocumentationPart,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/documentation/versions",
        Op::CreateDocumentationVersion,
    ),
    (Method::POST, "/domainnames", Op::CreateDomainName),
    (
        Method::POST,
        "/domainnameaccessassociations",
        Op::CreateDomainNameAccessAssociation,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/models",
        Op::CreateModel,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/requestvalidators",
        Op::CreateRequestValidator,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/resources/{parent_id}",
        Op::CreateResource,
    ),
    (Method::POST, "/restapis", Op::CreateRestApi),
    (
        Method::POST,
        "/restapis/{restapi_id}/stages",
        Op::CreateStage,
    ),
    (Method::POST, "/usageplans", Op::CreateUsagePlan),
    (
        Method::POST,
        "/usageplans/{usageplanId}/keys",
        Op::CreateUsagePlanKey,
    ),
    (Method::POST, "/vpclinks", Op::CreateVpcLink),
    (Method::DELETE, "/apikeys/{api_Key}", Op::DeleteApiKey),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/authorizers/{authorizer_id}",
        Op::DeleteAuthorizer,
    ),
    (
        Method::DELETE,
        "/domainnames/{domain_name}/basepathmappings/{base_path}",
        Op::DeleteBasePathMapping,
    ),
    (
        Method::DELETE,
        "/clientcertificates/{clientcertificate_id}",
        Op::DeleteClientCertificate,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/deployments/{deployment_id}",
        Op::DeleteDeployment,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/documentation/parts/{part_id}",
        Op::DeleteDocumentationPart,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/documentation/versions/{doc_version}",
        Op::DeleteDocumentationVersion,
    ),
    (
        Method::DELETE,
        "/domainnames/{domain_name}",
        Op::DeleteDomainName,
    ),
    (
        Method::DELETE,
        "/domainnameaccessassociations/{domain_name_access_association_arn}",
        Op::DeleteDomainNameAccessAssociation,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/gatewayresponses/{response_type}",
        Op::DeleteGatewayResponse,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
        Op::DeleteIntegration,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
        Op::DeleteIntegrationResponse,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
        Op::DeleteMethod,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
        Op::DeleteMethodResponse,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/models/{model_name}",
        Op::DeleteModel,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}",
        Op::DeleteRequestValidator,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/resources/{resource_id}",
        Op::DeleteResource,
    ),
    (Method::DELETE, "/restapis/{restapi_id}", Op::DeleteRestApi),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/stages/{stage_name}",
        Op::DeleteStage,
    ),
    (
        Method::DELETE,
        "/usageplans/{usageplanId}",
        Op::DeleteUsagePlan,
    ),
    (
        Method::DELETE,
        "/usageplans/{usageplanId}/keys/{keyId}",
        Op::DeleteUsagePlanKey,
    ),
    (Method::DELETE, "/vpclinks/{vpclink_id}", Op::DeleteVpcLink),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/stages/{stage_name}/cache/authorizers",
        Op::FlushStageAuthorizersCache,
    ),
    (
        Method::DELETE,
        "/restapis/{restapi_id}/stages/{stage_name}/cache/data",
        Op::FlushStageCache,
    ),
    (
        Method::POST,
        "/clientcertificates",
        Op::GenerateClientCertificate,
    ),
    (Method::GET, "/account", Op::GetAccount),
    (Method::GET, "/apikeys/{api_Key}", Op::GetApiKey),
    (Method::GET, "/apikeys", Op::GetApiKeys),
    (
        Method::GET,
        "/restapis/{restapi_id}/authorizers/{authorizer_id}",
        Op::GetAuthorizer,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/authorizers",
        Op::GetAuthorizers,
    ),
    (
        Method::GET,
        "/domainnames/{domain_name}/basepathmappings/{base_path}",
        Op::GetBasePathMapping,
    ),
    (
        Method::GET,
        "/domainnames/{domain_name}/basepathmappings",
        Op::GetBasePathMappings,
    ),
    (
        Method::GET,
        "/clientcertificates/{clientcertificate_id}",
        Op::GetClientCertificate,
    ),
    (
        Method::GET,
        "/clientcertificates",
        Op::GetClientCertificates,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/deployments/{deployment_id}",
        Op::GetDeployment,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/deployments",
        Op::GetDeployments,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/documentation/parts/{part_id}",
        Op::GetDocumentationPart,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/documentation/parts",
        Op::GetDocumentationParts,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/documentation/versions/{doc_version}",
        Op::GetDocumentationVersion,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/documentation/versions",
        Op::GetDocumentationVersions,
    ),
    (Method::GET, "/domainnames/{domain_name}", Op::GetDomainName),
    (
        Method::GET,
        "/domainnameaccessassociations",
        Op::GetDomainNameAccessAssociations,
    ),
    (Method::GET, "/domainnames", Op::GetDomainNames),
    (
        Method::GET,
        "/restapis/{restapi_id}/stages/{stage_name}/exports/{export_type}",
        Op::GetExport,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/gatewayresponses/{response_type}",
        Op::GetGatewayResponse,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/gatewayresponses",
        Op::GetGatewayResponses,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
        Op::GetIntegration,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
        Op::GetIntegrationResponse,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
        Op::GetMethod,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
        Op::GetMethodResponse,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/models/{model_name}",
        Op::GetModel,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/models/{model_name}/default_template",
        Op::GetModelTemplate,
    ),
    (Method::GET, "/restapis/{restapi_id}/models", Op::GetModels),
    (
        Method::GET,
        "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}",
        Op::GetRequestValidator,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/requestvalidators",
        Op::GetRequestValidators,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/resources/{resource_id}",
        Op::GetResource,
    ),
    (
        Method::GET,
        "/restapis/{restapi_id}/resources",
        Op::GetResources,
    ),
    (Method::GET, "/restapis/{restapi_id}", Op::GetRestApi),
    (Method::GET, "/restapis", Op::GetRestApis),
    (
        Method::GET,
        "/restapis/{restapi_id}/stages/{stage_name}/sdks/{sdk_type}",
        Op::GetSdk,
    ),
    (Method::GET, "/sdktypes/{sdktype_id}", Op::GetSdkType),
    (Method::GET, "/sdktypes", Op::GetSdkTypes),
    (
        Method::GET,
        "/restapis/{restapi_id}/stages/{stage_name}",
        Op::GetStage,
    ),
    (Method::GET, "/restapis/{restapi_id}/stages", Op::GetStages),
    (Method::GET, "/tags/{resource_arn}", Op::GetTags),
    (Method::GET, "/usageplans/{usageplanId}/usage", Op::GetUsage),
    (Method::GET, "/usageplans/{usageplanId}", Op::GetUsagePlan),
    (
        Method::GET,
        "/usageplans/{usageplanId}/keys/{keyId}",
        Op::GetUsagePlanKey,
    ),
    (
        Method::GET,
        "/usageplans/{usageplanId}/keys",
        Op::GetUsagePlanKeys,
    ),
    (Method::GET, "/usageplans", Op::GetUsagePlans),
    (Method::GET, "/vpclinks/{vpclink_id}", Op::GetVpcLink),
    (Method::GET, "/vpclinks", Op::GetVpcLinks),
    (Method::POST, "/apikeys", Op::ImportApiKeys),
    (
        Method::PUT,
        "/restapis/{restapi_id}/documentation/parts",
        Op::ImportDocumentationParts,
    ),
    (Method::POST, "/restapis", Op::ImportRestApi),
    (
        Method::PUT,
        "/restapis/{restapi_id}/gatewayresponses/{response_type}",
        Op::PutGatewayResponse,
    ),
    (
        Method::PUT,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
        Op::PutIntegration,
    ),
    (
        Method::PUT,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
        Op::PutIntegrationResponse,
    ),
    (
        Method::PUT,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
        Op::PutMethod,
    ),
    (
        Method::PUT,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
        Op::PutMethodResponse,
    ),
    (Method::PUT, "/restapis/{restapi_id}", Op::PutRestApi),
    (
        Method::POST,
        "/rejectdomainnameaccessassociations",
        Op::RejectDomainNameAccessAssociation,
    ),
    (Method::PUT, "/tags/{resource_arn}", Op::TagResource),
    (
        Method::POST,
        "/restapis/{restapi_id}/authorizers/{authorizer_id}",
        Op::TestInvokeAuthorizer,
    ),
    (
        Method::POST,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
        Op::TestInvokeMethod,
    ),
    (Method::DELETE, "/tags/{resource_arn}", Op::UntagResource),
    (Method::PATCH, "/account", Op::UpdateAccount),
    (Method::PATCH, "/apikeys/{api_Key}", Op::UpdateApiKey),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/authorizers/{authorizer_id}",
        Op::UpdateAuthorizer,
    ),
    (
        Method::PATCH,
        "/domainnames/{domain_name}/basepathmappings/{base_path}",
        Op::UpdateBasePathMapping,
    ),
    (
        Method::PATCH,
        "/clientcertificates/{clientcertificate_id}",
        Op::UpdateClientCertificate,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/deployments/{deployment_id}",
        Op::UpdateDeployment,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/documentation/parts/{part_id}",
        Op::UpdateDocumentationPart,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/documentation/versions/{doc_version}",
        Op::UpdateDocumentationVersion,
    ),
    (
        Method::PATCH,
        "/domainnames/{domain_name}",
        Op::UpdateDomainName,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/gatewayresponses/{response_type}",
        Op::UpdateGatewayResponse,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration",
        Op::UpdateIntegration,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/integration/responses/{status_code}",
        Op::UpdateIntegrationResponse,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}",
        Op::UpdateMethod,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/resources/{resource_id}/methods/{http_method}/responses/{status_code}",
        Op::UpdateMethodResponse,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/models/{model_name}",
        Op::UpdateModel,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/requestvalidators/{requestvalidator_id}",
        Op::UpdateRequestValidator,
    ),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/resources/{resource_id}",
        Op::UpdateResource,
    ),
    (Method::PATCH, "/restapis/{restapi_id}", Op::UpdateRestApi),
    (
        Method::PATCH,
        "/restapis/{restapi_id}/stages/{stage_name}",
        Op::UpdateStage,
    ),
    (
        Method::PATCH,
        "/usageplans/{usageplanId}/keys/{keyId}/usage",
        Op::UpdateUsage,
    ),
    (
        Method::PATCH,
        "/usageplans/{usageplanId}",
        Op::UpdateUsagePlan,
    ),
    (Method::PATCH, "/vpclinks/{vpclink_id}", Op::UpdateVpcLink),
];

/// The operation a request names, and its path labels (percent-decoded), in template order.
/// `import` is whether the query says `mode=import`.
pub(crate) fn route(method: &Method, path: &str, import: bool) -> Option<(Operation, Vec<String>)> {
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    for (route_method, template, operation) in ROUTES {
        if route_method != method {
            continue;
        }
        let is_import = matches!(operation, Op::ImportRestApi | Op::ImportApiKeys);
        let has_import = matches!(template, &"/restapis" | &"/apikeys") && *method == Method::POST;
        if has_import && is_import != import {
            continue;
        }
        let Some(labels) = unkai_edge::protocol::rest::labels(template, &segments) else {
            continue;
        };
        return Some((*operation, labels));
    }
    None
}

/// `EndpointConfiguration`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointInput {
    /// `EDGE`, `REGIONAL`, `PRIVATE`.
    pub types: Option<Vec<String>>,
}

/// `CreateRestApi` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestApiInput {
    /// The name.
    pub name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The version label.
    pub version: Option<String>,
    /// An API to copy (not supported).
    pub clone_from: Option<String>,
    /// Binary media types.
    pub binary_media_types: Option<Vec<String>>,
    /// Compression threshold.
    pub minimum_compression_size: Option<i32>,
    /// `HEADER` or `AUTHORIZER`.
    pub api_key_source: Option<String>,
    /// Endpoint types.
    pub endpoint_configuration: Option<EndpointInput>,
    /// The resource policy.
    pub policy: Option<String>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Turns the `execute-api` endpoint off.
    pub disable_execute_api_endpoint: Option<bool>,
}

/// One patch operation of an `Update*` call.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchOperation {
    /// `add`, `remove`, `replace`, `move`, `copy`, `test`.
    pub op: Option<String>,
    /// `/name`, `/variables/x`, …
    pub path: Option<String>,
    /// The new value.
    pub value: Option<String>,
}

/// The input of every `Update*` operation.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PatchInput {
    /// The patch operations.
    pub patch_operations: Option<Vec<PatchOperation>>,
}

/// `CreateResource` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceInput {
    /// The last path part.
    pub path_part: Option<String>,
}

/// `PutMethod` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodInput {
    /// `NONE`, `AWS_IAM`, `CUSTOM`, `COGNITO_USER_POOLS`.
    pub authorization_type: Option<String>,
    /// The authorizer.
    pub authorizer_id: Option<String>,
    /// Whether an API key is required.
    pub api_key_required: Option<bool>,
    /// The operation name.
    pub operation_name: Option<String>,
    /// Request parameters.
    pub request_parameters: Option<BTreeMap<String, bool>>,
    /// Request models.
    pub request_models: Option<BTreeMap<String, String>>,
    /// The request validator.
    pub request_validator_id: Option<String>,
    /// OAuth scopes.
    pub authorization_scopes: Option<Vec<String>>,
}

/// `PutIntegration` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationInput {
    /// The integration type.
    #[serde(rename = "type")]
    pub integration_type: Option<String>,
    /// The backend's method (`httpMethod` on the wire).
    #[serde(rename = "httpMethod")]
    pub integration_http_method: Option<String>,
    /// The URI.
    pub uri: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: Option<String>,
    /// The VPC link.
    pub connection_id: Option<String>,
    /// The role.
    pub credentials: Option<String>,
    /// Parameter mappings.
    pub request_parameters: Option<BTreeMap<String, String>>,
    /// Templates.
    pub request_templates: Option<BTreeMap<String, String>>,
    /// Passthrough behavior.
    pub passthrough_behavior: Option<String>,
    /// Cache namespace.
    pub cache_namespace: Option<String>,
    /// Cache key parameters.
    pub cache_key_parameters: Option<Vec<String>>,
    /// Content handling.
    pub content_handling: Option<String>,
    /// 50–29000.
    pub timeout_in_millis: Option<i64>,
}

/// `PutMethodResponse` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodResponseInput {
    /// Headers and whether each is required.
    pub response_parameters: Option<BTreeMap<String, bool>>,
    /// Models.
    pub response_models: Option<BTreeMap<String, String>>,
}

/// `PutIntegrationResponse` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationResponseInput {
    /// The selection pattern.
    pub selection_pattern: Option<String>,
    /// Header mappings.
    pub response_parameters: Option<BTreeMap<String, String>>,
    /// Templates.
    pub response_templates: Option<BTreeMap<String, String>>,
    /// Content handling.
    pub content_handling: Option<String>,
}

/// `CreateDeployment` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentInput {
    /// The stage to create or update.
    pub stage_name: Option<String>,
    /// The stage's description (when it is created).
    pub stage_description: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// The stage's variables.
    pub variables: Option<BTreeMap<String, String>>,
    /// Tracing.
    pub tracing_enabled: Option<bool>,
}

/// `CreateStage` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageInput {
    /// The name.
    pub stage_name: Option<String>,
    /// The deployment.
    pub deployment_id: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Cache cluster.
    pub cache_cluster_enabled: Option<bool>,
    /// Cache cluster size.
    pub cache_cluster_size: Option<String>,
    /// Variables.
    pub variables: Option<BTreeMap<String, String>>,
    /// Tracing.
    pub tracing_enabled: Option<bool>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// `StageKey`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageKeyInput {
    /// The REST API.
    pub rest_api_id: Option<String>,
    /// The stage.
    pub stage_name: Option<String>,
}

/// `CreateApiKey` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyInput {
    /// The name.
    pub name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether it may be used (false by default).
    pub enabled: Option<bool>,
    /// The value; generated when absent.
    pub value: Option<String>,
    /// Stages.
    pub stage_keys: Option<Vec<StageKeyInput>>,
    /// The customer.
    pub customer_id: Option<String>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// `ThrottleSettings`.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleInput {
    /// Burst.
    pub burst_limit: Option<i32>,
    /// Rate.
    pub rate_limit: Option<f64>,
}

/// `QuotaSettings`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaInput {
    /// Requests per period.
    pub limit: Option<i32>,
    /// Offset.
    pub offset: Option<i32>,
    /// `DAY`, `WEEK`, `MONTH`.
    pub period: Option<String>,
}

/// `ApiStage`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStageInput {
    /// The REST API.
    pub api_id: Option<String>,
    /// The stage.
    pub stage: Option<String>,
    /// Per-method throttles.
    pub throttle: Option<BTreeMap<String, ThrottleInput>>,
}

/// `CreateUsagePlan` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlanInput {
    /// The name.
    pub name: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Stages.
    pub api_stages: Option<Vec<ApiStageInput>>,
    /// Throttle.
    pub throttle: Option<ThrottleInput>,
    /// Quota.
    pub quota: Option<QuotaInput>,
    /// Tags.
    pub tags: Option<BTreeMap<String, String>>,
}

/// `CreateUsagePlanKey` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlanKeyInput {
    /// The API key.
    pub key_id: Option<String>,
    /// `API_KEY`.
    pub key_type: Option<String>,
}

/// `CreateAuthorizer` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerInput {
    /// The name.
    pub name: Option<String>,
    /// `TOKEN`, `REQUEST`, `COGNITO_USER_POOLS`.
    #[serde(rename = "type")]
    pub authorizer_type: Option<String>,
    /// User pools.
    #[serde(rename = "providerARNs")]
    pub provider_arns: Option<Vec<String>>,
    /// Auth type.
    pub auth_type: Option<String>,
    /// The function's invocation URI.
    pub authorizer_uri: Option<String>,
    /// The role.
    pub authorizer_credentials: Option<String>,
    /// Identity sources.
    pub identity_source: Option<String>,
    /// Token validation.
    pub identity_validation_expression: Option<String>,
    /// 0–3600.
    pub authorizer_result_ttl_in_seconds: Option<i64>,
}

/// `TagResource` input.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsInput {
    /// The tags.
    pub tags: Option<BTreeMap<String, String>>,
}

pub(crate) fn pairs_json(pairs: &[(String, String)]) -> Json {
    Json::Object(
        pairs
            .iter()
            .map(|(key, value)| (key.clone(), Json::from(value.clone())))
            .collect(),
    )
}

fn flags_json(pairs: &[(String, bool)]) -> Json {
    Json::Object(
        pairs
            .iter()
            .map(|(key, value)| (key.clone(), Json::from(*value)))
            .collect(),
    )
}

fn put_some<T: Into<Json>>(map: &mut Map<String, Json>, key: &str, value: Option<T>) {
    if let Some(value) = value {
        map.insert(key.into(), value.into());
    }
}

fn put_pairs(map: &mut Map<String, Json>, key: &str, pairs: &[(String, String)]) {
    if !pairs.is_empty() {
        map.insert(key.into(), pairs_json(pairs));
    }
}

fn object(value: Json) -> Map<String, Json> {
    match value {
        Json::Object(map) => map,
        _ => Map::new(),
    }
}

/// A `RestApi` document.
pub(crate) fn rest_api_json(api: &RestApi) -> Json {
    let mut map = object(json!({
        "id": api.id,
        "name": api.name,
        "createdDate": api.created_s,
        "apiKeySource": api.api_key_source,
        "endpointConfiguration": {"types": api.endpoint_types, "ipAddressType": "ipv4"},
        "disableExecuteApiEndpoint": api.disable_execute_api_endpoint,
        "rootResourceId": api.root_resource_id,
        "tags": pairs_json(&api.tags),
    }));
    put_some(&mut map, "description", api.description.clone());
    put_some(&mut map, "version", api.version.clone());
    put_some(&mut map, "policy", api.policy.clone());
    put_some(
        &mut map,
        "minimumCompressionSize",
        api.minimum_compression_size,
    );
    if !api.binary_media_types.is_empty() {
        map.insert(
            "binaryMediaTypes".into(),
            api.binary_media_types.clone().into(),
        );
    }
    if !api.warnings.is_empty() {
        map.insert("warnings".into(), api.warnings.clone().into());
    }
    Json::Object(map)
}

/// A `Resource` document; `embed` puts whole methods into `resourceMethods` (else `{}` each).
pub(crate) fn resource_json(resource: &Resource, embed: bool) -> Json {
    let mut map = object(json!({
        "id": resource.id,
        "path": resource.path,
    }));
    put_some(&mut map, "parentId", resource.parent_id.clone());
    if !resource.path_part.is_empty() {
        map.insert("pathPart".into(), resource.path_part.clone().into());
    }
    if !resource.methods.is_empty() {
        let methods: Map<String, Json> = resource
            .methods
            .iter()
            .map(|method| {
                let body = if embed {
                    method_json(method)
                } else {
                    json!({})
                };
                (method.http_method.clone(), body)
            })
            .collect();
        map.insert("resourceMethods".into(), methods.into());
    }
    Json::Object(map)
}

/// A `MethodResponse` document.
pub(crate) fn method_response_json(response: &MethodResponse) -> Json {
    let mut map = object(json!({ "statusCode": response.status_code }));
    if !response.response_parameters.is_empty() {
        map.insert(
            "responseParameters".into(),
            flags_json(&response.response_parameters),
        );
    }
    put_pairs(&mut map, "responseModels", &response.response_models);
    Json::Object(map)
}

/// An `IntegrationResponse` document.
pub(crate) fn integration_response_json(response: &IntegrationResponse) -> Json {
    let mut map = object(json!({ "statusCode": response.status_code }));
    put_some(
        &mut map,
        "selectionPattern",
        response.selection_pattern.clone(),
    );
    put_pairs(
        &mut map,
        "responseParameters",
        &response.response_parameters,
    );
    put_pairs(&mut map, "responseTemplates", &response.response_templates);
    put_some(
        &mut map,
        "contentHandling",
        response.content_handling.clone(),
    );
    Json::Object(map)
}

/// An `Integration` document.
pub(crate) fn integration_json(integration: &Integration) -> Json {
    let mut map = object(json!({
        "type": integration.integration_type,
        "connectionType": integration.connection_type,
        "timeoutInMillis": integration.timeout_ms,
        "cacheKeyParameters": integration.cache_key_parameters,
    }));
    put_some(&mut map, "httpMethod", integration.http_method.clone());
    put_some(&mut map, "uri", integration.uri.clone());
    put_some(&mut map, "connectionId", integration.connection_id.clone());
    put_some(&mut map, "credentials", integration.credentials.clone());
    put_pairs(
        &mut map,
        "requestParameters",
        &integration.request_parameters,
    );
    put_pairs(&mut map, "requestTemplates", &integration.request_templates);
    put_some(
        &mut map,
        "passthroughBehavior",
        integration.passthrough_behavior.clone(),
    );
    put_some(
        &mut map,
        "contentHandling",
        integration.content_handling.clone(),
    );
    put_some(
        &mut map,
        "cacheNamespace",
        integration.cache_namespace.clone(),
    );
    if !integration.responses.is_empty() {
        let responses: Map<String, Json> = integration
            .responses
            .iter()
            .map(|response| {
                (
                    response.status_code.clone(),
                    integration_response_json(response),
                )
            })
            .collect();
        map.insert("integrationResponses".into(), responses.into());
    }
    Json::Object(map)
}

/// A `Method` document.
pub(crate) fn method_json(method: &ApiMethod) -> Json {
    let mut map = object(json!({
        "httpMethod": method.http_method,
        "authorizationType": method.authorization_type,
        "apiKeyRequired": method.api_key_required,
    }));
    put_some(&mut map, "authorizerId", method.authorizer_id.clone());
    put_some(&mut map, "operationName", method.operation_name.clone());
    put_some(
        &mut map,
        "requestValidatorId",
        method.request_validator_id.clone(),
    );
    if !method.request_parameters.is_empty() {
        map.insert(
            "requestParameters".into(),
            flags_json(&method.request_parameters),
        );
    }
    put_pairs(&mut map, "requestModels", &method.request_models);
    if !method.authorization_scopes.is_empty() {
        map.insert(
            "authorizationScopes".into(),
            method.authorization_scopes.clone().into(),
        );
    }
    if !method.responses.is_empty() {
        let responses: Map<String, Json> = method
            .responses
            .iter()
            .map(|response| (response.status_code.clone(), method_response_json(response)))
            .collect();
        map.insert("methodResponses".into(), responses.into());
    }
    if let Some(integration) = &method.integration {
        map.insert("methodIntegration".into(), integration_json(integration));
    }
    Json::Object(map)
}

/// A `Deployment` document.
pub(crate) fn deployment_json(deployment: &Deployment) -> Json {
    let mut map = object(json!({
        "id": deployment.id,
        "createdDate": deployment.created_s,
    }));
    put_some(&mut map, "description", deployment.description.clone());
    Json::Object(map)
}

fn method_setting_json(setting: &MethodSetting) -> Json {
    let mut map = object(json!({
        "metricsEnabled": setting.metrics_enabled,
        "dataTraceEnabled": setting.data_trace_enabled,
        "throttlingBurstLimit": setting.throttling_burst_limit,
        "throttlingRateLimit": setting.throttling_rate_limit,
        "cachingEnabled": setting.caching_enabled,
        "cacheTtlInSeconds": setting.cache_ttl_in_seconds,
        "cacheDataEncrypted": setting.cache_data_encrypted,
        "requireAuthorizationForCacheControl": true,
        "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER",
    }));
    put_some(&mut map, "loggingLevel", setting.logging_level.clone());
    Json::Object(map)
}

/// A `Stage` document.
pub(crate) fn stage_json(stage: &Stage) -> Json {
    let settings: Map<String, Json> = stage
        .method_settings
        .iter()
        .map(|(key, setting)| (key.clone(), method_setting_json(setting)))
        .collect();
    let mut map = object(json!({
        "stageName": stage.name,
        "deploymentId": stage.deployment_id,
        "cacheClusterEnabled": stage.cache_cluster_enabled,
        "cacheClusterStatus": "NOT_AVAILABLE",
        "methodSettings": settings,
        "tracingEnabled": stage.tracing_enabled,
        "createdDate": stage.created_s,
        "lastUpdatedDate": stage.updated_s,
    }));
    put_some(&mut map, "description", stage.description.clone());
    put_some(
        &mut map,
        "cacheClusterSize",
        stage.cache_cluster_size.clone(),
    );
    put_pairs(&mut map, "variables", &stage.variables);
    put_pairs(&mut map, "tags", &stage.tags);
    Json::Object(map)
}

/// An `ApiKey` document; the value only when asked for.
pub(crate) fn api_key_json(key: &ApiKey, include_value: bool) -> Json {
    let mut map = object(json!({
        "id": key.id,
        "name": key.name,
        "enabled": key.enabled,
        "createdDate": key.created_s,
        "lastUpdatedDate": key.updated_s,
        "stageKeys": key.stage_keys,
        "tags": pairs_json(&key.tags),
    }));
    if include_value {
        map.insert("value".into(), key.value.clone().into());
    }
    put_some(&mut map, "description", key.description.clone());
    put_some(&mut map, "customerId", key.customer_id.clone());
    Json::Object(map)
}

/// A `UsagePlan` document.
pub(crate) fn usage_plan_json(plan: &UsagePlan) -> Json {
    let stages: Vec<Json> = plan
        .api_stages
        .iter()
        .map(|stage| {
            let mut map = object(json!({"apiId": stage.api_id, "stage": stage.stage}));
            if !stage.throttle.is_empty() {
                let throttle: Map<String, Json> = stage
                    .throttle
                    .iter()
                    .map(|(path, throttle)| {
                        (
                            path.clone(),
                            json!({"burstLimit": throttle.burst_limit, "rateLimit": throttle.rate_limit}),
                        )
                    })
                    .collect();
                map.insert("throttle".into(), throttle.into());
            }
            Json::Object(map)
        })
        .collect();
    let mut map = object(json!({
        "id": plan.id,
        "name": plan.name,
        "apiStages": stages,
        "tags": pairs_json(&plan.tags),
    }));
    put_some(&mut map, "description", plan.description.clone());
    if let Some(throttle) = &plan.throttle {
        map.insert(
            "throttle".into(),
            json!({"burstLimit": throttle.burst_limit, "rateLimit": throttle.rate_limit}),
        );
    }
    if let Some(quota) = &plan.quota {
        map.insert(
            "quota".into(),
            json!({"limit": quota.limit, "offset": quota.offset, "period": quota.period}),
        );
    }
    Json::Object(map)
}

/// A `UsagePlanKey` document.
pub(crate) fn usage_plan_key_json(key: &ApiKey, key_type: &str) -> Json {
    json!({"id": key.id, "type": key_type, "value": key.value, "name": key.name})
}

/// An `Authorizer` document.
pub(crate) fn authorizer_json(authorizer: &Authorizer) -> Json {
    let mut map = object(json!({
        "id": authorizer.id,
        "name": authorizer.name,
        "type": authorizer.authorizer_type,
        "authorizerResultTtlInSeconds": authorizer.result_ttl,
    }));
    if !authorizer.provider_arns.is_empty() {
        map.insert(
            "providerARNs".into(),
            authorizer.provider_arns.clone().into(),
        );
    }
    put_some(&mut map, "authType", authorizer.auth_type.clone());
    put_some(&mut map, "authorizerUri", authorizer.uri.clone());
    put_some(
        &mut map,
        "authorizerCredentials",
        authorizer.credentials.clone(),
    );
    put_some(
        &mut map,
        "identitySource",
        authorizer.identity_source.clone(),
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
            route(&Method::POST, "/restapis", false),
            Some((Op::CreateRestApi, vec![]))
        );
        assert_eq!(
            route(&Method::POST, "/restapis", true),
            Some((Op::ImportRestApi, vec![]))
        );
        assert_eq!(
            route(
                &Method::PUT,
                "/restapis/abc/resources/r1/methods/GET",
                false
            ),
            Some((Op::PutMethod, vec!["abc".into(), "r1".into(), "GET".into()]))
        );
        assert_eq!(
            route(
                &Method::PUT,
                "/restapis/abc/resources/r1/methods/GET/integration/responses/200",
                false
            ),
            Some((
                Op::PutIntegrationResponse,
                vec!["abc".into(), "r1".into(), "GET".into(), "200".into()]
            ))
        );
        assert_eq!(
            route(
                &Method::GET,
                "/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Fabc",
                false
            ),
            Some((
                Op::GetTags,
                vec!["arn:aws:apigateway:us-east-1::/restapis/abc".into()]
            ))
        );
        assert_eq!(route(&Method::PATCH, "/restapis", false), None);
    }
}
