//! `DeleteDeployment`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments-deploymentid.html#DeleteDeployment>.
//! A deployment a stage serves cannot be deleted.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Deployment, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn delete_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api_id, id) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                let _: Deployment = self.load(tx, Kind::Deployment, api_id, id)?;
                let stages: Vec<Stage> = store::list(tx, Kind::Stage, api_id)?;
                if stages
                    .iter()
                    .any(|stage| stage.deployment_id.as_deref() == Some(id))
                {
                    return Err(Error::bad_request(
                        "Active stages pointing to this deployment must be moved or deleted",
                    ));
                }
                store::delete(tx, Kind::Deployment, api_id, id);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
