//! `UpdateFunctionConfiguration`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html>.

use http::StatusCode;

use super::apply_settings;
use super::update_function_code::check_revision;
use crate::api::{Qualify, Settings, Shown, configuration, last_modified};
use crate::error::Error;
use crate::store;
use crate::{Call, Lambda, Reply};

impl Lambda {
    pub(crate) async fn update_function_configuration(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let settings: Settings = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let name = target.name.clone();
        let now = self.now_ms();
        let runtime = self.inner.runtime.clone();
        let version = self
            .inner
            .kv
            .transact(|tx| {
                let mut version = self.latest(tx, &name)?;
                check_revision(settings.revision_id.as_deref(), &version.revision_id)?;
                apply_settings(&mut version, &settings)?;
                version.last_modified = last_modified(now);
                version.revision_id = self.new_revision();
                store::put_version(tx, &name, &version);
                let runtime = runtime.clone();
                let retired = name.clone();
                tx.on_commit(move || runtime.retire(&retired));
                Ok::<_, Error>(version)
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            configuration(
                &self.function_arn(&name),
                &name,
                &version,
                Shown::Updated,
                Qualify::Published,
            ),
        ))
    }
}
