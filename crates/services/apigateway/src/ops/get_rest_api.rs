//! `GetRestApi`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApi.html>.

use http::StatusCode;

use crate::api::rest_api_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_rest_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api = self
            .inner
            .kv
            .transact(|tx| self.load_api(tx, call.label(0)))
            .await?;
        Ok(Reply::Json(StatusCode::OK, rest_api_json(&api)))
    }
}
