//! `GetFunction` and `GetFunctionConfiguration`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html>,
//! <https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html>.
//! Deviation: `Code.Location` names where the code is on this machine, not a download URL.

use http::StatusCode;
use serde_json::json;

use crate::api::{Qualify, Shown, configuration};
use crate::error::Error;
use crate::{Call, Lambda, Reply};

impl Lambda {
    pub(crate) async fn get_function(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let qualify = match target.qualifier {
            Some(_) => Qualify::Always,
            None => Qualify::Published,
        };
        let (version, function) = self
            .inner
            .kv
            .transact(|tx| {
                let version = self.resolve(tx, &target)?;
                let function = self.function(tx, &target.name)?;
                Ok::<_, Error>((version, function))
            })
            .await?;
        let mut body = json!({
            "Configuration": configuration(
                &self.function_arn(&target.name),
                &target.name,
                &version,
                Shown::Settled,
                qualify,
            ),
            "Code": {
                "RepositoryType": "S3",
                "Location": format!(
                    "file://{}",
                    crate::code::path(&self.inner.options.code_dir, &version.code).display()
                ),
            },
        });
        if !function.tags.is_empty() {
            body["Tags"] = super::tags::tags_json(&function.tags);
        }
        if let Some(reserved) = function.reserved_concurrency {
            body["Concurrency"] = json!({ "ReservedConcurrentExecutions": reserved });
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }

    pub(crate) async fn get_function_configuration(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let qualify = match target.qualifier {
            Some(_) => Qualify::Always,
            None => Qualify::Published,
        };
        let version = self
            .inner
            .kv
            .transact(|tx| self.resolve(tx, &target))
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            configuration(
                &self.function_arn(&target.name),
                &target.name,
                &version,
                Shown::Settled,
                qualify,
            ),
        ))
    }
}
