//! `UpdateRoute`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes-routeid.html#UpdateRoute>.

use http::StatusCode;

use super::{apply_route, check_route_key, redeploy};
use crate::api::RouteInput;
use crate::error::Error;
use crate::store::{self, Kind, Route};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn update_route(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, route_id) = (call.label(0), call.label(1));
        let now = self.now_ms();
        let route = self
            .inner
            .kv
            .transact(|tx| {
                let input: RouteInput = call.body()?;
                let api = self.load_api(tx, api_id)?;
                let mut route: Route = self.load(tx, Kind::Route, api_id, route_id)?;
                if let Some(key) = &input.route_key {
                    check_route_key(tx, &api, key, Some(route_id))?;
                }
                apply_route(tx, &api, &mut route, input)?;
                store::put(tx, Kind::Route, api_id, route_id, &route);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(route)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, crate::api::route_json(&route)))
    }
}
