//! `GetIntegration`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetIntegration.html>.

use http::StatusCode;

use crate::api::integration_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

/// `No integration defined for method`.
pub(crate) fn no_integration() -> Error {
    Error::NotFoundException("No integration defined for method".into())
}

impl ApiGateway {
    pub(crate) async fn get_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let method = self
            .inner
            .kv
            .transact(|tx| self.read_method(tx, call))
            .await?;
        let integration = method.integration.ok_or_else(no_integration)?;
        Ok(Reply::Json(StatusCode::OK, integration_json(&integration)))
    }
}
