//! [DescribeLogGroups](https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html):
//! groups in name order, filtered by prefix (a range scan), by a substring pattern or by
//! class. `storedBytes` is the sum of the group's streams' message bytes.
//! Deviations: `accountIdentifiers`, `includeLinkedAccounts` and `logGroupIdentifiers` are
//! ignored; with `logGroupNamePattern` every field is returned, not only the three AWS sends.

use serde_json::{Value as Json, json};

use super::create_log_group::CLASSES;
use crate::api::{DescribeLogGroupsInput, LogGroupOutput, Violations};
use crate::store::{self, Group};
use crate::{Error, Logs, Scope, token};

impl Logs {
    pub(crate) async fn describe_log_groups(
        &self,
        scope: Scope<'_>,
        input: DescribeLogGroupsInput,
    ) -> Result<Json, Error> {
        let mut violations = Violations::default();
        violations.group_name(input.log_group_name_prefix.as_deref(), "logGroupNamePrefix");
        if let Some(pattern) = &input.log_group_name_pattern {
            let valid = pattern
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_/#".contains(c));
            if !valid {
                violations.add(
                    Some(pattern),
                    "logGroupNamePattern",
                    r"satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]*",
                );
            }
            if pattern.chars().count() > 512 {
                violations.add(
                    Some(pattern),
                    "logGroupNamePattern",
                    "have length less than or equal to 512",
                );
            }
        }
        violations.token(input.next_token.as_deref(), "nextToken");
        violations.range(input.limit, "limit", 1, 50);
        violations.one_of(input.log_group_class.as_deref(), "logGroupClass", &CLASSES);
        violations.finish()?;
        if input.log_group_name_prefix.is_some() && input.log_group_name_pattern.is_some() {
            return Err(Error::InvalidParameter(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."
                    .into(),
            ));
        }
        let limit = input.limit.unwrap_or(50) as usize;
        let after = input
            .next_token
            .as_deref()
            .map(|t| token::decode(t, |r| r.str()))
            .transpose()?;
        let prefix = input.log_group_name_prefix.as_deref().unwrap_or_default();
        let pattern = input.log_group_name_pattern.as_deref().unwrap_or_default();
        // Infrequent Access and Essentials are listed together, as AWS does.
        let classes: &[&str] = match input.log_group_class.as_deref() {
            None => &CLASSES,
            Some("INFREQUENT_ACCESS" | "ESSENTIALS") => &["INFREQUENT_ACCESS", "ESSENTIALS"],
            Some("STANDARD") => &["STANDARD"],
            Some(_) => &["DELIVERY"],
        };
        let (groups, more) = self
            .kv
            .transact(|tx| {
                let mut range = store::groups_with_prefix(scope, prefix);
                if let Some(after) = &after {
                    range.start = range.start.max(store::after_group(scope, after));
                }
                let mut groups: Vec<(Group, u64)> = Vec::new();
                loop {
                    let page = tx.range(&range, 256)?;
                    let exhausted = page.len() < 256;
                    for (key, value) in &page {
                        let group = store::decode_group(key, value)?;
                        if group.name.contains(pattern) && classes.contains(&group.class.as_str()) {
                            groups.push((group, 0));
                            if groups.len() > limit {
                                break;
                            }
                        }
                    }
                    match page.last() {
                        Some((last, _)) if !exhausted && groups.len() <= limit => {
                            range.start = [last.as_slice(), &[0]].concat();
                        }
                        _ => break,
                    }
                }
                let more = groups.len() > limit;
                groups.truncate(limit);
                for (group, stored) in &mut groups {
                    let streams = store::all_streams(tx, &store::streams(scope, &group.name))?;
                    *stored = streams.iter().map(|s| s.stored_bytes).sum();
                }
                Ok::<_, Error>((groups, more))
            })
            .await?;
        let next_token = match groups.last() {
            Some((last, _)) if more => Some(token::encode(|key| key.str(&last.name))),
            _ => None,
        };
        let groups: Vec<LogGroupOutput> = groups
            .into_iter()
            .map(|(group, stored_bytes)| LogGroupOutput {
                arn: format!("{}:*", scope.group_arn(&group.name)),
                log_group_arn: scope.group_arn(&group.name),
                log_group_name: group.name,
                creation_time: group.created,
                retention_in_days: group.retention_days,
                metric_filter_count: 0,
                stored_bytes,
                kms_key_id: group.kms_key_id,
                log_group_class: group.class,
            })
            .collect();
        let mut output = json!({ "logGroups": groups });
        if let Some(next_token) = next_token {
            output["nextToken"] = next_token.into();
        }
        Ok(output)
    }
}
