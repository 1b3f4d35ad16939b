//! `UpdateIntegration`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations-integrationid.html#UpdateIntegration>.

use http::StatusCode;

use super::{apply_integration, redeploy};
use crate::api::IntegrationInput;
use crate::error::Error;
use crate::store::{self, Integration, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn update_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, integration_id) = (call.label(0), call.label(1));
        let now = self.now_ms();
        let integration = self
            .inner
            .kv
            .transact(|tx| {
                let input: IntegrationInput = call.body()?;
                let api = self.load_api(tx, api_id)?;
                let mut integration: Integration =
                    self.load(tx, Kind::Integration, api_id, integration_id)?;
                apply_integration(&api, &mut integration, input)?;
                store::put(tx, Kind::Integration, api_id, integration_id, &integration);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(integration)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::integration_json(&integration),
        ))
    }
}
