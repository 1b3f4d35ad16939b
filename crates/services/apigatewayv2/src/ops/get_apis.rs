//! `GetApis`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html#GetApis>.
//! Pages in API id order; `NextToken` is the last id of the page.

use http::StatusCode;
use serde_json::json;

use super::page;
use crate::error::Error;
use crate::store::{self, Api};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn get_apis(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let apis = self
            .inner
            .kv
            .transact(|tx| {
                tx.range(&store::apis(), usize::MAX)?
                    .into_iter()
                    .map(|(key, value)| unkai_store::record::decode::<Api>(&key, &value))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(Error::from)
            })
            .await?;
        let (items, next) = page(apis, |api| &api.id, call)?;
        let items: Vec<_> = items
            .iter()
            .map(|api| crate::api::api_json(api, &self.endpoint(api)))
            .collect();
        let mut body = json!({ "items": items });
        if let Some(next) = next {
            body["nextToken"] = next.into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
