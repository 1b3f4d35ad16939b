//! `CreateAuthorizer`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-authorizers.html#CreateAuthorizer>.
//! Deviation: authorizers are stored and deployed with the API, not enforced yet.

use http::StatusCode;

use super::{apply_authorizer, random_id, redeploy};
use crate::api::AuthorizerInput;
use crate::error::Error;
use crate::store::{self, Authorizer, Kind};
use crate::{ApiGatewayV2, Call, Reply};

impl ApiGatewayV2 {
    pub(crate) async fn create_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let now = self.now_ms();
        let authorizer = self
            .inner
            .kv
            .transact(|tx| {
                let input: AuthorizerInput = call.body()?;
                let api = self.load_api(tx, api_id)?;
                let mut authorizer = Authorizer {
                    id: random_id(6),
                    name: String::new(),
                    authorizer_type: String::new(),
                    identity_source: Vec::new(),
                    jwt: None,
                    uri: None,
                    credentials_arn: None,
                    payload_format_version: None,
                    result_ttl: None,
                    enable_simple_responses: None,
                    identity_validation_expression: None,
                };
                apply_authorizer(&api, &mut authorizer, input)?;
                if authorizer.authorizer_type == "REQUEST" && authorizer.result_ttl.is_none() {
                    authorizer.result_ttl = Some(300);
                }
                store::put(tx, Kind::Authorizer, api_id, &authorizer.id, &authorizer);
                redeploy(tx, api_id, now)?;
                Ok::<_, Error>(authorizer)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            crate::api::authorizer_json(&authorizer),
        ))
    }
}
