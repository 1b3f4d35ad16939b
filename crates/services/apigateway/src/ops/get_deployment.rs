//! `GetDeployment`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetDeployment.html>.
//! Deviation: `embed=apisummary` is not supported.

use http::StatusCode;

use crate::api::deployment_json;
use crate::error::Error;
use crate::store::{self, Deployment};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let deployment: Deployment = self
            .inner
            .kv
            .transact(|tx| {
                self.load(
                    tx,
                    store::DEPLOYMENT,
                    call.label(0),
                    call.label(1),
                    "Deployment",
                )
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, deployment_json(&deployment)))
    }
}
