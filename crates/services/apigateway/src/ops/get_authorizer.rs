//! `GetAuthorizer`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetAuthorizer.html>.

use http::StatusCode;

use crate::api::authorizer_json;
use crate::error::Error;
use crate::store::{self, Authorizer};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let authorizer: Authorizer = self
            .inner
            .kv
            .transact(|tx| {
                self.load(
                    tx,
                    store::AUTHORIZER,
                    call.label(0),
                    call.label(1),
                    "Authorizer",
                )
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, authorizer_json(&authorizer)))
    }
}
