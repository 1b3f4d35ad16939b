//! `GetTags`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetTags.html>.

use http::StatusCode;
use serde_json::json;

use crate::api::pairs_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_tags(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let tags = self
            .inner
            .kv
            .transact(|tx| self.retag(tx, call.label(0), |_| {}))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            json!({ "tags": pairs_json(&tags) }),
        ))
    }
}
