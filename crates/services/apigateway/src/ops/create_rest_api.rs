//! `CreateRestApi`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateRestApi.html>.
//! Creates the API with its `/` resource. Deviation: `cloneFrom` is not supported.

use http::StatusCode;

use super::{random_id, tag_pairs};
use crate::api::{RestApiInput, rest_api_json};
use crate::error::Error;
use crate::store::{self, Resource, RestApi};
use crate::{ApiGateway, Call, Reply};

/// `HEADER` or `AUTHORIZER`.
pub(crate) fn check_api_key_source(source: &str) -> Result<(), Error> {
    if source == "HEADER" || source == "AUTHORIZER" {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "Invalid API key source specified: {source}. Must be one of [HEADER, AUTHORIZER]"
        )))
    }
}

/// `EDGE`, `REGIONAL` or `PRIVATE`.
pub(crate) fn check_endpoint_type(kind: &str) -> Result<(), Error> {
    if ["EDGE", "REGIONAL", "PRIVATE"].contains(&kind) {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "Invalid endpoint configuration type specified: {kind}. Must be one of [EDGE, \
             REGIONAL, PRIVATE]"
        )))
    }
}

/// A new API named `name` and its `/` resource (not stored yet).
pub(crate) fn new_api(name: String, now_s: u64) -> (RestApi, Resource) {
    let root = Resource {
        id: random_id(10),
        parent_id: None,
        path_part: String::new(),
        path: "/".into(),
        methods: Vec::new(),
    };
    let api = RestApi {
        id: random_id(10),
        name,
        description: None,
        version: None,
        created_s: now_s,
        binary_media_types: Vec::new(),
        minimum_compression_size: None,
        api_key_source: "HEADER".into(),
        endpoint_types: vec!["EDGE".into()],
        policy: None,
        tags: Vec::new(),
        disable_execute_api_endpoint: false,
        root_resource_id: root.id.clone(),
        warnings: Vec::new(),
    };
    (api, root)
}

impl ApiGateway {
    pub(crate) async fn create_rest_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: RestApiInput = call.body()?;
        let Some(name) = input.name.filter(|name| !name.is_empty()) else {
            return Err(Error::bad_request("Invalid API name specified"));
        };
        if input.clone_from.is_some() {
            return Err(Error::bad_request(
                "unkai does not support cloneFrom; import the API's OpenAPI definition instead",
            ));
        }
        let (mut api, root) = new_api(name, self.now_s());
        api.description = input.description;
        api.version = input.version;
        api.binary_media_types = input.binary_media_types.unwrap_or_default();
        api.minimum_compression_size = input.minimum_compression_size;
        if let Some(source) = input.api_key_source {
            check_api_key_source(&source)?;
            api.api_key_source = source;
        }
        if let Some(types) = input.endpoint_configuration.and_then(|config| config.types) {
            for kind in &types {
                check_endpoint_type(kind)?;
            }
            api.endpoint_types = types;
        }
        api.policy = input.policy;
        api.tags = tag_pairs(input.tags);
        api.disable_execute_api_endpoint = input.disable_execute_api_endpoint.unwrap_or(false);
        self.inner
            .kv
            .transact(|tx| {
                store::put(tx, &[store::API, &api.id], &api);
                store::put(tx, &[store::RESOURCE, &api.id, &root.id], &root);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Json(StatusCode::CREATED, rest_api_json(&api)))
    }
}
