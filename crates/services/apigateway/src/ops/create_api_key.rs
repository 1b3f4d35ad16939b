//! `CreateApiKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateApiKey.html>.
//! Without a `value`, API Gateway makes one (40 letters and digits). Values are unique.

use http::StatusCode;

use super::{random_id, random_key_value, tag_pairs};
use crate::api::{ApiKeyInput, api_key_json};
use crate::error::Error;
use crate::store::{self, ApiKey, KeyRef};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn create_api_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: ApiKeyInput = call.body()?;
        let value = match input.value {
            Some(value) if value.len() < 20 => {
                return Err(Error::bad_request(
                    "API Key value should be at least 20 characters",
                ));
            }
            Some(value) => value,
            None => random_key_value(),
        };
        let now = self.now_s();
        let id = random_id(10);
        let key = ApiKey {
            name: input.name.unwrap_or_else(|| id.clone()),
            id,
            value,
            customer_id: input.customer_id,
            description: input.description,
            enabled: input.enabled.unwrap_or(false),
            created_s: now,
            updated_s: now,
            stage_keys: input
                .stage_keys
                .unwrap_or_default()
                .into_iter()
                .map(|stage| {
                    format!(
                        "{}/{}",
                        stage.rest_api_id.unwrap_or_default(),
                        stage.stage_name.unwrap_or_default()
                    )
                })
                .collect(),
            tags: tag_pairs(input.tags),
        };
        self.inner
            .kv
            .transact(|tx| {
                if store::get::<KeyRef>(tx, &[store::API_KEY_VALUE, &key.value])?.is_some() {
                    return Err(Error::conflict("API Key already exists"));
                }
                store::put(tx, &[store::API_KEY, &key.id], &key);
                store::put(
                    tx,
                    &[store::API_KEY_VALUE, &key.value],
                    &KeyRef { id: key.id.clone() },
                );
                Ok(())
            })
            .await?;
        Ok(Reply::Json(StatusCode::CREATED, api_key_json(&key, true)))
    }
}
