//! `CreateIntegration`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html#CreateIntegration>.
//!
//! HTTP APIs take `AWS_PROXY` (a Lambda function ARN or its
//! `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations` form; payload
//! format 1.0 or 2.0) and `HTTP_PROXY` (a URL and a method; payload format 1.0).
//! `TimeoutInMillis` is 50–30000, 30000 by default. Deviation: without `PayloadFormatVersion` an
//! `AWS_PROXY` integration of an HTTP API gets 2.0 (AWS documents it as required for SDK
//! callers).

use http::StatusCode;

use super::{apply_integration, new_integration, random_id, redeploy};
use crate::api::IntegrationInput;
use crate::error::Error;
use crate::store::{self, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn create_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let now = self.now_ms();
        let integration = self
            .inner
            .kv
            .transact(|tx| {
                let input: IntegrationInput = call.body()?;
                let api = self.load_api(tx, api_id)?;
                if input.integration_type.is_none() {
                    return Err(Error::bad_request("IntegrationType is required"));
                }
                let mut integration = new_integration(random_id(7));
                apply_integration(&api, &mut integration, input)?;
                store::put(tx, Kind::Integration, api_id, &integration.id, &integration);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(integration)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            crate::api::integration_json(&integration),
        ))
    }
}
