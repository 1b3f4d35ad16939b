//! `DeleteIntegration`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html#DeleteIntegration>.
//! Routes that target the integration keep their `Target`; requests to them answer 404 until
//! they target another one.

use http::StatusCode;

use super::redeploy;
use crate::error::Error;
use crate::store::{self, Integration, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, integration_id) = (call.label(0), call.label(1));
        let now = self.now_ms();
        self.inner
            .kv
            .transact(|tx| {
                let _: Integration = self.load(tx, Kind::Integration, api_id, integration_id)?;
                store::delete(tx, Kind::Integration, api_id, integration_id);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
