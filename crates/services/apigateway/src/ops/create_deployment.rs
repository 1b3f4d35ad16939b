//! `CreateDeployment`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateDeployment.html>.
//! A snapshot of the API's resources, methods, integrations and authorizers; with
//! `stageName`, the stage is created (or pointed at it), with `variables` as its variables.
//! Deviation: canary settings and caches are not applied.

use http::StatusCode;

use super::create_stage::{check_stage_name, new_stage};
use super::deploy;
use crate::api::{DeploymentInput, deployment_json};
use crate::error::Error;
use crate::store::{self, Stage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn create_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: DeploymentInput = call.body()?;
        let api = call.label(0);
        let stage_name = input.stage_name.filter(|name| !name.is_empty());
        if let Some(name) = &stage_name {
            check_stage_name(name)?;
        }
        let now = self.now_s();
        let deployment = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                let deployment = deploy(tx, api, input.description.clone(), now)?;
                if let Some(name) = &stage_name {
                    let existing: Option<Stage> = store::get(tx, &[store::STAGE, api, name])?;
                    let mut stage = match existing {
                        Some(mut stage) => {
                            stage.deployment_id = deployment.id.clone();
                            stage.updated_s = now;
                            stage
                        }
                        None => {
                            let mut stage = new_stage(name, &deployment.id, now);
                            stage.description = input.stage_description.clone();
                            stage
                        }
                    };
                    if let Some(variables) = &input.variables {
                        stage.variables = variables.clone().into_iter().collect();
                    }
                    if let Some(tracing) = input.tracing_enabled {
                        stage.tracing_enabled = tracing;
                    }
                    store::put(tx, &[store::STAGE, api, name], &stage);
                }
                Ok::<_, Error>(deployment)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            deployment_json(&deployment),
        ))
    }
}
