//! `PutRestApi`: <https://docs.aws.amazon.com/apigateway/latest/api/API_PutRestApi.html>.
//! Updates a REST API from an OpenAPI 3 or Swagger 2 definition in JSON (see `import`):
//! `mode=overwrite` replaces its resources and authorizers, `mode=merge` (the default) adds
//! the definition's methods to them.

use http::StatusCode;

use crate::api::rest_api_json;
use crate::error::Error;
use crate::import::{self, Definition};
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn put_rest_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let definition = Definition::parse(&call.request.body)?;
        let overwrite = match call.query("mode").unwrap_or("merge") {
            "overwrite" => true,
            "merge" => false,
            other => {
                return Err(Error::bad_request(format!(
                    "Invalid mode specified: {other}. Must be one of [merge, overwrite]"
                )));
            }
        };
        let api = self
            .inner
            .kv
            .transact(|tx| {
                let mut api = self.load_api(tx, call.label(0))?;
                import::apply(tx, &mut api, &definition, overwrite)?;
                store::put(tx, &[store::API, &api.id], &api);
                Ok::<_, Error>(api)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, rest_api_json(&api)))
    }
}
