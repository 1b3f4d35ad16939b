//! `UpdateAuthorizer`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers-authorizerid.html#UpdateAuthorizer>.

use http::StatusCode;

use super::{apply_authorizer, redeploy};
use crate::api::AuthorizerInput;
use crate::error::Error;
use crate::store::{self, Authorizer, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn update_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, id) = (call.label(0), call.label(1));
        let now = self.now_ms();
        let authorizer = self
            .inner
            .kv
            .transact(|tx| {
                let input: AuthorizerInput = call.body()?;
                let api = self.load_api(tx, api_id)?;
                let mut authorizer: Authorizer = self.load(tx, Kind::Authorizer, api_id, id)?;
                apply_authorizer(&api, &mut authorizer, input)?;
                store::put(tx, Kind::Authorizer, api_id, id, &authorizer);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(authorizer)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::authorizer_json(&authorizer),
        ))
    }
}
