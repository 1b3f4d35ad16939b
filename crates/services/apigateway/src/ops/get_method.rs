//! `GetMethod`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetMethod.html>.

use http::StatusCode;

use crate::api::method_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_method(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let method = self
            .inner
            .kv
            .transact(|tx| self.read_method(tx, call))
            .await?;
        Ok(Reply::Json(StatusCode::OK, method_json(&method)))
    }
}
