//! `GetDeployments`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetDeployments.html>.
//! Pages in deployment id order.

use http::StatusCode;

use super::{page, page_json};
use crate::api::deployment_json;
use crate::error::Error;
use crate::store::{self, Deployment};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_deployments(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api = call.label(0);
        let deployments: Vec<Deployment> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                Ok::<_, Error>(store::list(tx, &[store::DEPLOYMENT, api])?)
            })
            .await?;
        let (items, next) = page(deployments, |deployment| &deployment.id, call)?;
        let items = items.iter().map(deployment_json).collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
