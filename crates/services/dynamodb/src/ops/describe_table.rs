//! [DescribeTable](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html).
//! Deviations: `ItemCount` and `TableSizeBytes` are counted when asked (AWS refreshes them about
//! every six hours), up to [`COUNT_LIMIT`] items.

use serde_json::{Value as Json, json};
use unkai_store::Tx;

use super::{Scope, described_table, table_name};
use crate::api::{TableNameInput, table_description};
use crate::item::size;
use crate::table::Table;
use crate::{DynamoDb, Error, store};

/// Most items counted for `ItemCount`; larger tables report this many.
pub(crate) const COUNT_LIMIT: usize = 100_000;

/// The item count and size of a table.
pub(crate) fn count(tx: &mut Tx, table: &Table) -> Result<(u64, u64), Error> {
    let mut range = store::items(table.id);
    let (mut items, mut bytes) = (0u64, 0u64);
    loop {
        let page = tx.range(&range, 1000)?;
        for (key, value) in &page {
            items += 1;
            bytes += size::item_size(&store::decode_item(key, value)?) as u64;
        }
        match page.last() {
            Some((last, _)) if page.len() == 1000 && (items as usize) < COUNT_LIMIT => {
                range.start = [last.as_slice(), &[0]].concat();
            }
            _ => return Ok((items, bytes)),
        }
    }
}

impl DynamoDb {
    pub(crate) async fn describe_table(
        &self,
        scope: Scope<'_>,
        input: TableNameInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let (table, counts) = self
            .kv
            .transact(|tx| {
                let table = described_table(tx, scope, name)?;
                let counts = count(tx, &table)?;
                Ok::<_, Error>((table, counts))
            })
            .await?;
        let description = table_description(&table, &scope.table_arn(name), "ACTIVE", counts);
        Ok(json!({ "Table": description }))
    }
}

impl DynamoDb {
    /// [DescribeContinuousBackups](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html):
    /// unkai keeps no backups, so both are reported disabled.
    pub(crate) async fn describe_continuous_backups(
        &self,
        scope: Scope<'_>,
        input: TableNameInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let exists = self
            .kv
            .transact(|tx| {
                Ok::<_, Error>(store::get_table(tx, scope.account, scope.region, name)?.is_some())
            })
            .await?;
        if !exists {
            return Err(Error::TableNotFound(format!("Table not found: {name}")));
        }
        Ok(json!({
            "ContinuousBackupsDescription": {
                "ContinuousBackupsStatus": "DISABLED",
                "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
            }
        }))
    }
}
