//! [Scan](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html),
//! including parallel scans (`Segment`/`TotalSegments`): a segment is a contiguous range of
//! partition-key hashes.

use super::get_item::projection;
use super::items::ReturnCapacity;
use super::read::{self, Plan, Target};
use super::{Scope, table_name};
use crate::api::ReadInput;
use crate::expr::legacy::{self, FilterParameter};
use crate::expr::{self, Context, ExprKind};
use crate::{DynamoDb, Error, Output, store};

/// Validates `Segment` and `TotalSegments`.
fn segments(segment: Option<i64>, total: Option<i64>) -> Result<Option<(u64, u64)>, Error> {
    match (segment, total) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::Validation(
            "The TotalSegments parameter is required but was not present in the request when \
             Segment parameter is present"
                .into(),
        )),
        (None, Some(_)) => Err(Error::Validation(
            "The Segment parameter is required but was not present in the request when parameter \
             TotalSegments is present"
                .into(),
        )),
        (Some(segment), Some(total)) => {
            if !(1..=1_000_000).contains(&total) {
                return Err(Error::Validation(format!(
                    "1 validation error detected: Value '{total}' at 'totalSegments' failed to \
                     satisfy constraint: Member must have value between 1 and 1000000"
                )));
            }
            if !(0..=999_999).contains(&segment) {
                return Err(Error::Validation(format!(
                    "1 validation error detected: Value '{segment}' at 'segment' failed to \
                     satisfy constraint: Member must have value between 0 and 999999"
                )));
            }
            if segment >= total {
                return Err(Error::Validation(format!(
                    "The Segment parameter is zero-based and must be less than parameter \
                     TotalSegments: Segment: {segment} is not less than TotalSegments: {total}"
                )));
            }
            Ok(Some((segment as u64, total as u64)))
        }
    }
}

impl DynamoDb {
    pub(crate) async fn scan(&self, scope: Scope<'_>, input: ReadInput) -> Result<Output, Error> {
        let name = table_name(input.table_name.as_deref())?;
        expr::check_parameters(
            expr::Operation::Scan,
            &expr::Parameters {
                filter_expression: input.filter_expression.is_some(),
                projection_expression: input.projection_expression.is_some(),
                scan_filter: input.scan_filter.is_some(),
                attributes_to_get: input.attributes_to_get.is_some(),
                conditional_operator: input.conditional_operator.is_some(),
                expression_attribute_names: input.expression_attribute_names.is_some(),
                expression_attribute_values: input.expression_attribute_values.is_some(),
                ..Default::default()
            },
        )?;
        let segments = segments(input.segment, input.total_segments)?;
        let limit = read::limit(input.limit)?;
        let capacity = ReturnCapacity::parse(input.return_consumed_capacity.as_deref())?;
        let consistent = input.consistent_read.unwrap_or(false);
        let context = Context::new(
            input.expression_attribute_names.as_ref(),
            input.expression_attribute_values.as_ref(),
        );
        let filter = match &input.filter_expression {
            Some(text) => Some(expr::parse_condition(text, ExprKind::Filter, &context)?),
            None => legacy::filter(
                input.scan_filter.as_ref(),
                input.conditional_operator.as_deref(),
                FilterParameter::ScanFilter,
            )?,
        };
        let projection = projection(
            input.projection_expression.as_deref(),
            input.attributes_to_get.as_ref(),
            &context,
        )?;
        context.check_unused()?;
        self.kv
            .transact(|tx| {
                let table = self.existing_table(tx, scope, name)?;
                let index = match input.index_name.as_deref() {
                    Some(index_name) => Some(table.index(index_name).ok_or_else(|| {
                        Error::Validation(format!(
                            "The table does not have the specified index: {index_name}"
                        ))
                    })?),
                    None => None,
                };
                if consistent && index.is_some_and(|(_, global)| global) {
                    return Err(Error::Validation(
                        "Consistent reads are not supported on global secondary indexes".into(),
                    ));
                }
                let target = Target {
                    table: &table,
                    index,
                };
                let select = read::select(&input, &target, projection.as_ref())?;
                let index_number = index.map(|(index, _)| index.number);
                let range = match (segments, index_number) {
                    (Some((segment, total)), _) => {
                        store::segment(table.id, index_number, segment, total)
                    }
                    (None, Some(number)) => store::index_entries(table.id, number),
                    (None, None) => store::items(table.id),
                };
                let start = input
                    .exclusive_start_key
                    .as_ref()
                    .map(|start| target.start_key(start))
                    .transpose()?;
                if segments.is_some()
                    && let Some(start) = &start
                    && !(range.start <= *start && *start < range.end)
                {
                    return Err(Error::Validation(
                        "The provided Exclusive start key does not map to the provided Segment \
                         and TotalSegments values."
                            .into(),
                    ));
                }
                let plan = Plan {
                    target,
                    select,
                    projection: projection.as_ref(),
                    filter: filter.as_ref(),
                    limit,
                    consistent,
                    forward: true,
                    capacity,
                };
                read::page(tx, &plan, range, start)
            })
            .await
    }
}
