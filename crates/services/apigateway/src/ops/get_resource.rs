//! `GetResource`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetResource.html>.

use http::StatusCode;

use super::get_resources::embeds_methods;
use crate::api::resource_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let resource = self
            .inner
            .kv
            .transact(|tx| self.load_resource(tx, call.label(0), call.label(1)))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            resource_json(&resource, embeds_methods(call)),
        ))
    }
}
