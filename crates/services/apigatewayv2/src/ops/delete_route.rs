//! `DeleteRoute`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes-routeid.html#DeleteRoute>.

use http::StatusCode;

use super::redeploy;
use crate::error::Error;
use crate::store::{self, Kind, Route};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_route(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, route_id) = (call.label(0), call.label(1));
        let now = self.now_ms();
        self.inner
            .kv
            .transact(|tx| {
                let _: Route = self.load(tx, Kind::Route, api_id, route_id)?;
                store::delete(tx, Kind::Route, api_id, route_id);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
