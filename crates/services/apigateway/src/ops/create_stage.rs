//! `CreateStage`: <https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html>.
//! Deviation: caching, tracing, canaries and access logs are stored, not applied.

use http::StatusCode;

use super::tag_pairs;
use crate::api::{StageInput, stage_json};
use crate::error::Error;
use crate::store::{self, Deployment, Stage};
use crate::{ApiGateway, Call, Reply};

/// Stage names: letters, digits, `-` and `_`.
pub(crate) fn check_stage_name(name: &str) -> Result<(), Error> {
    if !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(())
    } else {
        Err(Error::bad_request(
            "Stage name only allows a-zA-Z0-9_ and -",
        ))
    }
}

/// A new stage serving `deployment`.
pub(crate) fn new_stage(name: &str, deployment: &str, now_s: u64) -> Stage {
    Stage {
        name: name.to_owned(),
        deployment_id: deployment.to_owned(),
        description: None,
        variables: Vec::new(),
        method_settings: Vec::new(),
        tracing_enabled: false,
        cache_cluster_enabled: false,
        cache_cluster_size: None,
        tags: Vec::new(),
        created_s: now_s,
        updated_s: now_s,
    }
}

impl ApiGateway {
    pub(crate) async fn create_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let input: StageInput = call.body()?;
        let api = call.label(0);
        let name = input.stage_name.unwrap_or_default();
        check_stage_name(&name)?;
        let deployment_id = input.deployment_id.unwrap_or_default();
        let mut stage = new_stage(&name, &deployment_id, self.now_s());
        stage.description = input.description;
        stage.variables = input.variables.unwrap_or_default().into_iter().collect();
        stage.tracing_enabled = input.tracing_enabled.unwrap_or(false);
        stage.cache_cluster_enabled = input.cache_cluster_enabled.unwrap_or(false);
        stage.cache_cluster_size = input.cache_cluster_size;
        stage.tags = tag_pairs(input.tags);
        self.inner
            .kv
            .transact(|tx| {
                self.load_api(tx, api)?;
                if store::get::<Deployment>(tx, &[store::DEPLOYMENT, api, &deployment_id])?
                    .is_none()
                {
                    return Err(Error::invalid_identifier("Deployment"));
                }
                if store::get::<Stage>(tx, &[store::STAGE, api, &name])?.is_some() {
                    return Err(Error::conflict("Stage already exists"));
                }
                store::put(tx, &[store::STAGE, api, &name], &stage);
                Ok(())
            })
            .await?;
        Ok(Reply::Json(StatusCode::CREATED, stage_json(&stage)))
    }
}
