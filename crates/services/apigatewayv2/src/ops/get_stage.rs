//! `GetStage`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages-stagename.html#GetStage>.

use http::StatusCode;

use crate::error::Error;
use crate::store::{Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let stage: Stage = self
            .inner
            .kv
            .transact(|tx| self.load(tx, Kind::Stage, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(StatusCode::OK, crate::api::stage_json(&stage)))
    }
}
