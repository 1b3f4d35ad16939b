//! `UpdateIntegration`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateIntegration.html>.
//! Patch paths: `/uri`, `/httpMethod`, `/timeoutInMillis`, `/passthroughBehavior`,
//! `/requestTemplates/<content type>` (add, replace, remove; `~1` for `/`).

use http::StatusCode;

use super::get_integration::no_integration;
use super::put_integration::check_integration;
use super::{bad_patch, patch_number, patches, unescape};
use crate::api::integration_json;
use crate::error::Error;
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn update_integration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let integration = self
            .inner
            .kv
            .transact(|tx| {
                self.change_method(tx, call, |method| {
                    let integration = method.integration.as_mut().ok_or_else(no_integration)?;
                    for patch in &patches {
                        let op = patch.op.as_deref().unwrap_or("replace");
                        let path = patch.path.as_deref().unwrap_or_default();
                        match (op, path) {
                            ("replace", "/uri") => integration.uri = patch.value.clone(),
                            ("replace", "/httpMethod") => {
                                integration.http_method = patch.value.clone();
                            }
                            ("replace", "/timeoutInMillis") => {
                                integration.timeout_ms = patch_number(patch)?;
                            }
                            ("replace", "/passthroughBehavior") => {
                                integration.passthrough_behavior = patch.value.clone();
                            }
                            (op, path) if path.starts_with("/requestTemplates/") => {
                                let kind = unescape(&path["/requestTemplates/".len()..]);
                                integration.request_templates.retain(|(k, _)| *k != kind);
                                match op {
                                    "add" | "replace" => integration
                                        .request_templates
                                        .push((kind, patch.value.clone().unwrap_or_default())),
                                    "remove" => {}
                                    _ => return Err(bad_patch(patch)),
                                }
                                integration.request_templates.sort();
                            }
                            _ => return Err(bad_patch(patch)),
                        }
                    }
                    check_integration(integration)?;
                    Ok(integration.clone())
                })
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, integration_json(&integration)))
    }
}
