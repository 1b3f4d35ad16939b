//! `UpdateRestApi`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateRestApi.html>.
//! Patch paths: `/name`, `/description`, `/version`, `/apiKeySource`, `/policy`,
//! `/minimumCompressionSize`, `/disableExecuteApiEndpoint`, `/binaryMediaTypes/<type>` (add,
//! remove; `~1` for `/`), `/endpointConfiguration/types/<type>` (replace with the new type).

use http::StatusCode;

use super::create_rest_api::{check_api_key_source, check_endpoint_type};
use super::{bad_patch, patch_bool, patches, unescape};
use crate::api::{PatchOperation, rest_api_json};
use crate::error::Error;
use crate::store::{self, RestApi};
use crate::{ApiGateway, Call, Reply};

/// Applies one patch operation to `api`.
pub(crate) fn patch_api(api: &mut RestApi, patch: &PatchOperation) -> Result<(), Error> {
    let op = patch.op.as_deref().unwrap_or("replace");
    let path = patch.path.as_deref().unwrap_or_default();
    let value = patch.value.clone();
    match (op, path) {
        ("replace", "/name") => {
            api.name = value
                .filter(|name| !name.is_empty())
                .ok_or_else(|| Error::bad_request("Invalid API name specified"))?;
        }
        ("replace", "/description") => api.description = value,
        ("replace", "/version") => api.version = value,
        ("replace", "/policy") => api.policy = value,
        ("replace", "/apiKeySource") => {
            let source = value.unwrap_or_default();
            check_api_key_source(&source)?;
            api.api_key_source = source;
        }
        ("replace", "/minimumCompressionSize") => {
            api.minimum_compression_size = match value.as_deref() {
                None | Some("") => None,
                Some(_) => Some(super::patch_number(patch)?),
            };
        }
        ("replace", "/disableExecuteApiEndpoint") => {
            api.disable_execute_api_endpoint = patch_bool(patch)?;
        }
        (op, path) if path.starts_with("/binaryMediaTypes/") => {
            let kind = unescape(&path["/binaryMediaTypes/".len()..]);
            api.binary_media_types.retain(|existing| *existing != kind);
            match op {
                "add" => api.binary_media_types.push(kind),
                "remove" => {}
                "replace" => api.binary_media_types.push(value.unwrap_or_default()),
                _ => return Err(bad_patch(patch)),
            }
        }
        ("replace", path) if path.starts_with("/endpointConfiguration/types/") => {
            let kind = value.unwrap_or_default();
            check_endpoint_type(&kind)?;
            api.endpoint_types = vec![kind];
        }
        _ => return Err(bad_patch(patch)),
    }
    Ok(())
}

impl ApiGateway {
    pub(crate) async fn update_rest_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let api = self
            .inner
            .kv
            .transact(|tx| {
                let mut api = self.load_api(tx, call.label(0))?;
                for patch in &patches {
                    patch_api(&mut api, patch)?;
                }
                store::put(tx, &[store::API, &api.id], &api);
                Ok::<_, Error>(api)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, rest_api_json(&api)))
    }
}
