//! `UpdateUsagePlan`: <https://docs.aws.amazon.com/apigateway/latest/api/API_UpdateUsagePlan.html>.
//! Patch paths: `/name`, `/description`, `/throttle/rateLimit`, `/throttle/burstLimit`,
//! `/quota/limit`, `/quota/period`, `/quota/offset`, `/apiStages` (add or remove
//! `<api-id>:<stage>`).

use http::StatusCode;

use super::get_usage_plan::load_plan;
use super::{bad_patch, patch_number, patches};
use crate::api::usage_plan_json;
use crate::error::Error;
use crate::store::{self, ApiStage, Quota, Throttle};
use crate::{ApiGateway, Call, Reply};

impl ApiGateway {
    pub(crate) async fn update_usage_plan(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let patches = patches(call)?;
        let plan = self
            .inner
            .kv
            .transact(|tx| {
                let mut plan = load_plan(tx, call.label(0))?;
                for patch in &patches {
                    let value = patch.value.clone();
                    let quota = || Quota {
                        limit: 0,
                        offset: 0,
                        period: "DAY".into(),
                    };
                    match (
                        patch.op.as_deref().unwrap_or("replace"),
                        patch.path.as_deref(),
                    ) {
                        ("replace", Some("/name")) => plan.name = value.unwrap_or_default(),
                        ("replace", Some("/description")) => plan.description = value,
                        ("replace", Some("/throttle/rateLimit")) => {
                            plan.throttle
                                .get_or_insert_with(Throttle::default)
                                .rate_limit = patch_number(patch)?;
                        }
                        ("replace", Some("/throttle/burstLimit")) => {
                            plan.throttle
                                .get_or_insert_with(Throttle::default)
                                .burst_limit = patch_number(patch)?;
                        }
                        ("remove", Some("/throttle")) => plan.throttle = None,
                        ("replace", Some("/quota/limit")) => {
                            plan.quota.get_or_insert_with(quota).limit = patch_number(patch)?;
                        }
                        ("replace", Some("/quota/offset")) => {
                            plan.quota.get_or_insert_with(quota).offset = patch_number(patch)?;
                        }
                        ("replace", Some("/quota/period")) => {
                            let period = value.unwrap_or_default();
                            if !["DAY", "WEEK", "MONTH"].contains(&period.as_str()) {
                                return Err(bad_patch(patch));
                            }
                            plan.quota.get_or_insert_with(quota).period = period;
                        }
                        ("remove", Some("/quota")) => plan.quota = None,
                        (op @ ("add" | "remove"), Some("/apiStages")) => {
                            let value = value.unwrap_or_default();
                            let Some((api, stage)) = value.split_once(':') else {
                                return Err(bad_patch(patch));
                            };
                            plan.api_stages.retain(|existing| {
                                existing.api_id != api || existing.stage != stage
                            });
                            if op == "add" {
                                self.api_stage(tx, api, stage)?;
                                plan.api_stages.push(ApiStage {
                                    api_id: api.to_owned(),
                                    stage: stage.to_owned(),
                                    throttle: Vec::new(),
                                });
                            }
                        }
                        _ => return Err(bad_patch(patch)),
                    }
                }
                store::put(tx, &[store::USAGE_PLAN, &plan.id], &plan);
                Ok::<_, Error>(plan)
            })
            .await?;
        Ok(Reply::Json(StatusCode::OK, usage_plan_json(&plan)))
    }
}
