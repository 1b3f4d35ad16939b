//! [GetItem](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html).

use std::collections::HashMap;

use super::items::{self, Capacity, ReturnCapacity};
use super::{Scope, table_name};
use crate::api::GetItemInput;
use crate::expr::{self, Context, Projection, legacy};
use crate::item::{Item, size};
use crate::{DynamoDb, Error, Output, Shape, keys, store};

/// The projection of a read: `ProjectionExpression`, or the legacy `AttributesToGet` (the
/// parameter rules were checked before).
pub(crate) fn projection(
    expression: Option<&str>,
    attributes_to_get: Option<&Vec<String>>,
    context: &Context<'_>,
) -> Result<Option<Projection>, Error> {
    match (expression, attributes_to_get) {
        (Some(text), _) => expr::parse_projection(text, context).map(Some),
        (None, Some(names)) => legacy::attributes_to_get(names).map(Some),
        (None, None) => Ok(None),
    }
}

/// Applies an optional projection.
pub(crate) fn projected(item: Item, projection: Option<&Projection>) -> Item {
    match projection {
        Some(projection) => projection.apply(&item),
        None => item,
    }
}

impl DynamoDb {
    pub(crate) async fn get_item(
        &self,
        scope: Scope<'_>,
        input: GetItemInput,
    ) -> Result<Output, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let key_item = items::required(input.key.as_ref(), "key")?;
        let return_capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        expr::check_parameters(
            expr::Operation::GetItem,
            &expr::Parameters {
                projection_expression: input.projection_expression.is_some(),
                attributes_to_get: input.attributes_to_get.is_some(),
                expression_attribute_names: input.expression_attribute_names.is_some(),
                ..Default::default()
            },
        )?;
        let context = Context::new(
            input.expression_attribute_names.as_ref(),
            None::<&HashMap<_, _>>,
        );
        let projection = projection(
            input.projection_expression.as_deref(),
            input.attributes_to_get.as_ref(),
            &context,
        )?;
        context.check_unused()?;
        let consistent = input.consistent_read.unwrap_or(false);
        let found = self
            .kv
            .transact(|tx| {
                let table = self.existing_table(tx, scope, name)?;
                let key = keys::key(&table, key_item)?;
                let (hash, range) = key.parts();
                let stored = store::item_key(table.id, hash, range);
                Ok::<_, Error>(tx.get(&stored)?.map(|bytes| (stored, bytes)))
            })
            .await?;
        // GetItem's output shape: `Item` (whole items go from their stored form straight to
        // JSON), then `ConsumedCapacity`.
        let mut shape = Shape::with_capacity(found.as_ref().map_or(0, |(_, b)| b.len()) + 64);
        let mut bytes = 0;
        if let Some((key, stored)) = &found {
            match &projection {
                None => bytes = store::transcode_item(key, stored, shape.member("Item"))?,
                Some(projection) => {
                    let item = store::decode_item(key, stored)?;
                    bytes = size::item_size(&item);
                    shape.json("Item", &projection.apply(&item));
                }
            }
        }
        let capacity = Capacity {
            table: items::read_units(bytes, consistent),
            ..Capacity::default()
        };
        if let Some(capacity) = capacity.json(name, return_capacity) {
            shape.json("ConsumedCapacity", &capacity);
        }
        Ok(shape.finish())
    }
}
