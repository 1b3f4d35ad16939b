//! `GetAuthorizers`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html#GetAuthorizers>.
//! Pages in authorizer id order.

use http::StatusCode;
use serde_json::json;

use super::page;
use crate::error::Error;
use crate::store::{self, Authorizer, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_authorizers(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let authorizers: Vec<Authorizer> = self
            .inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api_id)?;
                Ok::<_, Error>(store::list(tx, Kind::Authorizer, api_id)?)
            })
            .await?;
        let (items, next) = page(authorizers, |authorizer| &authorizer.id, call)?;
        let items: Vec<_> = items.iter().map(crate::api::authorizer_json).collect();
        let mut body = json!({ "items": items });
        if let Some(next) = next {
            body["nextToken"] = next.into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
