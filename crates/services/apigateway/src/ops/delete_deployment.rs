//! `DeleteDeployment`: <https://docs.aws.amazon.com/apigateway/latest/api/API_DeleteDeployment.html>.
//! A deployment a stage serves cannot be deleted.

use http::StatusCode;

use crate::error::Error;
use crate::store::{self, Deployment, Stage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn delete_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let (api, id) = (call.label(0), call.label(1));
        self.inner
            .kv
            .transact(|tx| {
                let _: Deployment = self.load(tx, store::DEPLOYMENT, api, id, "Deployment")?;
                let stages: Vec<Stage> = store::list(tx, &[store::STAGE, api])?;
                if stages.iter().any(|stage| stage.deployment_id == id) {
                    return Err(Error::bad_request(
                        "Active stages pointing to this deployment must be moved or deleted",
                    ));
                }
                store::delete(tx, &[store::DEPLOYMENT, api, id]);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::ACCEPTED))
    }
}
