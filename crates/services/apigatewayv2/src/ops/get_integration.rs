//! `GetIntegration`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html#GetIntegration>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{Integration, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let integration: Integration = self
            .inner
            .kv
            .transact(|tx| self.load(tx, Kind::Integration, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::integration_json(&integration),
        ))
    }
}
