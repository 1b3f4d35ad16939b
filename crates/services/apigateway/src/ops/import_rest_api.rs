//! `ImportRestApi`: <https://docs.aws.amazon.com/apigateway/latest/api/API_ImportRestApi.html>.
//! Creates a REST API from an OpenAPI 3 or Swagger 2 definition in JSON (see `import`).

use http::StatusCode;

use super::create_rest_api::new_api;
use crate::api::rest_api_json;
use crate::error::Error;
use crate::import::{self, Definition};
use crate::store;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn import_rest_api(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let definition = Definition::parse(&call.request.body)?;
        let name = definition.title().ok_or_else(|| {
            Error::bad_request("Invalid OpenAPI input: the definition has no info.title")
        })?;
        let fail_on_warnings = call.query("failonwarnings") == Some("true");
        let api = self
            .inner
            .kv
            .transact(|tx| {
                let (mut api, root) = new_api(name.clone(), self.now_s());
                store::put(tx, &[store::RESOURCE, &api.id, &root.id], &root);
                import::apply(tx, &mut api, &definition, true)?;
                if fail_on_warnings && !api.warnings.is_empty() {
                    return Err(Error::bad_request(format!(
                        "Errors found during import:\n{}",
                        api.warnings.join("\n")
                    )));
                }
                store::put(tx, &[store::API, &api.id], &api);
                Ok::<_, Error>(api)
            })
            .await?;
        Ok(Reply::Json(StatusCode::CREATED, rest_api_json(&api)))
    }
}
