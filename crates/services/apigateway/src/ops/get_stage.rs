//! `GetStage`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetStage.html>.

use http::StatusCode;

use crate::api::stage_json;
use crate::error::Error;
use crate::store::{self, Stage};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let stage: Stage = self
            .inner
            .kv
            .transact(|tx| self.load(tx, store::STAGE, call.label(0), call.label(1), "stage"))
            .await?;
        Ok(Reply::Json(StatusCode::OK, stage_json(&stage)))
    }
}
