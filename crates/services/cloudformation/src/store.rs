//! CloudFormation's keyspace.
//!
//! | key | value |
//! |---|---|
//! | `CloudFormation, "live", name` | the id of the stack of that name that is not deleted |
//! | `CloudFormation, "stack", id` | [`Stack`] (deleted stacks stay, for `ListStacks`) |
//! | `CloudFormation, "event", id, stamp` | [`Event`], in commit order |
//! | `CloudFormation, "changeset", stack id, name` | [`ChangeSet`] |
//! | `CloudFormation, "changeset-id", change set id` | the id of its stack |
//! | `CloudFormation, "export", name` | [`Export`] |

use serde::{Deserialize, Serialize};
use unkai_store::record::{self, Record};
use unkai_store::{KeyRange, Result, Space, Tx, tuple};
use unkai_types::Caller;

/// Who created a stack; provisioning acts as them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    /// The account.
    pub account: String,
    /// The caller's ARN.
    pub arn: String,
    /// The caller's unique id.
    pub user_id: String,
    /// The access key the request was signed with.
    pub access_key_id: String,
}

impl From<&Caller> for Owner {
    fn from(caller: &Caller) -> Self {
        Self {
            account: caller.account.clone(),
            arn: caller.arn.clone(),
            user_id: caller.user_id.clone(),
            access_key_id: caller.access_key_id.clone(),
        }
    }
}

impl Owner {
    /// The caller provisioning acts as.
    pub fn caller(&self) -> Caller {
        Caller {
            account: self.account.clone(),
            arn: self.arn.clone(),
            user_id: self.user_id.clone(),
            access_key_id: self.access_key_id.clone(),
        }
    }
}

/// One resource of a stack as it exists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// The template's name for it.
    pub logical_id: String,
    /// `AWS::Lambda::Function`.
    pub resource_type: String,
    /// What `Ref` returns: the name or id the service gave it.
    pub physical_id: String,
    /// `Fn::GetAtt` attributes, as a JSON object.
    pub attributes: String,
    /// The properties it was last created or updated with, resolved, as JSON.
    pub properties: String,
    /// `CREATE_COMPLETE`, `UPDATE_COMPLETE`, …
    pub status: String,
    /// Why, for failures.
    pub reason: Option<String>,
    /// When the status last changed, milliseconds since the epoch.
    pub updated: u64,
    /// `Retain` keeps it when the stack or the resource goes away.
    pub deletion_policy: Option<String>,
}

/// A parameter value as given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    /// The name.
    pub key: String,
    /// The value.
    pub value: String,
}

/// A resolved output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// The output's name.
    pub key: String,
    /// Its value.
    pub value: String,
    /// Its description.
    pub description: Option<String>,
    /// The export it is published as.
    pub export: Option<String>,
}

/// A stack.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stack {
    /// `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`.
    pub id: String,
    /// The name.
    pub name: String,
    /// `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, …
    pub status: String,
    /// Why it has its status.
    pub reason: Option<String>,
    /// The template's `Description`.
    pub description: Option<String>,
    /// The template as submitted.
    pub template: String,
    /// Parameter values: the resolved values of every declared parameter.
    pub parameters: Vec<Parameter>,
    /// Parameters declared `NoEcho`.
    pub no_echo: Vec<String>,
    /// Acknowledged capabilities.
    pub capabilities: Vec<String>,
    /// Stack tags.
    pub tags: Vec<Parameter>,
    /// Outputs, resolved once the stack is complete.
    pub outputs: Vec<Output>,
    /// Resources, in the order they were created.
    pub resources: Vec<Resource>,
    /// Whether a failure leaves the resources as they are instead of rolling back.
    pub disable_rollback: bool,
    /// Who created it.
    pub owner: Owner,
    /// Creation time, milliseconds since the epoch.
    pub created: u64,
    /// Last update, milliseconds since the epoch.
    pub updated: Option<u64>,
    /// Deletion time, milliseconds since the epoch.
    pub deleted: Option<u64>,
    /// The change set that created it, when a `CREATE` change set did (the stack is in
    /// `REVIEW_IN_PROGRESS` until it runs).
    pub change_set: Option<String>,
}

impl Record for Stack {
    const VERSION: u8 = 1;
}

impl Stack {
    /// The resource `logical_id`.
    pub fn resource(&self, logical_id: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|resource| resource.logical_id == logical_id)
    }
}

/// One stack event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique id.
    pub id: String,
    /// The resource's logical id (the stack's name for the stack itself).
    pub logical_id: String,
    /// Its physical id (the stack id for the stack itself).
    pub physical_id: String,
    /// `AWS::CloudFormation::Stack` for the stack itself.
    pub resource_type: String,
    /// The status reached.
    pub status: String,
    /// Why.
    pub reason: Option<String>,
    /// The properties, as JSON, when a resource operation began.
    pub properties: Option<String>,
    /// Milliseconds since the epoch.
    pub timestamp: u64,
}

impl Record for Event {
    const VERSION: u8 = 1;
}

/// One change a change set would make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// `Add`, `Modify` or `Remove`.
    pub action: String,
    /// The logical id.
    pub logical_id: String,
    /// The physical id, for existing resources.
    pub physical_id: Option<String>,
    /// The type.
    pub resource_type: String,
    /// For `Modify`: `True` when the resource will be replaced, else `False`.
    pub replacement: Option<String>,
}

/// A change set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    /// `arn:aws:cloudformation:<region>:<account>:changeSet/<name>/<uuid>`.
    pub id: String,
    /// The name.
    pub name: String,
    /// The stack's id.
    pub stack_id: String,
    /// The stack's name.
    pub stack_name: String,
    /// `CREATE` or `UPDATE`.
    pub kind: String,
    /// `CREATE_COMPLETE` or `FAILED`.
    pub status: String,
    /// Why it failed.
    pub reason: Option<String>,
    /// `AVAILABLE`, `UNAVAILABLE`, `EXECUTE_IN_PROGRESS`, `EXECUTE_COMPLETE`, `OBSOLETE`.
    pub execution_status: String,
    /// The description given.
    pub description: Option<String>,
    /// The template it would deploy.
    pub template: String,
    /// The parameter values it would deploy with.
    pub parameters: Vec<Parameter>,
    /// Acknowledged capabilities.
    pub capabilities: Vec<String>,
    /// Stack tags.
    pub tags: Vec<Parameter>,
    /// What it would change.
    pub changes: Vec<Change>,
    /// Milliseconds since the epoch.
    pub created: u64,
}

impl Record for ChangeSet {
    const VERSION: u8 = 1;
}

/// A stack's exported output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// The export's name.
    pub name: String,
    /// Its value.
    pub value: String,
    /// The stack that exports it.
    pub stack_id: String,
}

impl Record for Export {
    const VERSION: u8 = 1;
}

fn get<R: Record>(tx: &mut Tx, key: Vec<u8>) -> Result<Option<R>> {
    tx.get(&key)?
        .map(|bytes| record::decode(&key, &bytes))
        .transpose()
}

fn live_key(name: &str) -> Vec<u8> {
    tuple::key(Space::CloudFormation)
        .str("live")
        .str(name)
        .finish()
}

fn stack_key(id: &str) -> Vec<u8> {
    tuple::key(Space::CloudFormation)
        .str("stack")
        .str(id)
        .finish()
}

/// The stack named `name_or_id` (a name finds the live stack; an id finds deleted ones too).
pub(crate) fn find_stack(tx: &mut Tx, name_or_id: &str) -> Result<Option<Stack>> {
    if name_or_id.starts_with("arn:") {
        return get(tx, stack_key(name_or_id));
    }
    match tx.get(&live_key(name_or_id))? {
        Some(id) => get(tx, stack_key(&String::from_utf8_lossy(&id))),
        None => Ok(None),
    }
}

/// Writes `stack`; a deleted stack gives up its name.
pub(crate) fn put_stack(tx: &mut Tx, stack: &Stack) {
    if stack.deleted.is_some() {
        tx.clear(live_key(&stack.name));
    } else {
        tx.set(live_key(&stack.name), stack.id.as_bytes().to_vec());
    }
    tx.set(stack_key(&stack.id), record::encode(stack));
}

/// Every stack, deleted ones included, by id.
pub(crate) fn stacks() -> KeyRange {
    tuple::key(Space::CloudFormation).str("stack").range()
}

pub(crate) fn decode_stack(key: &[u8], bytes: &[u8]) -> Result<Stack> {
    record::decode(key, bytes)
}

/// Appends an event to the stack's history.
pub(crate) fn add_event(tx: &mut Tx, stack_id: &str, event: &Event) {
    let prefix = tuple::key(Space::CloudFormation)
        .str("event")
        .str(stack_id)
        .finish();
    tx.append(prefix, record::encode(event));
}

/// The stack's events, oldest first.
pub(crate) fn events(stack_id: &str) -> KeyRange {
    tuple::key(Space::CloudFormation)
        .str("event")
        .str(stack_id)
        .range()
}

pub(crate) fn decode_event(key: &[u8], bytes: &[u8]) -> Result<Event> {
    record::decode(key, bytes)
}

fn change_set_key(stack_id: &str, name: &str) -> Vec<u8> {
    tuple::key(Space::CloudFormation)
        .str("changeset")
        .str(stack_id)
        .str(name)
        .finish()
}

pub(crate) fn get_change_set(tx: &mut Tx, stack_id: &str, name: &str) -> Result<Option<ChangeSet>> {
    get(tx, change_set_key(stack_id, name))
}

fn change_set_id_key(id: &str) -> Vec<u8> {
    tuple::key(Space::CloudFormation)
        .str("changeset-id")
        .str(id)
        .finish()
}

/// The change set with this ARN.
pub(crate) fn change_set_by_id(tx: &mut Tx, id: &str) -> Result<Option<ChangeSet>> {
    match tx.get(&change_set_id_key(id))? {
        Some(stack_id) => {
            let stack_id = String::from_utf8_lossy(&stack_id).into_owned();
            let name = id.split('/').nth(1).unwrap_or_default().to_owned();
            get_change_set(tx, &stack_id, &name)
        }
        None => Ok(None),
    }
}

pub(crate) fn put_change_set(tx: &mut Tx, change_set: &ChangeSet) {
    tx.set(
        change_set_id_key(&change_set.id),
        change_set.stack_id.as_bytes().to_vec(),
    );
    tx.set(
        change_set_key(&change_set.stack_id, &change_set.name),
        record::encode(change_set),
    );
}

pub(crate) fn delete_change_set(tx: &mut Tx, change_set: &ChangeSet) {
    tx.clear(change_set_id_key(&change_set.id));
    tx.clear(change_set_key(&change_set.stack_id, &change_set.name));
}

/// The stack's change sets, by name.
pub(crate) fn change_sets(stack_id: &str) -> KeyRange {
    tuple::key(Space::CloudFormation)
        .str("changeset")
        .str(stack_id)
        .range()
}

pub(crate) fn decode_change_set(key: &[u8], bytes: &[u8]) -> Result<ChangeSet> {
    record::decode(key, bytes)
}

fn export_key(name: &str) -> Vec<u8> {
    tuple::key(Space::CloudFormation)
        .str("export")
        .str(name)
        .finish()
}

pub(crate) fn get_export(tx: &mut Tx, name: &str) -> Result<Option<Export>> {
    get(tx, export_key(name))
}

pub(crate) fn put_export(tx: &mut Tx, export: &Export) {
    tx.set(export_key(&export.name), record::encode(export));
}

pub(crate) fn delete_export(tx: &mut Tx, name: &str) {
    tx.clear(export_key(name));
}

/// Every export, by name.
pub(crate) fn exports() -> KeyRange {
    tuple::key(Space::CloudFormation).str("export").range()
}

pub(crate) fn decode_export(key: &[u8], bytes: &[u8]) -> Result<Export> {
    record::decode(key, bytes)
}
