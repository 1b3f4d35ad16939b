//! `UpdateFunctionCode`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html>.
//! Warm instances of the old code are stopped; the next invocation starts the new code.

use http::StatusCode;

use super::create_function::architectures;
use crate::api::{
    FunctionCode, Qualify, Shown, UpdateFunctionCodeInput, configuration, last_modified,
};
use crate::error::Error;
use crate::store;
use crate::{Call, Lambda, Reply};

impl Lambda {
    pub(crate) async fn update_function_code(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let input: UpdateFunctionCodeInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let code = FunctionCode {
            zip_file: input.zip_file.clone(),
            s3_bucket: input.s3_bucket.clone(),
            s3_key: input.s3_key.clone(),
            image_uri: input.image_uri.clone(),
        };
        let stored = self.store_code(&code, "UpdateFunctionCode")?;
        let architectures = input
            .architectures
            .as_deref()
            .map(|given| architectures(Some(given)))
            .transpose()?;
        let name = target.name.clone();
        let now = self.now_ms();
        let runtime = self.inner.runtime.clone();
        let (version, shown) = self
            .inner
            .kv
            .transact(|tx| {
                let mut function = self.function(tx, &name)?;
                let mut version = self.latest(tx, &name)?;
                check_revision(input.revision_id.as_deref(), &version.revision_id)?;
                if input.dry_run {
                    return Ok((version, Shown::Settled));
                }
                version.code = stored.code.clone();
                version.code_sha256 = stored.sha256_base64.clone();
                version.code_size = stored.size;
                if let Some(architectures) = &architectures {
                    version.architectures = architectures.clone();
                }
                version.last_modified = last_modified(now);
                version.revision_id = self.new_revision();
                store::put_version(tx, &name, &version);
                let shown = if input.publish {
                    let published = self.publish(tx, &mut function, &version, None)?;
                    store::put_function(tx, &function);
                    published
                } else {
                    version
                };
                let runtime = runtime.clone();
                let retired = name.clone();
                tx.on_commit(move || runtime.retire(&retired));
                Ok::<_, Error>((shown, Shown::Updated))
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            configuration(
                &self.function_arn(&name),
                &name,
                &version,
                shown,
                Qualify::Published,
            ),
        ))
    }
}

/// `RevisionId` must match the current one when given.
pub(crate) fn check_revision(given: Option<&str>, current: &str) -> Result<(), Error> {
    match given {
        Some(given) if given != current => Err(Error::PreconditionFailedException(
            "The Revision Id provided does not match the latest Revision Id. Call the \
             GetFunction/GetAlias API to retrieve the latest Revision Id"
                .into(),
        )),
        _ => Ok(()),
    }
}
