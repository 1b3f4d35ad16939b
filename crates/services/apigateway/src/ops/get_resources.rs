//! `GetResources`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetResources.html>.
//! `embed=methods` puts each method whole into `resourceMethods`. Pages in resource id order.

use http::StatusCode;

use super::{page, page_json};
use crate::api::resource_json;
use crate::error::Error;
use crate::store::{self, Resource};
use crate::{ApiGateway, Call, Reply};

/// Whether the call asks for `embed=methods`.
pub(crate) fn embeds_methods(call: &Call<'_>) -> bool {
    call.query_all("embed")
        .iter()
        .flat_map(|value| value.split(','))
        .any(|value| value.trim() == "methods")
}

impl ApiGateway {
    pub(crate) async fn get_resources(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api = call.label(0);
        let resources: Vec<Resource> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                Ok::<_, Error>(store::list(tx, &[store::RESOURCE, api])?)
            })
            .await?;
        let embed = embeds_methods(call);
        let (items, next) = page(resources, |resource| &resource.id, call)?;
        let items = items
            .iter()
            .map(|resource| resource_json(resource, embed))
            .collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
