//! `UpdateStage`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateStage.html>.
//! Patch paths: `/description`, `/deploymentId`, `/variables/<name>` (add, replace, remove),
//! `/tracingEnabled`, `/cacheClusterEnabled`, `/cacheClusterSize`, and method settings
//! `/<resource path>/<method>/<group>/<setting>` (`/*/*/throttling/rateLimit`,
//! `/~1items/GET/throttling/burstLimit`, `…/metrics/enabled`, `…/logging/loglevel`,
//! `…/logging/dataTrace`, `…/caching/enabled`, `…/caching/ttlInSeconds`,
//! `…/caching/dataEncrypted`).

use http::StatusCode;

use super::{bad_patch, patch_bool, patch_number, patches};
use crate::api::{PatchOperation, stage_json};
use crate::error::Error;
use crate::store::{self, Deployment, MethodSetting, Stage};
use crate::{ApiGateway, Call, Reply};

/// Applies a method-settings patch (`/<resource>/<method>/<group>/<setting>`) to `stage`;
/// `Ok(false)` when the path is not one.
fn patch_method_setting(stage: &mut Stage, patch: &PatchOperation) -> Result<bool, Error> {
    let path = patch.path.as_deref().unwrap_or_default();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let [resource, method, group, setting] = parts.as_slice() else {
        return Ok(false);
    };
    let key = format!("{resource}/{method}");
    let index = match stage.method_settings.iter().position(|(k, _)| *k == key) {
        Some(index) => index,
        None => {
            stage.method_settings.push((key, MethodSetting::default()));
            stage.method_settings.sort_by(|a, b| a.0.cmp(&b.0));
            stage
                .method_settings
                .iter()
                .position(|(k, _)| *k == format!("{resource}/{method}"))
                .expect("the setting was just added")
        }
    };
    let target = &mut stage.method_settings[index].1;
    match (*group, *setting) {
        ("throttling", "rateLimit") => target.throttling_rate_limit = patch_number(patch)?,
        ("throttling", "burstLimit") => target.throttling_burst_limit = patch_number(patch)?,
        ("metrics", "enabled") => target.metrics_enabled = patch_bool(patch)?,
        ("logging", "loglevel") => target.logging_level = patch.value.clone(),
        ("logging", "dataTrace") => target.data_trace_enabled = patch_bool(patch)?,
        ("caching", "enabled") => target.caching_enabled = patch_bool(patch)?,
        ("caching", "ttlInSeconds") => target.cache_ttl_in_seconds = patch_number(patch)?,
        ("caching", "dataEncrypted") => target.cache_data_encrypted = patch_bool(patch)?,
        _ => return Err(bad_patch(patch)),
    }
    Ok(true)
}

impl ApiGateway {
    pub(crate) async fn update_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let (api, name) = (call.label(0), call.label(1));
        let now = self.now_s();
        let stage = self
            .inner
            .kv
            .transact(|tx| {
                let mut stage: Stage = self.load(tx, store::STAGE, api, name, "stage")?;
                for patch in &patches {
                    let op = patch.op.as_deref().unwrap_or("replace");
                    let path = patch.path.as_deref().unwrap_or_default();
                    let value = patch.value.clone();
                    match (op, path) {
                        ("replace", "/description") => stage.description = value,
                        ("replace", "/deploymentId") => {
                            let id = value.unwrap_or_default();
                            if store::get::<Deployment>(tx, &[store::DEPLOYMENT, api, &id])?
                                .is_none()
                            {
                                return Err(Error::invalid_identifier("Deployment"));
                            }
                            stage.deployment_id = id;
                        }
                        ("replace", "/tracingEnabled") => {
                            stage.tracing_enabled = patch_bool(patch)?
                        }
                        ("replace", "/cacheClusterEnabled") => {
                            stage.cache_cluster_enabled = patch_bool(patch)?;
                        }
                        ("replace", "/cacheClusterSize") => stage.cache_cluster_size = value,
                        (op, path) if path.starts_with("/variables/") => {
                            let variable = path["/variables/".len()..].to_owned();
                            stage.variables.retain(|(k, _)| *k != variable);
                            match op {
                                "add" | "replace" => {
                                    stage.variables.push((variable, value.unwrap_or_default()));
                                }
                                "remove" => {}
                                _ => return Err(bad_patch(patch)),
                            }
                            stage.variables.sort();
                        }
                        ("replace", _) if patch_method_setting(&mut stage, patch)? => {}
                        ("remove", path)
                            if path.ends_with("/*/*") || path.matches('/').count() == 2 =>
                        {
                            let key = path.trim_start_matches('/').to_owned();
                            stage.method_settings.retain(|(k, _)| *k != key);
                        }
                        _ => return Err(bad_patch(patch)),
                    }
                }
                stage.updated_s = now;
                store::put(tx, &[store::STAGE, api, name], &stage);
                Ok::<_, Error>(stage)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, stage_json(&stage)))
    }
}
