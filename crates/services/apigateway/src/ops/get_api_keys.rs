//! `GetApiKeys`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKeys.html>.
//! `name` filters by name prefix, `customerId` by customer; values with `includeValues=true`.

use http::StatusCode;

use super::{page, page_json};
use crate::api::api_key_json;
use crate::error::Error;
use crate::store::{self, ApiKey};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_api_keys(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let keys: Vec<ApiKey> = self
            .inner
            .kv
            .transact(|tx| store::list(tx, &[store::API_KEY]).map_err(Error::from))
            .await?;
        let name = call.query("name").unwrap_or_default();
        let customer = call.query("customerId");
        let keys: Vec<ApiKey> = keys
            .into_iter()
            .filter(|key| key.name.starts_with(name))
            .filter(|key| customer.is_none_or(|c| key.customer_id.as_deref() == Some(c)))
            .collect();
        let include = call.query("includeValues") == Some("true");
        let (items, next) = page(keys, |key| &key.id, call)?;
        let items = items.iter().map(|key| api_key_json(key, include)).collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
