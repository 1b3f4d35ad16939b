//! `GetStages`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetStages.html>.
//! Every stage (`item`, not paged), or those serving `deploymentId`.

use http::StatusCode;
use serde_json::json;

use crate::api::stage_json;
use crate::error::Error;
use crate::store::{self, Stage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_stages(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api = call.label(0);
        let stages: Vec<Stage> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                Ok::<_, Error>(store::list(tx, &[store::STAGE, api])?)
            })
            .await?;
        let deployment = call.query("deploymentId");
        let items: Vec<_> = stages
            .iter()
            .filter(|stage| deployment.is_none_or(|id| stage.deployment_id == id))
            .map(stage_json)
            .collect();
        Ok(Reply::Json(StatusCode::OK, json!({ "item": items })))
    }
}
