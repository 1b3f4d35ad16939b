//! `AddPermission`, `RemovePermission`, `GetPolicy`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html> and siblings.
//! Deviation: statements are kept and returned as Lambda renders them; unkai does not evaluate
//! them (the callers are services of the same account).

use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value as Json, json};

use super::invalid;
use super::update_function_code::check_revision;
use crate::error::Error;
use crate::store;
use crate::{Call, Lambda, Reply};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AddPermissionInput {
    statement_id: Option<String>,
    action: Option<String>,
    principal: Option<String>,
    source_arn: Option<String>,
    source_account: Option<String>,
    principal_org_i_d: Option<String>,
    function_url_auth_type: Option<String>,
    revision_id: Option<String>,
}

impl Lambda {
    pub(crate) async fn add_permission(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let input: AddPermissionInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let Some(sid) = input.statement_id.clone() else {
            return Err(invalid("statementId", None, "Member must not be null"));
        };
        if sid.is_empty()
            || sid.len() > 100
            || !sid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "statementId",
                Some(&sid),
                "Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)",
            ));
        }
        let Some(action) = input.action.clone() else {
            return Err(invalid("action", None, "Member must not be null"));
        };
        let valid_action = action == "*"
            || action == "lambda:*"
            || action.strip_prefix("lambda:").is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphabetic())
            });
        if !valid_action {
            return Err(invalid(
                "action",
                Some(&action),
                "Member must satisfy regular expression pattern: \
                 (lambda:[*]|lambda:[a-zA-Z]+|[*])",
            ));
        }
        if target.qualifier.as_deref() == Some(crate::store::LATEST) {
            return Err(Error::InvalidParameterValueException(
                "We currently do not support adding policies for $LATEST.".into(),
            ));
        }
        let Some(principal) = input.principal.clone() else {
            return Err(invalid("principal", None, "Member must not be null"));
        };
        let principal_json = if principal == "*" {
            json!("*")
        } else if principal.ends_with(".amazonaws.com") || principal.ends_with(".amazon.com") {
            json!({ "Service": principal })
        } else if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
            json!({ "AWS": format!("arn:aws:iam::{principal}:root") })
        } else {
            json!({ "AWS": principal })
        };
        let mut statement = json!({
            "Sid": sid,
            "Effect": "Allow",
            "Principal": principal_json,
            "Action": action,
            "Resource": self.target_arn(&target),
        });
        let mut condition = serde_json::Map::new();
        if let Some(arn) = &input.source_arn {
            condition.insert("ArnLike".into(), json!({ "AWS:SourceArn": arn }));
        }
        let mut equals = serde_json::Map::new();
        if let Some(account) = &input.source_account {
            equals.insert("AWS:SourceAccount".into(), json!(account));
        }
        if let Some(org) = &input.principal_org_i_d {
            equals.insert("aws:PrincipalOrgID".into(), json!(org));
        }
        if let Some(auth) = &input.function_url_auth_type {
            equals.insert("lambda:FunctionUrlAuthType".into(), json!(auth));
        }
        if !equals.is_empty() {
            condition.insert("StringEquals".into(), Json::Object(equals));
        }
        if !condition.is_empty() {
            statement["Condition"] = Json::Object(condition);
        }
        let text = statement.to_string();
        let name = target.name.clone();
        self.inner
            .kv
            .transact(|tx| {
                self.resolve(tx, &target)?;
                let mut function = self.function(tx, &name)?;
                check_revision(input.revision_id.as_deref(), &function.policy_revision)?;
                let exists = function.policy.iter().any(|existing| {
                    serde_json::from_str::<Json>(existing)
                        .is_ok_and(|existing| existing["Sid"] == sid.as_str())
                });
                if exists {
                    return Err(Error::ResourceConflictException(format!(
                        "The statement id ({sid}) provided already exists. Please provide a new \
                         statement id, or remove the existing statement."
                    )));
                }
                function.policy.push(text.clone());
                function.policy_revision = self.new_revision();
                store::put_function(tx, &function);
                Ok(())
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::CREATED,
            json!({ "Statement": text }),
        ))
    }

    pub(crate) async fn remove_permission(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let sid = call.label(1).to_owned();
        let revision = call.query("RevisionId").map(str::to_owned);
        let name = target.name.clone();
        self.inner
            .kv
            .transact(|tx| {
                let Some(mut function) = store::get_function(tx, &name)? else {
                    return Err(Error::ResourceNotFoundException(format!(
                        "No policy found for: {}",
                        self.target_arn(&target)
                    )));
                };
                check_revision(revision.as_deref(), &function.policy_revision)?;
                if function.policy.is_empty() {
                    return Err(Error::ResourceNotFoundException(
                        "No policy is associated with the given resource.".into(),
                    ));
                }
                let before = function.policy.len();
                function.policy.retain(|existing| {
                    serde_json::from_str::<Json>(existing)
                        .map_or(true, |existing| existing["Sid"] != sid.as_str())
                });
                if function.policy.len() == before {
                    return Err(Error::ResourceNotFoundException(format!(
                        "Statement {sid} is not found in resource policy."
                    )));
                }
                function.policy_revision = self.new_revision();
                store::put_function(tx, &function);
                Ok(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn get_policy(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let function = self
            .inner
            .kv
            .transact(|tx| store::get_function(tx, &target.name))
            .await?
            .filter(|function| !function.policy.is_empty());
        let Some(function) = function else {
            return Err(Error::ResourceNotFoundException(
                "The resource you requested does not exist.".into(),
            ));
        };
        if function.policy.is_empty() {
            return Err(Error::ResourceNotFoundException(
                "The resource you requested does not exist.".into(),
            ));
        }
        let statements: Vec<Json> = function
            .policy
            .iter()
            .filter_map(|text| serde_json::from_str(text).ok())
            .collect();
        let policy = json!({
            "Version": "2012-10-17",
            "Id": "default",
            "Statement": statements,
        });
        Ok(Reply::Json(
            StatusCode::OK,
            json!({ "Policy": policy.to_string(), "RevisionId": function.policy_revision }),
        ))
    }
}
