//! `TagResource`: <https://docs.aws.amazon.com/apigateway/latest/api/API_TagResource.html>.
//! REST APIs (`arn:aws:apigateway:<region>::/restapis/<api-id>`), their stages
//! (`…/restapis/<api-id>/stages/<stage-name>`), API keys (`…::/apikeys/<id>`) and usage plans
//! (`…::/usageplans/<id>`) take tags.

use http::StatusCode;
use unkai_store::Tx;

use super::get_api_key::load_key;
use super::get_usage_plan::load_plan;
use crate::api::TagsInput;
use crate::error::Error;
use crate::store::{self, Stage};
use crate::{ApiGateway, Call, Reply};

/// The resource a tagging ARN names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Tagged {
    /// A REST API.
    Api(String),
    /// A stage of a REST API.
    Stage(String, String),
    /// An API key.
    Key(String),
    /// A usage plan.
    Plan(String),
}

pub(crate) fn tagged(arn: &str) -> Result<Tagged, Error> {
    let invalid = || Error::bad_request(format!("Invalid ARN specified in the request: {arn}"));
    let path = arn
        .strip_prefix("arn:aws:apigateway:")
        .and_then(|rest| rest.split_once("::"))
        .map(|(_, path)| path)
        .ok_or_else(invalid)?;
    let parts: Vec<&str> = path.split('/').collect();
    let owned = |text: &&str| (*text).to_owned();
    match parts.as_slice() {
        ["", "restapis", api] if !api.is_empty() => Ok(Tagged::Api(owned(api))),
        ["", "restapis", api, "stages", stage] if !api.is_empty() && !stage.is_empty() => {
            Ok(Tagged::Stage(owned(api), owned(stage)))
        }
        ["", "apikeys", key] if !key.is_empty() => Ok(Tagged::Key(owned(key))),
        ["", "usageplans", plan] if !plan.is_empty() => Ok(Tagged::Plan(owned(plan))),
        _ => Err(invalid()),
    }
}

impl ApiGateway {
    /// Changes the tags of the resource `arn` names with `change`; returns them.
    pub(crate) fn retag(
        &self,
        tx: &mut Tx,
        arn: &str,
        change: impl Fn(&mut Vec<(String, String)>),
    ) -> Result<Vec<(String, String)>, Error> {
        match tagged(arn)? {
            Tagged::Api(id) => {
                let mut api = self.load_api(tx, &id)?;
                change(&mut api.tags);
                store::put(tx, &[store::API, &id], &api);
                Ok(api.tags)
            }
            Tagged::Stage(api, name) => {
                let mut stage: Stage = self.load(tx, store::STAGE, &api, &name, "stage")?;
                change(&mut stage.tags);
                store::put(tx, &[store::STAGE, &api, &name], &stage);
                Ok(stage.tags)
            }
            Tagged::Key(id) => {
                let mut key = load_key(tx, &id)?;
                change(&mut key.tags);
                store::put(tx, &[store::API_KEY, &id], &key);
                Ok(key.tags)
            }
            Tagged::Plan(id) => {
                let mut plan = load_plan(tx, &id)?;
                change(&mut plan.tags);
                store::put(tx, &[store::USAGE_PLAN, &id], &plan);
                Ok(plan.tags)
            }
        }
    }

    pub(crate) async fn tag_resource(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let arn = call.label(0);
        let input: TagsInput = call.body()?;
        let tags = input.tags.unwrap_or_default();
        self.inner
            .kv
            .transact(|tx| {
                self.retag(tx, arn, |current| {
                    for (key, value) in &tags {
                        match current.iter_mut().find(|(k, _)| k == key) {
                            Some((_, existing)) => existing.clone_from(value),
                            None => current.push((key.clone(), value.clone())),
                        }
                    }
                    current.sort();
                })
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagging_arns_name_apis_stages_keys_and_plans() {
        assert_eq!(
            tagged("arn:aws:apigateway:us-east-1::/restapis/abc").unwrap(),
            Tagged::Api("abc".into())
        );
        assert_eq!(
            tagged("arn:aws:apigateway:us-east-1::/restapis/abc/stages/prod").unwrap(),
            Tagged::Stage("abc".into(), "prod".into())
        );
        assert_eq!(
            tagged("arn:aws:apigateway:us-east-1::/usageplans/p").unwrap(),
            Tagged::Plan("p".into())
        );
        for bad in ["arn:aws:apigateway:us-east-1::/apis/abc", "nope"] {
            assert!(tagged(bad).is_err(), "{bad}");
        }
    }
}
