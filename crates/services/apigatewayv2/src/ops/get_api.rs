//! `GetApi`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html#GetApi>.

use http::StatusCode;

use crate::error::Error;
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let id = call.label(0);
        let api = self.inner.kv.transact(|tx| self.load_api(tx, id)).await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::api_json(&api, &self.endpoint(&api)),
        ))
    }
}
