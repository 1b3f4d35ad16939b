//! API Gateway's keyspace for REST APIs. Every key starts with `ApiGateway, "rest"`, so it never
//! meets the keys of HTTP and WebSocket APIs (`apigatewayv2`), which share the space. Every
//! record of a REST API is keyed by the API's id, so deleting an API clears one range per kind.
//!
//! | key | value |
//! |---|---|
//! | `ApiGateway, "rest", "api", api id` | [`RestApi`] |
//! | `ApiGateway, "rest", "resource", api id, resource id` | [`Resource`] with its methods |
//! | `ApiGateway, "rest", "deployment", api id, deployment id` | [`Deployment`]: what a stage serves |
//! | `ApiGateway, "rest", "stage", api id, stage name` | [`Stage`] |
//! | `ApiGateway, "rest", "authorizer", api id, authorizer id` | [`Authorizer`] |
//! | `ApiGateway, "rest", "apikey", key id` | [`ApiKey`] |
//! | `ApiGateway, "rest", "apikeyvalue", key value` | [`KeyRef`]: the key with that value |
//! | `ApiGateway, "rest", "usageplan", plan id` | [`UsagePlan`] |
//! | `ApiGateway, "rest", "plankey", plan id, key id` | [`PlanKey`] |
//! | `ApiGateway, "rest", "usage", plan id, key id, day` | [`Usage`]: requests counted that UTC day |

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Result, Space, Tx, tuple};

/// The first tuple element of every REST API key.
const REST: &str = "rest";

/// Record kinds: the second tuple element.
pub(crate) const API: &str = "api";
pub(crate) const RESOURCE: &str = "resource";
pub(crate) const DEPLOYMENT: &str = "deployment";
pub(crate) const STAGE: &str = "stage";
pub(crate) const AUTHORIZER: &str = "authorizer";
pub(crate) const API_KEY: &str = "apikey";
pub(crate) const API_KEY_VALUE: &str = "apikeyvalue";
pub(crate) const USAGE_PLAN: &str = "usageplan";
pub(crate) const PLAN_KEY: &str = "plankey";
pub(crate) const USAGE: &str = "usage";

/// A REST API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestApi {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: Option<String>,
    /// The version label.
    pub version: Option<String>,
    /// Created, seconds since the epoch.
    pub created_s: u64,
    /// Media types served as binary.
    pub binary_media_types: Vec<String>,
    /// The smallest body compressed (stored only).
    pub minimum_compression_size: Option<i32>,
    /// `HEADER` or `AUTHORIZER`: where API keys come from.
    pub api_key_source: String,
    /// `EDGE`, `REGIONAL` or `PRIVATE`.
    pub endpoint_types: Vec<String>,
    /// The resource policy (stored only).
    pub policy: Option<String>,
    /// Tags, by key.
    pub tags: Vec<(String, String)>,
    /// Whether the `execute-api` endpoint is off.
    pub disable_execute_api_endpoint: bool,
    /// The id of the `/` resource.
    pub root_resource_id: String,
    /// What the last import warned about.
    pub warnings: Vec<String>,
}

impl Record for RestApi {
    const VERSION: u8 = 1;
}

/// A method response (`PutMethodResponse`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodResponse {
    /// `200`.
    pub status_code: String,
    /// Header names and whether each is required.
    pub response_parameters: Vec<(String, bool)>,
    /// Models by content type.
    pub response_models: Vec<(String, String)>,
}

/// An integration response (`PutIntegrationResponse`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationResponse {
    /// The method response it maps to.
    pub status_code: String,
    /// Which backend answers it maps (none: the default).
    pub selection_pattern: Option<String>,
    /// Header mappings (`method.response.header.X` → `'literal'`).
    pub response_parameters: Vec<(String, String)>,
    /// Templates by content type.
    pub response_templates: Vec<(String, String)>,
    /// `CONVERT_TO_BINARY` or `CONVERT_TO_TEXT`.
    pub content_handling: Option<String>,
}

/// Where a method's requests go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// `AWS_PROXY`, `HTTP_PROXY`, `MOCK`, `AWS` or `HTTP`.
    pub integration_type: String,
    /// The backend request's method.
    pub http_method: Option<String>,
    /// The Lambda invocation URI or the backend URL.
    pub uri: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: String,
    /// The VPC link.
    pub connection_id: Option<String>,
    /// The role API Gateway assumes.
    pub credentials: Option<String>,
    /// Parameter mappings.
    pub request_parameters: Vec<(String, String)>,
    /// Templates by content type (MOCK: `{"statusCode": 200}`).
    pub request_templates: Vec<(String, String)>,
    /// `WHEN_NO_MATCH`, `WHEN_NO_TEMPLATES` or `NEVER`.
    pub passthrough_behavior: Option<String>,
    /// `CONVERT_TO_BINARY` or `CONVERT_TO_TEXT`.
    pub content_handling: Option<String>,
    /// 50–29000.
    pub timeout_ms: u32,
    /// The cache namespace.
    pub cache_namespace: Option<String>,
    /// Cache key parameters.
    pub cache_key_parameters: Vec<String>,
    /// Integration responses by status code.
    pub responses: Vec<IntegrationResponse>,
}

/// A method of a resource.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    /// `GET`, …, or `ANY`.
    pub http_method: String,
    /// `NONE`, `AWS_IAM`, `CUSTOM` or `COGNITO_USER_POOLS`.
    pub authorization_type: String,
    /// The authorizer of `CUSTOM` and `COGNITO_USER_POOLS` methods.
    pub authorizer_id: Option<String>,
    /// Whether an API key is required.
    pub api_key_required: bool,
    /// The operation name.
    pub operation_name: Option<String>,
    /// Request parameters and whether each is required.
    pub request_parameters: Vec<(String, bool)>,
    /// Request models by content type.
    pub request_models: Vec<(String, String)>,
    /// The request validator.
    pub request_validator_id: Option<String>,
    /// OAuth scopes.
    pub authorization_scopes: Vec<String>,
    /// Method responses by status code.
    pub responses: Vec<MethodResponse>,
    /// The integration.
    pub integration: Option<Integration>,
}

/// A resource: one path of the API, with its methods.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The parent (none for `/`).
    pub parent_id: Option<String>,
    /// The last path part: `items`, `{id}`, `{proxy+}` (empty for `/`).
    pub path_part: String,
    /// The full path: `/items/{id}`.
    pub path: String,
    /// The methods, by HTTP method.
    pub methods: Vec<Method>,
}

impl Record for Resource {
    const VERSION: u8 = 1;
}

/// A Lambda (or Cognito) authorizer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorizer {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The name.
    pub name: String,
    /// `TOKEN`, `REQUEST` or `COGNITO_USER_POOLS`.
    pub authorizer_type: String,
    /// User pool ARNs.
    pub provider_arns: Vec<String>,
    /// `custom` by default.
    pub auth_type: Option<String>,
    /// The function's invocation URI.
    pub uri: Option<String>,
    /// The role API Gateway assumes to invoke it.
    pub credentials: Option<String>,
    /// `method.request.header.Authorization`, comma-separated for REQUEST authorizers.
    pub identity_source: Option<String>,
    /// A regular expression a TOKEN must match (stored only).
    pub identity_validation_expression: Option<String>,
    /// How long results are cached, 0–3600 s (300 by default).
    pub result_ttl: u32,
}

impl Record for Authorizer {
    const VERSION: u8 = 1;
}

/// A deployment: the resources (with methods and integrations) and authorizers of an API when
/// it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The description.
    pub description: Option<String>,
    /// Created, seconds since the epoch.
    pub created_s: u64,
    /// The resources.
    pub resources: Vec<Resource>,
    /// The authorizers.
    pub authorizers: Vec<Authorizer>,
}

impl Record for Deployment {
    const VERSION: u8 = 1;
}

/// The settings of one method of a stage (or `*/*`, every method).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MethodSetting {
    /// CloudWatch metrics.
    pub metrics_enabled: bool,
    /// `OFF`, `ERROR` or `INFO`.
    pub logging_level: Option<String>,
    /// Full request and response logs.
    pub data_trace_enabled: bool,
    /// The burst limit.
    pub throttling_burst_limit: i32,
    /// The rate limit, requests per second.
    pub throttling_rate_limit: f64,
    /// Caching.
    pub caching_enabled: bool,
    /// The cache TTL.
    pub cache_ttl_in_seconds: i32,
    /// Whether cached data is encrypted.
    pub cache_data_encrypted: bool,
}

/// A stage: a named reference to a deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The name.
    pub name: String,
    /// The deployment it serves.
    pub deployment_id: String,
    /// The description.
    pub description: Option<String>,
    /// Stage variables.
    pub variables: Vec<(String, String)>,
    /// Settings by `<resource path>/<method>` (`*/*` for every method).
    pub method_settings: Vec<(String, MethodSetting)>,
    /// X-Ray tracing (stored only).
    pub tracing_enabled: bool,
    /// The cache cluster (stored only).
    pub cache_cluster_enabled: bool,
    /// The cache cluster size.
    pub cache_cluster_size: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Created, seconds since the epoch.
    pub created_s: u64,
    /// Last changed, seconds since the epoch.
    pub updated_s: u64,
}

impl Record for Stage {
    const VERSION: u8 = 1;
}

/// An API key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The key clients send in `x-api-key`.
    pub value: String,
    /// The name.
    pub name: String,
    /// The customer (AWS Marketplace).
    pub customer_id: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether it may be used.
    pub enabled: bool,
    /// Created, seconds since the epoch.
    pub created_s: u64,
    /// Last changed, seconds since the epoch.
    pub updated_s: u64,
    /// `<api-id>/<stage>` (the legacy association).
    pub stage_keys: Vec<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
}

impl Record for ApiKey {
    const VERSION: u8 = 1;
}

/// The id of the API key with a value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRef {
    /// The key's id.
    pub id: String,
}

impl Record for KeyRef {
    const VERSION: u8 = 1;
}

/// A rate limit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    /// The bucket's size.
    pub burst_limit: i32,
    /// Requests per second.
    pub rate_limit: f64,
}

/// A quota.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// Requests per period.
    pub limit: i32,
    /// Days (or weeks) the period starts after its natural start (stored only).
    pub offset: i32,
    /// `DAY`, `WEEK` or `MONTH`.
    pub period: String,
}

/// An API stage a usage plan covers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiStage {
    /// The REST API.
    pub api_id: String,
    /// The stage.
    pub stage: String,
    /// Per-method throttles by `<resource path>/<method>` (stored only).
    pub throttle: Vec<(String, Throttle)>,
}

/// A usage plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UsagePlan {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The name.
    pub name: String,
    /// The description.
    pub description: Option<String>,
    /// The stages it covers.
    pub api_stages: Vec<ApiStage>,
    /// The rate limit of each key.
    pub throttle: Option<Throttle>,
    /// The quota of each key.
    pub quota: Option<Quota>,
    /// Tags.
    pub tags: Vec<(String, String)>,
}

impl Record for UsagePlan {
    const VERSION: u8 = 1;
}

/// An API key's membership of a usage plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanKey {
    /// The API key's id.
    pub key_id: String,
    /// `API_KEY`.
    pub key_type: String,
}

impl Record for PlanKey {
    const VERSION: u8 = 1;
}

/// Requests one key made under one plan on one UTC day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// How many.
    pub used: u64,
}

impl Record for Usage {
    const VERSION: u8 = 1;
}

/// The key of `parts` (a kind, then ids).
pub(crate) fn key(parts: &[&str]) -> Vec<u8> {
    parts
        .iter()
        .fold(tuple::key(Space::ApiGateway).str(REST), |key, part| {
            key.str(part)
        })
        .finish()
}

/// Every key that starts with `parts`.
pub(crate) fn range(parts: &[&str]) -> KeyRange {
    parts
        .iter()
        .fold(tuple::key(Space::ApiGateway).str(REST), |key, part| {
            key.str(part)
        })
        .range()
}

/// The record at `parts`.
pub(crate) fn get<R: Record>(tx: &mut Tx, parts: &[&str]) -> Result<Option<R>> {
    let key = key(parts);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

/// Stores `value` at `parts`.
pub(crate) fn put<R: Record>(tx: &mut Tx, parts: &[&str], value: &R) {
    tx.set(key(parts), record::encode(value));
}

/// Deletes the record at `parts`.
pub(crate) fn delete(tx: &mut Tx, parts: &[&str]) {
    tx.clear(key(parts));
}

/// Every record under `parts`, in key order.
pub(crate) fn list<R: Record + DeserializeOwned>(tx: &mut Tx, parts: &[&str]) -> Result<Vec<R>> {
    tx.range(&range(parts), usize::MAX)?
        .into_iter()
        .map(|(key, value)| record::decode(&key, &value))
        .collect()
}

/// Deletes a REST API and everything stored under it.
pub(crate) fn delete_api(tx: &mut Tx, id: &str) {
    delete(tx, &[API, id]);
    for kind in [RESOURCE, DEPLOYMENT, STAGE, AUTHORIZER] {
        tx.clear_range(range(&[kind, id]));
    }
}

/// The day key of usage counts: days since the epoch, zero-padded so keys sort by day.
pub(crate) fn day_key(day: u64) -> String {
    format!("{day:08}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method() -> Method {
        Method {
            http_method: "GET".into(),
            authorization_type: "CUSTOM".into(),
            authorizer_id: Some("a1".into()),
            api_key_required: true,
            operation_name: None,
            request_parameters: vec![("method.request.path.id".into(), true)],
            request_models: vec![],
            request_validator_id: None,
            authorization_scopes: vec![],
            responses: vec![MethodResponse {
                status_code: "200".into(),
                response_parameters: vec![],
                response_models: vec![("application/json".into(), "Empty".into())],
            }],
            integration: Some(Integration {
                integration_type: "MOCK".into(),
                http_method: None,
                uri: None,
                connection_type: "INTERNET".into(),
                connection_id: None,
                credentials: None,
                request_parameters: vec![],
                request_templates: vec![(
                    "application/json".into(),
                    "{\"statusCode\": 200}".into(),
                )],
                passthrough_behavior: Some("WHEN_NO_MATCH".into()),
                content_handling: None,
                timeout_ms: 29000,
                cache_namespace: Some("r1".into()),
                cache_key_parameters: vec![],
                responses: vec![IntegrationResponse {
                    status_code: "200".into(),
                    selection_pattern: None,
                    response_parameters: vec![],
                    response_templates: vec![("application/json".into(), "{}".into())],
                    content_handling: None,
                }],
            }),
        }
    }

    fn resource() -> Resource {
        Resource {
            id: "r1".into(),
            parent_id: Some("root".into()),
            path_part: "{id}".into(),
            path: "/{id}".into(),
            methods: vec![method()],
        }
    }

    fn authorizer() -> Authorizer {
        Authorizer {
            id: "a1".into(),
            name: "token".into(),
            authorizer_type: "TOKEN".into(),
            provider_arns: vec![],
            auth_type: Some("custom".into()),
            uri: Some("arn:f".into()),
            credentials: None,
            identity_source: Some("method.request.header.Authorization".into()),
            identity_validation_expression: None,
            result_ttl: 300,
        }
    }

    fn golden<R: Record + std::fmt::Debug + PartialEq>(value: &R, hex_bytes: &str) {
        let bytes = record::encode(value);
        assert_eq!(hex::encode(&bytes), hex_bytes);
        assert_eq!(&record::decode::<R>(b"k", &bytes).unwrap(), value);
    }

    #[test]
    fn records_keep_their_encoding() {
        golden(
            &RestApi {
                id: "abcdefghij".into(),
                name: "n".into(),
                description: Some("d".into()),
                version: None,
                created_s: 1000,
                binary_media_types: vec!["image/png".into()],
                minimum_compression_size: None,
                api_key_source: "HEADER".into(),
                endpoint_types: vec!["EDGE".into()],
                policy: None,
                tags: vec![("k".into(), "v".into())],
                disable_execute_api_endpoint: false,
                root_resource_id: "root".into(),
                warnings: vec![],
            },
            "010a6162636465666768696a016e01016400e8070109696d6167652f706e6700064845414445\
             520104454447450001016b01760004726f6f7400",
        );
        golden(
            &resource(),
            "010272310104726f6f74047b69647d052f7b69647d010347455406435553544f4d0102613101\
             0001166d6574686f642e726571756573742e706174682e696401000000010332303000011061\
             70706c69636174696f6e2f6a736f6e05456d70747901044d4f434b000008494e5445524e4554\
             00000001106170706c69636174696f6e2f6a736f6e137b22737461747573436f6465223a2032\
             30307d010d5748454e5f4e4f5f4d4154434800c8e20101027231000103323030000001106170\
             706c69636174696f6e2f6a736f6e027b7d00",
        );
        golden(
            &authorizer(),
            "0102613105746f6b656e05544f4b454e000106637573746f6d010561726e3a660001236d6574\
             686f642e726571756573742e6865616465722e417574686f72697a6174696f6e00ac02",
        );
        golden(
            &Deployment {
                id: "d1".into(),
                description: None,
                created_s: 3,
                resources: vec![resource()],
                authorizers: vec![authorizer()],
            },
            "010264310003010272310104726f6f74047b69647d052f7b69647d010347455406435553544f\
             4d01026131010001166d6574686f642e726571756573742e706174682e696401000000010332\
             30300001106170706c69636174696f6e2f6a736f6e05456d70747901044d4f434b000008494e\
             5445524e455400000001106170706c69636174696f6e2f6a736f6e137b22737461747573436f\
             6465223a203230307d010d5748454e5f4e4f5f4d4154434800c8e20101027231000103323030\
             000001106170706c69636174696f6e2f6a736f6e027b7d000102613105746f6b656e05544f4b\
             454e000106637573746f6d010561726e3a660001236d6574686f642e726571756573742e6865\
             616465722e417574686f72697a6174696f6e00ac02",
        );
        golden(
            &Stage {
                name: "prod".into(),
                deployment_id: "d1".into(),
                description: None,
                variables: vec![("v".into(), "1".into())],
                method_settings: vec![(
                    "*/*".into(),
                    MethodSetting {
                        throttling_burst_limit: 10,
                        throttling_rate_limit: 2.5,
                        ..MethodSetting::default()
                    },
                )],
                tracing_enabled: false,
                cache_cluster_enabled: false,
                cache_cluster_size: None,
                tags: vec![],
                created_s: 1,
                updated_s: 2,
            },
            "010470726f6402643100010176013101032a2f2a000000140000000000000440000000000000\
             000102",
        );
        golden(
            &ApiKey {
                id: "k1".into(),
                value: "secret".into(),
                name: "key".into(),
                customer_id: None,
                description: None,
                enabled: true,
                created_s: 1,
                updated_s: 1,
                stage_keys: vec![],
                tags: vec![],
            },
            "01026b3106736563726574036b657900000101010000",
        );
        golden(&KeyRef { id: "k1".into() }, "01026b31");
        golden(
            &UsagePlan {
                id: "p1".into(),
                name: "plan".into(),
                description: None,
                api_stages: vec![ApiStage {
                    api_id: "abc".into(),
                    stage: "prod".into(),
                    throttle: vec![],
                }],
                throttle: Some(Throttle {
                    burst_limit: 2,
                    rate_limit: 1.0,
                }),
                quota: Some(Quota {
                    limit: 100,
                    offset: 0,
                    period: "DAY".into(),
                }),
                tags: vec![],
            },
            "0102703104706c616e0001036162630470726f64000104000000000000f03f01c80100034441\
             5900",
        );
        golden(
            &PlanKey {
                key_id: "k1".into(),
                key_type: "API_KEY".into(),
            },
            "01026b31074150495f4b4559",
        );
        golden(&Usage { used: 300 }, "01ac02");
    }

    #[test]
    fn keys_stay_apart_from_http_apis() {
        let resources = range(&[RESOURCE, "abc"]);
        assert!(resources.start <= key(&[RESOURCE, "abc", "r1"]));
        assert!(key(&[RESOURCE, "abc", "r1"]) < resources.end);
        assert!(key(&[RESOURCE, "abcd", "r1"]) >= resources.end);
        // apigatewayv2 keys start with "api", "route", …; ours with "rest".
        let v2 = tuple::key(Space::ApiGateway).str("api").str("abc").finish();
        let ours = range(&[]);
        assert!(!(ours.start <= v2 && v2 < ours.end));
        assert_eq!(day_key(19_000), "00019000");
    }
}
