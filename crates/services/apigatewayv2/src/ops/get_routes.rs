//! `GetRoutes`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes.html#GetRoutes>.
//! Pages in route id order.

use http::StatusCode;
use serde_json::json;

use super::page;
use crate::error::Error;
use crate::store::{self, Kind, Route};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_routes(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let routes: Vec<Route> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api_id)?;
                Ok::<_, Error>(store::list(tx, Kind::Route, api_id)?)
            })
            .await?;
        let (items, next) = page(routes, |route| &route.id, call)?;
        let items: Vec<_> = items.iter().map(crate::api::route_json).collect();
        let mut body = json!({ "items": items });
        if let Some(next) = next {
            body["nextToken"] = next.into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
