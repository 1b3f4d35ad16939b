//! CloudWatch Logs' wire shapes: the operation list, request inputs, their validation, and the
//! output shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;

const NO_METRICS: &str = "metric filters arrive with CloudWatch metrics";
const NO_SUBSCRIPTIONS: &str =
    "subscription filters and destinations arrive with Lambda, Kinesis and Firehose delivery";
const NO_INSIGHTS: &str = "Logs Insights queries are planned";
const NO_EXPORT: &str = "exports arrive with S3";
const NO_POLICIES: &str = "unkai does not evaluate policies";
const NO_DELIVERY: &str = "vended log delivery is for AWS services' own logs";
const NOT_APPLICABLE: &str = "no equivalent in unkai";

unkai_edge::operations! {
    /// Every CloudWatch Logs operation.
    pub enum Operation {
        AssociateKmsKey => No("events are not encrypted with customer keys"),
        AssociateSourceToS3TableIntegration => No(NOT_APPLICABLE),
        CancelExportTask => Planned(NO_EXPORT),
        CancelImportTask => No(NOT_APPLICABLE),
        CreateDelivery => No(NO_DELIVERY),
        CreateExportTask => Planned(NO_EXPORT),
        CreateImportTask => No(NOT_APPLICABLE),
        CreateLogAnomalyDetector => No(NOT_APPLICABLE),
        CreateLogGroup => Partial("kmsKeyId is stored and reported, not used; deletionProtectionEnabled is ignored"),
        CreateLogStream => Full,
        CreateLookupTable => No(NOT_APPLICABLE),
        CreateScheduledQuery => No(NOT_APPLICABLE),
        DeleteAccountPolicy => No(NO_POLICIES),
        DeleteDataProtectionPolicy => No(NO_POLICIES),
        DeleteDelivery => No(NO_DELIVERY),
        DeleteDeliveryDestination => No(NO_DELIVERY),
        DeleteDeliveryDestinationPolicy => No(NO_DELIVERY),
        DeleteDeliverySource => No(NO_DELIVERY),
        DeleteDestination => Planned(NO_SUBSCRIPTIONS),
        DeleteIndexPolicy => No(NOT_APPLICABLE),
        DeleteIntegration => No(NOT_APPLICABLE),
        DeleteLogAnomalyDetector => No(NOT_APPLICABLE),
        DeleteLogGroup => Full,
        DeleteLogStream => Full,
        DeleteLookupTable => No(NOT_APPLICABLE),
        DeleteMetricFilter => Planned(NO_METRICS),
        DeleteQueryDefinition => Planned(NO_INSIGHTS),
        DeleteResourcePolicy => No(NO_POLICIES),
        DeleteRetentionPolicy => Full,
        DeleteScheduledQuery => No(NOT_APPLICABLE),
        DeleteSubscriptionFilter => Planned(NO_SUBSCRIPTIONS),
        DeleteSyslogConfiguration => No(NOT_APPLICABLE),
        DeleteTransformer => No(NOT_APPLICABLE),
        DescribeAccountPolicies => No(NO_POLICIES),
        DescribeConfigurationTemplates => No(NO_DELIVERY),
        DescribeDeliveries => No(NO_DELIVERY),
        DescribeDeliveryDestinations => No(NO_DELIVERY),
        DescribeDeliverySources => No(NO_DELIVERY),
        DescribeDestinations => Planned(NO_SUBSCRIPTIONS),
        DescribeExportTasks => Planned(NO_EXPORT),
        DescribeFieldIndexes => No(NOT_APPLICABLE),
        DescribeImportTaskBatches => No(NOT_APPLICABLE),
        DescribeImportTasks => No(NOT_APPLICABLE),
        DescribeIndexPolicies => No(NOT_APPLICABLE),
        DescribeLogGroups => Partial("logGroupNamePrefix, logGroupNamePattern, logGroupClass and pagination; accountIdentifiers, includeLinkedAccounts and logGroupIdentifiers are not supported"),
        DescribeLogStreams => Full,
        DescribeLookupTables => No(NOT_APPLICABLE),
        DescribeMetricFilters => Planned(NO_METRICS),
        DescribeQueries => Planned(NO_INSIGHTS),
        DescribeQueryDefinitions => Planned(NO_INSIGHTS),
        DescribeResourcePolicies => No(NO_POLICIES),
        DescribeSubscriptionFilters => Planned(NO_SUBSCRIPTIONS),
        DisassociateKmsKey => No("events are not encrypted with customer keys"),
        DisassociateSourceFromS3TableIntegration => No(NOT_APPLICABLE),
        FilterLogEvents => Partial("filter patterns: terms, quoted phrases, ?alternatives, -exclusions and JSON patterns ({ $.a = x }, comparisons, &&, ||, IS NULL, NOT EXISTS); space-delimited and regex patterns are not supported"),
        GetDataProtectionPolicy => No(NO_POLICIES),
        GetDelivery => No(NO_DELIVERY),
        GetDeliveryDestination => No(NO_DELIVERY),
        GetDeliveryDestinationPolicy => No(NO_DELIVERY),
        GetDeliverySource => No(NO_DELIVERY),
        GetIntegration => No(NOT_APPLICABLE),
        GetLogAnomalyDetector => No(NOT_APPLICABLE),
        GetLogEvents => Partial("unmask is ignored (nothing is masked)"),
        GetLogFields => Planned(NO_INSIGHTS),
        GetLogGroupFields => Planned(NO_INSIGHTS),
        GetLogObject => No(NOT_APPLICABLE),
        GetLogRecord => Planned(NO_INSIGHTS),
        GetLookupTable => No(NOT_APPLICABLE),
        GetQueryResults => Planned(NO_INSIGHTS),
        GetScheduledQuery => No(NOT_APPLICABLE),
        GetScheduledQueryHistory => No(NOT_APPLICABLE),
        GetStorageTierPolicy => No(NOT_APPLICABLE),
        GetTransformer => No(NOT_APPLICABLE),
        ListAggregateLogGroupSummaries => No(NOT_APPLICABLE),
        ListAnomalies => No(NOT_APPLICABLE),
        ListIntegrations => No(NOT_APPLICABLE),
        ListLogAnomalyDetectors => No(NOT_APPLICABLE),
        ListLogGroups => Planned("DescribeLogGroups serves the same"),
        ListLogGroupsForQuery => Planned(NO_INSIGHTS),
        ListScheduledQueries => No(NOT_APPLICABLE),
        ListSourcesForS3TableIntegration => No(NOT_APPLICABLE),
        ListSyslogConfigurations => No(NOT_APPLICABLE),
        ListTagsForResource => Full,
        ListTagsLogGroup => Full,
        PutAccountPolicy => No(NO_POLICIES),
        PutBearerTokenAuthentication => No(NOT_APPLICABLE),
        PutDataProtectionPolicy => No(NO_POLICIES),
        PutDeliveryDestination => No(NO_DELIVERY),
        PutDeliveryDestinationPolicy => No(NO_DELIVERY),
        PutDeliverySource => No(NO_DELIVERY),
        PutDestination => Planned(NO_SUBSCRIPTIONS),
        PutDestinationPolicy => Planned(NO_SUBSCRIPTIONS),
        PutIndexPolicy => No(NOT_APPLICABLE),
        PutIntegration => No(NOT_APPLICABLE),
        PutLogEvents => Partial("sequence tokens are accepted and ignored, as AWS now does; entity is ignored"),
        PutLogGroupDeletionProtection => Planned("deletion protection is not stored yet"),
        PutMetricFilter => Planned(NO_METRICS),
        PutQueryDefinition => Planned(NO_INSIGHTS),
        PutResourcePolicy => No(NO_POLICIES),
        PutRetentionPolicy => Partial("expired events are hidden from reads at once; nothing deletes them in the background yet"),
        PutStorageTierPolicy => No(NOT_APPLICABLE),
        PutSubscriptionFilter => Planned(NO_SUBSCRIPTIONS),
        PutSyslogConfiguration => No(NOT_APPLICABLE),
        PutTransformer => No(NOT_APPLICABLE),
        StartLiveTail => Planned("needs the event-stream protocol"),
        StartQuery => Planned(NO_INSIGHTS),
        StopQuery => Planned(NO_INSIGHTS),
        TagLogGroup => Full,
        TagResource => Partial("log groups only; destinations do not exist yet"),
        TestMetricFilter => Planned(NO_METRICS),
        TestTransformer => No(NOT_APPLICABLE),
        UntagLogGroup => Full,
        UntagResource => Partial("log groups only; destinations do not exist yet"),
        UpdateAnomaly => No(NOT_APPLICABLE),
        UpdateDeliveryConfiguration => No(NO_DELIVERY),
        UpdateLogAnomalyDetector => No(NOT_APPLICABLE),
        UpdateLookupTable => No(NOT_APPLICABLE),
        UpdateScheduledQuery => No(NOT_APPLICABLE),
    }
}

/// The retention periods PutRetentionPolicy accepts, in days.
pub(crate) const RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

const GROUP_NAME_PATTERN: &str = r"[\.\-_/#A-Za-z0-9]+";
const STREAM_NAME_PATTERN: &str = "[^:*]*";
const IDENTIFIER_PATTERN: &str = r"[\w#+=/:,.@-]*";
const ARN_PATTERN: &str = r"[\w+=/:,.@-]*";
const TAG_KEY_PATTERN: &str = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]+)$";
const TAG_VALUE_PATTERN: &str = r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$";

/// Collects input constraint violations and reports them as CloudWatch Logs does:
/// `InvalidParameterException: 1 validation error detected: Value at 'logGroupName' failed to
/// satisfy constraint: Member must …`. CloudWatch Logs no longer quotes the offending value
/// (it did until 2026); a missing member still reads `Value null at …`.
#[derive(Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    /// Records that `member` (present, or null when `value` is `None`) breaks `constraint`.
    pub(crate) fn add(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        let value = if value.is_some() { "" } else { " null" };
        self.0.push(format!(
            "Value{value} at '{member}' failed to satisfy constraint: Member must {constraint}"
        ));
    }

    /// A string of `min..=max` characters of which every one is `allowed`.
    fn string(
        &mut self,
        value: &str,
        member: &str,
        (min, max): (usize, usize),
        pattern: &str,
        allowed: impl Fn(char) -> bool,
    ) {
        if !value.chars().all(allowed) {
            self.add(
                Some(value),
                member,
                &format!("satisfy regular expression pattern: {pattern}"),
            );
        }
        let length = value.chars().count();
        if length < min {
            self.add(
                Some(value),
                member,
                &format!("have length greater than or equal to {min}"),
            );
        }
        if length > max {
            self.add(
                Some(value),
                member,
                &format!("have length less than or equal to {max}"),
            );
        }
    }

    /// A required member.
    pub(crate) fn required<'a, T: ?Sized>(
        &mut self,
        value: Option<&'a T>,
        member: &str,
    ) -> Option<&'a T> {
        if value.is_none() {
            self.add(None, member, "not be null");
        }
        value
    }

    /// A log group name: 1 to 512 characters of `[\.\-_/#A-Za-z0-9]`.
    pub(crate) fn group_name(&mut self, value: Option<&str>, member: &str) {
        if let Some(value) = value {
            self.string(value, member, (1, 512), GROUP_NAME_PATTERN, |c| {
                c.is_ascii_alphanumeric() || ".-_/#".contains(c)
            });
        }
    }

    /// A log stream name: 1 to 512 characters, neither `:` nor `*`.
    pub(crate) fn stream_name(&mut self, value: Option<&str>, member: &str) {
        if let Some(value) = value {
            self.string(value, member, (1, 512), STREAM_NAME_PATTERN, |c| {
                c != ':' && c != '*'
            });
        }
    }

    /// A log group identifier: a name or an ARN, 1 to 2048 characters.
    pub(crate) fn identifier(&mut self, value: Option<&str>, member: &str) {
        if let Some(value) = value {
            self.string(value, member, (1, 2048), IDENTIFIER_PATTERN, |c| {
                c.is_alphanumeric() || "_#+=/:,.@-".contains(c)
            });
        }
    }

    /// A resource ARN, 1 to 1011 characters.
    pub(crate) fn arn(&mut self, value: Option<&str>, member: &str) {
        if let Some(value) = value {
            self.string(value, member, (1, 1011), ARN_PATTERN, |c| {
                c.is_alphanumeric() || "_+=/:,.@-".contains(c)
            });
        }
    }

    /// A pagination token: at least one character.
    pub(crate) fn token(&mut self, value: Option<&str>, member: &str) {
        if value == Some("") {
            self.add(value, member, "have length greater than or equal to 1");
        }
    }

    /// A number in `min..=max`.
    pub(crate) fn range(&mut self, value: Option<i64>, member: &str, min: i64, max: i64) {
        let Some(value) = value else { return };
        let text = value.to_string();
        if value < min {
            self.add(
                Some(&text),
                member,
                &format!("have value greater than or equal to {min}"),
            );
        }
        if value > max {
            self.add(
                Some(&text),
                member,
                &format!("have value less than or equal to {max}"),
            );
        }
    }

    /// A timestamp: milliseconds since the epoch, not negative.
    pub(crate) fn timestamp(&mut self, value: Option<i64>, member: &str) {
        self.range(value, member, 0, i64::MAX);
    }

    /// One of `allowed`.
    pub(crate) fn one_of(&mut self, value: Option<&str>, member: &str, allowed: &[&str]) {
        if let Some(value) = value
            && !allowed.contains(&value)
        {
            self.add(
                Some(value),
                member,
                &format!("satisfy enum value set: [{}]", allowed.join(", ")),
            );
        }
    }

    /// A tag map: 1 to 50 tags whose keys and values satisfy the tag patterns.
    pub(crate) fn tags(&mut self, tags: Option<&BTreeMap<String, String>>, member: &str) {
        let Some(tags) = tags else { return };
        if tags.is_empty() {
            self.add(Some(""), member, "have length greater than or equal to 1");
        }
        if tags.len() > 50 {
            self.add(Some(""), member, "have length less than or equal to 50");
        }
        let tag_char = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
        let bad_key = tags
            .keys()
            .any(|k| k.is_empty() || k.chars().count() > 128 || !k.chars().all(tag_char));
        if bad_key {
            self.0.push(format!(
                "Value at '{member}' failed to satisfy constraint: Map keys must satisfy \
                 constraint: [Member must have length less than or equal to 128, Member must \
                 have length greater than or equal to 1, Member must satisfy regular expression \
                 pattern: {TAG_KEY_PATTERN}]"
            ));
        }
        let bad_value = tags
            .values()
            .any(|v| v.chars().count() > 256 || !v.chars().all(tag_char));
        if bad_value {
            self.0.push(format!(
                "Value at '{member}' failed to satisfy constraint: Map value must satisfy \
                 constraint: [Member must have length less than or equal to 256, Member must \
                 satisfy regular expression pattern: {TAG_VALUE_PATTERN}]"
            ));
        }
    }

    /// A list of tag keys (`tagKeys`, `tags` of UntagLogGroup): `min` to 50 keys.
    pub(crate) fn tag_keys(&mut self, keys: Option<&[String]>, member: &str, min: usize) {
        let Some(keys) = keys else { return };
        if keys.len() < min {
            self.add(
                Some(""),
                member,
                &format!("have length greater than or equal to {min}"),
            );
        }
        if keys.len() > 50 {
            self.add(Some(""), member, "have length less than or equal to 50");
        }
    }

    /// The error, if anything was recorded.
    pub(crate) fn finish(self) -> Result<(), Error> {
        match self.0.len() {
            0 => Ok(()),
            1 => Err(Error::InvalidParameter(format!(
                "1 validation error detected: {}",
                self.0[0]
            ))),
            n => Err(Error::InvalidParameter(format!(
                "{n} validation errors detected: {}",
                self.0.join("; ")
            ))),
        }
    }
}

/// Tags as the wire carries them.
pub(crate) type Tags = BTreeMap<String, String>;

/// CreateLogGroup.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateLogGroupInput {
    pub log_group_name: Option<String>,
    pub kms_key_id: Option<String>,
    pub tags: Option<Tags>,
    pub log_group_class: Option<String>,
}

/// Operations that name one log group (DeleteLogGroup, DeleteRetentionPolicy,
/// ListTagsLogGroup).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogGroupInput {
    pub log_group_name: Option<String>,
}

/// DescribeLogGroups.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeLogGroupsInput {
    pub log_group_name_prefix: Option<String>,
    pub log_group_name_pattern: Option<String>,
    pub log_group_class: Option<String>,
    pub next_token: Option<String>,
    pub limit: Option<i64>,
}

/// PutRetentionPolicy.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PutRetentionPolicyInput {
    pub log_group_name: Option<String>,
    pub retention_in_days: Option<i64>,
}

/// CreateLogStream, DeleteLogStream.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogStreamInput {
    pub log_group_name: Option<String>,
    pub log_stream_name: Option<String>,
}

/// DescribeLogStreams.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DescribeLogStreamsInput {
    pub log_group_name: Option<String>,
    pub log_group_identifier: Option<String>,
    pub log_stream_name_prefix: Option<String>,
    pub order_by: Option<String>,
    pub descending: Option<bool>,
    pub next_token: Option<String>,
    pub limit: Option<i64>,
}

/// One event of PutLogEvents.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InputLogEvent {
    pub timestamp: Option<i64>,
    pub message: Option<String>,
}

/// PutLogEvents.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PutLogEventsInput {
    pub log_group_name: Option<String>,
    pub log_stream_name: Option<String>,
    pub log_events: Option<Vec<InputLogEvent>>,
}

/// GetLogEvents.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct GetLogEventsInput {
    pub log_group_name: Option<String>,
    pub log_group_identifier: Option<String>,
    pub log_stream_name: Option<String>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub next_token: Option<String>,
    pub limit: Option<i64>,
    pub start_from_head: Option<bool>,
}

/// FilterLogEvents.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FilterLogEventsInput {
    pub log_group_name: Option<String>,
    pub log_group_identifier: Option<String>,
    pub log_stream_names: Option<Vec<String>>,
    pub log_stream_name_prefix: Option<String>,
    pub start_time: Option<i64>,
    pub end_time: Option<i64>,
    pub filter_pattern: Option<String>,
    pub next_token: Option<String>,
    pub limit: Option<i64>,
    pub start_from_head: Option<bool>,
}

/// TagResource.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TagResourceInput {
    pub resource_arn: Option<String>,
    pub tags: Option<Tags>,
}

/// UntagResource.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UntagResourceInput {
    pub resource_arn: Option<String>,
    pub tag_keys: Option<Vec<String>>,
}

/// ListTagsForResource.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListTagsForResourceInput {
    pub resource_arn: Option<String>,
}

/// TagLogGroup.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TagLogGroupInput {
    pub log_group_name: Option<String>,
    pub tags: Option<Tags>,
}

/// UntagLogGroup (its `tags` are the keys to remove).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UntagLogGroupInput {
    pub log_group_name: Option<String>,
    pub tags: Option<Vec<String>>,
}

/// `LogGroup` in DescribeLogGroups.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogGroupOutput {
    pub log_group_name: String,
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<u32>,
    pub metric_filter_count: u32,
    pub arn: String,
    pub stored_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub log_group_class: String,
    pub log_group_arn: String,
}

/// `LogStream` in DescribeLogStreams.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogStreamOutput {
    pub log_stream_name: String,
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_event_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_event_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_ingestion_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_sequence_token: Option<String>,
    pub arn: String,
    pub stored_bytes: u64,
}

/// `OutputLogEvent` in GetLogEvents.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OutputLogEvent {
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
}

/// `FilteredLogEvent` in FilterLogEvents.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FilteredLogEvent {
    pub log_stream_name: String,
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
    pub event_id: String,
}

/// `RejectedLogEventsInfo` in PutLogEvents.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RejectedLogEventsInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_new_log_event_start_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_old_log_event_end_index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_log_event_end_index: Option<usize>,
}

impl RejectedLogEventsInfo {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// The sequence token reported for a stream whose next sequence number is `next` (tokens are
/// ignored on input, as AWS now does; they keep AWS's 56-digit form).
pub(crate) fn sequence_token(next: u64) -> String {
    format!("49{next:054}")
}
