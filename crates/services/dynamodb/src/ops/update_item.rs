//! [UpdateItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html).

use serde_json::{Value as Json, json};

use super::items::{self, Capacity, ReturnCapacity, ReturnValues};
use super::{Scope, millis, table_name};
use crate::api::UpdateItemInput;
use crate::expr::{self, Context, legacy};
use crate::item::{Item, size};
use crate::write::{Meta, Origin, write};
use crate::{DynamoDb, Error, keys, store};

impl DynamoDb {
    pub(crate) async fn update_item(
        &self,
        scope: Scope<'_>,
        input: UpdateItemInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let key_item = items::required(input.key.as_ref(), "key")?;
        let return_values = ReturnValues::parse(
            input.return_values.as_deref(),
            &[
                ReturnValues::None,
                ReturnValues::AllOld,
                ReturnValues::UpdatedOld,
                ReturnValues::AllNew,
                ReturnValues::UpdatedNew,
            ],
        )?;
        let return_capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        items::item_collection_metrics(input.return_item_collection_metrics.as_deref())?;
        let old_on_failure =
            items::old_on_failure(input.return_values_on_condition_check_failure.as_deref())?;
        expr::check_parameters(
            expr::Operation::UpdateItem,
            &expr::Parameters {
                update_expression: input.update_expression.is_some(),
                condition_expression: input.condition_expression.is_some(),
                attribute_updates: input.attribute_updates.is_some(),
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
        let update = match (&input.update_expression, &input.attribute_updates) {
            (Some(text), _) => Some(expr::parse_update(text, &context)?),
            (None, Some(updates)) => Some(legacy::attribute_updates(updates)?),
            (None, None) => None,
        };
        let condition = items::condition(
            input.condition_expression.as_deref(),
            input.expected.as_ref(),
            input.conditional_operator.as_deref(),
            &context,
        )?;
        context.check_unused()?;
        // An update that only removes does not create a missing item (an empty one does).
        let empty = input
            .attribute_updates
            .as_ref()
            .is_some_and(|u| u.is_empty());
        let creates = empty || !update.as_ref().is_some_and(|u| u.only_removes());
        let now = millis(&self.clock);
        let (old, new, capacity) = self
            .kv
            .transact(|tx| {
                let table = self.existing_table(tx, scope, name)?;
                let key = keys::key(&table, key_item)?;
                if let Some(update) = &update {
                    let keys: Vec<&str> = table.key.attributes().map(|a| a.name.as_str()).collect();
                    update.check_key_attributes(&keys)?;
                }
                let (hash, range) = key.parts();
                let stored = store::item_key(table.id, hash, range);
                let old = match tx.get(&stored)? {
                    Some(bytes) => Some(store::decode_item(&stored, &bytes)?),
                    None => None,
                };
                if let Some(condition) = &condition
                    && !condition.evaluate(old.as_ref())
                {
                    return Err(Error::ConditionalCheckFailed {
                        item: old.filter(|_| old_on_failure),
                    });
                }
                if old.is_none() && !creates {
                    return Ok((old, None, Capacity::of_write(1.0, &[])));
                }
                let mut new = old.clone().unwrap_or_else(|| key.to_item(&table.key));
                if let Some(update) = &update {
                    update.apply(&mut new, old.is_some())?;
                }
                // UpdateItem words the size limit its own way.
                if size::item_size(&new) > size::MAX_ITEM_BYTES {
                    return Err(Error::Validation(
                        "Item size to update has exceeded the maximum allowed size".into(),
                    ));
                }
                keys::check_document(&new)?;
                for index in table.global_indexes.iter().chain(&table.local_indexes) {
                    keys::check_index_key(index, &new)?;
                }
                let touched = write(
                    tx,
                    &table,
                    &key,
                    old.as_ref(),
                    Some(&new),
                    &Meta {
                        now_ms: now,
                        origin: Origin::Request,
                    },
                )?;
                let capacity =
                    Capacity::of_write(items::write_units(old.as_ref(), Some(&new)), &touched);
                Ok((old, Some(new), capacity))
            })
            .await?;
        let updated = update.as_ref().map(|u| u.projection());
        let attributes: Option<Item> = match (return_values, &updated) {
            (ReturnValues::None, _) => None,
            (ReturnValues::AllOld, _) => old,
            (ReturnValues::AllNew, _) => new,
            (ReturnValues::UpdatedOld, Some(updated)) => old.map(|old| updated.apply(&old)),
            (ReturnValues::UpdatedNew, Some(updated)) => new.map(|new| updated.apply(&new)),
            (_, None) => None,
        };
        let mut output = json!({});
        if let Some(attributes) = attributes.filter(|a| !a.is_empty()) {
            output["Attributes"] = serde_json::to_value(attributes).expect("items serialize");
        }
        if let Some(consumed) = capacity.json(name, return_capacity) {
            output["ConsumedCapacity"] = consumed;
        }
        Ok(output)
    }
}
