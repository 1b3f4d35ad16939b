//! IAM's wire shapes: the operation list, request parameters, response documents.

use unkai_edge::protocol::query::Params;
use unkai_edge::protocol::xml::Writer;

use crate::Error;
use crate::store::{AccessKey, User};

const NOT_EVALUATED: &str =
    "unkai keeps users and access keys; policies, roles and groups are not evaluated";

unkai_edge::operations! {
    /// Every IAM operation.
    pub enum Operation {
        AcceptDelegationRequest => No(NOT_EVALUATED),
        AddClientIDToOpenIDConnectProvider => No(NOT_EVALUATED),
        AddRoleToInstanceProfile => No(NOT_EVALUATED),
        AddUserToGroup => No(NOT_EVALUATED),
        AssociateDelegationRequest => No(NOT_EVALUATED),
        AttachGroupPolicy => No(NOT_EVALUATED),
        AttachRolePolicy => No(NOT_EVALUATED),
        AttachUserPolicy => No(NOT_EVALUATED),
        ChangePassword => No(NOT_EVALUATED),
        CreateAccessKey => Full,
        CreateAccountAlias => No(NOT_EVALUATED),
        CreateDelegationRequest => No(NOT_EVALUATED),
        CreateGroup => No(NOT_EVALUATED),
        CreateInstanceProfile => No(NOT_EVALUATED),
        CreateLoginProfile => No(NOT_EVALUATED),
        CreateOpenIDConnectProvider => No(NOT_EVALUATED),
        CreatePolicy => No(NOT_EVALUATED),
        CreatePolicyVersion => No(NOT_EVALUATED),
        CreateRole => No(NOT_EVALUATED),
        CreateSAMLProvider => No(NOT_EVALUATED),
        CreateServiceLinkedRole => No(NOT_EVALUATED),
        CreateServiceSpecificCredential => No(NOT_EVALUATED),
        CreateUser => Full,
        CreateVirtualMFADevice => No(NOT_EVALUATED),
        DeactivateMFADevice => No(NOT_EVALUATED),
        DeleteAccessKey => Full,
        DeleteAccountAlias => No(NOT_EVALUATED),
        DeleteAccountPasswordPolicy => No(NOT_EVALUATED),
        DeleteGroup => No(NOT_EVALUATED),
        DeleteGroupPolicy => No(NOT_EVALUATED),
        DeleteInstanceProfile => No(NOT_EVALUATED),
        DeleteLoginProfile => No(NOT_EVALUATED),
        DeleteOpenIDConnectProvider => No(NOT_EVALUATED),
        DeletePolicy => No(NOT_EVALUATED),
        DeletePolicyVersion => No(NOT_EVALUATED),
        DeleteRole => No(NOT_EVALUATED),
        DeleteRolePermissionsBoundary => No(NOT_EVALUATED),
        DeleteRolePolicy => No(NOT_EVALUATED),
        DeleteSAMLProvider => No(NOT_EVALUATED),
        DeleteSSHPublicKey => No(NOT_EVALUATED),
        DeleteServerCertificate => No(NOT_EVALUATED),
        DeleteServiceLinkedRole => No(NOT_EVALUATED),
        DeleteServiceSpecificCredential => No(NOT_EVALUATED),
        DeleteSigningCertificate => No(NOT_EVALUATED),
        DeleteUser => Partial("refuses while access keys exist; other attachments do not exist in unkai"),
        DeleteUserPermissionsBoundary => No(NOT_EVALUATED),
        DeleteUserPolicy => No(NOT_EVALUATED),
        DeleteVirtualMFADevice => No(NOT_EVALUATED),
        DetachGroupPolicy => No(NOT_EVALUATED),
        DetachRolePolicy => No(NOT_EVALUATED),
        DetachUserPolicy => No(NOT_EVALUATED),
        DisableOrganizationsRootCredentialsManagement => No(NOT_EVALUATED),
        DisableOrganizationsRootSessions => No(NOT_EVALUATED),
        DisableOutboundWebIdentityFederation => No(NOT_EVALUATED),
        EnableMFADevice => No(NOT_EVALUATED),
        EnableOrganizationsRootCredentialsManagement => No(NOT_EVALUATED),
        EnableOrganizationsRootSessions => No(NOT_EVALUATED),
        EnableOutboundWebIdentityFederation => No(NOT_EVALUATED),
        GenerateCredentialReport => No(NOT_EVALUATED),
        GenerateOrganizationsAccessReport => No(NOT_EVALUATED),
        GenerateServiceLastAccessedDetails => No(NOT_EVALUATED),
        GetAccessKeyLastUsed => No(NOT_EVALUATED),
        GetAccountAuthorizationDetails => No(NOT_EVALUATED),
        GetAccountPasswordPolicy => No(NOT_EVALUATED),
        GetAccountSummary => No(NOT_EVALUATED),
        GetContextKeysForCustomPolicy => No(NOT_EVALUATED),
        GetContextKeysForPrincipalPolicy => No(NOT_EVALUATED),
        GetCredentialReport => No(NOT_EVALUATED),
        GetDelegationRequest => No(NOT_EVALUATED),
        GetGroup => No(NOT_EVALUATED),
        GetGroupPolicy => No(NOT_EVALUATED),
        GetHumanReadableSummary => No(NOT_EVALUATED),
        GetInstanceProfile => No(NOT_EVALUATED),
        GetLoginProfile => No(NOT_EVALUATED),
        GetMFADevice => No(NOT_EVALUATED),
        GetOpenIDConnectProvider => No(NOT_EVALUATED),
        GetOrganizationsAccessReport => No(NOT_EVALUATED),
        GetOutboundWebIdentityFederationInfo => No(NOT_EVALUATED),
        GetPolicy => No(NOT_EVALUATED),
        GetPolicyVersion => No(NOT_EVALUATED),
        GetRole => No(NOT_EVALUATED),
        GetRolePolicy => No(NOT_EVALUATED),
        GetSAMLProvider => No(NOT_EVALUATED),
        GetSSHPublicKey => No(NOT_EVALUATED),
        GetServerCertificate => No(NOT_EVALUATED),
        GetServiceLastAccessedDetails => No(NOT_EVALUATED),
        GetServiceLastAccessedDetailsWithEntities => No(NOT_EVALUATED),
        GetServiceLinkedRoleDeletionStatus => No(NOT_EVALUATED),
        GetUser => Full,
        GetUserPolicy => No(NOT_EVALUATED),
        ListAccessKeys => Full,
        ListAccountAliases => No(NOT_EVALUATED),
        ListAttachedGroupPolicies => No(NOT_EVALUATED),
        ListAttachedRolePolicies => No(NOT_EVALUATED),
        ListAttachedUserPolicies => No(NOT_EVALUATED),
        ListDelegationRequests => No(NOT_EVALUATED),
        ListEntitiesForPolicy => No(NOT_EVALUATED),
        ListGroupPolicies => No(NOT_EVALUATED),
        ListGroups => No(NOT_EVALUATED),
        ListGroupsForUser => No(NOT_EVALUATED),
        ListInstanceProfileTags => No(NOT_EVALUATED),
        ListInstanceProfiles => No(NOT_EVALUATED),
        ListInstanceProfilesForRole => No(NOT_EVALUATED),
        ListMFADeviceTags => No(NOT_EVALUATED),
        ListMFADevices => No(NOT_EVALUATED),
        ListOpenIDConnectProviderTags => No(NOT_EVALUATED),
        ListOpenIDConnectProviders => No(NOT_EVALUATED),
        ListOrganizationsFeatures => No(NOT_EVALUATED),
        ListPolicies => No(NOT_EVALUATED),
        ListPoliciesGrantingServiceAccess => No(NOT_EVALUATED),
        ListPolicyTags => No(NOT_EVALUATED),
        ListPolicyVersions => No(NOT_EVALUATED),
        ListRolePolicies => No(NOT_EVALUATED),
        ListRoleTags => No(NOT_EVALUATED),
        ListRoles => No(NOT_EVALUATED),
        ListSAMLProviderTags => No(NOT_EVALUATED),
        ListSAMLProviders => No(NOT_EVALUATED),
        ListSSHPublicKeys => No(NOT_EVALUATED),
        ListServerCertificateTags => No(NOT_EVALUATED),
        ListServerCertificates => No(NOT_EVALUATED),
        ListServiceSpecificCredentials => No(NOT_EVALUATED),
        ListSigningCertificates => No(NOT_EVALUATED),
        ListUserPolicies => No(NOT_EVALUATED),
        ListUserTags => No(NOT_EVALUATED),
        ListUsers => Partial("PathPrefix filters; markers are opaque but differ from AWS's"),
        ListVirtualMFADevices => No(NOT_EVALUATED),
        PutGroupPolicy => No(NOT_EVALUATED),
        PutRolePermissionsBoundary => No(NOT_EVALUATED),
        PutRolePolicy => No(NOT_EVALUATED),
        PutUserPermissionsBoundary => No(NOT_EVALUATED),
        PutUserPolicy => No(NOT_EVALUATED),
        RejectDelegationRequest => No(NOT_EVALUATED),
        RemoveClientIDFromOpenIDConnectProvider => No(NOT_EVALUATED),
        RemoveRoleFromInstanceProfile => No(NOT_EVALUATED),
        RemoveUserFromGroup => No(NOT_EVALUATED),
        ResetServiceSpecificCredential => No(NOT_EVALUATED),
        ResyncMFADevice => No(NOT_EVALUATED),
        SendDelegationToken => No(NOT_EVALUATED),
        SetDefaultPolicyVersion => No(NOT_EVALUATED),
        SetSecurityTokenServicePreferences => No(NOT_EVALUATED),
        SimulateCustomPolicy => No(NOT_EVALUATED),
        SimulatePrincipalPolicy => No(NOT_EVALUATED),
        TagInstanceProfile => No(NOT_EVALUATED),
        TagMFADevice => No(NOT_EVALUATED),
        TagOpenIDConnectProvider => No(NOT_EVALUATED),
        TagPolicy => No(NOT_EVALUATED),
        TagRole => No(NOT_EVALUATED),
        TagSAMLProvider => No(NOT_EVALUATED),
        TagServerCertificate => No(NOT_EVALUATED),
        TagUser => No(NOT_EVALUATED),
        UntagInstanceProfile => No(NOT_EVALUATED),
        UntagMFADevice => No(NOT_EVALUATED),
        UntagOpenIDConnectProvider => No(NOT_EVALUATED),
        UntagPolicy => No(NOT_EVALUATED),
        UntagRole => No(NOT_EVALUATED),
        UntagSAMLProvider => No(NOT_EVALUATED),
        UntagServerCertificate => No(NOT_EVALUATED),
        UntagUser => No(NOT_EVALUATED),
        UpdateAccessKey => Full,
        UpdateAccountPasswordPolicy => No(NOT_EVALUATED),
        UpdateAssumeRolePolicy => No(NOT_EVALUATED),
        UpdateDelegationRequest => No(NOT_EVALUATED),
        UpdateGroup => No(NOT_EVALUATED),
        UpdateLoginProfile => No(NOT_EVALUATED),
        UpdateOpenIDConnectProviderThumbprint => No(NOT_EVALUATED),
        UpdateRole => No(NOT_EVALUATED),
        UpdateRoleDescription => No(NOT_EVALUATED),
        UpdateSAMLProvider => No(NOT_EVALUATED),
        UpdateSSHPublicKey => No(NOT_EVALUATED),
        UpdateServerCertificate => No(NOT_EVALUATED),
        UpdateServiceSpecificCredential => No(NOT_EVALUATED),
        UpdateSigningCertificate => No(NOT_EVALUATED),
        UpdateUser => No(NOT_EVALUATED),
        UploadSSHPublicKey => No(NOT_EVALUATED),
        UploadServerCertificate => No(NOT_EVALUATED),
        UploadSigningCertificate => No(NOT_EVALUATED),
    }
}

fn violation(value: Option<&str>, member: &str, constraint: &str) -> Error {
    let value = match value {
        Some(value) => format!("'{value}'"),
        None => "null".into(),
    };
    Error::ValidationError(format!(
        "1 validation error detected: Value {value} at '{member}' failed to satisfy constraint: \
         Member must {constraint}"
    ))
}

/// A required parameter.
pub(crate) fn required<'a>(params: &'a Params, name: &str, member: &str) -> Result<&'a str, Error> {
    params
        .get(name)
        .ok_or_else(|| violation(None, member, "not be null"))
}

/// A name: 1 to `max` characters of `[\w+=,.@-]`.
pub(crate) fn name(value: &str, member: &str, max: usize) -> Result<String, Error> {
    if value.is_empty() {
        return Err(violation(
            Some(value),
            member,
            "have length greater than or equal to 1",
        ));
    }
    if value.chars().count() > max {
        return Err(violation(
            Some(value),
            member,
            &format!("have length less than or equal to {max}"),
        ));
    }
    let allowed = |c: char| c.is_alphanumeric() || "_+=,.@-".contains(c);
    if !value.chars().all(allowed) {
        return Err(violation(
            Some(value),
            member,
            r"satisfy regular expression pattern: [\w+=,.@-]+",
        ));
    }
    Ok(value.to_string())
}

/// An optional user name (up to 128 characters, as in GetUser).
pub(crate) fn optional_user(params: &Params) -> Result<Option<String>, Error> {
    params
        .get("UserName")
        .map(|value| name(value, "userName", 128))
        .transpose()
}

/// A path: `/`, or `/` + printable ASCII + `/`, up to 512 characters.
pub(crate) fn path(value: &str, member: &str) -> Result<String, Error> {
    let valid = value == "/"
        || (value.len() >= 2
            && value.starts_with('/')
            && value.ends_with('/')
            && value.bytes().all(|b| (0x21..=0x7E).contains(&b)));
    if value.len() > 512 {
        return Err(violation(
            Some(value),
            member,
            "have length less than or equal to 512",
        ));
    }
    if !valid {
        return Err(violation(
            Some(value),
            member,
            r"satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)",
        ));
    }
    Ok(value.to_string())
}

/// `MaxItems`, 1 to 1000, 100 when absent.
pub(crate) fn max_items(params: &Params) -> Result<usize, Error> {
    let Some(text) = params.get("MaxItems") else {
        return Ok(100);
    };
    let value: i64 = text
        .parse()
        .map_err(|_| violation(Some(text), "maxItems", "be a number"))?;
    if value < 1 {
        return Err(violation(
            Some(text),
            "maxItems",
            "have value greater than or equal to 1",
        ));
    }
    if value > 1000 {
        return Err(violation(
            Some(text),
            "maxItems",
            "have value less than or equal to 1000",
        ));
    }
    Ok(value as usize)
}

/// An access key id: 16 to 128 word characters.
pub(crate) fn access_key_id(params: &Params) -> Result<String, Error> {
    let value = required(params, "AccessKeyId", "accessKeyId")?;
    if value.len() < 16 {
        return Err(violation(
            Some(value),
            "accessKeyId",
            "have length greater than or equal to 16",
        ));
    }
    if value.len() > 128 {
        return Err(violation(
            Some(value),
            "accessKeyId",
            "have length less than or equal to 128",
        ));
    }
    if !value.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Err(violation(
            Some(value),
            "accessKeyId",
            r"satisfy regular expression pattern: [\w]+",
        ));
    }
    Ok(value.to_string())
}

/// `Status`: `Active` or `Inactive`.
pub(crate) fn status(params: &Params) -> Result<bool, Error> {
    match required(params, "Status", "status")? {
        "Active" => Ok(true),
        "Inactive" => Ok(false),
        other => Err(violation(
            Some(other),
            "status",
            "satisfy enum value set: [Active, Inactive]",
        )),
    }
}

pub(crate) fn write_user(doc: &mut Writer, element: &str, user: &User, account: &str) {
    doc.open(element);
    doc.leaf("Path", &user.path);
    doc.leaf("UserName", &user.name);
    doc.leaf("UserId", &user.id);
    doc.leaf("Arn", &user.arn(account));
    doc.leaf("CreateDate", &unkai_types::iso8601(user.created));
    doc.close(element);
}

pub(crate) fn write_key_metadata(doc: &mut Writer, key: &AccessKey) {
    doc.open("member");
    doc.leaf("UserName", &key.user);
    doc.leaf("AccessKeyId", &key.id);
    doc.leaf("Status", if key.active { "Active" } else { "Inactive" });
    doc.leaf("CreateDate", &unkai_types::iso8601(key.created));
    doc.close("member");
}

pub(crate) fn write_page(doc: &mut Writer, marker: Option<&str>) {
    doc.leaf(
        "IsTruncated",
        if marker.is_some() { "true" } else { "false" },
    );
    if let Some(marker) = marker {
        doc.leaf("Marker", marker);
    }
}
