//! CloudFormation in unkai: stacks from SAM and CloudFormation templates.
//!
//! A request is checked and the template prepared ([`unkai_template`]) before it is answered;
//! the stack's resources are then provisioned in a task, in dependency order, through the same
//! API operations the SDKs call (the [`Api`] port), each step an event in the store. Change sets
//! (what `aws cloudformation deploy` and `unkai deploy` use) are computed at once.
//!
//! Deviation: operations that start work answer once the stack has settled or after
//! [`Options::answer_within`], whichever comes first, so waiters that poll every 30 seconds see
//! a local stack complete on their first poll.
//!
//! Where things are: operations in this file, wire shapes in `src/api.rs`, the stack operations
//! in `src/engine.rs`, resource types in `src/resources.rs`, the keyspace in `src/store.rs`.
#![deny(missing_docs)]

mod api;
mod engine;
mod error;
mod resources;
mod store;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use unkai_edge::protocol::query::{self, Params};
use unkai_edge::protocol::xml::Writer;
use unkai_edge::protocol::{self, AwsError};
use unkai_edge::{BoxFuture, Context, Request, Response, Service, ServiceId, ServiceInfo};
use unkai_store::Kv;
use unkai_template::Prepared;
use unkai_types::Clock;
use unkai_types::ports::Api;

pub use api::Operation;
pub use error::Error;
pub use resources::SUPPORTED as SUPPORTED_RESOURCE_TYPES;

use crate::api::GivenParameter;
use crate::engine::Engine;
use crate::resources::Provisioner;
use crate::store::{Change, ChangeSet, Owner, Parameter, Stack};

/// How CloudFormation is set up.
#[derive(Clone, Debug)]
pub struct Options {
    /// The account stacks belong to.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// How long an operation that starts stack work waits for it before answering.
    pub answer_within: Duration,
}

impl Options {
    /// Defaults for `account_id` in `region`.
    pub fn new(account_id: &str, region: &str) -> Self {
        Self {
            account_id: account_id.to_owned(),
            region: region.to_owned(),
            answer_within: Duration::from_secs(10),
        }
    }
}

/// The CloudFormation service.
#[derive(Clone, Debug)]
pub struct CloudFormation {
    engine: Engine,
    options: Arc<Options>,
}

const NO_CHANGES: &str = "The submitted information didn't contain changes. Submit different information to create a change set.";

/// Statuses from which a stack may be updated.
const UPDATABLE: &[&str] = &[
    "CREATE_COMPLETE",
    "UPDATE_COMPLETE",
    "UPDATE_ROLLBACK_COMPLETE",
];

/// A template checked and prepared for a stack, with the parameter values it resolved to.
struct Ready {
    template: String,
    prepared: Prepared,
    parameters: Vec<Parameter>,
    no_echo: Vec<String>,
    description: Option<String>,
}

fn stack_name_valid(name: &str) -> Result<(), Error> {
    let mut chars = name.chars();
    let valid = name.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(Error::ValidationError(format!(
            "1 validation error detected: Value '{name}' at 'stackName' failed to satisfy \
             constraint: Member must satisfy regular expression pattern: \
             [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
        )))
    }
}

fn template_body(params: &Params) -> Result<&str, Error> {
    if params.get("TemplateURL").is_some() {
        return Err(Error::ValidationError(
            "unkai reads templates from TemplateBody; TemplateURL needs S3, which unkai does \
             not serve yet"
                .into(),
        ));
    }
    let body = params.get("TemplateBody").ok_or_else(|| {
        Error::ValidationError("Either Template URL or Template Body must be specified.".into())
    })?;
    if body.len() > MAX_TEMPLATE_BODY {
        return Err(Error::ValidationError(format!(
            "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_TEMPLATE_BODY}"
        )));
    }
    Ok(body)
}

/// CloudFormation's limit on a template passed in the request (larger ones go through S3).
const MAX_TEMPLATE_BODY: usize = 51_200;

/// The capabilities a prepared template needs: CAPABILITY_IAM for IAM resources,
/// CAPABILITY_NAMED_IAM when they have names.
fn needed_capabilities(prepared: &Prepared) -> Option<&'static str> {
    let iam: Vec<_> = prepared
        .resources
        .iter()
        .filter(|resource| resource.resource_type.starts_with("AWS::IAM::"))
        .collect();
    if iam.is_empty() {
        return None;
    }
    let named = iam.iter().any(|resource| {
        ["RoleName", "PolicyName", "UserName", "GroupName"]
            .iter()
            .any(|name| resource.properties.get(*name).is_some())
            && resource.resource_type != "AWS::IAM::Policy"
    });
    Some(if named {
        "CAPABILITY_NAMED_IAM"
    } else {
        "CAPABILITY_IAM"
    })
}

fn check_capabilities(prepared: &Prepared, given: &[String], transform: bool) -> Result<(), Error> {
    let mut missing = Vec::new();
    if let Some(needed) = needed_capabilities(prepared) {
        let ok = given.iter().any(|c| c == needed)
            || (needed == "CAPABILITY_IAM" && given.iter().any(|c| c == "CAPABILITY_NAMED_IAM"));
        if !ok {
            missing.push(needed);
        }
    }
    if transform && !given.iter().any(|c| c == "CAPABILITY_AUTO_EXPAND") {
        missing.push("CAPABILITY_AUTO_EXPAND");
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::InsufficientCapabilities(format!(
            "Requires capabilities : [{}]",
            missing.join(", ")
        )))
    }
}

impl CloudFormation {
    /// CloudFormation over `kv`, provisioning through `api`.
    pub fn new(kv: Kv, clock: Clock, api: Arc<dyn Api>, options: Options) -> Self {
        let provisioner = Provisioner::new(api, &options.account_id, &options.region);
        Self {
            engine: Engine {
                kv,
                clock,
                provisioner,
            },
            options: Arc::new(options),
        }
    }

    /// Marks stacks whose operation was cut short by a stop as failed, so they can be updated
    /// or deleted again.
    pub async fn recover(&self) -> Result<(), Error> {
        let interrupted = self
            .engine
            .kv
            .transact(|tx| {
                let mut found = Vec::new();
                for pair in tx.range(&store::stacks(), usize::MAX)? {
                    let stack = store::decode_stack(&pair.0, &pair.1)?;
                    if stack.status.ends_with("_IN_PROGRESS")
                        && stack.status != "REVIEW_IN_PROGRESS"
                    {
                        found.push(stack);
                    }
                }
                Ok::<_, Error>(found)
            })
            .await?;
        for mut stack in interrupted {
            let status = match stack.status.as_str() {
                "CREATE_IN_PROGRESS" => "CREATE_FAILED",
                "ROLLBACK_IN_PROGRESS" => "ROLLBACK_FAILED",
                "DELETE_IN_PROGRESS" => "DELETE_FAILED",
                "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS" => "UPDATE_COMPLETE",
                "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS" => "UPDATE_ROLLBACK_COMPLETE",
                _ => "UPDATE_ROLLBACK_FAILED",
            };
            self.engine
                .stack_status(
                    &mut stack,
                    status,
                    Some("unkai stopped while the stack operation was in progress".into()),
                )
                .await;
        }
        Ok(())
    }

    fn owner_context(&self, context: &Context) -> Owner {
        Owner::from(&context.caller)
    }

    fn stack_id(&self, name: &str) -> String {
        format!(
            "arn:aws:cloudformation:{}:{}:stack/{name}/{}",
            self.options.region,
            self.options.account_id,
            uuid::Uuid::new_v4()
        )
    }

    /// Parses and prepares `body` for the stack `name`, with `given` parameter values
    /// (`UsePreviousValue` takes `previous`'s).
    fn ready(
        &self,
        name: &str,
        id: &str,
        body: &str,
        given: &[GivenParameter],
        previous: Option<&Stack>,
    ) -> Result<Ready, Error> {
        let template = unkai_template::parse(body)?;
        let declared = template
            .get("Parameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let unknown: Vec<&str> = given
            .iter()
            .filter(|parameter| !declared.contains_key(&parameter.key))
            .map(|parameter| parameter.key.as_str())
            .collect();
        if !unknown.is_empty() {
            return Err(Error::ValidationError(format!(
                "Parameters: [{}] do not exist in the template",
                unknown.join(", ")
            )));
        }
        let mut values = BTreeMap::new();
        for parameter in given {
            let value = if parameter.use_previous {
                previous
                    .and_then(|stack| stack.parameters.iter().find(|p| p.key == parameter.key))
                    .map(|p| p.value.clone())
                    .ok_or_else(|| {
                        Error::ValidationError(format!(
                            "Invalid input for parameter key {}. Cannot specify usePreviousValue \
                             as true for a parameter key not in the previous template",
                            parameter.key
                        ))
                    })?
            } else {
                parameter.value.clone().unwrap_or_default()
            };
            values.insert(parameter.key.clone(), value);
        }
        let stack = unkai_template::Stack {
            name: name.to_owned(),
            id: id.to_owned(),
            account_id: self.options.account_id.clone(),
            region: self.options.region.clone(),
            parameters: values,
        };
        let prepared = unkai_template::prepare(&template, &stack)?;
        let parameters = prepared
            .parameters
            .iter()
            .map(|(key, value)| Parameter {
                key: key.clone(),
                value: engine::plain(value),
            })
            .collect();
        let no_echo = declared
            .iter()
            .filter(|(_, spec)| {
                matches!(spec.get("NoEcho"), Some(Value::Bool(true)))
                    || spec.get("NoEcho").and_then(Value::as_str) == Some("true")
            })
            .map(|(key, _)| key.clone())
            .collect();
        let description = template
            .get("Description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(Ready {
            template: body.to_owned(),
            prepared,
            parameters,
            no_echo,
            description,
        })
    }

    async fn find(&self, name: &str) -> Result<Stack, Error> {
        let name = name.to_owned();
        let found = self
            .engine
            .kv
            .transact(|tx| Ok::<_, Error>(store::find_stack(tx, &name)?))
            .await?;
        found.ok_or_else(|| Error::no_stack(&name))
    }

    /// Runs stack work in its own task and waits for it up to `answer_within`.
    async fn run(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(work);
        let _ = tokio::time::timeout(self.options.answer_within, handle).await;
    }

    fn new_stack(
        &self,
        name: &str,
        id: String,
        owner: Owner,
        params: &Params,
        ready: &Ready,
        status: &str,
    ) -> Stack {
        Stack {
            id,
            name: name.to_owned(),
            status: status.to_owned(),
            reason: None,
            description: ready.description.clone(),
            template: ready.template.clone(),
            parameters: ready.parameters.clone(),
            no_echo: ready.no_echo.clone(),
            capabilities: api::list(params, "Capabilities"),
            tags: api::tags(params),
            outputs: Vec::new(),
            resources: Vec::new(),
            disable_rollback: params.get("DisableRollback") == Some("true")
                || params.get("OnFailure") == Some("DO_NOTHING"),
            owner,
            created: self.engine.clock.unix_millis(),
            updated: None,
            deleted: None,
            change_set: None,
        }
    }

    async fn create_stack(&self, params: &Params, context: &Context) -> Result<String, Error> {
        let name = api::required(params, "StackName")?;
        stack_name_valid(name)?;
        let body = template_body(params)?;
        let id = self.stack_id(name);
        let ready = self.ready(name, &id, body, &api::parameters(params), None)?;
        let transform = unkai_template::is_sam(&unkai_template::parse(body)?);
        check_capabilities(
            &ready.prepared,
            &api::list(params, "Capabilities"),
            transform,
        )?;
        let stack = self.new_stack(
            name,
            id.clone(),
            self.owner_context(context),
            params,
            &ready,
            "CREATE_IN_PROGRESS",
        );
        let created = stack.clone();
        let taken = self
            .engine
            .kv
            .transact(|tx| {
                if store::find_stack(tx, &created.name)?.is_some() {
                    return Ok(true);
                }
                store::put_stack(tx, &created);
                Ok::<_, Error>(false)
            })
            .await?;
        if taken {
            return Err(Error::AlreadyExists(format!(
                "Stack [{name}] already exists"
            )));
        }
        let engine = self.engine.clone();
        self.run(async move { engine.create(stack, ready.prepared).await })
            .await;
        Ok(id)
    }

    async fn update_stack(&self, params: &Params, _context: &Context) -> Result<String, Error> {
        let name = api::required(params, "StackName")?;
        let stack = self.find(name).await?;
        if !UPDATABLE.contains(&stack.status.as_str()) {
            return Err(Error::ValidationError(format!(
                "Stack:{} is in {} state and can not be updated.",
                stack.id, stack.status
            )));
        }
        let body = if params.get("UsePreviousTemplate") == Some("true") {
            stack.template.clone()
        } else {
            template_body(params)?.to_owned()
        };
        let ready = self.ready(
            &stack.name,
            &stack.id,
            &body,
            &api::parameters(params),
            Some(&stack),
        )?;
        let transform = unkai_template::is_sam(&unkai_template::parse(&body)?);
        let capabilities = api::list(params, "Capabilities");
        check_capabilities(&ready.prepared, &capabilities, transform)?;
        if body == stack.template && ready.parameters == stack.parameters {
            return Err(Error::ValidationError(
                "No updates are to be performed.".into(),
            ));
        }
        let mut next = stack.clone();
        next.template = body;
        next.parameters = ready.parameters.clone();
        next.no_echo = ready.no_echo.clone();
        next.description = ready.description.clone();
        next.capabilities = capabilities;
        if params.get("Tags.member.1.Key").is_some() {
            next.tags = api::tags(params);
        }
        let id = stack.id.clone();
        self.begin_update(stack, ready.prepared, next).await?;
        Ok(id)
    }

    /// Marks the stack `UPDATE_IN_PROGRESS` (so a second update is refused) and runs the update.
    async fn begin_update(
        &self,
        mut stack: Stack,
        prepared: Prepared,
        next: Stack,
    ) -> Result<(), Error> {
        stack.status = "UPDATE_IN_PROGRESS".into();
        let marked = stack.clone();
        self.engine
            .kv
            .transact(|tx| {
                store::put_stack(tx, &marked);
                Ok::<_, Error>(())
            })
            .await?;
        let engine = self.engine.clone();
        self.run(async move { engine.update(stack, prepared, next).await })
            .await;
        Ok(())
    }

    async fn delete_stack(&self, params: &Params) -> Result<(), Error> {
        let name = api::required(params, "StackName")?;
        let Ok(mut stack) = self.find(name).await else {
            return Ok(());
        };
        match stack.status.as_str() {
            "DELETE_COMPLETE" | "DELETE_IN_PROGRESS" => return Ok(()),
            "REVIEW_IN_PROGRESS" => {
                stack.deleted = Some(self.engine.clock.unix_millis());
                self.engine
                    .stack_status(&mut stack, "DELETE_COMPLETE", None)
                    .await;
                return Ok(());
            }
            status if status.ends_with("_IN_PROGRESS") => {
                return Err(Error::ValidationError(format!(
                    "Stack [{}] cannot be deleted while in status {status}",
                    stack.name
                )));
            }
            _ => {}
        }
        stack.status = "DELETE_IN_PROGRESS".into();
        let marked = stack.clone();
        self.engine
            .kv
            .transact(|tx| {
                store::put_stack(tx, &marked);
                Ok::<_, Error>(())
            })
            .await?;
        let engine = self.engine.clone();
        self.run(async move { engine.delete(stack).await }).await;
        Ok(())
    }

    async fn all_stacks(&self) -> Result<Vec<Stack>, Error> {
        let mut stacks = self
            .engine
            .kv
            .transact(|tx| {
                let mut stacks = Vec::new();
                for pair in tx.range(&store::stacks(), usize::MAX)? {
                    stacks.push(store::decode_stack(&pair.0, &pair.1)?);
                }
                Ok::<_, Error>(stacks)
            })
            .await?;
        stacks.sort_by_key(|stack| std::cmp::Reverse(stack.created));
        Ok(stacks)
    }

    async fn events(&self, stack: &Stack) -> Result<Vec<store::Event>, Error> {
        let id = stack.id.clone();
        self.engine
            .kv
            .transact(|tx| {
                let mut events = Vec::new();
                for pair in tx.range_rev(&store::events(&id), usize::MAX)? {
                    events.push(store::decode_event(&pair.0, &pair.1)?);
                }
                Ok::<_, Error>(events)
            })
            .await
    }

    /// The change set `name` (a name with `stack`, or an ARN).
    async fn change_set(&self, name: &str, stack: Option<&str>) -> Result<ChangeSet, Error> {
        let missing = || Error::ChangeSetNotFound(format!("ChangeSet [{name}] does not exist"));
        let found = if name.starts_with("arn:") {
            let name = name.to_owned();
            self.engine
                .kv
                .transact(|tx| Ok::<_, Error>(store::change_set_by_id(tx, &name)?))
                .await?
        } else {
            let Some(stack) = stack else {
                return Err(Error::ValidationError(
                    "StackName must be specified if ChangeSetName is not specified as an ARN."
                        .into(),
                ));
            };
            let stack = self.find(stack).await.map_err(|_| missing())?;
            let name = name.to_owned();
            self.engine
                .kv
                .transact(|tx| Ok::<_, Error>(store::get_change_set(tx, &stack.id, &name)?))
                .await?
        };
        found.ok_or_else(missing)
    }

    /// What deploying `prepared` over `stack` would change.
    fn changes(&self, stack: &Stack, prepared: &Prepared) -> Vec<Change> {
        let exports = BTreeMap::new();
        let existing = engine::Existing {
            stack,
            exports: &exports,
        };
        let mut changes = Vec::new();
        for planned in &prepared.resources {
            let Some(old) = stack.resource(&planned.logical_id) else {
                changes.push(Change {
                    action: "Add".into(),
                    logical_id: planned.logical_id.clone(),
                    physical_id: None,
                    resource_type: planned.resource_type.clone(),
                    replacement: None,
                });
                continue;
            };
            let old_props: Value = serde_json::from_str(&old.properties).unwrap_or(Value::Null);
            let replacement =
                match unkai_template::resolve(&planned.properties, prepared, &existing) {
                    Ok(props)
                        if props == old_props && old.resource_type == planned.resource_type =>
                    {
                        continue;
                    }
                    Ok(props) => {
                        if old.resource_type != planned.resource_type
                            || Provisioner::replaces(&planned.resource_type, &old_props, &props)
                        {
                            "True"
                        } else {
                            "False"
                        }
                    }
                    // It refers to something that changes too.
                    Err(_) => "Conditional",
                };
            changes.push(Change {
                action: "Modify".into(),
                logical_id: planned.logical_id.clone(),
                physical_id: Some(old.physical_id.clone()),
                resource_type: planned.resource_type.clone(),
                replacement: Some(replacement.into()),
            });
        }
        for old in &stack.resources {
            if !prepared
                .resources
                .iter()
                .any(|p| p.logical_id == old.logical_id)
            {
                changes.push(Change {
                    action: "Remove".into(),
                    logical_id: old.logical_id.clone(),
                    physical_id: Some(old.physical_id.clone()),
                    resource_type: old.resource_type.clone(),
                    replacement: None,
                });
            }
        }
        changes
    }

    async fn create_change_set(
        &self,
        params: &Params,
        context: &Context,
    ) -> Result<(String, String), Error> {
        let stack_name = api::required(params, "StackName")?;
        let name = api::required(params, "ChangeSetName")?;
        stack_name_valid(stack_name)?;
        let kind = params.get("ChangeSetType").unwrap_or("UPDATE");
        let existing = self.find(stack_name).await.ok();
        let stack = match (kind, existing) {
            ("CREATE", Some(stack)) if stack.status != "REVIEW_IN_PROGRESS" => {
                return Err(Error::ValidationError(format!(
                    "Stack [{stack_name}] already exists and cannot be created again with the \
                     changeSet [{name}]."
                )));
            }
            ("CREATE", found) => found,
            ("UPDATE", Some(stack)) if stack.status == "REVIEW_IN_PROGRESS" => {
                return Err(Error::ValidationError(format!(
                    "Stack:{} is in REVIEW_IN_PROGRESS state and can not be updated.",
                    stack.id
                )));
            }
            ("UPDATE", Some(stack)) => Some(stack),
            ("UPDATE", None) => {
                return Err(Error::ValidationError(format!(
                    "Stack [{stack_name}] does not exist"
                )));
            }
            (other, _) => {
                return Err(Error::ValidationError(format!(
                    "1 validation error detected: Value '{other}' at 'changeSetType' failed to \
                     satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]"
                )));
            }
        };
        let body = if params.get("UsePreviousTemplate") == Some("true") {
            stack
                .as_ref()
                .map(|stack| stack.template.clone())
                .unwrap_or_default()
        } else {
            template_body(params)?.to_owned()
        };
        let stack_id = stack
            .as_ref()
            .map(|stack| stack.id.clone())
            .unwrap_or_else(|| self.stack_id(stack_name));
        let ready = self.ready(
            stack_name,
            &stack_id,
            &body,
            &api::parameters(params),
            stack.as_ref(),
        )?;
        let capabilities = api::list(params, "Capabilities");
        check_capabilities(&ready.prepared, &capabilities, false)?;
        let review = match &stack {
            Some(stack) => stack.clone(),
            None => self.new_stack(
                stack_name,
                stack_id.clone(),
                self.owner_context(context),
                params,
                &ready,
                "REVIEW_IN_PROGRESS",
            ),
        };
        let changes = self.changes(&review, &ready.prepared);
        let unchanged = kind == "UPDATE"
            && changes.is_empty()
            && review.template == body
            && review.parameters == ready.parameters;
        let id = format!(
            "arn:aws:cloudformation:{}:{}:changeSet/{name}/{}",
            self.options.region,
            self.options.account_id,
            uuid::Uuid::new_v4()
        );
        let change_set = ChangeSet {
            id: id.clone(),
            name: name.to_owned(),
            stack_id: stack_id.clone(),
            stack_name: stack_name.to_owned(),
            kind: kind.to_owned(),
            status: if unchanged {
                "FAILED"
            } else {
                "CREATE_COMPLETE"
            }
            .into(),
            reason: unchanged.then(|| NO_CHANGES.to_owned()),
            execution_status: if unchanged {
                "UNAVAILABLE"
            } else {
                "AVAILABLE"
            }
            .into(),
            description: params.get("Description").map(str::to_owned),
            template: body,
            parameters: ready.parameters,
            capabilities,
            tags: api::tags(params),
            changes,
            created: self.engine.clock.unix_millis(),
        };
        let new_stack = stack.is_none().then_some(review);
        let event = new_stack.as_ref().map(|stack| store::Event {
            id: uuid::Uuid::new_v4().to_string(),
            logical_id: stack.name.clone(),
            physical_id: stack.id.clone(),
            resource_type: "AWS::CloudFormation::Stack".into(),
            status: "REVIEW_IN_PROGRESS".into(),
            reason: Some("User Initiated".into()),
            properties: None,
            timestamp: stack.created,
        });
        self.engine
            .kv
            .transact(|tx| {
                if store::get_change_set(tx, &change_set.stack_id, &change_set.name)?.is_some() {
                    return Ok(Err(Error::AlreadyExists(format!(
                        "ChangeSet {} already exists",
                        change_set.name
                    ))));
                }
                if let Some(stack) = &new_stack {
                    store::put_stack(tx, stack);
                    if let Some(event) = &event {
                        store::add_event(tx, &stack.id, event);
                    }
                }
                store::put_change_set(tx, &change_set);
                Ok::<_, Error>(Ok(()))
            })
            .await??;
        Ok((id, stack_id))
    }

    async fn execute_change_set(&self, params: &Params) -> Result<(), Error> {
        let name = api::required(params, "ChangeSetName")?;
        let mut change_set = self.change_set(name, params.get("StackName")).await?;
        if change_set.execution_status != "AVAILABLE" {
            return Err(Error::InvalidChangeSetStatus(format!(
                "ChangeSet [{}] cannot be executed in its current execution status of [{}]",
                change_set.id, change_set.execution_status
            )));
        }
        let stack = self.find(&change_set.stack_id).await?;
        let creating = stack.status == "REVIEW_IN_PROGRESS";
        if !creating && !UPDATABLE.contains(&stack.status.as_str()) {
            return Err(Error::ValidationError(format!(
                "Stack:{} is in {} state and can not be updated.",
                stack.id, stack.status
            )));
        }
        let given: Vec<GivenParameter> = change_set
            .parameters
            .iter()
            .map(|p| GivenParameter {
                key: p.key.clone(),
                value: Some(p.value.clone()),
                use_previous: false,
            })
            .collect();
        let ready = self.ready(
            &stack.name,
            &stack.id,
            &change_set.template,
            &given,
            Some(&stack),
        )?;
        change_set.execution_status = "EXECUTE_IN_PROGRESS".into();
        let executing = change_set.clone();
        self.engine
            .kv
            .transact(|tx| {
                for pair in tx.range(&store::change_sets(&executing.stack_id), usize::MAX)? {
                    let mut other = store::decode_change_set(&pair.0, &pair.1)?;
                    if other.id != executing.id && other.execution_status == "AVAILABLE" {
                        other.execution_status = "OBSOLETE".into();
                        store::put_change_set(tx, &other);
                    }
                }
                store::put_change_set(tx, &executing);
                Ok::<_, Error>(())
            })
            .await?;
        let mut next = stack.clone();
        next.template = change_set.template.clone();
        next.parameters = ready.parameters.clone();
        next.no_echo = ready.no_echo.clone();
        next.description = ready.description.clone();
        next.capabilities = change_set.capabilities.clone();
        next.change_set = Some(change_set.id.clone());
        if !change_set.tags.is_empty() {
            next.tags = change_set.tags.clone();
        }
        let engine = self.engine.clone();
        let finish = move |engine: Engine, mut change_set: ChangeSet| async move {
            let stack_id = change_set.stack_id.clone();
            let status = engine
                .kv
                .transact(|tx| Ok::<_, Error>(store::find_stack(tx, &stack_id)?.map(|s| s.status)))
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            change_set.execution_status =
                if status.ends_with("_COMPLETE") && !status.contains("ROLLBACK") {
                    "EXECUTE_COMPLETE"
                } else {
                    "EXECUTE_FAILED"
                }
                .into();
            let _ = engine
                .kv
                .transact(|tx| {
                    store::put_change_set(tx, &change_set);
                    Ok::<_, Error>(())
                })
                .await;
        };
        if creating {
            let stack = next;
            self.run(async move {
                engine.create(stack, ready.prepared).await;
                finish(engine, change_set).await;
            })
            .await;
        } else {
            let mut marked = stack;
            marked.status = "UPDATE_IN_PROGRESS".into();
            let saved = marked.clone();
            self.engine
                .kv
                .transact(|tx| {
                    store::put_stack(tx, &saved);
                    Ok::<_, Error>(())
                })
                .await?;
            self.run(async move {
                engine.update(marked, ready.prepared, next).await;
                finish(engine, change_set).await;
            })
            .await;
        }
        Ok(())
    }

    /// ValidateTemplate's and GetTemplateSummary's view of a template.
    fn summary(&self, body: &str) -> Result<(Value, Value), Error> {
        let template = unkai_template::parse(body)?;
        let expanded = unkai_template::expand_sam(&template)?;
        if !expanded.get("Resources").is_some_and(Value::is_object) {
            return Err(Error::ValidationError(
                "Template format error: At least one Resources member must be defined.".into(),
            ));
        }
        Ok((template, expanded))
    }

    async fn dispatch(
        &self,
        operation: Operation,
        params: &Params,
        context: &Context,
    ) -> Result<Response, Error> {
        let info = self.info();
        let respond = |result: Option<&dyn Fn(&mut Writer)>| {
            query::respond(info, operation.name(), &context.request_id, result)
        };
        match operation {
            Operation::CreateStack => {
                let id = self.create_stack(params, context).await?;
                Ok(respond(Some(&|doc| doc.leaf("StackId", &id))))
            }
            Operation::UpdateStack => {
                let id = self.update_stack(params, context).await?;
                Ok(respond(Some(&|doc| doc.leaf("StackId", &id))))
            }
            Operation::DeleteStack => {
                self.delete_stack(params).await?;
                Ok(respond(None))
            }
            Operation::DescribeStacks => {
                let stacks = match params.get("StackName") {
                    Some(name) => vec![self.find(name).await?],
                    None => self
                        .all_stacks()
                        .await?
                        .into_iter()
                        .filter(|stack| stack.deleted.is_none())
                        .collect(),
                };
                Ok(respond(Some(&|doc| {
                    if stacks.is_empty() {
                        doc.empty("Stacks");
                        return;
                    }
                    doc.open("Stacks");
                    for stack in &stacks {
                        api::write_stack(doc, stack);
                    }
                    doc.close("Stacks");
                })))
            }
            Operation::DescribeStackEvents => {
                let stack = self.find(api::required(params, "StackName")?).await?;
                let events = self.events(&stack).await?;
                let start: usize = params
                    .get("NextToken")
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
                let page: Vec<_> = events.iter().skip(start).take(100).collect();
                let next =
                    (start + page.len() < events.len()).then(|| (start + page.len()).to_string());
                Ok(respond(Some(&|doc| {
                    doc.open("StackEvents");
                    for event in &page {
                        doc.open("member");
                        doc.leaf("StackId", &stack.id);
                        doc.leaf("EventId", &event.id);
                        doc.leaf("StackName", &stack.name);
                        doc.leaf("LogicalResourceId", &event.logical_id);
                        doc.leaf("PhysicalResourceId", &event.physical_id);
                        doc.leaf("ResourceType", &event.resource_type);
                        doc.leaf("Timestamp", &api::timestamp(event.timestamp));
                        doc.leaf("ResourceStatus", &event.status);
                        if let Some(reason) = &event.reason {
                            doc.leaf("ResourceStatusReason", reason);
                        }
                        if let Some(properties) = &event.properties {
                            doc.leaf("ResourceProperties", properties);
                        }
                        doc.close("member");
                    }
                    doc.close("StackEvents");
                    if let Some(next) = &next {
                        doc.leaf("NextToken", next);
                    }
                })))
            }
            Operation::DescribeStackResources => {
                let name = params.get("StackName").ok_or_else(|| {
                    Error::ValidationError(
                        "Either StackName or PhysicalResourceId must be specified.".into(),
                    )
                })?;
                let stack = self.find(name).await?;
                let logical = params.get("LogicalResourceId");
                Ok(respond(Some(&|doc| {
                    doc.open("StackResources");
                    for resource in stack
                        .resources
                        .iter()
                        .filter(|r| logical.is_none_or(|l| l == r.logical_id))
                    {
                        api::write_resource(doc, "member", &stack, resource, false);
                    }
                    doc.close("StackResources");
                })))
            }
            Operation::DescribeStackResource => {
                let stack = self.find(api::required(params, "StackName")?).await?;
                let logical = api::required(params, "LogicalResourceId")?;
                let resource = stack.resource(logical).ok_or_else(|| {
                    Error::ValidationError(format!(
                        "Resource {logical} does not exist for stack {}",
                        stack.name
                    ))
                })?;
                Ok(respond(Some(&|doc| {
                    api::write_resource(doc, "StackResourceDetail", &stack, resource, true);
                })))
            }
            Operation::ListStackResources => {
                let stack = self.find(api::required(params, "StackName")?).await?;
                Ok(respond(Some(&|doc| {
                    doc.open("StackResourceSummaries");
                    for resource in &stack.resources {
                        api::write_resource_summary(doc, resource);
                    }
                    doc.close("StackResourceSummaries");
                })))
            }
            Operation::ListStacks => {
                let filter = api::list(params, "StackStatusFilter");
                let stacks: Vec<Stack> = self
                    .all_stacks()
                    .await?
                    .into_iter()
                    .filter(|stack| filter.is_empty() || filter.contains(&stack.status))
                    .collect();
                Ok(respond(Some(&|doc| {
                    doc.open("StackSummaries");
                    for stack in &stacks {
                        doc.open("member");
                        doc.leaf("StackId", &stack.id);
                        doc.leaf("StackName", &stack.name);
                        if let Some(description) = &stack.description {
                            doc.leaf("TemplateDescription", description);
                        }
                        doc.leaf("CreationTime", &api::timestamp(stack.created));
                        if let Some(updated) = stack.updated {
                            doc.leaf("LastUpdatedTime", &api::timestamp(updated));
                        }
                        if let Some(deleted) = stack.deleted {
                            doc.leaf("DeletionTime", &api::timestamp(deleted));
                        }
                        doc.leaf("StackStatus", &stack.status);
                        if let Some(reason) = &stack.reason {
                            doc.leaf("StackStatusReason", reason);
                        }
                        doc.open("DriftInformation");
                        doc.leaf("StackDriftStatus", "NOT_CHECKED");
                        doc.close("DriftInformation");
                        doc.close("member");
                    }
                    doc.close("StackSummaries");
                })))
            }
            Operation::GetTemplate => {
                let body = match params.get("ChangeSetName") {
                    Some(name) => {
                        self.change_set(name, params.get("StackName"))
                            .await?
                            .template
                    }
                    None => {
                        self.find(api::required(params, "StackName")?)
                            .await?
                            .template
                    }
                };
                let body = if params.get("TemplateStage") == Some("Processed") {
                    let template = unkai_template::parse(&body)?;
                    serde_json::to_string_pretty(&unkai_template::expand_sam(&template)?)
                        .unwrap_or_default()
                } else {
                    body
                };
                Ok(respond(Some(&|doc| {
                    doc.leaf("TemplateBody", &body);
                    doc.open("StagesAvailable");
                    doc.leaf("member", "Original");
                    doc.leaf("member", "Processed");
                    doc.close("StagesAvailable");
                })))
            }
            Operation::ValidateTemplate | Operation::GetTemplateSummary => {
                let body = match (params.get("StackName"), operation) {
                    (Some(name), Operation::GetTemplateSummary) => self.find(name).await?.template,
                    _ => template_body(params)?.to_owned(),
                };
                let (template, expanded) = self.summary(&body)?;
                let declared = template
                    .get("Parameters")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let iam = expanded["Resources"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .any(|(_, r)| {
                        r["Type"]
                            .as_str()
                            .is_some_and(|t| t.starts_with("AWS::IAM::"))
                    });
                let mut types: Vec<String> = expanded["Resources"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter_map(|(_, r)| r["Type"].as_str().map(str::to_owned))
                    .collect();
                types.sort();
                types.dedup();
                let transform = unkai_template::is_sam(&template);
                Ok(respond(Some(&|doc| {
                    doc.open("Parameters");
                    for (key, spec) in &declared {
                        doc.open("member");
                        doc.leaf("ParameterKey", key);
                        if let Some(default) = spec.get("Default") {
                            doc.leaf("DefaultValue", &engine::plain(default));
                        }
                        if operation == Operation::GetTemplateSummary
                            && let Some(kind) = spec.get("Type").and_then(Value::as_str)
                        {
                            doc.leaf("ParameterType", kind);
                        }
                        let no_echo = matches!(spec.get("NoEcho"), Some(Value::Bool(true)))
                            || spec.get("NoEcho").and_then(Value::as_str) == Some("true");
                        doc.leaf("NoEcho", if no_echo { "true" } else { "false" });
                        if let Some(description) = spec.get("Description").and_then(Value::as_str) {
                            doc.leaf("Description", description);
                        }
                        doc.close("member");
                    }
                    doc.close("Parameters");
                    if let Some(description) = template.get("Description").and_then(Value::as_str) {
                        doc.leaf("Description", description);
                    }
                    if iam {
                        doc.open("Capabilities");
                        doc.leaf("member", "CAPABILITY_IAM");
                        doc.close("Capabilities");
                        doc.leaf(
                            "CapabilitiesReason",
                            "The following resource(s) require capabilities: [AWS::IAM::Role]",
                        );
                    } else {
                        doc.empty("Capabilities");
                    }
                    if transform {
                        doc.open("DeclaredTransforms");
                        doc.leaf("member", "AWS::Serverless-2016-10-31");
                        doc.close("DeclaredTransforms");
                    } else {
                        doc.empty("DeclaredTransforms");
                    }
                    if operation == Operation::GetTemplateSummary {
                        doc.open("ResourceTypes");
                        for kind in &types {
                            doc.leaf("member", kind);
                        }
                        doc.close("ResourceTypes");
                        doc.leaf("Version", "2010-09-09");
                    }
                })))
            }
            Operation::CreateChangeSet => {
                let (id, stack_id) = self.create_change_set(params, context).await?;
                Ok(respond(Some(&|doc| {
                    doc.leaf("Id", &id);
                    doc.leaf("StackId", &stack_id);
                })))
            }
            Operation::DescribeChangeSet => {
                let change_set = self
                    .change_set(
                        api::required(params, "ChangeSetName")?,
                        params.get("StackName"),
                    )
                    .await?;
                Ok(respond(Some(&|doc| {
                    api::write_change_set(doc, &change_set)
                })))
            }
            Operation::ExecuteChangeSet => {
                self.execute_change_set(params).await?;
                Ok(respond(Some(&|_| {})))
            }
            Operation::DeleteChangeSet => {
                let change_set = self
                    .change_set(
                        api::required(params, "ChangeSetName")?,
                        params.get("StackName"),
                    )
                    .await?;
                if change_set.execution_status == "EXECUTE_IN_PROGRESS" {
                    return Err(Error::InvalidChangeSetStatus(format!(
                        "Cannot delete ChangeSet {} in status EXECUTE_IN_PROGRESS",
                        change_set.id
                    )));
                }
                self.engine
                    .kv
                    .transact(|tx| {
                        store::delete_change_set(tx, &change_set);
                        Ok::<_, Error>(())
                    })
                    .await?;
                Ok(respond(Some(&|_| {})))
            }
            Operation::ListChangeSets => {
                let stack = self.find(api::required(params, "StackName")?).await?;
                let id = stack.id.clone();
                let change_sets = self
                    .engine
                    .kv
                    .transact(|tx| {
                        let mut found = Vec::new();
                        for pair in tx.range(&store::change_sets(&id), usize::MAX)? {
                            found.push(store::decode_change_set(&pair.0, &pair.1)?);
                        }
                        Ok::<_, Error>(found)
                    })
                    .await?;
                Ok(respond(Some(&|doc| {
                    doc.open("Summaries");
                    for change_set in &change_sets {
                        api::write_change_set_summary(doc, change_set);
                    }
                    doc.close("Summaries");
                })))
            }
            Operation::ListExports => {
                let exports = self
                    .engine
                    .kv
                    .transact(|tx| {
                        let mut found = Vec::new();
                        for pair in tx.range(&store::exports(), usize::MAX)? {
                            found.push(store::decode_export(&pair.0, &pair.1)?);
                        }
                        Ok::<_, Error>(found)
                    })
                    .await?;
                Ok(respond(Some(&|doc| {
                    doc.open("Exports");
                    for export in &exports {
                        doc.open("member");
                        doc.leaf("ExportingStackId", &export.stack_id);
                        doc.leaf("Name", &export.name);
                        doc.leaf("Value", &export.value);
                        doc.close("member");
                    }
                    doc.close("Exports");
                })))
            }
            other => Ok(protocol::error_response(
                info,
                &context.request_id,
                &protocol::not_implemented(info, Some(other.name())),
            )),
        }
    }
}

impl Service for CloudFormation {
    fn info(&self) -> &'static ServiceInfo {
        ServiceId::CloudFormation.info()
    }

    fn knows_operation(&self, operation: &str) -> bool {
        Operation::from_name(operation).is_some()
    }

    fn call(&self, request: Request) -> BoxFuture<'_, Response> {
        Box::pin(async move {
            let params = Params::of(&request);
            let context = &request.context;
            let info = self.info();
            let action = params.action().unwrap_or_default();
            let Some(operation) = Operation::from_name(action) else {
                let error = protocol::unknown_operation(info, action);
                return protocol::error_response(info, &context.request_id, &error);
            };
            match self.dispatch(operation, &params, context).await {
                Ok(response) => response,
                Err(error) => {
                    if let Error::ServiceFailure(cause) = &error {
                        tracing::error!(%cause, operation = operation.name(), "cloudformation request failed");
                    }
                    protocol::error_response(info, &context.request_id, &AwsError::from(&error))
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use unkai_edge::compat;

    use super::*;

    #[test]
    fn compatibility_table_is_current() {
        let table = compat::table(
            ServiceId::CloudFormation.info(),
            Operation::ALL.iter().map(|op| (op.name(), op.support())),
        );
        compat::check_file(
            &unkai_testkit::repo_root(),
            "docs/compat/cloudformation.md",
            &table,
        );
    }

    #[test]
    fn stack_names_follow_cloudformation_pattern() {
        assert!(stack_name_valid("web-backend").is_ok());
        assert!(stack_name_valid("1stack").is_err());
        assert!(stack_name_valid("has_underscore").is_err());
    }
}
