//! `GetTags`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/tags-resource-arn.html#GetTags>.

use http::StatusCode;
use serde_json::{Map, Value as Json, json};

use super::tag_resource::{Tagged, tagged};
use crate::error::Error;
use crate::store::{Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_tags(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let arn = call.label(0);
        let resource = tagged(arn)?;
        let tags = self
            .inner
            .kv
            .transact(|tx| match &resource {
                Tagged::Api(id) => Ok(self.load_api(tx, id)?.tags),
                Tagged::Stage(api, name) => {
                    let stage: Stage = self.load(tx, Kind::Stage, api, name)?;
                    Ok::<_, Error>(stage.tags)
                }
            })
            .await?;
        let tags: Map<String, Json> = tags
            .into_iter()
            .map(|(key, value)| (key, Json::from(value)))
            .collect();
        Ok(Reply::Json(StatusCode::OK, json!({ "tags": tags })))
    }
}
