//! `GetStages`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html#GetStages>.
//! Pages in stage name order.

use http::StatusCode;
use serde_json::json;

use super::page;
use crate::error::Error;
use crate::store::{self, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_stages(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let stages: Vec<Stage> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api_id)?;
                Ok::<_, Error>(store::list(tx, Kind::Stage, api_id)?)
            })
            .await?;
        let (items, next) = page(stages, |stage| &stage.name, call)?;
        let items: Vec<_> = items.iter().map(crate::api::stage_json).collect();
        let mut body = json!({ "items": items });
        if let Some(next) = next {
            body["nextToken"] = next.into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
