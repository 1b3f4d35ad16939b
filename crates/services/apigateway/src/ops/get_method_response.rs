//! `GetMethodResponse`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetMethodResponse.html>.

use http::StatusCode;

use crate::api::method_response_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

/// `Invalid Response status code specified`.
pub(crate) fn no_response() -> Error {
    Error::NotFoundException("Invalid Response status code specified".into())
}

impl ApiGateway {
    pub(crate) async fn get_method_response(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let method = self
            .inner
            .kv
            .transact(|tx| self.read_method(tx, call))
            .await?;
        let response = method
            .responses
            .iter()
            .find(|response| response.status_code == call.label(3))
            .ok_or_else(no_response)?;
        Ok(Reply::Json(StatusCode::OK, method_response_json(response)))
    }
}
