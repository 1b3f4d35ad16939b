//! `DeleteIntegration`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteIntegration.html>.

use http::StatusCode;

use super::get_integration::no_integration;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        self.inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    method
                        .integration
                        .take()
                        .map(|_| ())
                        .ok_or_else(no_integration)
                })
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
