//! `GetDeployments`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments.html#GetDeployments>.
//! Pages in deployment id order.

use http::StatusCode;
use serde_json::json;

use super::page;
use crate::error::Error;
use crate::store::{self, Deployment, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_deployments(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let deployments: Vec<Deployment> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api_id)?;
                Ok::<_, Error>(store::list(tx, Kind::Deployment, api_id)?)
            })
            .await?;
        let (items, next) = page(deployments, |deployment| &deployment.id, call)?;
        let items: Vec<_> = items.iter().map(crate::api::deployment_json).collect();
        let mut body = json!({ "items": items });
        if let Some(next) = next {
            body["nextToken"] = next.into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
