//! CloudFormation's wire shapes: the operation list, awsQuery parameters in, XML out.

use unkai_edge::protocol::query::Params;
use unkai_edge::protocol::xml::Writer;

use crate::Error;
use crate::store::{ChangeSet, Parameter, Resource, Stack};

const LATER: &str = "a later issue";
const NOT_LOCAL: &str = "stack sets, registries, drift, scans and refactors are organisation- or registry-wide features";

unkai_edge::operations! {
    /// Every CloudFormation operation.
    pub enum Operation {
        ActivateOrganizationsAccess => Planned(NOT_LOCAL),
        ActivateType => Planned(NOT_LOCAL),
        BatchDescribeTypeConfigurations => Planned(NOT_LOCAL),
        CancelUpdateStack => Planned(LATER),
        ContinueUpdateRollback => Planned(LATER),
        CreateChangeSet => Partial("CREATE and UPDATE change sets; the change set is computed at once (CREATE_COMPLETE immediately)"),
        CreateGeneratedTemplate => Planned(NOT_LOCAL),
        CreateStack => Partial("TemplateBody only (no TemplateURL); rollback triggers, notifications, stack policies and timeouts are not supported; answers once the stack settles or after a few seconds"),
        CreateStackInstances => Planned(LATER),
        CreateStackRefactor => Planned(NOT_LOCAL),
        CreateStackSet => Planned(NOT_LOCAL),
        DeactivateOrganizationsAccess => Planned(NOT_LOCAL),
        DeactivateType => Planned(NOT_LOCAL),
        DeleteChangeSet => Full,
        DeleteGeneratedTemplate => Planned(NOT_LOCAL),
        DeleteStack => Partial("RetainResources and RoleARN are ignored; answers once the stack settles or after a few seconds"),
        DeleteStackInstances => Planned(LATER),
        DeleteStackSet => Planned(NOT_LOCAL),
        DeregisterType => Planned(NOT_LOCAL),
        DescribeAccountLimits => Planned(LATER),
        DescribeChangeSet => Full,
        DescribeChangeSetHooks => Planned(NOT_LOCAL),
        DescribeEvents => Planned(LATER),
        DescribeGeneratedTemplate => Planned(NOT_LOCAL),
        DescribeOrganizationsAccess => Planned(NOT_LOCAL),
        DescribePublisher => Planned(NOT_LOCAL),
        DescribeResourceScan => Planned(NOT_LOCAL),
        DescribeStackDriftDetectionStatus => Planned(NOT_LOCAL),
        DescribeStackEvents => Full,
        DescribeStackInstance => Planned(LATER),
        DescribeStackRefactor => Planned(NOT_LOCAL),
        DescribeStackResource => Full,
        DescribeStackResourceDrifts => Planned(NOT_LOCAL),
        DescribeStackResources => Full,
        DescribeStackSet => Planned(NOT_LOCAL),
        DescribeStackSetOperation => Planned(NOT_LOCAL),
        DescribeStacks => Full,
        DescribeType => Planned(NOT_LOCAL),
        DescribeTypeRegistration => Planned(NOT_LOCAL),
        DetectStackDrift => Planned(NOT_LOCAL),
        DetectStackResourceDrift => Planned(NOT_LOCAL),
        DetectStackSetDrift => Planned(NOT_LOCAL),
        EstimateTemplateCost => Planned(LATER),
        ExecuteChangeSet => Partial("answers once the stack settles or after a few seconds"),
        ExecuteStackRefactor => Planned(NOT_LOCAL),
        GetGeneratedTemplate => Planned(NOT_LOCAL),
        GetHookResult => Planned(NOT_LOCAL),
        GetStackPolicy => Planned(LATER),
        GetTemplate => Full,
        GetTemplateSummary => Partial("TemplateBody or StackName; resource types and parameters"),
        ImportStacksToStackSet => Planned(NOT_LOCAL),
        ListChangeSets => Full,
        ListExports => Full,
        ListGeneratedTemplates => Planned(NOT_LOCAL),
        ListHookResults => Planned(NOT_LOCAL),
        ListImports => Planned(LATER),
        ListResourceScanRelatedResources => Planned(NOT_LOCAL),
        ListResourceScanResources => Planned(NOT_LOCAL),
        ListResourceScans => Planned(NOT_LOCAL),
        ListStackInstanceResourceDrifts => Planned(NOT_LOCAL),
        ListStackInstances => Planned(LATER),
        ListStackRefactorActions => Planned(NOT_LOCAL),
        ListStackRefactors => Planned(NOT_LOCAL),
        ListStackResources => Full,
        ListStackSetAutoDeploymentTargets => Planned(NOT_LOCAL),
        ListStackSetOperationResults => Planned(NOT_LOCAL),
        ListStackSetOperations => Planned(NOT_LOCAL),
        ListStackSets => Planned(NOT_LOCAL),
        ListStacks => Full,
        ListTypeRegistrations => Planned(NOT_LOCAL),
        ListTypeVersions => Planned(NOT_LOCAL),
        ListTypes => Planned(NOT_LOCAL),
        PublishType => Planned(NOT_LOCAL),
        RecordHandlerProgress => Planned(LATER),
        RegisterPublisher => Planned(NOT_LOCAL),
        RegisterType => Planned(NOT_LOCAL),
        RollbackStack => Planned(LATER),
        SetStackPolicy => Planned(LATER),
        SetTypeConfiguration => Planned(NOT_LOCAL),
        SetTypeDefaultVersion => Planned(NOT_LOCAL),
        SignalResource => Planned(LATER),
        StartResourceScan => Planned(NOT_LOCAL),
        StopStackSetOperation => Planned(NOT_LOCAL),
        TestType => Planned(NOT_LOCAL),
        UpdateGeneratedTemplate => Planned(NOT_LOCAL),
        UpdateStack => Partial("TemplateBody or UsePreviousTemplate; answers once the stack settles or after a few seconds"),
        UpdateStackInstances => Planned(LATER),
        UpdateStackSet => Planned(NOT_LOCAL),
        UpdateTerminationProtection => Planned(LATER),
        ValidateTemplate => Partial("TemplateBody only"),    }
}

/// A required parameter.
pub(crate) fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, Error> {
    params.get(name).ok_or_else(|| {
        let member = lower_first(name);
        Error::ValidationError(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
             Member must not be null"
        ))
    })
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The members of an awsQuery list: `Name.member.1`, `Name.member.2`, …
pub(crate) fn list(params: &Params, name: &str) -> Vec<String> {
    (1..)
        .map_while(|index| params.get(&format!("{name}.member.{index}")))
        .map(str::to_owned)
        .collect()
}

/// A list of structures: for each index, the value of `field`.
fn structures<'a>(params: &'a Params, name: &str, field: &str, index: usize) -> Option<&'a str> {
    params.get(&format!("{name}.member.{index}.{field}"))
}

/// A parameter value given to CreateStack, UpdateStack or CreateChangeSet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GivenParameter {
    pub key: String,
    pub value: Option<String>,
    pub use_previous: bool,
}

/// `Parameters.member.N.ParameterKey/ParameterValue/UsePreviousValue`.
pub(crate) fn parameters(params: &Params) -> Vec<GivenParameter> {
    (1..)
        .map_while(|index| {
            let key = structures(params, "Parameters", "ParameterKey", index)?;
            Some(GivenParameter {
                key: key.to_owned(),
                value: structures(params, "Parameters", "ParameterValue", index).map(str::to_owned),
                use_previous: structures(params, "Parameters", "UsePreviousValue", index)
                    == Some("true"),
            })
        })
        .collect()
}

/// `Tags.member.N.Key/Value`.
pub(crate) fn tags(params: &Params) -> Vec<Parameter> {
    (1..)
        .map_while(|index| {
            Some(Parameter {
                key: structures(params, "Tags", "Key", index)?.to_owned(),
                value: structures(params, "Tags", "Value", index)
                    .unwrap_or_default()
                    .to_owned(),
            })
        })
        .collect()
}

/// A timestamp as CloudFormation writes them (`2024-05-01T12:00:00.123Z`).
pub(crate) fn timestamp(millis: u64) -> String {
    let seconds = unkai_types::iso8601(millis / 1000);
    format!("{}.{:03}Z", seconds.trim_end_matches('Z'), millis % 1000)
}

fn list_of(doc: &mut Writer, name: &str, items: &[impl AsRef<str>]) {
    if items.is_empty() {
        doc.empty(name);
        return;
    }
    doc.open(name);
    for item in items {
        doc.leaf("member", item.as_ref());
    }
    doc.close(name);
}

fn parameter_list(doc: &mut Writer, parameters: &[Parameter], no_echo: &[String]) {
    if parameters.is_empty() {
        doc.empty("Parameters");
        return;
    }
    doc.open("Parameters");
    for parameter in parameters {
        doc.open("member");
        doc.leaf("ParameterKey", &parameter.key);
        let value = if no_echo.contains(&parameter.key) {
            "****"
        } else {
            &parameter.value
        };
        doc.leaf("ParameterValue", value);
        doc.close("member");
    }
    doc.close("Parameters");
}

fn tag_list(doc: &mut Writer, tags: &[Parameter]) {
    if tags.is_empty() {
        doc.empty("Tags");
        return;
    }
    doc.open("Tags");
    for tag in tags {
        doc.open("member");
        doc.leaf("Key", &tag.key);
        doc.leaf("Value", &tag.value);
        doc.close("member");
    }
    doc.close("Tags");
}

/// One `Stack` of DescribeStacks.
pub(crate) fn write_stack(doc: &mut Writer, stack: &Stack) {
    doc.open("member");
    doc.leaf("StackId", &stack.id);
    doc.leaf("StackName", &stack.name);
    if let Some(change_set) = &stack.change_set {
        doc.leaf("ChangeSetId", change_set);
    }
    if let Some(description) = &stack.description {
        doc.leaf("Description", description);
    }
    parameter_list(doc, &stack.parameters, &stack.no_echo);
    doc.leaf("CreationTime", &timestamp(stack.created));
    if let Some(updated) = stack.updated {
        doc.leaf("LastUpdatedTime", &timestamp(updated));
    }
    if let Some(deleted) = stack.deleted {
        doc.leaf("DeletionTime", &timestamp(deleted));
    }
    doc.leaf("StackStatus", &stack.status);
    if let Some(reason) = &stack.reason {
        doc.leaf("StackStatusReason", reason);
    }
    doc.leaf(
        "DisableRollback",
        if stack.disable_rollback {
            "true"
        } else {
            "false"
        },
    );
    doc.empty("NotificationARNs");
    list_of(doc, "Capabilities", &stack.capabilities);
    if stack.outputs.is_empty() {
        doc.empty("Outputs");
    } else {
        doc.open("Outputs");
        for output in &stack.outputs {
            doc.open("member");
            doc.leaf("OutputKey", &output.key);
            doc.leaf("OutputValue", &output.value);
            if let Some(description) = &output.description {
                doc.leaf("Description", description);
            }
            if let Some(export) = &output.export {
                doc.leaf("ExportName", export);
            }
            doc.close("member");
        }
        doc.close("Outputs");
    }
    tag_list(doc, &stack.tags);
    doc.leaf("EnableTerminationProtection", "false");
    doc.open("DriftInformation");
    doc.leaf("StackDriftStatus", "NOT_CHECKED");
    doc.close("DriftInformation");
    doc.close("member");
}

/// One resource of DescribeStackResources (`detail` adds DescribeStackResource's members).
pub(crate) fn write_resource(
    doc: &mut Writer,
    element: &str,
    stack: &Stack,
    resource: &Resource,
    detail: bool,
) {
    doc.open(element);
    doc.leaf("StackName", &stack.name);
    doc.leaf("StackId", &stack.id);
    doc.leaf("LogicalResourceId", &resource.logical_id);
    doc.leaf("PhysicalResourceId", &resource.physical_id);
    doc.leaf("ResourceType", &resource.resource_type);
    let time = timestamp(resource.updated);
    doc.leaf(
        if detail {
            "LastUpdatedTimestamp"
        } else {
            "Timestamp"
        },
        &time,
    );
    doc.leaf("ResourceStatus", &resource.status);
    if let Some(reason) = &resource.reason {
        doc.leaf("ResourceStatusReason", reason);
    }
    if detail {
        doc.leaf("Metadata", "{}");
    }
    doc.open("DriftInformation");
    doc.leaf("StackResourceDriftStatus", "NOT_CHECKED");
    doc.close("DriftInformation");
    doc.close(element);
}

/// One summary of ListStackResources.
pub(crate) fn write_resource_summary(doc: &mut Writer, resource: &Resource) {
    doc.open("member");
    doc.leaf("LogicalResourceId", &resource.logical_id);
    doc.leaf("PhysicalResourceId", &resource.physical_id);
    doc.leaf("ResourceType", &resource.resource_type);
    doc.leaf("LastUpdatedTimestamp", &timestamp(resource.updated));
    doc.leaf("ResourceStatus", &resource.status);
    if let Some(reason) = &resource.reason {
        doc.leaf("ResourceStatusReason", reason);
    }
    doc.open("DriftInformation");
    doc.leaf("StackResourceDriftStatus", "NOT_CHECKED");
    doc.close("DriftInformation");
    doc.close("member");
}

/// DescribeChangeSet's members.
pub(crate) fn write_change_set(doc: &mut Writer, change_set: &ChangeSet) {
    doc.leaf("ChangeSetName", &change_set.name);
    doc.leaf("ChangeSetId", &change_set.id);
    doc.leaf("StackId", &change_set.stack_id);
    doc.leaf("StackName", &change_set.stack_name);
    if let Some(description) = &change_set.description {
        doc.leaf("Description", description);
    }
    parameter_list(doc, &change_set.parameters, &[]);
    doc.leaf("CreationTime", &timestamp(change_set.created));
    doc.leaf("ExecutionStatus", &change_set.execution_status);
    doc.leaf("Status", &change_set.status);
    if let Some(reason) = &change_set.reason {
        doc.leaf("StatusReason", reason);
    }
    doc.empty("NotificationARNs");
    list_of(doc, "Capabilities", &change_set.capabilities);
    tag_list(doc, &change_set.tags);
    if change_set.changes.is_empty() {
        doc.empty("Changes");
    } else {
        doc.open("Changes");
        for change in &change_set.changes {
            doc.open("member");
            doc.leaf("Type", "Resource");
            doc.open("ResourceChange");
            doc.leaf("Action", &change.action);
            doc.leaf("LogicalResourceId", &change.logical_id);
            if let Some(physical) = &change.physical_id {
                doc.leaf("PhysicalResourceId", physical);
            }
            doc.leaf("ResourceType", &change.resource_type);
            if let Some(replacement) = &change.replacement {
                doc.leaf("Replacement", replacement);
            }
            doc.empty("Scope");
            doc.empty("Details");
            doc.close("ResourceChange");
            doc.close("member");
        }
        doc.close("Changes");
    }
    doc.leaf("IncludeNestedStacks", "false");
}

/// One summary of ListChangeSets.
pub(crate) fn write_change_set_summary(doc: &mut Writer, change_set: &ChangeSet) {
    doc.open("member");
    doc.leaf("StackId", &change_set.stack_id);
    doc.leaf("StackName", &change_set.stack_name);
    doc.leaf("ChangeSetId", &change_set.id);
    doc.leaf("ChangeSetName", &change_set.name);
    doc.leaf("ExecutionStatus", &change_set.execution_status);
    doc.leaf("Status", &change_set.status);
    if let Some(reason) = &change_set.reason {
        doc.leaf("StatusReason", reason);
    }
    doc.leaf("CreationTime", &timestamp(change_set.created));
    if let Some(description) = &change_set.description {
        doc.leaf("Description", description);
    }
    doc.close("member");
}
