//! `DeleteFunction`: <https://docs.aws.amazon.com/lambda/latest/api/API_DeleteFunction.html>.
//! Without a qualifier the function and everything it has go; with one, that version.

use http::StatusCode;

use super::invalid;
use crate::error::Error;
use crate::store::{self, LATEST};
use crate::{Call, Lambda, Reply};

impl Lambda {
    pub(crate) async fn delete_function(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), call.query("Qualifier"))?;
        let name = target.name.clone();
        match target.qualifier.as_deref() {
            None => {
                let runtime = self.inner.runtime.clone();
                self.inner
                    .kv
                    .transact(|tx| {
                        self.function(tx, &name)?;
                        store::delete_function(tx, &name)?;
                        let runtime = runtime.clone();
                        let name = name.clone();
                        tx.on_commit(move || {
                            runtime.set_reserved(&name, None);
                            runtime.retire(&name);
                        });
                        Ok::<_, Error>(())
                    })
                    .await?;
            }
            Some(LATEST) => {
                return Err(Error::InvalidParameterValueException(
                    "$LATEST version cannot be deleted without deleting the function.".into(),
                ));
            }
            Some(version) if version.bytes().all(|b| b.is_ascii_digit()) => {
                let version = version.to_owned();
                self.inner
                    .kv
                    .transact(|tx| {
                        self.function(tx, &name)?;
                        self.resolve(tx, &target)?;
                        for entry in tx.range(&store::aliases(&name), usize::MAX)? {
                            let alias: store::Alias =
                                unkai_store::record::decode(&entry.0, &entry.1)?;
                            if alias.function_version == version
                                || alias.routing.iter().any(|(v, _)| *v == version)
                            {
                                return Err(Error::ResourceConflictException(format!(
                                    "Unable to delete version because the following aliases \
                                     reference it: [{}]",
                                    alias.name
                                )));
                            }
                        }
                        store::delete_version(tx, &name, &version);
                        Ok(())
                    })
                    .await?;
            }
            Some(other) => {
                return Err(invalid(
                    "qualifier",
                    Some(other),
                    "Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)",
                ));
            }
        }
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }
}
