//! Stack operations: create, update and delete a stack's resources in dependency order, with
//! an event for every step and a rollback when a step fails. Every step is its own store
//! transaction, so a stack's status and events show progress as it happens.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use unkai_store::Kv;
use unkai_template::{Lookup, Planned, Prepared};
use unkai_types::Clock;

use crate::resources::{self, Made, Provisioner, Target};
use crate::store::{self, Event, Output, Resource, Stack};

/// Runs stack operations.
#[derive(Clone, Debug)]
pub(crate) struct Engine {
    pub(crate) kv: Kv,
    pub(crate) clock: Clock,
    pub(crate) provisioner: Provisioner,
}

/// What exists, for resolving references: the stack's resources and every export.
pub(crate) struct Existing<'a> {
    pub(crate) stack: &'a Stack,
    pub(crate) exports: &'a BTreeMap<String, String>,
}

impl Lookup for Existing<'_> {
    fn reference(&self, logical_id: &str) -> Option<String> {
        Some(self.stack.resource(logical_id)?.physical_id.clone())
    }

    fn attribute(&self, logical_id: &str, attribute: &str) -> Option<Value> {
        let resource = self.stack.resource(logical_id)?;
        let attributes: Map<String, Value> = serde_json::from_str(&resource.attributes).ok()?;
        attributes.get(attribute).cloned()
    }

    fn import(&self, export: &str) -> Option<String> {
        self.exports.get(export).cloned()
    }
}

fn made(resource: &Resource) -> Made {
    Made {
        physical_id: resource.physical_id.clone(),
        attributes: serde_json::from_str(&resource.attributes).unwrap_or_default(),
    }
}

fn properties(resource: &Resource) -> Value {
    serde_json::from_str(&resource.properties).unwrap_or(Value::Null)
}

/// Why a stack operation stopped.
struct Failed {
    logical_id: String,
}

impl Engine {
    fn now(&self) -> u64 {
        self.clock.unix_millis()
    }

    /// Saves the stack and, when given, one event about it or one of its resources.
    async fn save(&self, stack: &Stack, event: Option<Event>) {
        let result = self
            .kv
            .transact(|tx| {
                store::put_stack(tx, stack);
                if let Some(event) = &event {
                    store::add_event(tx, &stack.id, event);
                }
                Ok::<_, unkai_store::Error>(())
            })
            .await;
        if let Err(error) = result {
            tracing::error!(%error, stack = %stack.name, "could not save the stack's progress");
        }
    }

    fn event(
        &self,
        logical_id: &str,
        physical_id: &str,
        resource_type: &str,
        status: &str,
        reason: Option<String>,
        properties: Option<&Value>,
    ) -> Event {
        Event {
            id: uuid::Uuid::new_v4().to_string(),
            logical_id: logical_id.to_owned(),
            physical_id: physical_id.to_owned(),
            resource_type: resource_type.to_owned(),
            status: status.to_owned(),
            reason,
            properties: properties.map(Value::to_string),
            timestamp: self.now(),
        }
    }

    /// Sets the stack's own status, with its event.
    pub(crate) async fn stack_status(
        &self,
        stack: &mut Stack,
        status: &str,
        reason: Option<String>,
    ) {
        stack.status = status.to_owned();
        stack.reason.clone_from(&reason);
        let event = self.event(
            &stack.name,
            &stack.id,
            "AWS::CloudFormation::Stack",
            status,
            reason,
            None,
        );
        self.save(stack, Some(event)).await;
    }

    async fn exports(&self) -> BTreeMap<String, String> {
        let read = self
            .kv
            .transact(|tx| {
                let mut exports = BTreeMap::new();
                for pair in tx.range(&store::exports(), usize::MAX)? {
                    let export = store::decode_export(&pair.0, &pair.1)?;
                    exports.insert(export.name, export.value);
                }
                Ok::<_, unkai_store::Error>(exports)
            })
            .await;
        read.unwrap_or_default()
    }

    /// Creates one resource; records it in `stack` on success.
    async fn create_one(
        &self,
        stack: &mut Stack,
        planned: &Planned,
        prepared: &Prepared,
        exports: &BTreeMap<String, String>,
        status_prefix: &str,
    ) -> Result<(), Failed> {
        let logical = planned.logical_id.as_str();
        let kind = planned.resource_type.as_str();
        let fail = Failed {
            logical_id: logical.to_owned(),
        };
        if !resources::SUPPORTED.contains(&kind) {
            let reason = format!(
                "Resource type {kind} is not supported by unkai yet; see docs/compat/cloudformation.md"
            );
            let event = self.event(
                logical,
                "",
                kind,
                &format!("{status_prefix}_FAILED"),
                Some(reason),
                None,
            );
            self.save(stack, Some(event)).await;
            return Err(fail);
        }
        let resolved = {
            let existing = Existing { stack, exports };
            unkai_template::resolve(&planned.properties, prepared, &existing)
        };
        let props = match resolved {
            Ok(props) => props,
            Err(error) => {
                let event = self.event(
                    logical,
                    "",
                    kind,
                    &format!("{status_prefix}_FAILED"),
                    Some(error.0),
                    None,
                );
                self.save(stack, Some(event)).await;
                return Err(fail);
            }
        };
        let event = self.event(
            logical,
            "",
            kind,
            &format!("{status_prefix}_IN_PROGRESS"),
            None,
            Some(&props),
        );
        self.save(stack, Some(event)).await;
        let caller = stack.owner.caller();
        let target = Target {
            caller: &caller,
            stack: &stack.name,
            logical_id: logical,
            resource_type: kind,
        };
        match self.provisioner.create(target, &props).await {
            Ok(made) => {
                let status = format!("{status_prefix}_COMPLETE");
                self.record(stack, planned, made, &props, &status).await;
                Ok(())
            }
            Err(reason) => {
                let event = self.event(
                    logical,
                    "",
                    kind,
                    &format!("{status_prefix}_FAILED"),
                    Some(reason),
                    Some(&props),
                );
                self.save(stack, Some(event)).await;
                Err(fail)
            }
        }
    }

    /// Records what provisioning `planned` with `props` made, in the stack (in the resource's
    /// place, or last when it is new) and as an event with `status`.
    async fn record(
        &self,
        stack: &mut Stack,
        planned: &Planned,
        made: Made,
        props: &Value,
        status: &str,
    ) {
        let resource = Resource {
            logical_id: planned.logical_id.clone(),
            resource_type: planned.resource_type.clone(),
            physical_id: made.physical_id,
            attributes: Value::Object(made.attributes).to_string(),
            properties: props.to_string(),
            status: status.to_owned(),
            reason: None,
            updated: self.now(),
            deletion_policy: planned.deletion_policy.clone(),
        };
        let event = self.event(
            &resource.logical_id,
            &resource.physical_id,
            &resource.resource_type,
            status,
            None,
            Some(props),
        );
        match stack
            .resources
            .iter_mut()
            .find(|existing| existing.logical_id == resource.logical_id)
        {
            Some(slot) => *slot = resource,
            None => stack.resources.push(resource),
        }
        self.save(stack, Some(event)).await;
    }

    /// Deletes one resource (or skips it when retained). Returns the failure reason.
    async fn delete_one(&self, stack: &Stack, resource: &Resource) -> Result<(), String> {
        let logical = resource.logical_id.as_str();
        let kind = resource.resource_type.as_str();
        if resource.deletion_policy.as_deref() == Some("Retain") {
            let event = self.event(
                logical,
                &resource.physical_id,
                kind,
                "DELETE_SKIPPED",
                None,
                None,
            );
            self.save(stack, Some(event)).await;
            return Ok(());
        }
        let event = self.event(
            logical,
            &resource.physical_id,
            kind,
            "DELETE_IN_PROGRESS",
            None,
            None,
        );
        self.save(stack, Some(event)).await;
        let caller = stack.owner.caller();
        let target = Target {
            caller: &caller,
            stack: &stack.name,
            logical_id: logical,
            resource_type: kind,
        };
        match self
            .provisioner
            .delete(target, &made(resource), &properties(resource))
            .await
        {
            Ok(()) => {
                let event = self.event(
                    logical,
                    &resource.physical_id,
                    kind,
                    "DELETE_COMPLETE",
                    None,
                    None,
                );
                self.save(stack, Some(event)).await;
                Ok(())
            }
            Err(reason) => {
                let event = self.event(
                    logical,
                    &resource.physical_id,
                    kind,
                    "DELETE_FAILED",
                    Some(reason.clone()),
                    None,
                );
                self.save(stack, Some(event)).await;
                Err(reason)
            }
        }
    }

    /// Resolves the outputs and publishes the exports; an export another stack owns fails.
    async fn finish_outputs(
        &self,
        stack: &mut Stack,
        prepared: &Prepared,
        exports: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        let mut outputs = Vec::new();
        {
            let existing = Existing { stack, exports };
            for output in &prepared.outputs {
                let value = unkai_template::resolve(&output.value, prepared, &existing)
                    .map_err(|error| error.0)?;
                let export = match &output.export {
                    Some(name) => Some(
                        unkai_template::resolve(name, prepared, &existing)
                            .map_err(|error| error.0)?,
                    ),
                    None => None,
                };
                outputs.push(Output {
                    key: output.key.clone(),
                    value: plain(&value),
                    description: output.description.clone(),
                    export: export.as_ref().map(plain),
                });
            }
        }
        let stack_id = stack.id.clone();
        let previous: Vec<String> = stack
            .outputs
            .iter()
            .filter_map(|o| o.export.clone())
            .collect();
        let published = outputs.clone();
        self.kv
            .transact(|tx| {
                for name in &previous {
                    if !published.iter().any(|o| o.export.as_deref() == Some(name)) {
                        store::delete_export(tx, name);
                    }
                }
                for output in &published {
                    let Some(name) = &output.export else { continue };
                    if let Some(existing) = store::get_export(tx, name)?
                        && existing.stack_id != stack_id
                    {
                        return Ok(Err(format!(
                            "Export with name {name} is already exported by stack {}",
                            existing.stack_id.split('/').nth(1).unwrap_or_default()
                        )));
                    }
                    store::put_export(
                        tx,
                        &store::Export {
                            name: name.clone(),
                            value: output.value.clone(),
                            stack_id: stack_id.clone(),
                        },
                    );
                }
                Ok::<_, unkai_store::Error>(Ok(()))
            })
            .await
            .map_err(|error| error.to_string())??;
        stack.outputs = outputs;
        Ok(())
    }

    /// Creates every resource of a new stack.
    pub(crate) async fn create(&self, mut stack: Stack, prepared: Prepared) {
        let exports = self.exports().await;
        self.stack_status(
            &mut stack,
            "CREATE_IN_PROGRESS",
            Some("User Initiated".into()),
        )
        .await;
        let mut failure = None;
        for planned in &prepared.resources {
            if let Err(failed) = self
                .create_one(&mut stack, planned, &prepared, &exports, "CREATE")
                .await
            {
                failure = Some(failed.logical_id);
                break;
            }
        }
        if failure.is_none()
            && let Err(reason) = self.finish_outputs(&mut stack, &prepared, &exports).await
        {
            self.stack_status(&mut stack, "CREATE_IN_PROGRESS", Some(reason))
                .await;
            failure = Some(String::new());
        }
        let Some(failed) = failure else {
            self.stack_status(&mut stack, "CREATE_COMPLETE", None).await;
            return;
        };
        let reason = if failed.is_empty() {
            stack.reason.clone().unwrap_or_default()
        } else {
            format!("The following resource(s) failed to create: [{failed}]. ")
        };
        if stack.disable_rollback {
            self.stack_status(&mut stack, "CREATE_FAILED", Some(reason))
                .await;
            return;
        }
        self.stack_status(
            &mut stack,
            "ROLLBACK_IN_PROGRESS",
            Some(format!("{reason}Rollback requested by user.")),
        )
        .await;
        let status = match self.delete_all(&mut stack).await {
            Ok(()) => "ROLLBACK_COMPLETE",
            Err(_) => "ROLLBACK_FAILED",
        };
        self.stack_status(&mut stack, status, None).await;
    }

    /// Deletes the stack's resources in reverse order; the first failure stops it.
    async fn delete_all(&self, stack: &mut Stack) -> Result<(), String> {
        while let Some(resource) = stack.resources.last().cloned() {
            if let Err(reason) = self.delete_one(stack, &resource).await {
                if let Some(kept) = stack.resources.last_mut() {
                    kept.status = "DELETE_FAILED".into();
                    kept.reason = Some(reason.clone());
                }
                return Err(resource.logical_id);
            }
            stack.resources.pop();
        }
        Ok(())
    }

    /// Deletes a stack.
    pub(crate) async fn delete(&self, mut stack: Stack) {
        self.stack_status(
            &mut stack,
            "DELETE_IN_PROGRESS",
            Some("User Initiated".into()),
        )
        .await;
        match self.delete_all(&mut stack).await {
            Ok(()) => {
                let exports: Vec<String> = stack
                    .outputs
                    .iter()
                    .filter_map(|o| o.export.clone())
                    .collect();
                let _ = self
                    .kv
                    .transact(|tx| {
                        for name in &exports {
                            store::delete_export(tx, name);
                        }
                        Ok::<_, unkai_store::Error>(())
                    })
                    .await;
                stack.deleted = Some(self.now());
                self.stack_status(&mut stack, "DELETE_COMPLETE", None).await;
            }
            Err(failed) => {
                self.stack_status(
                    &mut stack,
                    "DELETE_FAILED",
                    Some(format!(
                        "The following resource(s) failed to delete: [{failed}]. "
                    )),
                )
                .await;
            }
        }
    }

    /// Updates a stack to a new template and parameters: creates what is new, updates what
    /// changed (replacing where the type requires it), deletes what is gone.
    pub(crate) async fn update(&self, mut stack: Stack, prepared: Prepared, next: Stack) {
        let exports = self.exports().await;
        self.stack_status(
            &mut stack,
            "UPDATE_IN_PROGRESS",
            Some("User Initiated".into()),
        )
        .await;
        let before = stack.clone();
        // What was done, for the rollback: (logical id, the resource before, if it existed).
        let mut done: Vec<(String, Option<Resource>)> = Vec::new();
        // Old resources to delete once the update holds: replaced ones and removed ones.
        let mut cleanup: Vec<Resource> = Vec::new();
        let mut failure = None;
        for planned in &prepared.resources {
            let logical = planned.logical_id.clone();
            let old = stack.resource(&logical).cloned();
            let result = match &old {
                None => {
                    self.create_one(&mut stack, planned, &prepared, &exports, "CREATE")
                        .await
                }
                Some(old) => {
                    self.update_one(&mut stack, planned, &prepared, &exports, old, &mut cleanup)
                        .await
                }
            };
            match result {
                Ok(()) => done.push((logical, old)),
                Err(failed) => {
                    failure = Some(failed.logical_id);
                    break;
                }
            }
        }
        if failure.is_none() {
            for old in before.resources.iter().rev() {
                if !prepared
                    .resources
                    .iter()
                    .any(|p| p.logical_id == old.logical_id)
                {
                    cleanup.push(old.clone());
                    stack.resources.retain(|r| r.logical_id != old.logical_id);
                }
            }
            if let Err(reason) = self.finish_outputs(&mut stack, &prepared, &exports).await {
                let event = self.event(
                    &stack.name,
                    &stack.id,
                    "AWS::CloudFormation::Stack",
                    "UPDATE_IN_PROGRESS",
                    Some(reason),
                    None,
                );
                self.save(&stack, Some(event)).await;
                failure = Some(String::new());
            }
        }
        if failure.is_none() {
            stack.template = next.template;
            stack.parameters = next.parameters;
            stack.no_echo = next.no_echo;
            stack.description = next.description;
            stack.capabilities = next.capabilities;
            stack.tags = next.tags;
            stack.updated = Some(self.now());
            // Keep the new template's order, so deletion runs in reverse dependency order.
            let order: Vec<&str> = prepared
                .resources
                .iter()
                .map(|p| p.logical_id.as_str())
                .collect();
            stack.resources.sort_by_key(|r| {
                order
                    .iter()
                    .position(|l| *l == r.logical_id)
                    .unwrap_or(usize::MAX)
            });
            self.stack_status(&mut stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None)
                .await;
            for old in &cleanup {
                // Failures to clean up do not fail the update, as in CloudFormation.
                let _ = self.delete_one(&stack, old).await;
            }
            self.stack_status(&mut stack, "UPDATE_COMPLETE", None).await;
            return;
        }
        let failed = failure.unwrap_or_default();
        let reason = if failed.is_empty() {
            "The stack's outputs could not be resolved. ".to_string()
        } else {
            format!("The following resource(s) failed to update: [{failed}]. ")
        };
        self.stack_status(&mut stack, "UPDATE_ROLLBACK_IN_PROGRESS", Some(reason))
            .await;
        let mut rollback_failed = false;
        for (logical, old) in done.into_iter().rev() {
            let Some(current) = stack.resource(&logical).cloned() else {
                continue;
            };
            match old {
                None => {
                    if self.delete_one(&stack, &current).await.is_err() {
                        rollback_failed = true;
                    }
                    stack.resources.retain(|r| r.logical_id != logical);
                }
                Some(old) if old.physical_id != current.physical_id => {
                    // Replaced: the new one goes, the old one (never deleted) comes back.
                    if self.delete_one(&stack, &current).await.is_err() {
                        rollback_failed = true;
                    }
                    stack.resources.retain(|r| r.logical_id != logical);
                    stack.resources.push(old);
                }
                Some(old) if old.properties != current.properties => {
                    let caller = stack.owner.caller();
                    let target = Target {
                        caller: &caller,
                        stack: &stack.name,
                        logical_id: &logical,
                        resource_type: &old.resource_type,
                    };
                    let event = self.event(
                        &logical,
                        &old.physical_id,
                        &old.resource_type,
                        "UPDATE_IN_PROGRESS",
                        None,
                        None,
                    );
                    self.save(&stack, Some(event)).await;
                    let status = match self
                        .provisioner
                        .update(
                            target,
                            &made(&current),
                            &properties(&current),
                            &properties(&old),
                        )
                        .await
                    {
                        Ok(_) => ("UPDATE_COMPLETE", None),
                        Err(reason) => {
                            rollback_failed = true;
                            ("UPDATE_FAILED", Some(reason))
                        }
                    };
                    stack.resources.retain(|r| r.logical_id != logical);
                    stack.resources.push(old.clone());
                    let event = self.event(
                        &logical,
                        &old.physical_id,
                        &old.resource_type,
                        status.0,
                        status.1,
                        None,
                    );
                    self.save(&stack, Some(event)).await;
                }
                Some(_) => {}
            }
        }
        // Restore the creation order of before.
        let order: Vec<&str> = before
            .resources
            .iter()
            .map(|r| r.logical_id.as_str())
            .collect();
        stack.resources.sort_by_key(|r| {
            order
                .iter()
                .position(|l| *l == r.logical_id)
                .unwrap_or(usize::MAX)
        });
        stack.outputs = before.outputs;
        if rollback_failed {
            self.stack_status(&mut stack, "UPDATE_ROLLBACK_FAILED", None)
                .await;
            return;
        }
        self.stack_status(
            &mut stack,
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            None,
        )
        .await;
        self.stack_status(&mut stack, "UPDATE_ROLLBACK_COMPLETE", None)
            .await;
    }

    /// Updates one existing resource: nothing when its resolved properties are unchanged, in
    /// place when the type allows, else a replacement (the old one is deleted in cleanup).
    async fn update_one(
        &self,
        stack: &mut Stack,
        planned: &Planned,
        prepared: &Prepared,
        exports: &BTreeMap<String, String>,
        old: &Resource,
        cleanup: &mut Vec<Resource>,
    ) -> Result<(), Failed> {
        let logical = planned.logical_id.as_str();
        let kind = planned.resource_type.as_str();
        let fail = Failed {
            logical_id: logical.to_owned(),
        };
        let resolved = {
            let existing = Existing { stack, exports };
            unkai_template::resolve(&planned.properties, prepared, &existing)
        };
        let props = match resolved {
            Ok(props) => props,
            Err(error) => {
                let event = self.event(
                    logical,
                    &old.physical_id,
                    kind,
                    "UPDATE_FAILED",
                    Some(error.0),
                    None,
                );
                self.save(stack, Some(event)).await;
                return Err(fail);
            }
        };
        let previous = properties(old);
        if previous == props && old.resource_type == kind {
            if let Some(resource) = stack.resources.iter_mut().find(|r| r.logical_id == logical) {
                resource
                    .deletion_policy
                    .clone_from(&planned.deletion_policy);
            }
            return Ok(());
        }
        if old.resource_type != kind || Provisioner::replaces(kind, &previous, &props) {
            let event = self.event(
                logical,
                &old.physical_id,
                kind,
                "UPDATE_IN_PROGRESS",
                Some("Requested update requires the creation of a new physical resource; hence creating one.".into()),
                Some(&props),
            );
            self.save(stack, Some(event)).await;
            let caller = stack.owner.caller();
            let target = Target {
                caller: &caller,
                stack: &stack.name,
                logical_id: logical,
                resource_type: kind,
            };
            return match self.provisioner.create(target, &props).await {
                Ok(made) => {
                    cleanup.push(old.clone());
                    self.record(stack, planned, made, &props, "UPDATE_COMPLETE")
                        .await;
                    Ok(())
                }
                Err(reason) => {
                    let event = self.event(
                        logical,
                        &old.physical_id,
                        kind,
                        "UPDATE_FAILED",
                        Some(reason),
                        Some(&props),
                    );
                    self.save(stack, Some(event)).await;
                    Err(fail)
                }
            };
        }
        let event = self.event(
            logical,
            &old.physical_id,
            kind,
            "UPDATE_IN_PROGRESS",
            None,
            Some(&props),
        );
        self.save(stack, Some(event)).await;
        let caller = stack.owner.caller();
        let target = Target {
            caller: &caller,
            stack: &stack.name,
            logical_id: logical,
            resource_type: kind,
        };
        match self
            .provisioner
            .update(target, &made(old), &previous, &props)
            .await
        {
            Ok(made) => {
                self.record(stack, planned, made, &props, "UPDATE_COMPLETE")
                    .await;
                Ok(())
            }
            Err(reason) => {
                let event = self.event(
                    logical,
                    &old.physical_id,
                    kind,
                    "UPDATE_FAILED",
                    Some(reason),
                    Some(&props),
                );
                self.save(stack, Some(event)).await;
                Err(fail)
            }
        }
    }
}

/// An output value as text: strings as they are, lists joined with commas, anything else as
/// JSON.
pub(crate) fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}
