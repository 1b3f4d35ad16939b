//! `UpdateDeployment`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments-deploymentid.html#UpdateDeployment>.
//! Only the description changes; what a deployment serves never does.

use http::StatusCode;

use crate::api::DeploymentInput;
use crate::error::Error;
use crate::store::{self, Deployment, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn update_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, id) = (call.label(0), call.label(1));
        let deployment = self
            .inner
            .kv
            .transact(|tx| {
                let input: DeploymentInput = call.body()?;
                let mut deployment: Deployment = self.load(tx, Kind::Deployment, api_id, id)?;
                if let Some(description) = input.description {
                    deployment.description = Some(description);
                }
                store::put(tx, Kind::Deployment, api_id, id, &deployment);
                Ok::<_, Error>(deployment)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::deployment_json(&deployment),
        ))
    }
}
