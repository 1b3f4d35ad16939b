//! `DeleteMethodResponse`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteMethodResponse.html>.

use http::StatusCode;

use super::get_method_response::no_response;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_method_response(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let status_code = call.label(3);
        self.inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    let before = method.responses.len();
                    method.responses.retain(|r| r.status_code != status_code);
                    if method.responses.len() == before {
                        return Err(no_response());
                    }
                    Ok(())
                })
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
