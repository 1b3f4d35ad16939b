//! API Gateway's keyspace. Every record of an API is keyed by the API's id, so deleting an API
//! clears one range per kind. The open WebSocket connections of every node are recorded here
//! too, so that `@connections` on any node of a cluster finds the node that holds one.
//!
//! | key | value |
//! |---|---|
//! | `ApiGateway, "api", api id` | [`Api`] |
//! | `ApiGateway, "route", api id, route id` | [`Route`] |
//! | `ApiGateway, "integration", api id, integration id` | [`Integration`] |
//! | `ApiGateway, "stage", api id, stage name` | [`Stage`] |
//! | `ApiGateway, "deployment", api id, deployment id` | [`Deployment`]: what a stage serves |
//! | `ApiGateway, "authorizer", api id, authorizer id` | [`Authorizer`] |
//! | `ApiGateway, "connection", connection id` | [`Connection`]: an open WebSocket connection and its node |
//! | `ApiGateway, "node-connection", node address, connection id` | empty: the connections a node holds |

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Result, Space, Tx, tuple};

/// `ProtocolType: HTTP`.
pub const HTTP: &str = "HTTP";
/// `ProtocolType: WEBSOCKET`.
pub const WEBSOCKET: &str = "WEBSOCKET";
/// The stage served without a path prefix.
pub const DEFAULT_STAGE: &str = "$default";

/// An API's CORS configuration (`CorsConfiguration`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cors {
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
    /// `MaxAge` in seconds (-1 to 86400).
    pub max_age: Option<i32>,
}

/// An API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Api {
    /// Ten lowercase letters and digits.
    pub id: String,
    /// The name.
    pub name: String,
    /// `HTTP` or `WEBSOCKET`.
    pub protocol_type: String,
    /// The description.
    pub description: Option<String>,
    /// The version label.
    pub version: Option<String>,
    /// `$request.method $request.path` for HTTP APIs.
    pub route_selection_expression: String,
    /// `$request.header.x-api-key` by default.
    pub api_key_selection_expression: String,
    /// Whether the `execute-api` endpoint is off.
    pub disable_execute_api_endpoint: bool,
    /// WebSocket APIs: whether request validation is off.
    pub disable_schema_validation: bool,
    /// `ipv4` or `dualstack`.
    pub ip_address_type: String,
    /// The CORS configuration (HTTP APIs).
    pub cors: Option<Cors>,
    /// Tags, by key.
    pub tags: Vec<(String, String)>,
    /// When it was created, ms since the epoch.
    pub created_ms: u64,
    /// Quick create: the route and integration API Gateway manages.
    pub managed: Option<(String, String)>,
}

impl Record for Api {
    const VERSION: u8 = 1;
}

/// A route: a route key and what it runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Seven lowercase letters and digits.
    pub id: String,
    /// `$default`, or `GET /items/{id}`.
    pub key: String,
    /// `integrations/<integration id>`.
    pub target: Option<String>,
    /// `NONE`, `AWS_IAM`, `CUSTOM` or `JWT`.
    pub authorization_type: String,
    /// The authorizer of `CUSTOM` and `JWT` routes.
    pub authorizer_id: Option<String>,
    /// JWT scopes.
    pub authorization_scopes: Vec<String>,
    /// WebSocket APIs: whether an API key is required.
    pub api_key_required: bool,
    /// The operation name.
    pub operation_name: Option<String>,
    /// Request parameters and whether each is required.
    pub request_parameters: Vec<(String, bool)>,
    /// Request models by content type (WebSocket APIs).
    pub request_models: Vec<(String, String)>,
    /// WebSocket APIs.
    pub model_selection_expression: Option<String>,
    /// WebSocket APIs.
    pub route_response_selection_expression: Option<String>,
    /// Whether quick create made it.
    pub managed: bool,
}

impl Record for Route {
    const VERSION: u8 = 1;
}

/// An integration: where a route's requests go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    /// Seven lowercase letters and digits.
    pub id: String,
    /// `AWS_PROXY`, `HTTP_PROXY` (HTTP APIs), or `AWS`, `HTTP`, `MOCK` (WebSocket APIs).
    pub integration_type: String,
    /// A Lambda function ARN (or its `apigateway` invocation ARN), or a URL.
    pub uri: Option<String>,
    /// The HTTP method of the request to the backend.
    pub method: Option<String>,
    /// `1.0` or `2.0`.
    pub payload_format_version: String,
    /// 50–30000 (HTTP APIs).
    pub timeout_ms: u32,
    /// The description.
    pub description: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: String,
    /// The VPC link.
    pub connection_id: Option<String>,
    /// The role API Gateway assumes.
    pub credentials_arn: Option<String>,
    /// AWS service integrations (`SQS-SendMessage`).
    pub subtype: Option<String>,
    /// Parameter mappings.
    pub request_parameters: Vec<(String, String)>,
    /// Templates by content type (WebSocket APIs).
    pub request_templates: Vec<(String, String)>,
    /// Response parameter mappings by status code.
    pub response_parameters: Vec<(String, Vec<(String, String)>)>,
    /// WebSocket APIs.
    pub template_selection_expression: Option<String>,
    /// WebSocket APIs.
    pub passthrough_behavior: Option<String>,
    /// WebSocket APIs.
    pub content_handling_strategy: Option<String>,
    /// `TlsConfig.ServerNameToVerify`.
    pub server_name_to_verify: Option<String>,
    /// Whether quick create made it.
    pub managed: bool,
}

impl Record for Integration {
    const VERSION: u8 = 1;
}

/// Throttling and logging settings of a stage or one of its routes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteSettings {
    /// WebSocket APIs.
    pub data_trace_enabled: Option<bool>,
    /// Whether detailed metrics are on.
    pub detailed_metrics_enabled: Option<bool>,
    /// WebSocket APIs: `ERROR`, `INFO` or `OFF`.
    pub logging_level: Option<String>,
    /// The burst limit.
    pub throttling_burst_limit: Option<i32>,
    /// The rate limit, requests per second.
    pub throttling_rate_limit: Option<f64>,
}

/// A stage: a named, deployed snapshot of an API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    /// The name; `$default` serves without a path prefix.
    pub name: String,
    /// The description.
    pub description: Option<String>,
    /// The deployment it serves.
    pub deployment_id: Option<String>,
    /// Whether every change of the API is deployed to it.
    pub auto_deploy: bool,
    /// Stage variables.
    pub variables: Vec<(String, String)>,
    /// Settings for every route.
    pub default_route_settings: RouteSettings,
    /// Settings by route key.
    pub route_settings: Vec<(String, RouteSettings)>,
    /// Access logs: destination ARN and format.
    pub access_log: Option<(Option<String>, Option<String>)>,
    /// The client certificate.
    pub client_certificate_id: Option<String>,
    /// What the last automatic deployment said.
    pub last_deployment_status_message: Option<String>,
    /// Tags.
    pub tags: Vec<(String, String)>,
    /// Created, ms since the epoch.
    pub created_ms: u64,
    /// Last changed, ms since the epoch.
    pub updated_ms: u64,
    /// Whether quick create made it.
    pub managed: bool,
}

impl Record for Stage {
    const VERSION: u8 = 1;
}

/// A deployment: the routes, integrations and authorizers of an API when it was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// Six lowercase letters and digits.
    pub id: String,
    /// The description.
    pub description: Option<String>,
    /// Whether an auto-deploy stage made it.
    pub auto_deployed: bool,
    /// Created, ms since the epoch.
    pub created_ms: u64,
    /// The routes.
    pub routes: Vec<Route>,
    /// The integrations.
    pub integrations: Vec<Integration>,
    /// The authorizers.
    pub authorizers: Vec<Authorizer>,
}

impl Record for Deployment {
    const VERSION: u8 = 1;
}

/// A JWT authorizer's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwt {
    /// The accepted audiences.
    pub audience: Option<Vec<String>>,
    /// The issuer URL.
    pub issuer: Option<String>,
}

/// An authorizer: JWT or Lambda `REQUEST` (enforced for HTTP API routes by `public`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorizer {
    /// Six lowercase letters and digits.
    pub id: String,
    /// The name.
    pub name: String,
    /// `JWT` or `REQUEST`.
    pub authorizer_type: String,
    /// Where the identity comes from (`$request.header.Authorization`).
    pub identity_source: Vec<String>,
    /// JWT authorizers.
    pub jwt: Option<Jwt>,
    /// REQUEST authorizers: the function's invocation URI.
    pub uri: Option<String>,
    /// The role API Gateway assumes to invoke it.
    pub credentials_arn: Option<String>,
    /// `1.0` or `2.0` (REQUEST authorizers of HTTP APIs).
    pub payload_format_version: Option<String>,
    /// How long results are cached, 0–3600 s.
    pub result_ttl: Option<u32>,
    /// Whether a REQUEST authorizer answers `{"isAuthorized": …}`.
    pub enable_simple_responses: Option<bool>,
    /// WebSocket APIs.
    pub identity_validation_expression: Option<String>,
}

impl Record for Authorizer {
    const VERSION: u8 = 1;
}

/// An open WebSocket connection: where it is, so that `@connections` on any node reaches it.
/// Written by the node that accepted it, removed when it closes (and, for a node that
/// crashed, when that node starts again or another finds it unreachable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The API it belongs to.
    pub api: String,
    /// The stage it connected to.
    pub stage: String,
    /// The node that holds it: the address other nodes reach that node at (`host:port`).
    pub node: String,
    /// Connected, ms since the epoch.
    pub connected_ms: u64,
}

impl Record for Connection {
    const VERSION: u8 = 1;
}

fn connection_key(id: &str) -> Vec<u8> {
    tuple::key(Space::ApiGateway)
        .str("connection")
        .str(id)
        .finish()
}

fn node_connection_key(node: &str, id: &str) -> Vec<u8> {
    tuple::key(Space::ApiGateway)
        .str("node-connection")
        .str(node)
        .str(id)
        .finish()
}

/// The connections `node` holds, by id.
fn node_connections(node: &str) -> KeyRange {
    tuple::key(Space::ApiGateway)
        .str("node-connection")
        .str(node)
        .range()
}

pub(crate) fn get_connection(tx: &mut Tx, id: &str) -> Result<Option<Connection>> {
    let key = connection_key(id);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_connection(tx: &mut Tx, id: &str, connection: &Connection) {
    tx.set(connection_key(id), record::encode(connection));
    tx.set(node_connection_key(&connection.node, id), Vec::new());
}

pub(crate) fn delete_connection(tx: &mut Tx, id: &str, node: &str) {
    tx.clear(connection_key(id));
    tx.clear(node_connection_key(node, id));
}

/// The ids of (at most `limit` of) the connections recorded for `node`.
pub(crate) fn connections_of(tx: &mut Tx, node: &str, limit: usize) -> Result<Vec<String>> {
    tx.range(&node_connections(node), limit)?
        .into_iter()
        .map(|(key, _)| {
            let mut reader = tuple::Reader::new(&key, Space::ApiGateway)
                .map_err(|error| unkai_store::Error::corrupt(&key, error))?;
            (|| {
                reader.str()?;
                reader.str()?;
                reader.str()
            })()
            .map_err(|error: tuple::DecodeError| unkai_store::Error::corrupt(&key, error))
        })
        .collect()
}

/// The kinds of records stored under an API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// [`Route`].
    Route,
    /// [`Integration`].
    Integration,
    /// [`Stage`].
    Stage,
    /// [`Deployment`].
    Deployment,
    /// [`Authorizer`].
    Authorizer,
}

impl Kind {
    const ALL: [Kind; 5] = [
        Kind::Route,
        Kind::Integration,
        Kind::Stage,
        Kind::Deployment,
        Kind::Authorizer,
    ];

    fn tag(self) -> &'static str {
        match self {
            Kind::Route => "route",
            Kind::Integration => "integration",
            Kind::Stage => "stage",
            Kind::Deployment => "deployment",
            Kind::Authorizer => "authorizer",
        }
    }
}

fn api_key(id: &str) -> Vec<u8> {
    tuple::key(Space::ApiGateway).str("api").str(id).finish()
}

/// Every API, by id.
pub(crate) fn apis() -> KeyRange {
    tuple::key(Space::ApiGateway).str("api").range()
}

pub(crate) fn get_api(tx: &mut Tx, id: &str) -> Result<Option<Api>> {
    let key = api_key(id);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

pub(crate) fn put_api(tx: &mut Tx, api: &Api) {
    tx.set(api_key(&api.id), record::encode(api));
}

/// Deletes an API and everything stored under it.
pub(crate) fn delete_api(tx: &mut Tx, id: &str) {
    tx.clear(api_key(id));
    for kind in Kind::ALL {
        tx.clear_range(children(kind, id));
    }
}

fn child_key(kind: Kind, api: &str, id: &str) -> Vec<u8> {
    tuple::key(Space::ApiGateway)
        .str(kind.tag())
        .str(api)
        .str(id)
        .finish()
}

/// The records every request to an invoke URL reads, each decoded once per change (see
/// [`record::Decoded`]).
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    apis: record::Decoded<Api>,
    stages: record::Decoded<Stage>,
    deployments: record::Decoded<Deployment>,
}

impl Decoded {
    pub(crate) fn api(&self, tx: &mut Tx, id: &str) -> Result<Option<Arc<Api>>> {
        self.apis.get(tx, &api_key(id))
    }

    pub(crate) fn stage(&self, tx: &mut Tx, api: &str, name: &str) -> Result<Option<Arc<Stage>>> {
        self.stages.get(tx, &child_key(Kind::Stage, api, name))
    }

    pub(crate) fn deployment(
        &self,
        tx: &mut Tx,
        api: &str,
        id: &str,
    ) -> Result<Option<Arc<Deployment>>> {
        self.deployments
            .get(tx, &child_key(Kind::Deployment, api, id))
    }
}

/// Every record of `kind` under API `api`, by id.
pub(crate) fn children(kind: Kind, api: &str) -> KeyRange {
    tuple::key(Space::ApiGateway)
        .str(kind.tag())
        .str(api)
        .range()
}

/// One record of `kind` under `api`.
pub(crate) fn get<R: Record>(tx: &mut Tx, kind: Kind, api: &str, id: &str) -> Result<Option<R>> {
    let key = child_key(kind, api, id);
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

/// Stores a record of `kind` under `api`.
pub(crate) fn put<R: Record>(tx: &mut Tx, kind: Kind, api: &str, id: &str, value: &R) {
    tx.set(child_key(kind, api, id), record::encode(value));
}

/// Deletes a record of `kind` under `api`.
pub(crate) fn delete(tx: &mut Tx, kind: Kind, api: &str, id: &str) {
    tx.clear(child_key(kind, api, id));
}

/// Every record of `kind` under `api`, in id order.
pub(crate) fn list<R: Record + DeserializeOwned>(
    tx: &mut Tx,
    kind: Kind,
    api: &str,
) -> Result<Vec<R>> {
    tx.range(&children(kind, api), usize::MAX)?
        .into_iter()
        .map(|(key, value)| record::decode(&key, &value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route() -> Route {
        Route {
            id: "r1".into(),
            key: "GET /items/{id}".into(),
            target: Some("integrations/i1".into()),
            authorization_type: "NONE".into(),
            authorizer_id: None,
            authorization_scopes: vec![],
            api_key_required: false,
            operation_name: None,
            request_parameters: vec![("p".into(), true)],
            request_models: vec![],
            model_selection_expression: None,
            route_response_selection_expression: None,
            managed: false,
        }
    }

    fn integration() -> Integration {
        Integration {
            id: "i1".into(),
            integration_type: "AWS_PROXY".into(),
            uri: Some("arn:aws:lambda:us-east-1:000000000000:function:f".into()),
            method: Some("POST".into()),
            payload_format_version: "2.0".into(),
            timeout_ms: 30000,
            description: None,
            connection_type: "INTERNET".into(),
            connection_id: None,
            credentials_arn: None,
            subtype: None,
            request_parameters: vec![],
            request_templates: vec![],
            response_parameters: vec![],
            template_selection_expression: None,
            passthrough_behavior: None,
            content_handling_strategy: None,
            server_name_to_verify: None,
            managed: true,
        }
    }

    fn authorizer() -> Authorizer {
        Authorizer {
            id: "a1".into(),
            name: "jwt".into(),
            authorizer_type: "JWT".into(),
            identity_source: vec!["$request.header.Authorization".into()],
            jwt: Some(Jwt {
                audience: Some(vec!["aud".into()]),
                issuer: Some("https://issuer".into()),
            }),
            uri: None,
            credentials_arn: None,
            payload_format_version: None,
            result_ttl: Some(0),
            enable_simple_responses: None,
            identity_validation_expression: None,
        }
    }

    #[test]
    fn records_keep_their_encoding() {
        let api = Api {
            id: "abcdefghij".into(),
            name: "n".into(),
            protocol_type: HTTP.into(),
            description: Some("d".into()),
            version: None,
            route_selection_expression: "$request.method $request.path".into(),
            api_key_selection_expression: "$request.header.x-api-key".into(),
            disable_execute_api_endpoint: false,
            disable_schema_validation: false,
            ip_address_type: "ipv4".into(),
            cors: Some(Cors {
                allow_origins: Some(vec!["*".into()]),
                max_age: Some(60),
                ..Cors::default()
            }),
            tags: vec![("k".into(), "v".into())],
            created_ms: 1000,
            managed: Some(("r1".into(), "i1".into())),
        };
        assert_eq!(
            hex::encode(record::encode(&api)),
            "010a6162636465666768696a016e0448545450010164001d24726571756573742e6d6574686f642024\
             726571756573742e706174681924726571756573742e6865616465722e782d6170692d6b6579000004\
             69707634010000000101012a00017801016b0176e80701027231026931"
        );
        assert_eq!(
            hex::encode(record::encode(&route())),
            "010272310f474554202f6974656d732f7b69647d010f696e746567726174696f6e732f6931044e4f\
             4e45000000000101700100000000"
        );
        assert_eq!(
            hex::encode(record::encode(&integration())),
            "01026931094157535f50524f5859013061726e3a6177733a6c616d6264613a75732d656173742d\
             313a3030303030303030303030303a66756e6374696f6e3a660104504f535403322e30b0ea01\
             0008494e5445524e45540000000000000000000001"
        );
        let stage = Stage {
            name: DEFAULT_STAGE.into(),
            description: None,
            deployment_id: Some("d1".into()),
            auto_deploy: true,
            variables: vec![("v".into(), "1".into())],
            default_route_settings: RouteSettings {
                throttling_burst_limit: Some(10),
                throttling_rate_limit: Some(2.5),
                ..RouteSettings::default()
            },
            route_settings: vec![],
            access_log: None,
            client_certificate_id: None,
            last_deployment_status_message: None,
            tags: vec![],
            created_ms: 1,
            updated_ms: 2,
            managed: true,
        };
        assert_eq!(
            hex::encode(record::encode(&stage)),
            "01082464656661756c74000102643101010176013100000001140100000000000004400000000000\
             010201"
        );
        let deployment = Deployment {
            id: "d1".into(),
            description: None,
            auto_deployed: true,
            created_ms: 3,
            routes: vec![route()],
            integrations: vec![],
            authorizers: vec![authorizer()],
        };
        let bytes = record::encode(&deployment);
        assert_eq!(
            record::decode::<Deployment>(b"k", &bytes).unwrap(),
            deployment
        );
        assert_eq!(
            hex::encode(&bytes),
            "01026431000103010272310f474554202f6974656d732f7b69647d010f696e746567726174696f6e\
             732f6931044e4f4e450000000001017001000000000001026131036a7774034a5754011d24726571\
             756573742e6865616465722e417574686f72697a6174696f6e01010103617564010e68747470733a\
             2f2f69737375657200000001000000"
        );
    }

    #[tokio::test]
    async fn connections_keep_their_encoding_and_their_node() {
        let connection = Connection {
            api: "abcdefghij".into(),
            stage: "prod".into(),
            node: "10.0.0.7:4566".into(),
            connected_ms: 1000,
        };
        assert_eq!(
            hex::encode(record::encode(&connection)),
            "010a6162636465666768696a0470726f640d31302e302e302e373a34353636e807"
        );
        let dir = tempfile::tempdir().unwrap();
        let kv = unkai_store::Kv::new(
            unkai_store_embedded::Embedded::open(unkai_store_embedded::Options::new(dir.path()))
                .unwrap(),
        );
        kv.transact(|tx| {
            put_connection(tx, "c1", &connection);
            put_connection(
                tx,
                "c2",
                &Connection {
                    node: "10.0.0.8:4566".into(),
                    ..connection.clone()
                },
            );
            Ok::<_, unkai_store::Error>(())
        })
        .await
        .unwrap();
        let (of_7, got) = kv
            .transact(|tx| {
                Ok::<_, unkai_store::Error>((
                    connections_of(tx, "10.0.0.7:4566", 10)?,
                    get_connection(tx, "c1")?,
                ))
            })
            .await
            .unwrap();
        assert_eq!(of_7, ["c1"]);
        assert_eq!(got, Some(connection.clone()));
        kv.transact(|tx| {
            delete_connection(tx, "c1", "10.0.0.7:4566");
            Ok::<_, unkai_store::Error>(())
        })
        .await
        .unwrap();
        let (of_7, of_8, got) = kv
            .transact(|tx| {
                Ok::<_, unkai_store::Error>((
                    connections_of(tx, "10.0.0.7:4566", 10)?,
                    connections_of(tx, "10.0.0.8:4566", 10)?,
                    get_connection(tx, "c1")?,
                ))
            })
            .await
            .unwrap();
        assert!(of_7.is_empty());
        assert_eq!(of_8, ["c2"]);
        assert_eq!(got, None);
        kv.close().await.unwrap();
    }

    #[test]
    fn keys_group_records_under_their_api() {
        let range = children(Kind::Route, "abc");
        assert!(range.start <= child_key(Kind::Route, "abc", "r1"));
        assert!(child_key(Kind::Route, "abc", "r1") < range.end);
        assert!(child_key(Kind::Route, "abcd", "r1") >= range.end);
        assert!(!apis().start.is_empty());
    }
}
