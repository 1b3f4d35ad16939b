//! `CreateAuthorizer`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html>.
//! TOKEN and REQUEST authorizers run a Lambda function (see `authorizer`); COGNITO_USER_POOLS
//! authorizers are stored, not enforced.

use http::StatusCode;

use super::random_id;
use crate::api::{AuthorizerInput, authorizer_json};
use crate::error::Error;
use crate::store::{self, Authorizer};
use crate::{ApiGateway, Call, Reply};

/// Checks an authorizer as API Gateway does.
pub(crate) fn check_authorizer(authorizer: &Authorizer) -> Result<(), Error> {
    if authorizer.name.is_empty() {
        return Err(Error::bad_request("Invalid authorizer name specified"));
    }
    match authorizer.authorizer_type.as_str() {
        "TOKEN" | "REQUEST" => {
            if authorizer.uri.as_deref().unwrap_or_default().is_empty() {
                return Err(Error::bad_request(format!(
                    "Authorizer URI is required for authorizer of type {}",
                    authorizer.authorizer_type
                )));
            }
            if authorizer.authorizer_type == "TOKEN"
                && authorizer
                    .identity_source
                    .as_deref()
                    .unwrap_or_default()
                    .is_empty()
            {
                return Err(Error::bad_request(
                    "Identity source is required for authorizer of type TOKEN",
                ));
            }
        }
        "COGNITO_USER_POOLS" => {
            if authorizer.provider_arns.is_empty() {
                return Err(Error::bad_request(
                    "ProviderARNs is required for authorizer of type COGNITO_USER_POOLS",
                ));
            }
        }
        other => {
            return Err(Error::bad_request(format!(
                "Invalid authorizer type specified: {other}. Valid options are TOKEN, REQUEST, \
                 COGNITO_USER_POOLS"
            )));
        }
    }
    if authorizer.result_ttl > 3600 {
        return Err(Error::bad_request(
            "Authorizer result TTL must be between 0 and 3600 seconds",
        ));
    }
    Ok(())
}

impl ApiGateway {
    pub(crate) async fn create_authorizer(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: AuthorizerInput = call.body()?;
        let api = call.label(0);
        let ttl = input.authorizer_result_ttl_in_seconds.unwrap_or(300);
        let authorizer = Authorizer {
            id: random_id(10),
            name: input.name.unwrap_or_default(),
            authorizer_type: input.authorizer_type.unwrap_or_default(),
            provider_arns: input.provider_arns.unwrap_or_default(),
            auth_type: input.auth_type,
            uri: input.authorizer_uri,
            credentials: input.authorizer_credentials,
            identity_source: input.identity_source,
            identity_validation_expression: input.identity_validation_expression,
            result_ttl: u32::try_from(ttl).unwrap_or(u32::MAX),
        };
        check_authorizer(&authorizer)?;
        self.inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                store::put(tx, &[store::AUTHORIZER, api, &authorizer.id], &authorizer);
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            authorizer_json(&authorizer),
        ))
    }
}
