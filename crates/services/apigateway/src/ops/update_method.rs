//! `UpdateMethod`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateMethod.html>.
//! Patch paths: `/authorizationType`, `/authorizerId`, `/apiKeyRequired`, `/operationName`.

use http::StatusCode;

use super::put_method::check_authorization;
use super::{bad_patch, patch_bool, patches};
use crate::api::method_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn update_method(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let api = call.label(0);
        let method = self
            .inner
            .kv
            .transact(|tx| {
                let method = self.change_method(tx, call, |method| {
                    for patch in &patches {
                        let value = patch.value.clone();
                        match (
                            patch.op.as_deref().unwrap_or("replace"),
                            patch.path.as_deref(),
                        ) {
                            ("replace", Some("/authorizationType")) => {
                                method.authorization_type = value.unwrap_or_default();
                                if matches!(method.authorization_type.as_str(), "NONE" | "AWS_IAM")
                                {
                                    method.authorizer_id = None;
                                }
                            }
                            ("replace", Some("/authorizerId")) => method.authorizer_id = value,
                            ("replace", Some("/apiKeyRequired")) => {
                                method.api_key_required = patch_bool(patch)?;
                            }
                            ("replace", Some("/operationName")) => method.operation_name = value,
                            _ => return Err(bad_patch(patch)),
                        }
                    }
                    Ok(method.clone())
                })?;
                check_authorization(tx, api, &method)?;
                Ok::<_, Error>(method)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, method_json(&method)))
    }
}
