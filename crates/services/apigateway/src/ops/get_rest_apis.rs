//! `GetRestApis`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetRestApis.html>.
//! Pages in API id order; `position` is the last id of the page.

use http::StatusCode;

use super::{page, page_json};
use crate::api::rest_api_json;
use crate::error::Error;
use crate::store::{self, RestApi};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_rest_apis(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let apis: Vec<RestApi> = self
            .inner
            .kv
            .transact(|tx| store::list(tx, &[store::API]).map_err(Error::from))
            .await?;
        let (items, next) = page(apis, |api| &api.id, call)?;
        let items = items.iter().map(rest_api_json).collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
