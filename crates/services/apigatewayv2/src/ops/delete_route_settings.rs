//! `DeleteRouteSettings`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename-routesettings-routekey.html>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_route_settings(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, name, key) = (call.label(0), call.label(1), call.label(2));
        let now = self.now_ms();
        self.inner
            .kv
            .transact(|tx| {
                let mut stage: Stage = self.load(tx, Kind::Stage, api_id, name)?;
                let before = stage.route_settings.len();
                stage.route_settings.retain(|(k, _)| k != key);
                if stage.route_settings.len() == before {
                    return Err(Error::NotFoundException(format!(
                        "Unable to find Route by key {key} within the provided RouteSettings"
                    )));
                }
                stage.updated_ms = now;
                store::put(tx, Kind::Stage, api_id, name, &stage);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
