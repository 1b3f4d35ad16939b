//! One file per DynamoDB operation, and what they share.

pub(crate) mod batch;
pub(crate) mod create_table;
pub(crate) mod delete_item;
pub(crate) mod delete_table;
pub(crate) mod describe_endpoints;
pub(crate) mod describe_limits;
pub(crate) mod describe_table;
pub(crate) mod get_item;
pub(crate) mod items;
pub(crate) mod list_tables;
pub(crate) mod put_item;
pub(crate) mod query;
pub(crate) mod read;
pub(crate) mod scan;
pub(crate) mod tags;
pub(crate) mod time_to_live;
pub(crate) mod transact;
pub(crate) mod update_item;
pub(crate) mod update_table;

use std::sync::Arc;

use unkai_store::Tx;

use crate::Error;
use crate::api::Violations;
use crate::store;
use crate::table::Table;

/// Whose tables a request sees: the caller's account, in the region it signed for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scope<'a> {
    pub account: &'a str,
    pub region: &'a str,
}

impl Scope<'_> {
    /// A table's ARN.
    pub fn table_arn(&self, name: &str) -> String {
        format!(
            "arn:aws:dynamodb:{}:{}:table/{name}",
            self.region, self.account
        )
    }
}

/// The `TableName` of a request, validated.
pub(crate) fn table_name(name: Option<&str>) -> Result<&str, Error> {
    let mut violations = Violations::default();
    violations.name(name, "tableName", 255);
    violations.finish()?;
    Ok(name.expect("validated as present"))
}

impl crate::Shared {
    /// The table a data operation names; it must exist.
    pub(crate) fn existing_table(
        &self,
        tx: &mut Tx,
        scope: Scope<'_>,
        name: &str,
    ) -> Result<Arc<Table>, Error> {
        let key = store::table_key(scope.account, scope.region, name);
        self.tables.get(tx, &key)?.ok_or_else(Error::no_table)
    }
}

/// The table a control operation names; it must exist (the control plane's wording).
pub(crate) fn described_table(tx: &mut Tx, scope: Scope<'_>, name: &str) -> Result<Table, Error> {
    store::get_table(tx, scope.account, scope.region, name)?.ok_or_else(|| {
        Error::ResourceNotFound(format!(
            "Requested resource not found: Table: {name} not found"
        ))
    })
}

/// Milliseconds since the epoch, from a clock.
pub(crate) fn millis(clock: &unkai_types::Clock) -> u64 {
    clock
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}
