//! `CreateRoute`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html#CreateRoute>.
//! HTTP API route keys are `$default` or `<METHOD> <path>` (see `routing`); a key taken is a
//! `ConflictException`, as is a path variable named differently at the same level as another
//! route's.

use http::StatusCode;

use super::create_api::new_route;
use super::{apply_route, check_route_key, random_id, redeploy};
use crate::api::RouteInput;
use crate::error::Error;
use crate::store::{self, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn create_route(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let now = self.now_ms();
        let route = self
            .inner
            .kv
            .transact(|tx| {
                let mut input: RouteInput = call.body()?;
                let api = self.load_api(tx, api_id)?;
                let key = input.route_key.take().unwrap_or_default();
                check_route_key(tx, &api, &key, None)?;
                let mut route = new_route(random_id(7), key);
                apply_route(tx, &api, &mut route, input)?;
                store::put(tx, Kind::Route, api_id, &route.id, &route);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(route)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            crate::api::route_json(&route),
        ))
    }
}
