//! `DeleteAuthorizer`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers-authorizerid.html#DeleteAuthorizer>.
//! An authorizer a route uses cannot be deleted.

use http::StatusCode;

use super::redeploy;
use crate::error::Error;
use crate::store::{self, Authorizer, Kind, Route};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, id) = (call.label(0), call.label(1));
        let now = self.now_ms();
        self.inner
            .kv
            .transact(|tx| {
                let _: Authorizer = self.load(tx, Kind::Authorizer, api_id, id)?;
                let routes: Vec<Route> = store::list(tx, Kind::Route, api_id)?;
                if let Some(route) = routes
                    .iter()
                    .find(|route| route.authorizer_id.as_deref() == Some(id))
                {
                    return Err(Error::ConflictException(format!(
                        "Cannot delete authorizer '{id}', is referenced in route: {}",
                        route.key
                    )));
                }
                store::delete(tx, Kind::Authorizer, api_id, id);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
