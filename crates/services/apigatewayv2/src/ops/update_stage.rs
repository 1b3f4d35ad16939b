//! `UpdateStage`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html#UpdateStage>.
//! Turning `AutoDeploy` on deploys at once; `DeploymentId` points the stage at a deployment.

use http::StatusCode;

use super::auto_deploy;
use super::create_stage::apply_route_settings;
use crate::api::StageInput;
use crate::error::Error;
use crate::store::{self, Deployment, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn update_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, name) = (call.label(0), call.label(1));
        let now = self.now_ms();
        let stage = self
            .inner
            .kv
            .transact(|tx| {
                let input: StageInput = call.body()?;
                let mut stage: Stage = self.load(tx, Kind::Stage, api_id, name)?;
                if let Some(id) = input.deployment_id {
                    let _: Deployment = self.load(tx, Kind::Deployment, api_id, &id)?;
                    stage.deployment_id = Some(id);
                }
                if let Some(description) = input.description {
                    stage.description = Some(description);
                }
                if let Some(variables) = input.stage_variables {
                    stage.variables = variables.into_iter().collect();
                }
                if let Some(settings) = input.default_route_settings {
                    settings.apply(&mut stage.default_route_settings);
                }
                apply_route_settings(
                    tx,
                    api_id,
                    &mut stage,
                    input.route_settings.unwrap_or_default(),
                )?;
                if let Some(log) = input.access_log_settings {
                    stage.access_log = Some((log.destination_arn, log.format));
                }
                if let Some(id) = input.client_certificate_id {
                    stage.client_certificate_id = Some(id);
                }
                stage.updated_ms = now;
                if let Some(auto) = input.auto_deploy {
                    let turned_on = auto && !stage.auto_deploy;
                    stage.auto_deploy = auto;
                    if turned_on {
                        auto_deploy(tx, api_id, &mut stage, now)?;
                    }
                }
                store::put(tx, Kind::Stage, api_id, name, &stage);
                Ok::<_, Error>(stage)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, crate::api::stage_json(&stage)))
    }
}
