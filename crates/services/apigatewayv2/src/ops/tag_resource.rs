//! `TagResource`: <https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/tags-resource-arn.html#TagResource>.
//! APIs (`arn:aws:apigateway:<region>::/apis/<api-id>`) and stages
//! (`…/apis/<api-id>/stages/<stage-name>`) take tags.

use http::StatusCode;
use serde_json::json;
use unkai_store::Tx;

use crate::api::TagsInput;
use crate::error::Error;
use crate::store::{self, Kind, Stage};
use crate::{ApiGatewayV2, Call, Reply};

/// The resource a tagging ARN names.
pub(crate) enum Tagged {
    /// An API.
    Api(String),
    /// A stage of an API.
    Stage(String, String),
}

pub(crate) fn tagged(arn: &str) -> Result<Tagged, Error> {
    let invalid = || Error::bad_request(format!("Invalid resource ARN specified: {arn}"));
    let path = arn
        .strip_prefix("arn:aws:apigateway:")
        .and_then(|rest| rest.split_once("::"))
        .map(|(_, path)| path)
        .ok_or_else(invalid)?;
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["", "apis", api] if !api.is_empty() => Ok(Tagged::Api((*api).to_owned())),
        ["", "apis", api, "stages", stage] if !api.is_empty() && !stage.is_empty() => {
            Ok(Tagged::Stage((*api).to_owned(), (*stage).to_owned()))
        }
        _ => Err(invalid()),
    }
}

impl ApiGatewayV2 {
    /// Changes the tags of the resource `arn` names with `change`.
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
                store::put_api(tx, &api);
                Ok(api.tags)
            }
            Tagged::Stage(api, name) => {
                let mut stage: Stage = self.load(tx, Kind::Stage, &api, &name)?;
                change(&mut stage.tags);
                store::put(tx, Kind::Stage, &api, &name, &stage);
                Ok(stage.tags)
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
        Ok(Reply::Json(StatusCode::CREATED, json!({})))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagging_arns_name_apis_and_stages() {
        assert!(matches!(
            tagged("arn:aws:apigateway:us-east-1::/apis/abc").unwrap(),
            Tagged::Api(id) if id == "abc"
        ));
        assert!(matches!(
            tagged("arn:aws:apigateway:us-east-1::/apis/abc/stages/$default").unwrap(),
            Tagged::Stage(api, stage) if api == "abc" && stage == "$default"
        ));
        for bad in [
            "arn:aws:apigateway:us-east-1::/restapis/abc",
            "arn:aws:lambda:us-east-1:000000000000:function:f",
            "nope",
        ] {
            assert!(tagged(bad).is_err(), "{bad}");
        }
    }
}
