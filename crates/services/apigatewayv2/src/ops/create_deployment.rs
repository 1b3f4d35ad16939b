//! `CreateDeployment`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments.html#CreateDeployment>.
//! A deployment is a snapshot of the API's routes, integrations and authorizers; with
//! `StageName` the stage serves it from then on.

use http::StatusCode;

use super::deploy;
use crate::api::DeploymentInput;
use crate::error::Error;
use crate::store::{self, Kind, Route, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn create_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let now = self.now_ms();
        let deployment = self
            .inner
            .kv
            .transact(|tx| {
                let input: DeploymentInput = call.body()?;
                self.load_api(tx, api_id)?;
                let mut stage = match &input.stage_name {
                    Some(name) => Some(self.load::<Stage>(tx, Kind::Stage, api_id, name)?),
                    None => None,
                };
                if store::list::<Route>(tx, Kind::Route, api_id)?.is_empty() {
                    return Err(Error::bad_request(
                        "Unable to deploy API because no routes exist in this API",
                    ));
                }
                let deployment = deploy(tx, api_id, input.description, false, now)?;
                if let Some(stage) = &mut stage {
                    stage.deployment_id = Some(deployment.id.clone());
                    stage.updated_ms = now;
                    store::put(tx, Kind::Stage, api_id, &stage.name, &*stage);
                }
                Ok::<_, Error>(deployment)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            crate::api::deployment_json(&deployment),
        ))
    }
}
