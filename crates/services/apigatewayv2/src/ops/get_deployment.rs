//! `GetDeployment`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments-deploymentid.html#GetDeployment>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{Deployment, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_deployment(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let deployment: Deployment = self
            .inner
            .kv
            .transact(|tx| self.load(tx, Kind::Deployment, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            crate::api::deployment_json(&deployment),
        ))
    }
}
