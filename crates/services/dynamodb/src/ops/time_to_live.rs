//! [UpdateTimeToLive](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html)
//! and [DescribeTimeToLive](https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTimeToLive.html).
//! Deviation: the change takes effect at once (AWS passes through ENABLING/DISABLING for up to
//! an hour). Expired items are deleted by the background janitor (`crate::janitor`).

use serde_json::{Value as Json, json};

use super::{Scope, described_table, table_name};
use crate::api::{TableNameInput, UpdateTimeToLiveInput, Violations};
use crate::{DynamoDb, Error, store};

impl DynamoDb {
    pub(crate) async fn update_time_to_live(
        &self,
        scope: Scope<'_>,
        input: UpdateTimeToLiveInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let Some(spec) = input.time_to_live_specification.as_ref() else {
            return Err(Error::Validation(
                "1 validation error detected: Value null at 'timeToLiveSpecification' failed to \
                 satisfy constraint: Member must not be null"
                    .into(),
            ));
        };
        let mut violations = Violations::default();
        let attribute = spec.attribute_name.as_deref();
        match attribute {
            None => violations.add(None, "timeToLiveSpecification.attributeName", "not be null"),
            Some(name) if name.is_empty() || name.len() > 255 => violations.add(
                Some(name),
                "timeToLiveSpecification.attributeName",
                "have length between 1 and 255",
            ),
            Some(_) => {}
        }
        if spec.enabled.is_none() {
            violations.add(None, "timeToLiveSpecification.enabled", "not be null");
        }
        violations.finish()?;
        let (Some(enabled), Some(attribute)) = (spec.enabled, attribute) else {
            unreachable!("both were checked to be present");
        };
        self.kv
            .transact(|tx| {
                let mut table = described_table(tx, scope, name)?;
                match (&table.ttl, enabled) {
                    (Some(_), true) => {
                        return Err(Error::Validation("TimeToLive is already enabled".into()));
                    }
                    (None, false) => {
                        return Err(Error::Validation("TimeToLive is already disabled".into()));
                    }
                    (Some(current), false) if current != attribute => {
                        return Err(Error::Validation(format!(
                            "TimeToLive is active on a different AttributeName: current \
                             AttributeName is {current}"
                        )));
                    }
                    _ => {}
                }
                table.ttl = enabled.then(|| attribute.to_string());
                store::put_table(tx, scope.account, scope.region, &table);
                Ok(())
            })
            .await?;
        if enabled {
            self.janitor.wake();
        }
        Ok(json!({
            "TimeToLiveSpecification": { "Enabled": enabled, "AttributeName": attribute }
        }))
    }

    pub(crate) async fn describe_time_to_live(
        &self,
        scope: Scope<'_>,
        input: TableNameInput,
    ) -> Result<Json, Error> {
        let name = table_name(input.table_name.as_deref())?;
        let table = self
            .kv
            .transact(|tx| described_table(tx, scope, name))
            .await?;
        let description = match &table.ttl {
            Some(attribute) => json!({"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}),
            None => json!({"TimeToLiveStatus": "DISABLED"}),
        };
        Ok(json!({ "TimeToLiveDescription": description }))
    }
}
