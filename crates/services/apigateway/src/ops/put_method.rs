//! `PutMethod`: <https://docs.aws.amazon.com/apigateway/latest/api/API_PutMethod.html>.
//! `CUSTOM` and `COGNITO_USER_POOLS` methods name an authorizer of the API.

use http::StatusCode;
use unkai_store::Tx;

use super::HTTP_METHODS;
use crate::api::{MethodInput, method_json};
use crate::error::Error;
use crate::store::{self, Authorizer, Method};
use crate::{ApiGateway, Call, Reply};

/// Checks an HTTP method name.
pub(crate) fn check_http_method(method: &str) -> Result<(), Error> {
    if HTTP_METHODS.contains(&method) {
        Ok(())
    } else {
        Err(Error::bad_request(
            "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,\
             HEAD,ANY",
        ))
    }
}

/// Checks a method's authorization type and authorizer against the API's authorizers.
pub(crate) fn check_authorization(tx: &mut Tx, api: &str, method: &Method) -> Result<(), Error> {
    match method.authorization_type.as_str() {
        "NONE" | "AWS_IAM" => Ok(()),
        "CUSTOM" | "COGNITO_USER_POOLS" => {
            let exists = match &method.authorizer_id {
                Some(id) => store::get::<Authorizer>(tx, &[store::AUTHORIZER, api, id])?.is_some(),
                None => false,
            };
            if exists {
                Ok(())
            } else {
                Err(Error::bad_request(
                    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM \
                     or COGNITO_USER_POOLS requires a valid authorizer.",
                ))
            }
        }
        other => Err(Error::bad_request(format!(
            "Invalid authorization type specified: {other}. Valid options are NONE, AWS_IAM, \
             CUSTOM, COGNITO_USER_POOLS"
        ))),
    }
}

/// A method from a `PutMethod` input.
pub(crate) fn new_method(http_method: &str, input: MethodInput) -> Method {
    Method {
        http_method: http_method.to_owned(),
        authorization_type: input.authorization_type.unwrap_or_else(|| "NONE".into()),
        authorizer_id: input.authorizer_id,
        api_key_required: input.api_key_required.unwrap_or(false),
        operation_name: input.operation_name,
        request_parameters: input
            .request_parameters
            .unwrap_or_default()
            .into_iter()
            .collect(),
        request_models: input
            .request_models
            .unwrap_or_default()
            .into_iter()
            .collect(),
        request_validator_id: input.request_validator_id,
        authorization_scopes: input.authorization_scopes.unwrap_or_default(),
        responses: Vec::new(),
        integration: None,
    }
}

impl ApiGateway {
    pub(crate) async fn put_method(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: MethodInput = call.body()?;
        let (api, resource_id, http_method) = (call.label(0), call.label(1), call.label(2));
        check_http_method(http_method)?;
        let method = new_method(http_method, input);
        self.inner
            .kv
            .transact(|tx| {
                let mut resource = self.load_resource(tx, api, resource_id)?;
                if resource
                    .methods
                    .iter()
                    .any(|existing| existing.http_method == http_method)
                {
                    return Err(Error::conflict("Method already exists for this resource"));
                }
                check_authorization(tx, api, &method)?;
                resource.methods.push(method.clone());
                resource
                    .methods
                    .sort_by(|a, b| a.http_method.cmp(&b.http_method));
                store::put(tx, &[store::RESOURCE, api, resource_id], &resource);
                Ok(())
            })
            .await?;
        Ok(Reply::Json(StatusCode::CREATED, method_json(&method)))
    }
}
