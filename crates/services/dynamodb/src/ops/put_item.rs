//! [PutItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html).
//! Deviation: `ReturnItemCollectionMetrics` is accepted; no metrics are returned.

use serde_json::{Value as Json, json};

use super::items::{self, Capacity, ReturnCapacity, ReturnValues};
use super::{Scope, millis, table_name};
use crate::api::PutItemInput;
use crate::expr::{self, Context};
use crate::write::{Meta, Origin, maintained, write};
use crate::{DynamoDb, Error, keys, store};

impl DynamoDb {
    pub(crate) async fn put_item(
        &self,
        scope: Scope<'_>,
        input: PutItemInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let item = items::required(input.item.as_ref(), "item")?;
        let return_values = ReturnValues::parse(
            input.return_values.as_deref(),
            &[ReturnValues::None, ReturnValues::AllOld],
        )?;
        let return_capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        items::item_collection_metrics(input.return_item_collection_metrics.as_deref())?;
        let old_on_failure =
            items::old_on_failure(input.return_values_on_condition_check_failure.as_deref())?;
        expr::check_parameters(
            expr::Operation::PutItem,
            &expr::Parameters {
                condition_expression: input.condition_expression.is_some(),
                expected: input.expected.is_some(),
                conditional_operator: input.conditional_operator.is_some(),
                expression_attribute_names: input.expression_attribute_names.is_some(),
                expression_attribute_values: input.expression_attribute_values.is_some(),
                ..Default::default()
            },
        )?;
        let context = Context::new(
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        );
        let condition = items::condition(
            input.condition_expression.as_deref(),
            input.expected.as_ref(),
            input.conditional_operator.as_deref(),
            &context,
        )?;
        context.check_unused()?;
        let now = millis(&self.clock);
        let (old, capacity) = self
            .kv
            .transact(|tx| {
                let table = self.existing_table(tx, scope, name)?;
                let key = keys::item(&table, item)?;
                let (hash, range) = key.parts();
                // A blind write (no condition, nothing returned or reported, no index or
                // stream to maintain) need not read the item it replaces.
                let blind = condition.is_none()
                    && return_values == ReturnValues::None
                    && return_capacity == ReturnCapacity::None
                    && maintained(&table).next().is_none()
                    && table.active_stream().is_none();
                let stored = store::item_key(table.id, hash, range);
                let old = match blind {
                    true => None,
                    false => tx
                        .get(&stored)?
                        .map(|bytes| store::decode_item(&stored, &bytes))
                        .transpose()?,
                };
                if let Some(condition) = &condition
                    && !condition.evaluate(old.as_ref())
                {
                    return Err(Error::ConditionalCheckFailed {
                        item: old.filter(|_| old_on_failure),
                    });
                }
                let touched = write(
                    tx,
                    &table,
                    &key,
                    old.as_ref(),
                    Some(item),
                    &Meta {
                        now_ms: now,
                        origin: Origin::Request,
                    },
                )?;
                let capacity =
                    Capacity::of_write(items::write_units(old.as_ref(), Some(item)), &touched);
                Ok((old, capacity))
            })
            .await?;
        let mut output = json!({});
        if let (ReturnValues::AllOld, Some(old)) = (return_values, &old) {
            output["Attributes"] = serde_json::to_value(old).expect("items serialize");
        }
        if let Some(consumed) = capacity.json(name, return_capacity) {
            output["ConsumedCapacity"] = consumed;
        }
        Ok(output)
    }
}
