//! [UpdateTable](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html).
//! A new global secondary index is `CREATING` (and `Backfilling`) until the janitor has indexed
//! every existing item; writes maintain it from the start. A deleted index disappears at once;
//! the janitor removes its entries.

use serde_json::{Value as Json, json};

use super::create_table::{
    attribute_definitions, billing, index, stream_label, stream_view, throughput,
};
use super::{Scope, described_table, millis, table_name};
use crate::api::{UpdateTableInput, table_description};
use crate::table::{Billing, IndexStatus, Stream};
use crate::{DynamoDb, Error, janitor, store};

impl DynamoDb {
    pub(crate) async fn update_table(
        &self,
        scope: Scope<'_>,
        input: UpdateTableInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let nothing = input.billing_mode.is_none()
            && input.provisioned_throughput.is_none()
            && input
                .global_secondary_index_updates
                .as_ref()
                .is_none_or(|u| u.is_empty())
            && input.stream_specification.is_none()
            && input.deletion_protection_enabled.is_none()
            && input.table_class.is_none();
        if nothing {
            return Err(Error::Validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, \
                 GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, \
                 MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, \
                 DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is \
                 required"
                    .into(),
            ));
        }
        let new_attributes = match &input.attribute_definitions {
            Some(definitions) => attribute_definitions(Some(definitions))?,
            None => Vec::new(),
        };
        let now = millis(&self.clock);
        let table = self
            .kv
            .transact(|tx| {
                let mut table = described_table(tx, scope, name)?;
                if let Some(mode) = input.billing_mode.as_deref() {
                    table.billing = billing(Some(mode))?;
                    if table.billing == Billing::OnDemand {
                        table.throughput = Default::default();
                    }
                }
                if let Some(units) = &input.provisioned_throughput {
                    table.throughput = throughput(table.billing, Some(units), "")?;
                } else if input.billing_mode.as_deref() == Some("PROVISIONED")
                    && table.throughput.read == 0
                {
                    table.throughput = throughput(Billing::Provisioned, None, "")?;
                }
                if let Some(protection) = input.deletion_protection_enabled {
                    table.deletion_protection = protection;
                }
                if let Some(class) = &input.table_class {
                    table.table_class = class.clone();
                }
                for attribute in &new_attributes {
                    match table.attribute_type(&attribute.name) {
                        Some(kind) if kind != attribute.kind => {
                            return Err(Error::invalid_parameter(format!(
                                "Cannot change the type of attribute {} (it is {}); an \
                                 attribute cannot be redefined",
                                attribute.name,
                                kind.name()
                            )));
                        }
                        Some(_) => {}
                        None => table.attributes.push(attribute.clone()),
                    }
                }
                let updates = input
                    .global_secondary_index_updates
                    .as_deref()
                    .unwrap_or_default();
                let changes = updates
                    .iter()
                    .filter(|u| u.create.is_some() || u.delete.is_some())
                    .count();
                if changes > 1 {
                    return Err(Error::LimitExceeded(
                        "Subscriber limit exceeded: Only 1 online index can be created or \
                         deleted simultaneously per table"
                            .into(),
                    ));
                }
                for update in updates {
                    let parts = [
                        update.create.is_some(),
                        update.delete.is_some(),
                        update.update.is_some(),
                    ];
                    if parts.iter().filter(|p| **p).count() != 1 {
                        return Err(Error::invalid_parameter(
                            "Exactly one of GlobalSecondaryIndexUpdate.Create, \
                             GlobalSecondaryIndexUpdate.Update or \
                             GlobalSecondaryIndexUpdate.Delete must be specified, not none or \
                             more than one",
                        ));
                    }
                    if let Some(create) = &update.create {
                        let index_name = create.index_name.clone().unwrap_or_default();
                        if table.index(&index_name).is_some() {
                            return Err(Error::Validation(
                                "Attempting to create an index which already exists".into(),
                            ));
                        }
                        table.next_index += 1;
                        // The new index's key attributes must be defined in this request,
                        // even those the table already knows.
                        let mut new_index = index(
                            create,
                            &new_attributes,
                            table.billing,
                            true,
                            table.next_index,
                        )?;
                        new_index.status = IndexStatus::Creating;
                        janitor::backfill(tx, scope, &table, &new_index);
                        table.global_indexes.push(new_index);
                    }
                    if let Some(delete) = &update.delete {
                        let index_name = delete.index_name.clone().unwrap_or_default();
                        let Some(position) = table
                            .global_indexes
                            .iter()
                            .position(|i| i.name == index_name)
                        else {
                            return Err(Error::ResourceNotFound(format!(
                                "Requested resource not found: Index: {index_name} not found"
                            )));
                        };
                        let removed = table.global_indexes.remove(position);
                        janitor::drop_index(tx, &table, &removed);
                    }
                    if let Some(change) = &update.update {
                        let index_name = change.index_name.clone().unwrap_or_default();
                        let billing = table.billing;
                        let Some(existing) = table
                            .global_indexes
                            .iter_mut()
                            .find(|i| i.name == index_name)
                        else {
                            return Err(Error::ResourceNotFound(format!(
                                "Requested resource not found: Index: {index_name} not found"
                            )));
                        };
                        existing.throughput =
                            throughput(billing, change.provisioned_throughput.as_ref(), "")?;
                    }
                }
                if let Some(spec) = &input.stream_specification {
                    match (stream_view(spec)?, table.active_stream().is_some()) {
                        (Some(_), true) => {
                            return Err(Error::Validation(format!(
                                "Table already has an enabled stream: TableName: {name}"
                            )));
                        }
                        (None, false) => {
                            return Err(Error::Validation(format!(
                                "Table has no stream to disable: TableName: {name}"
                            )));
                        }
                        (Some(view), false) => {
                            let number = table.streams.last().map_or(1, |s| s.number + 1);
                            table.streams.push(Stream {
                                number,
                                label: stream_label(now),
                                view,
                                created_ms: now,
                                disabled_ms: None,
                            });
                        }
                        (None, true) => {
                            if let Some(stream) = table.streams.last_mut() {
                                stream.disabled_ms = Some(now);
                            }
                        }
                    }
                }
                let used = |attribute: &str| {
                    table.key.contains(attribute)
                        || table
                            .global_indexes
                            .iter()
                            .chain(&table.local_indexes)
                            .any(|i| i.key.contains(attribute))
                };
                let spurious: Vec<String> = table
                    .attributes
                    .iter()
                    .filter(|a| !used(&a.name))
                    .map(|a| a.name.clone())
                    .collect();
                if !spurious.is_empty() && new_attributes.iter().any(|a| spurious.contains(&a.name))
                {
                    return Err(Error::invalid_parameter(
                        "Number of attributes in KeySchema does not exactly match number of \
                         attributes defined in AttributeDefinitions",
                    ));
                }
                table.attributes.retain(|a| used(&a.name));
                store::put_table(tx, scope.account, scope.region, &table);
                Ok(table)
            })
            .await?;
        self.janitor.wake();
        let description = table_description(&table, &scope.table_arn(name), "ACTIVE", (0, 0));
        Ok(json!({ "TableDescription": description }))
    }
}
