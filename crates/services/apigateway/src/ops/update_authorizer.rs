//! `UpdateAuthorizer`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateAuthorizer.html>.
//! Patch paths: `/name`, `/authorizerUri`, `/identitySource`, `/authorizerResultTtlInSeconds`,
//! `/identityValidationExpression`, `/authorizerCredentials`.

use http::StatusCode;

use super::create_authorizer::check_authorizer;
use super::{bad_patch, patch_number, patches};
use crate::api::authorizer_json;
use crate::error::Error;
use crate::store::{self, Authorizer};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn update_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let (api, id) = (call.label(0), call.label(1));
        let authorizer = self
            .inner
            .kv
            .transact(|tx| {
                let mut authorizer: Authorizer =
                    self.load(tx, store::AUTHORIZER, api, id, "Authorizer")?;
                for patch in &patches {
                    let value = patch.value.clone();
                    match (
                        patch.op.as_deref().unwrap_or("replace"),
                        patch.path.as_deref(),
                    ) {
                        ("replace", Some("/name")) => authorizer.name = value.unwrap_or_default(),
                        ("replace", Some("/authorizerUri")) => authorizer.uri = value,
                        ("replace", Some("/identitySource")) => authorizer.identity_source = value,
                        ("replace", Some("/authorizerCredentials")) => {
                            authorizer.credentials = value;
                        }
                        ("replace", Some("/identityValidationExpression")) => {
                            authorizer.identity_validation_expression = value;
                        }
                        ("replace", Some("/authorizerResultTtlInSeconds")) => {
                            authorizer.result_ttl = patch_number(patch)?;
                        }
                        _ => return Err(bad_patch(patch)),
                    }
                }
                check_authorizer(&authorizer)?;
                store::put(tx, &[store::AUTHORIZER, api, id], &authorizer);
                Ok::<_, Error>(authorizer)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, authorizer_json(&authorizer)))
    }
}
