//! `GetApiKey`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetApiKey.html>.
//! The value only with `includeValue=true`.

use http::StatusCode;
use unkai_store::Tx;

use crate::api::api_key_json;
use crate::error::Error;
use crate::store::{self, ApiKey};
use crate::{ApiGateway, Call, Reply};

/// The API key `id`, or `NotFoundException`.
pub(crate) fn load_key(tx: &mut Tx, id: &str) -> Result<ApiKey, Error> {
    store::get(tx, &[store::API_KEY, id])?.ok_or_else(|| Error::invalid_identifier("API Key"))
}

impl ApiGateway {
    pub(crate) async fn get_api_key(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let key = self
            .inner
            .kv
            .transact(|tx| load_key(tx, call.label(0)))
            .await?;
        let include = call.query("includeValue") == Some("true");
        Ok(Reply::Json(StatusCode::OK, api_key_json(&key, include)))
    }
}
