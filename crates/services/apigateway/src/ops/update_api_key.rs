//! `UpdateApiKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateApiKey.html>.
//! Patch paths: `/name`, `/description`, `/enabled`, `/customerId`.

use http::StatusCode;

use super::get_api_key::load_key;
use super::{bad_patch, patch_bool, patches};
use crate::api::api_key_json;
use crate::error::Error;
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn update_api_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let now = self.now_s();
        let key = self
            .inner
            .kv
            .transact(|tx| {
                let mut key = load_key(tx, call.label(0))?;
                for patch in &patches {
                    let value = patch.value.clone();
                    match (
                        patch.op.as_deref().unwrap_or("replace"),
                        patch.path.as_deref(),
                    ) {
                        ("replace", Some("/name")) => key.name = value.unwrap_or_default(),
                        ("replace", Some("/description")) => key.description = value,
                        ("replace", Some("/enabled")) => key.enabled = patch_bool(patch)?,
                        ("replace", Some("/customerId")) => key.customer_id = value,
                        _ => return Err(bad_patch(patch)),
                    }
                }
                key.updated_s = now;
                store::put(tx, &[store::API_KEY, &key.id], &key);
                Ok::<_, Error>(key)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, api_key_json(&key, false)))
    }
}
