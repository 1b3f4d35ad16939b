//! `GetAuthorizers`: <https://docs.aws.amazon.com/apigateway/latest/api/API_GetAuthorizers.html>.

use http::StatusCode;

use super::{page, page_json};
use crate::api::authorizer_json;
use crate::error::Error;
use crate::store::{self, Authorizer};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn get_authorizers(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api = call.label(0);
        let authorizers: Vec<Authorizer> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                Ok::<_, Error>(store::list(tx, &[store::AUTHORIZER, api])?)
            })
            .await?;
        let (items, next) = page(authorizers, |authorizer| &authorizer.id, call)?;
        let items = items.iter().map(authorizer_json).collect();
        Ok(Reply::Json(StatusCode::OK, page_json(items, next)))
    }
}
