//! `CreateStage`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html#CreateStage>.
//!
//! With `AutoDeploy` the stage gets a deployment at once and with every later change of the
//! API's routes, integrations and authorizers. Deviation: throttling (`DefaultRouteSettings`,
//! `RouteSettings`) and access log settings are stored, not applied.

use std::collections::BTreeMap;

use http::StatusCode;

use super::{auto_deploy, tag_pairs};
use crate::api::{RouteSettingsInput, StageInput};
use crate::error::Error;
use crate::store::{self, Deployment, Kind, Route, RouteSettings, Stage};
use crate::{ApiGatewayV2, Call, Reply};

/// `$default`, or letters, digits, `-`, `_`, `.` and `~`, up to 128.
pub(crate) fn check_stage_name(name: &str) -> Result<(), Error> {
    let valid = name == store::DEFAULT_STAGE
        || (!name.is_empty()
            && name.len() <= 128
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.~".contains(c)));
    if valid {
        Ok(())
    } else {
        Err(Error::bad_request(format!(
            "Invalid stage name specified: {name}. Stage names may contain only alphanumeric \
             characters, hyphens, underscores, periods and tildes, or be $default"
        )))
    }
}

/// Merges per-route settings into `stage`; every key must be one of the API's route keys.
pub(crate) fn apply_route_settings(
    tx: &mut unkai_store::Tx,
    api: &str,
    stage: &mut Stage,
    settings: BTreeMap<String, RouteSettingsInput>,
) -> Result<(), Error> {
    if settings.is_empty() {
        return Ok(());
    }
    let routes: Vec<Route> = store::list(tx, Kind::Route, api)?;
    for (key, input) in settings {
        if !routes.iter().any(|route| route.key == key) {
            return Err(Error::bad_request(format!(
                "Unable to find Route by key {key} within the provided RouteSettings"
            )));
        }
        match stage.route_settings.iter_mut().find(|(k, _)| *k == key) {
            Some((_, current)) => input.apply(current),
            None => {
                let mut current = RouteSettings::default();
                input.apply(&mut current);
                stage.route_settings.push((key, current));
            }
        }
    }
    stage.route_settings.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(())
}

impl ApiGatewayV2 {
    pub(crate) async fn create_stage(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let api_id = call.label(0);
        let now = self.now_ms();
        let stage = self
            .inner
            .kv
            .transact(|tx| {
                let input: StageInput = call.body()?;
                let Some(name) = input.stage_name.clone() else {
                    return Err(Error::bad_request("StageName is required"));
                };
                check_stage_name(&name)?;
                self.load_api(tx, api_id)?;
                if store::get::<Stage>(tx, Kind::Stage, api_id, &name)?.is_some() {
                    return Err(Error::ConflictException("Stage already exists".into()));
                }
                if let Some(id) = &input.deployment_id {
                    let _: Deployment = self.load(tx, Kind::Deployment, api_id, id)?;
                }
                let mut default_route_settings = RouteSettings::default();
                if let Some(settings) = input.default_route_settings {
                    settings.apply(&mut default_route_settings);
                }
                let mut stage = Stage {
                    name: name.clone(),
                    description: input.description,
                    deployment_id: input.deployment_id,
                    auto_deploy: input.auto_deploy.unwrap_or(false),
                    variables: tag_pairs(input.stage_variables),
                    default_route_settings,
                    route_settings: Vec::new(),
                    access_log: input
                        .access_log_settings
                        .map(|log| (log.destination_arn, log.format)),
                    client_certificate_id: input.client_certificate_id,
                    last_deployment_status_message: None,
                    tags: tag_pairs(input.tags),
                    created_ms: now,
                    updated_ms: now,
                    managed: false,
                };
                apply_route_settings(
                    tx,
                    api_id,
                    &mut stage,
                    input.route_settings.unwrap_or_default(),
                )?;
                if stage.auto_deploy {
                    auto_deploy(tx, api_id, &mut stage, now)?;
                }
                store::put(tx, Kind::Stage, api_id, &name, &stage);
                Ok::<_, Error>(stage)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            crate::api::stage_json(&stage),
        ))
    }
}
