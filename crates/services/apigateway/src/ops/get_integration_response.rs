//! `GetIntegrationResponse`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetIntegrationResponse.html>.

use http::StatusCode;

use super::get_integration::no_integration;
use super::get_method_response::no_response;
use crate::api::integration_response_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_integration_response(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let method = self
            .inner
            .kv
            .transact(|tx| self.read_method(tx, call))
            .await?;
        let integration = method.integration.ok_or_else(no_integration)?;
        let response = integration
            .responses
            .iter()
            .find(|response| response.status_code == call.label(3))
            .ok_or_else(no_response)?;
        Ok(Reply::Json(
            StatusCode::OK,
            integration_response_json(response),
        ))
    }
}
