//! `GetAuthorizer`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers-authorizerid.html#GetAuthorizer>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{Authorizer, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let authorizer: Authorizer = self
            .inner
            .kv
            .transact(|tx| self.load(tx, Kind::Authorizer, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::authorizer_json(&authorizer),
        ))
    }
}
