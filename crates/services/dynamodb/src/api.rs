//! DynamoDB's wire shapes: the operation list, request inputs, and the output documents.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value as Json, json};

use crate::expr::legacy::{AttributeCondition, AttributeValueUpdate, ExpectedAttributeValue};
use crate::item::{Item, Value};
use crate::table::{Billing, Index, IndexStatus, KeySchema, Projection, Table};

const NO_PARTIQL: &str = "PartiQL comes in a later release";
const NO_BACKUPS: &str = "backups, exports and imports are not served yet";
const NO_GLOBAL: &str = "unkai runs one region per deployment";
const NOT_APPLICABLE: &str = "no equivalent in unkai";

unkai_edge::operations! {
    /// Every DynamoDB operation.
    pub enum Operation {
        BatchExecuteStatement => Planned(NO_PARTIQL),
        BatchGetItem => Full,
        BatchWriteItem => Full,
        CreateBackup => Planned(NO_BACKUPS),
        CreateGlobalTable => No(NO_GLOBAL),
        CreateTable => Full,
        DeleteBackup => Planned(NO_BACKUPS),
        DeleteItem => Full,
        DeleteResourcePolicy => No(NOT_APPLICABLE),
        DeleteTable => Full,
        DescribeBackup => Planned(NO_BACKUPS),
        DescribeContinuousBackups => Partial("continuous backups and point-in-time recovery are reported disabled"),
        DescribeContributorInsights => No(NOT_APPLICABLE),
        DescribeEndpoints => Full,
        DescribeExport => Planned(NO_BACKUPS),
        DescribeGlobalTable => No(NO_GLOBAL),
        DescribeGlobalTableSettings => No(NO_GLOBAL),
        DescribeImport => Planned(NO_BACKUPS),
        DescribeKinesisStreamingDestination => Planned("arrives with Kinesis"),
        DescribeLimits => Full,
        DescribeTable => Full,
        DescribeTableReplicaAutoScaling => No(NO_GLOBAL),
        DescribeTimeToLive => Full,
        DisableKinesisStreamingDestination => Planned("arrives with Kinesis"),
        EnableKinesisStreamingDestination => Planned("arrives with Kinesis"),
        ExecuteStatement => Planned(NO_PARTIQL),
        ExecuteTransaction => Planned(NO_PARTIQL),
        ExportTableToPointInTime => Planned(NO_BACKUPS),
        GetItem => Full,
        GetResourcePolicy => No(NOT_APPLICABLE),
        ImportTable => Planned(NO_BACKUPS),
        ListBackups => Planned(NO_BACKUPS),
        ListContributorInsights => No(NOT_APPLICABLE),
        ListExports => Planned(NO_BACKUPS),
        ListGlobalTables => No(NO_GLOBAL),
        ListImports => Planned(NO_BACKUPS),
        ListTables => Full,
        ListTagsOfResource => Full,
        PutItem => Full,
        PutResourcePolicy => No(NOT_APPLICABLE),
        Query => Full,
        RestoreTableFromBackup => Planned(NO_BACKUPS),
        RestoreTableToPointInTime => Planned(NO_BACKUPS),
        Scan => Full,
        TagResource => Full,
        TransactGetItems => Full,
        TransactWriteItems => Full,
        UntagResource => Full,
        UpdateContinuousBackups => Planned(NO_BACKUPS),
        UpdateContributorInsights => No(NOT_APPLICABLE),
        UpdateGlobalTable => No(NO_GLOBAL),
        UpdateGlobalTableSettings => No(NO_GLOBAL),
        UpdateItem => Full,
        UpdateKinesisStreamingDestination => Planned("arrives with Kinesis"),
        UpdateTable => Full,
        UpdateTableReplicaAutoScaling => No(NO_GLOBAL),
        UpdateTimeToLive => Full,
    }
}

/// Collects constraint violations and reports them as DynamoDB does:
/// `2 validation errors detected: Value … at 'x' failed to satisfy constraint: …; …`.
#[derive(Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    /// Records that `member` (with `value`, shown quoted, or null) breaks `constraint`.
    pub(crate) fn add(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        let value = match value {
            Some(value) => format!("'{value}'"),
            None => "null".into(),
        };
        self.0.push(format!(
            "Value {value} at '{member}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    /// Checks a table or index name: 3 to 255 characters of `[a-zA-Z0-9_.-]`.
    pub(crate) fn name(&mut self, value: Option<&str>, member: &str, max: usize) {
        let Some(name) = value else {
            self.add(None, member, "not be null");
            return;
        };
        if name.len() < 3 {
            self.add(Some(name), member, "have length greater than or equal to 3");
        }
        if name.len() > max {
            self.add(
                Some(name),
                member,
                &format!("have length less than or equal to {max}"),
            );
        }
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-';
        if !name.bytes().all(allowed) {
            self.add(
                Some(name),
                member,
                "satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            );
        }
    }

    /// The validation error, if anything was recorded.
    pub(crate) fn finish(self) -> Result<(), crate::Error> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(crate::Error::Validation(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(crate::Error::Validation(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// `{"AttributeName", "KeyType"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct KeySchemaElement {
    pub attribute_name: Option<String>,
    pub key_type: Option<String>,
}

/// `{"AttributeName", "AttributeType"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeDefinition {
    pub attribute_name: Option<String>,
    pub attribute_type: Option<String>,
}

/// `{"ProjectionType", "NonKeyAttributes"}`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ProjectionInput {
    pub projection_type: Option<String>,
    pub non_key_attributes: Option<Vec<String>>,
}

/// `{"ReadCapacityUnits", "WriteCapacityUnits"}`.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ThroughputInput {
    pub read_capacity_units: Option<i64>,
    pub write_capacity_units: Option<i64>,
}

/// A secondary index in CreateTable or UpdateTable.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IndexInput {
    pub index_name: Option<String>,
    pub key_schema: Option<Vec<KeySchemaElement>>,
    pub projection: Option<ProjectionInput>,
    pub provisioned_throughput: Option<ThroughputInput>,
}

/// `{"StreamEnabled", "StreamViewType"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct StreamSpecification {
    pub stream_enabled: Option<bool>,
    pub stream_view_type: Option<String>,
}

/// `{"Key", "Value"}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tag {
    pub key: Option<String>,
    pub value: Option<String>,
}

/// CreateTable.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateTableInput {
    pub table_name: Option<String>,
    pub key_schema: Option<Vec<KeySchemaElement>>,
    pub attribute_definitions: Option<Vec<AttributeDefinition>>,
    pub billing_mode: Option<String>,
    pub provisioned_throughput: Option<ThroughputInput>,
    pub global_secondary_indexes: Option<Vec<IndexInput>>,
    pub local_secondary_indexes: Option<Vec<IndexInput>>,
    pub stream_specification: Option<StreamSpecification>,
    pub tags: Option<Vec<Tag>>,
    pub deletion_protection_enabled: Option<bool>,
    pub table_class: Option<String>,
}

/// An operation that names one table (DescribeTable, DeleteTable, DescribeTimeToLive).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TableNameInput {
    pub table_name: Option<String>,
}

/// ListTables.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTablesInput {
    pub exclusive_start_table_name: Option<String>,
    pub limit: Option<i64>,
}

/// A GSI change in UpdateTable.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IndexUpdate {
    pub create: Option<IndexInput>,
    pub delete: Option<IndexNameInput>,
    pub update: Option<IndexInput>,
}

/// `{"IndexName"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct IndexNameInput {
    pub index_name: Option<String>,
}

/// UpdateTable.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateTableInput {
    pub table_name: Option<String>,
    pub attribute_definitions: Option<Vec<AttributeDefinition>>,
    pub billing_mode: Option<String>,
    pub provisioned_throughput: Option<ThroughputInput>,
    pub global_secondary_index_updates: Option<Vec<IndexUpdate>>,
    pub stream_specification: Option<StreamSpecification>,
    pub deletion_protection_enabled: Option<bool>,
    pub table_class: Option<String>,
}

/// UpdateTimeToLive.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateTimeToLiveInput {
    pub table_name: Option<String>,
    pub time_to_live_specification: Option<TimeToLiveSpecification>,
}

/// `{"Enabled", "AttributeName"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TimeToLiveSpecification {
    pub enabled: Option<bool>,
    pub attribute_name: Option<String>,
}

/// TagResource / UntagResource / ListTagsOfResource.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TagsInput {
    pub resource_arn: Option<String>,
    pub tags: Option<Vec<Tag>>,
    pub tag_keys: Option<Vec<String>>,
}

/// PutItem.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutItemInput {
    pub table_name: Option<String>,
    pub item: Option<Item>,
    pub return_values: Option<String>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
    pub return_values_on_condition_check_failure: Option<String>,
    pub condition_expression: Option<String>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub expression_attribute_values: Option<HashMap<String, Value>>,
    pub expected: Option<HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<String>,
}

/// GetItem.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetItemInput {
    pub table_name: Option<String>,
    pub key: Option<Item>,
    pub consistent_read: Option<bool>,
    pub projection_expression: Option<String>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub attributes_to_get: Option<Vec<String>>,
    pub return_consumed_capacity: Option<String>,
}

/// DeleteItem.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteItemInput {
    pub table_name: Option<String>,
    pub key: Option<Item>,
    pub return_values: Option<String>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
    pub return_values_on_condition_check_failure: Option<String>,
    pub condition_expression: Option<String>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub expression_attribute_values: Option<HashMap<String, Value>>,
    pub expected: Option<HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<String>,
}

/// UpdateItem.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateItemInput {
    pub table_name: Option<String>,
    pub key: Option<Item>,
    pub update_expression: Option<String>,
    pub attribute_updates: Option<HashMap<String, AttributeValueUpdate>>,
    pub return_values: Option<String>,
    pub return_consumed_capacity: Option<String>,
    pub return_item_collection_metrics: Option<String>,
    pub return_values_on_condition_check_failure: Option<String>,
    pub condition_expression: Option<String>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub expression_attribute_values: Option<HashMap<String, Value>>,
    pub expected: Option<HashMap<String, ExpectedAttributeValue>>,
    pub conditional_operator: Option<String>,
}

/// Query and Scan.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ReadInput {
    pub table_name: Option<String>,
    pub index_name: Option<String>,
    pub select: Option<String>,
    pub attributes_to_get: Option<Vec<String>>,
    pub limit: Option<i64>,
    pub consistent_read: Option<bool>,
    pub key_conditions: Option<HashMap<String, AttributeCondition>>,
    pub query_filter: Option<HashMap<String, AttributeCondition>>,
    pub scan_filter: Option<HashMap<String, AttributeCondition>>,
    pub conditional_operator: Option<String>,
    pub scan_index_forward: Option<bool>,
    pub exclusive_start_key: Option<Item>,
    pub return_consumed_capacity: Option<String>,
    pub total_segments: Option<i64>,
    pub segment: Option<i64>,
    pub projection_expression: Option<String>,
    pub filter_expression: Option<String>,
    pub key_condition_expression: Option<String>,
    pub expression_attribute_names: Option<HashMap<String, String>>,
    pub expression_attribute_values: Option<HashMap<String, Value>>,
}

/// `BillingModeSummary`.
fn billing_summary(table: &Table) -> Json {
    match table.billing {
        Billing::OnDemand => json!({
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": table.created_ms as f64 / 1000.0,
        }),
        Billing::Provisioned => json!({"BillingMode": "PROVISIONED"}),
    }
}

/// The `TableDescription` DeleteTable returns: fewer members than DescribeTable's.
pub(crate) fn deleted_description(table: &Table, arn: &str) -> Json {
    json!({
        "TableName": table.name,
        "TableArn": arn,
        "TableId": table.uuid,
        "TableStatus": "DELETING",
        "TableSizeBytes": 0,
        "ItemCount": 0,
        "BillingModeSummary": billing_summary(table),
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": table.throughput.read,
            "WriteCapacityUnits": table.throughput.write,
        },
        "DeletionProtectionEnabled": table.deletion_protection,
    })
}

/// A key schema as `KeySchema` shows it: partition key attributes, then sort key attributes.
pub(crate) fn key_schema(key: &KeySchema) -> Json {
    let element = |kind: &'static str| move |attribute: &crate::table::KeyAttribute| json!({"AttributeName": attribute.name, "KeyType": kind});
    key.hash
        .iter()
        .map(element("HASH"))
        .chain(key.range.iter().map(element("RANGE")))
        .collect()
}

/// The `TableDescription` of a table.
pub(crate) fn table_description(table: &Table, arn: &str, status: &str, count: (u64, u64)) -> Json {
    let projection = |projection: &Projection| match projection {
        Projection::All => json!({"ProjectionType": "ALL"}),
        Projection::KeysOnly => json!({"ProjectionType": "KEYS_ONLY"}),
        Projection::Include(names) => {
            json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": names})
        }
    };
    let throughput = |read: u64, write: u64| json!({"NumberOfDecreasesToday": 0, "ReadCapacityUnits": read, "WriteCapacityUnits": write});
    let index = |index: &Index, global: bool| {
        let mut description = json!({
            "IndexName": index.name,
            "KeySchema": key_schema(&index.key),
            "Projection": projection(&index.projection),
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": format!("{arn}/index/{}", index.name),
        });
        if global {
            description["IndexStatus"] = match index.status {
                IndexStatus::Creating => "CREATING",
                IndexStatus::Active => "ACTIVE",
                IndexStatus::Deleting => "DELETING",
            }
            .into();
            if index.status == IndexStatus::Creating {
                description["Backfilling"] = true.into();
            }
            description["ProvisionedThroughput"] =
                throughput(index.throughput.read, index.throughput.write);
        }
        description
    };
    let mut description = json!({
        "TableName": table.name,
        "TableArn": arn,
        "TableId": table.uuid,
        "TableStatus": status,
        "KeySchema": key_schema(&table.key),
        "AttributeDefinitions": table.attributes.iter().map(|attribute| json!({
            "AttributeName": attribute.name, "AttributeType": attribute.kind.name()
        })).collect::<Vec<_>>(),
        "CreationDateTime": table.created_ms as f64 / 1000.0,
        "ProvisionedThroughput": throughput(table.throughput.read, table.throughput.write),
        "ItemCount": count.0,
        "TableSizeBytes": count.1,
        "DeletionProtectionEnabled": table.deletion_protection,
        "TableClassSummary": {"TableClass": table.table_class},
    });
    description["BillingModeSummary"] = billing_summary(table);
    if !table.global_indexes.is_empty() {
        description["GlobalSecondaryIndexes"] = table
            .global_indexes
            .iter()
            .map(|i| index(i, true))
            .collect();
    }
    if !table.local_indexes.is_empty() {
        description["LocalSecondaryIndexes"] = table
            .local_indexes
            .iter()
            .map(|i| index(i, false))
            .collect();
    }
    if let Some(stream) = table.active_stream() {
        description["StreamSpecification"] =
            json!({"StreamEnabled": true, "StreamViewType": stream.view.name()});
    }
    if let Some(stream) = table.streams.last() {
        description["LatestStreamLabel"] = stream.label.clone().into();
        description["LatestStreamArn"] = format!("{arn}/stream/{}", stream.label).into();
    }
    description
}
