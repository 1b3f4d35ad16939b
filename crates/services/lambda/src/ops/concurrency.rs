//! `PutFunctionConcurrency`, `GetFunctionConcurrency`, `DeleteFunctionConcurrency` and
//! `GetAccountSettings`:
//! <https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html> and
//! siblings. The account keeps at least 100 unreserved, as Lambda does.

use http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::invalid;
use crate::error::Error;
use crate::store;
use crate::{Call, Lambda, Reply};

/// What reservations must leave to the functions without one.
const MIN_UNRESERVED: u32 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutFunctionConcurrencyInput {
    reserved_concurrent_executions: Option<i64>,
}

impl Lambda {
    pub(crate) async fn put_function_concurrency(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        if target.qualifier.is_some() {
            return Err(Error::InvalidParameterValueException(
                "This operation is permitted on Lambda functions only. Aliases and versions do \
                 not support this operation. Please specify either a function name or an \
                 unqualified function ARN."
                    .into(),
            ));
        }
        let input: PutFunctionConcurrencyInput = call.body().map_err(|error| {
            Error::InvalidRequestContentException(error.message.unwrap_or_default())
        })?;
        let Some(reserved) = input.reserved_concurrent_executions else {
            return Err(invalid(
                "reservedConcurrentExecutions",
                None,
                "Member must not be null",
            ));
        };
        if reserved < 0 {
            return Err(invalid(
                "reservedConcurrentExecutions",
                Some(&reserved.to_string()),
                "Member must have value greater than or equal to 0",
            ));
        }
        let reserved = u32::try_from(reserved).unwrap_or(u32::MAX);
        let name = target.name.clone();
        let account = self.inner.runtime.account_concurrency();
        let runtime = self.inner.runtime.clone();
        self.inner
            .kv
            .transact(|tx| {
                let Some(mut function) = store::get_function(tx, &name)? else {
                    return Err(Error::function_not_found(&format!(
                        "{}:$LATEST",
                        self.function_arn(&name)
                    )));
                };
                let mut others = 0u32;
                for entry in tx.range(&store::functions(), usize::MAX)? {
                    let other: store::Function = unkai_store::record::decode(&entry.0, &entry.1)?;
                    if other.name != name {
                        others += other.reserved_concurrency.unwrap_or(0);
                    }
                }
                let available = account
                    .saturating_sub(MIN_UNRESERVED)
                    .saturating_sub(others);
                if reserved > available {
                    return Err(Error::InvalidParameterValueException(format!(
                        "Specified ReservedConcurrentExecutions for function decreases account's \
                         UnreservedConcurrentExecution below its minimum value of \
                         [{MIN_UNRESERVED}]."
                    )));
                }
                function.reserved_concurrency = Some(reserved);
                store::put_function(tx, &function);
                let runtime = runtime.clone();
                let name = name.clone();
                tx.on_commit(move || runtime.set_reserved(&name, Some(reserved)));
                Ok(())
            })
            .await?;
        Ok(Reply::Json(
            StatusCode::OK,
            json!({ "ReservedConcurrentExecutions": reserved }),
        ))
    }

    pub(crate) async fn get_function_concurrency(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let function = self
            .inner
            .kv
            .transact(|tx| self.function(tx, &target.name))
            .await?;
        let body = match function.reserved_concurrency {
            Some(reserved) => json!({ "ReservedConcurrentExecutions": reserved }),
            None => json!({}),
        };
        Ok(Reply::Json(StatusCode::OK, body))
    }

    pub(crate) async fn delete_function_concurrency(
        &self,
        call: &Call<'_>,
    ) -> Result<Reply, Error> {
        let target = self.target(call.label(0), None)?;
        let name = target.name.clone();
        let runtime = self.inner.runtime.clone();
        self.inner
            .kv
            .transact(|tx| {
                let mut function = self.function(tx, &name)?;
                function.reserved_concurrency = None;
                store::put_function(tx, &function);
                let runtime = runtime.clone();
                let name = name.clone();
                tx.on_commit(move || runtime.set_reserved(&name, None));
                Ok::<_, Error>(())
            })
            .await?;
        Ok(Reply::Empty(StatusCode::NO_CONTENT))
    }

    pub(crate) async fn get_account_settings(&self) -> Result<Reply, Error> {
        let (count, total_size) = self
            .inner
            .kv
            .transact(|tx| {
                let mut count = 0u64;
                let mut size = 0u64;
                for entry in tx.range(&store::functions(), usize::MAX)? {
                    count += 1;
                    if let Some(name) = store::function_name_of(&entry.0) {
                        for version in tx.range(&store::versions(&name), usize::MAX)? {
                            let version: store::Version =
                                unkai_store::record::decode(&version.0, &version.1)?;
                            size += version.code_size;
                        }
                    }
                }
                Ok::<_, Error>((count, size))
            })
            .await?;
        let runtime = &self.inner.runtime;
        Ok(Reply::Json(
            StatusCode::OK,
            json!({
                "AccountLimit": {
                    "TotalCodeSize": 80_530_636_800u64,
                    "CodeSizeUnzipped": 262_144_000u64,
                    "CodeSizeZipped": 52_428_800u64,
                    "ConcurrentExecutions": runtime.account_concurrency(),
                    "UnreservedConcurrentExecutions": runtime.unreserved_concurrency(),
                },
                "AccountUsage": {
                    "TotalCodeSize": total_size,
                    "FunctionCount": count,
                },
            }),
        ))
    }
}
