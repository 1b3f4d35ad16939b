//! `GetRoute`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-routes-routeid.html#GetRoute>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{Kind, Route};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_route(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let route: Route = self
            .inner
            .kv
            .transact(|tx| self.load(tx, Kind::Route, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(StatusCode::OK, crate::api::route_json(&route)))
    }
}
