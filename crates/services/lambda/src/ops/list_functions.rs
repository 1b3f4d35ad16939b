//! `ListFunctions`: <https://docs.aws.amazon.com/lambda/latest/api/API_ListFunctions.html>.
//! Functions in name order; `Marker` is the last name returned; `FunctionVersion=ALL` lists
//! every version.

use http::StatusCode;
use serde_json::{Value as Json, json};

use super::{invalid, page_size};
use crate::api::{Qualify, Shown, configuration};
use crate::error::Error;
use crate::store::{self, LATEST, Version};
use crate::{Call, Lambda, Reply};

impl Lambda {
    pub(crate) async fn list_functions(&self, call: &Call<'_>) -> Result<Reply, Error> {
        let limit = page_size(call.query("MaxItems"))?;
        let all_versions = match call.query("FunctionVersion") {
            None => false,
            Some("ALL") => true,
            Some(other) => {
                return Err(invalid(
                    "functionVersion",
                    Some(other),
                    "Member must satisfy enum value set: [ALL]",
                ));
            }
        };
        let marker = call.query("Marker").map(str::to_owned);
        let (page, more) = self
            .inner
            .kv
            .transact(|tx| {
                let range = match &marker {
                    Some(marker) => store::functions_after(marker),
                    None => store::functions(),
                };
                let entries = tx.range(&range, limit + 1)?;
                let more = entries.len() > limit;
                let mut page: Vec<(String, Vec<Version>)> = Vec::new();
                for entry in entries.into_iter().take(limit) {
                    let Some(name) = store::function_name_of(&entry.0) else {
                        continue;
                    };
                    let versions = if all_versions {
                        tx.range(&store::versions(&name), usize::MAX)?
                            .into_iter()
                            .map(|entry| unkai_store::record::decode(&entry.0, &entry.1))
                            .collect::<Result<Vec<Version>, _>>()?
                    } else {
                        store::get_version(tx, &name, LATEST)?.into_iter().collect()
                    };
                    page.push((name, versions));
                }
                Ok::<_, Error>((page, more))
            })
            .await?;
        let next = more
            .then(|| page.last().map(|(name, _)| name.clone()))
            .flatten();
        let functions: Vec<Json> = page
            .iter()
            .flat_map(|(name, versions)| {
                versions.iter().map(move |version| {
                    configuration(
                        &self.function_arn(name),
                        name,
                        version,
                        Shown::Settled,
                        if all_versions {
                            Qualify::Always
                        } else {
                            Qualify::Published
                        },
                    )
                })
            })
            .collect();
        let mut body = json!({ "Functions": functions });
        if let Some(next) = next {
            body["NextMarker"] = next.into();
        }
        Ok(Reply::Json(StatusCode::OK, body))
    }
}
