//! [ListTables](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ListTables.html).

use serde_json::{Value as Json, json};

use super::Scope;
use crate::api::{ListTablesInput, Violations};
use crate::{DynamoDb, Error, store};

impl DynamoDb {
    pub(crate) async fn list_tables(
        &self,
        scope: Scope<'_>,
        input: ListTablesInput,
    ) -> Result<Json, Error> {
        let limit = input.limit.unwrap_or(100);
        let mut violations = Violations::default();
        if limit < 1 {
            violations.add(
                Some(&limit.to_string()),
                "limit",
                "have value greater than or equal to 1",
            );
        }
        if limit > 100 {
            violations.add(
                Some(&limit.to_string()),
                "limit",
                "have value less than or equal to 100",
            );
        }
        if let Some(start) = input.exclusive_start_table_name.as_deref() {
            violations.name(Some(start), "exclusiveStartTableName", 255);
        }
        violations.finish()?;
        let limit = limit as usize;
        let (names, more) = self
            .kv
            .transact(|tx| {
                let mut range = store::tables(scope.account, scope.region);
                if let Some(start) = input.exclusive_start_table_name.as_deref() {
                    range.start = store::after_table(scope.account, scope.region, start);
                }
                let page = tx.range(&range, limit + 1)?;
                let mut names = Vec::with_capacity(page.len());
                for (key, value) in &page {
                    names.push(store::decode_table(key, value)?.name);
                }
                let more = names.len() > limit;
                names.truncate(limit);
                Ok::<_, Error>((names, more))
            })
            .await?;
        let mut output = json!({ "TableNames": names });
        if more {
            output["LastEvaluatedTableName"] = names.last().cloned().into();
        }
        Ok(output)
    }
}
