//! [DeleteTable](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteTable.html).
//! The table disappears at once; its items and index entries are removed by the background
//! janitor (`crate::janitor`), in small transactions.

use serde_json::{Value as Json, json};

use super::{Scope, described_table, table_name};
use crate::api::{TableNameInput, deleted_description};
use crate::{DynamoDb, Error, janitor, store};

impl DynamoDb {
    pub(crate) async fn delete_table(
        &self,
        scope: Scope<'_>,
        input: TableNameInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let table = self
            .kv
            .transact(|tx| {
                let table = described_table(tx, scope, name)?;
                if table.deletion_protection {
                    return Err(Error::Validation(
                        "Resource cannot be deleted as it is currently protected against \
                         deletion. Disable deletion protection first."
                            .into(),
                    ));
                }
                store::delete_table(tx, scope.account, scope.region, name);
                janitor::drop_table(tx, &table);
                Ok(table)
            })
            .await?;
        self.janitor.wake();
        let description = deleted_description(&table, &scope.table_arn(name));
        Ok(json!({ "TableDescription": description }))
    }
}
