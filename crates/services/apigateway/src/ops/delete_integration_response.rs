//! `DeleteIntegrationResponse`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteIntegrationResponse.html>.

use http::StatusCode;

use super::get_integration::no_integration;
use super::get_method_response::no_response;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_integration_response(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let status_code = call.label(3);
        self.inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    let integration = method.integration.as_mut().ok_or_else(no_integration)?;
                    let before = integration.responses.len();
                    integration
                        .responses
                        .retain(|r| r.status_code != status_code);
                    if integration.responses.len() == before {
                        return Err(no_response());
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
