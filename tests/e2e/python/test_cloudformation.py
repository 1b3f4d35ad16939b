"""CloudFormation with boto3, the AWS CLI and `unkai deploy`: stacks created, updated and
deleted from CloudFormation and SAM templates, with their events, resources, outputs and
exports; change sets (what `aws cloudformation deploy` uses); rollback when a resource fails;
updates that replace only what changed; and the errors unkai sends (code, status, message).
"""

import json
import os
import subprocess
import time
import uuid

import pytest
from botocore.exceptions import ClientError
from conftest import call

FAST = {"Delay": 1, "MaxAttempts": 60}

TABLE_AND_LOGS = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "a table and a log group",
    "Parameters": {"Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"]}},
    "Resources": {
        "Items": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        },
        "Logs": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": "/app/${AWS::StackName}-${Env}"}},
        },
    },
    "Outputs": {
        "TableName": {"Value": {"Ref": "Items"}},
        "TableArn": {
            "Value": {"Fn::GetAtt": ["Items", "Arn"]},
            "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-table-arn"}},
        },
        "LogGroup": {"Value": {"Ref": "Logs"}},
    },
}


def name(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def code_of(error):
    return error.value.response["Error"]["Code"], error.value.response["Error"]["Message"]


def settled(cfn, stack):
    """Waits for the stack to leave *_IN_PROGRESS and returns its status."""
    for _ in range(300):
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.1)
    raise AssertionError(f"{stack} is still {status}")


def outputs(cfn, stack):
    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def test_a_stack_is_created_described_and_deleted(client):
    cfn, ddb, logs = client("cloudformation"), client("dynamodb"), client("logs")
    stack = name("tables")
    stack_id = cfn.create_stack(StackName=stack, TemplateBody=json.dumps(TABLE_AND_LOGS))[
        "StackId"
    ]
    assert stack_id.startswith(f"arn:aws:cloudformation:us-east-1:000000000000:stack/{stack}/")
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig=FAST)

    described = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["StackStatus"] == "CREATE_COMPLETE"
    assert described["Description"] == "a table and a log group"
    assert described["Parameters"] == [{"ParameterKey": "Env", "ParameterValue": "dev"}]
    out = outputs(cfn, stack)
    assert out["TableName"].startswith(f"{stack}-Items-")
    assert ddb.describe_table(TableName=out["TableName"])["Table"]["TableArn"] == out["TableArn"]
    assert out["LogGroup"] == f"/app/{stack}-dev"
    assert logs.describe_log_groups(logGroupNamePrefix=out["LogGroup"])["logGroups"]

    resources = cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]
    assert sorted((r["LogicalResourceId"], r["ResourceStatus"]) for r in resources) == [
        ("Items", "CREATE_COMPLETE"),
        ("Logs", "CREATE_COMPLETE"),
    ]
    detail = cfn.describe_stack_resource(StackName=stack, LogicalResourceId="Items")
    assert detail["StackResourceDetail"]["PhysicalResourceId"] == out["TableName"]
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    assert events[0]["ResourceStatus"] == "CREATE_COMPLETE"
    assert events[0]["LogicalResourceId"] == stack
    assert [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == "Items"] == [
        "CREATE_COMPLETE",
        "CREATE_IN_PROGRESS",
    ]
    exports = {e["Name"]: e for e in cfn.list_exports()["Exports"]}
    assert exports[f"{stack}-table-arn"]["Value"] == out["TableArn"]
    assert exports[f"{stack}-table-arn"]["ExportingStackId"] == stack_id
    template = cfn.get_template(StackName=stack)["TemplateBody"]
    assert template["Description"] == "a table and a log group"
    assert stack in [s["StackName"] for s in cfn.list_stacks()["StackSummaries"]]

    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=FAST)
    with pytest.raises(ClientError) as error:
        ddb.describe_table(TableName=out["TableName"])
    assert code_of(error)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        cfn.describe_stacks(StackName=stack)
    assert code_of(error) == ("ValidationError", f"Stack with id {stack} does not exist")
    deleted = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    assert deleted["StackStatus"] == "DELETE_COMPLETE"
    assert f"{stack}-table-arn" not in [e["Name"] for e in cfn.list_exports()["Exports"]]
    summaries = cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
    assert stack_id in [s["StackId"] for s in summaries]
    # Deleting again is not an error.
    cfn.delete_stack(StackName=stack)


def test_bad_requests_get_cloudformation_errors(client):
    cfn = client("cloudformation")
    stack = name("bad")
    cases = [
        (dict(StackName=stack), "ValidationError", "Either Template URL or Template Body must be specified."),
        (
            dict(StackName="1-not-a-name", TemplateBody=json.dumps(TABLE_AND_LOGS)),
            "ValidationError",
            "1 validation error detected: Value '1-not-a-name' at 'stackName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "
            "[a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*",
        ),
        (
            dict(
                StackName=stack,
                TemplateBody=json.dumps(TABLE_AND_LOGS),
                Parameters=[{"ParameterKey": "Nope", "ParameterValue": "x"}],
            ),
            "ValidationError",
            "Parameters: [Nope] do not exist in the template",
        ),
        (
            dict(
                StackName=stack,
                TemplateBody=json.dumps(
                    {"Resources": {"R": {"Type": "AWS::IAM::Role", "Properties": {}}}}
                ),
            ),
            "InsufficientCapabilitiesException",
            "Requires capabilities : [CAPABILITY_IAM]",
        ),
    ]
    for params, code, message in cases:
        with pytest.raises(ClientError) as error:
            cfn.create_stack(**params)
        assert code_of(error) == (code, message), params
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(ClientError) as error:
        cfn.create_stack(StackName=stack, TemplateBody="Resources: [unclosed")
    assert code_of(error)[0] == "ValidationError"
    assert "Template format error" in code_of(error)[1]

    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(TABLE_AND_LOGS))
    with pytest.raises(ClientError) as error:
        cfn.create_stack(StackName=stack, TemplateBody=json.dumps(TABLE_AND_LOGS))
    assert code_of(error) == ("AlreadyExistsException", f"Stack [{stack}] already exists")
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig=FAST)
    with pytest.raises(ClientError) as error:
        cfn.update_stack(StackName=stack, TemplateBody=json.dumps(TABLE_AND_LOGS))
    assert code_of(error) == ("ValidationError", "No updates are to be performed.")
    with pytest.raises(ClientError) as error:
        cfn.describe_change_set(ChangeSetName="missing", StackName=stack)
    assert code_of(error) == ("ChangeSetNotFound", "ChangeSet [missing] does not exist")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=FAST)


def test_a_failing_resource_rolls_the_stack_back(client):
    cfn, ddb = client("cloudformation"), client("dynamodb")
    stack = name("rollback")
    template = {
        "Resources": {
            "Items": TABLE_AND_LOGS["Resources"]["Items"],
            "Queue": {"Type": "AWS::SQS::Queue", "DependsOn": "Items"},
        }
    }
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    assert settled(cfn, stack) == "ROLLBACK_COMPLETE"
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"]
    failed = [e for e in events if e["ResourceStatus"] == "CREATE_FAILED"]
    assert failed[0]["LogicalResourceId"] == "Queue"
    assert "AWS::SQS::Queue" in failed[0]["ResourceStatusReason"]
    statuses = [e["ResourceStatus"] for e in events if e["LogicalResourceId"] == stack]
    assert statuses[:2] == ["ROLLBACK_COMPLETE", "ROLLBACK_IN_PROGRESS"]
    table = [e for e in events if e["LogicalResourceId"] == "Items" and e["PhysicalResourceId"]]
    assert table[0]["ResourceStatus"] == "DELETE_COMPLETE"
    with pytest.raises(ClientError):
        ddb.describe_table(TableName=table[0]["PhysicalResourceId"])
    cfn.delete_stack(StackName=stack)


FUNCTION_STACK = """
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Greeting:
    Type: String
    Default: hello
  TableName:
    Type: String
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref TableName
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  Greeter:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Timeout: 10
      Environment:
        Variables:
          GREETING: !Ref Greeting
          TABLE: !Ref Items
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return {"greeting": os.environ["GREETING"], "table": os.environ["TABLE"]}
Outputs:
  Function:
    Value: !Ref Greeter
"""


def invoke(lam, function):
    answer = lam.invoke(FunctionName=function, Payload=b"{}")
    return json.loads(answer["Payload"].read())


def test_updates_change_only_what_changed(client):
    cfn, lam, ddb = client("cloudformation"), client("lambda"), client("dynamodb")
    stack = name("update")
    first_table = name("items")
    params = [{"ParameterKey": "TableName", "ParameterValue": first_table}]
    cfn.create_stack(
        StackName=stack, TemplateBody=FUNCTION_STACK, Parameters=params, Capabilities=["CAPABILITY_IAM"]
    )
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig=FAST)
    function = outputs(cfn, stack)["Function"]
    assert invoke(lam, function) == {"greeting": "hello", "table": first_table}
    before = len(cfn.describe_stack_events(StackName=stack)["StackEvents"])

    # A new parameter value: the function is updated in place, nothing else is touched.
    cfn.update_stack(
        StackName=stack,
        UsePreviousTemplate=True,
        Parameters=params + [{"ParameterKey": "Greeting", "ParameterValue": "hi"}],
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.get_waiter("stack_update_complete").wait(StackName=stack, WaiterConfig=FAST)
    assert outputs(cfn, stack)["Function"] == function
    assert invoke(lam, function) == {"greeting": "hi", "table": first_table}
    events = cfn.describe_stack_events(StackName=stack)["StackEvents"][: -before]
    touched = {e["LogicalResourceId"] for e in events if e["ResourceType"] != "AWS::CloudFormation::Stack"}
    assert touched == {"Greeter"}

    # A new table name replaces the table; the function follows the reference.
    second_table = name("items")
    cfn.update_stack(
        StackName=stack,
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": "TableName", "ParameterValue": second_table},
            {"ParameterKey": "Greeting", "UsePreviousValue": True},
        ],
        Capabilities=["CAPABILITY_IAM"],
    )
    cfn.get_waiter("stack_update_complete").wait(StackName=stack, WaiterConfig=FAST)
    assert invoke(lam, function) == {"greeting": "hi", "table": second_table}
    ddb.describe_table(TableName=second_table)
    with pytest.raises(ClientError):
        ddb.describe_table(TableName=first_table)
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=FAST)
    with pytest.raises(ClientError):
        lam.get_function(FunctionName=function)


def test_change_sets_create_and_update_a_stack(client):
    cfn = client("cloudformation")
    stack = name("changes")
    created = cfn.create_change_set(
        StackName=stack,
        ChangeSetName="first",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(TABLE_AND_LOGS),
    )
    assert cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    cfn.get_waiter("change_set_create_complete").wait(
        ChangeSetName=created["Id"], WaiterConfig=FAST
    )
    described = cfn.describe_change_set(ChangeSetName="first", StackName=stack)
    assert described["Status"] == "CREATE_COMPLETE"
    assert described["ExecutionStatus"] == "AVAILABLE"
    assert sorted(
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"])
        for c in described["Changes"]
    ) == [("Add", "Items"), ("Add", "Logs")]
    cfn.execute_change_set(ChangeSetName=created["Id"])
    cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig=FAST)
    assert cfn.describe_change_set(ChangeSetName=created["Id"])["ExecutionStatus"] == "EXECUTE_COMPLETE"

    # The same template again: a change set without changes fails as CloudFormation's does.
    again = cfn.create_change_set(
        StackName=stack, ChangeSetName="same", TemplateBody=json.dumps(TABLE_AND_LOGS)
    )
    same = cfn.describe_change_set(ChangeSetName=again["Id"])
    assert same["Status"] == "FAILED"
    assert same["StatusReason"] == (
        "The submitted information didn't contain changes. Submit different information to "
        "create a change set."
    )
    with pytest.raises(ClientError) as error:
        cfn.execute_change_set(ChangeSetName=again["Id"])
    assert code_of(error)[0] == "InvalidChangeSetStatus"

    changed = json.loads(json.dumps(TABLE_AND_LOGS))
    changed["Parameters"]["Env"]["Default"] = "prod"
    update = cfn.create_change_set(
        StackName=stack, ChangeSetName="prod", TemplateBody=json.dumps(changed)
    )
    described = cfn.describe_change_set(ChangeSetName=update["Id"])
    assert [
        (c["ResourceChange"]["Action"], c["ResourceChange"]["LogicalResourceId"], c["ResourceChange"]["Replacement"])
        for c in described["Changes"]
    ] == [("Modify", "Logs", "True")]
    names = [s["ChangeSetName"] for s in cfn.list_change_sets(StackName=stack)["Summaries"]]
    assert sorted(names) == ["first", "prod", "same"]
    cfn.execute_change_set(ChangeSetName="prod", StackName=stack)
    cfn.get_waiter("stack_update_complete").wait(StackName=stack, WaiterConfig=FAST)
    assert outputs(cfn, stack)["LogGroup"] == f"/app/{stack}-prod"
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=FAST)


SAM_APP = """
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
Resources:
  Notes:
    Type: AWS::Serverless::SimpleTable
  Save:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Environment:
        Variables:
          TABLE: !Ref Notes
      InlineCode: |
        import json, os, boto3
        table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
        def handler(event, context):
            note = json.loads(event["body"])
            table.put_item(Item={"id": note["id"], "text": note["text"]})
            return {"statusCode": 201, "body": json.dumps(note)}
      Events:
        Post:
          Type: HttpApi
          Properties:
            Path: /notes
            Method: POST
Outputs:
  Api:
    Value: !GetAtt ServerlessHttpApi.ApiEndpoint
  Table:
    Value: !Ref Notes
"""


def test_aws_cloudformation_deploy_runs_a_sam_app(aws, client, tmp_path):
    template = tmp_path / "template.yaml"
    template.write_text(SAM_APP)
    stack = name("sam")
    code, out, err = aws(
        "cloudformation", "deploy", "--template-file", str(template), "--stack-name", stack,
        "--capabilities", "CAPABILITY_IAM",
    )
    assert code == 0, out + err
    assert f"Successfully created/updated stack - {stack}" in out
    cfn, ddb = client("cloudformation"), client("dynamodb")
    out = outputs(cfn, stack)
    status, _, body = call(out["Api"] + "/notes", "POST", {"id": "n1", "text": "hello"})
    assert status == 201, body
    item = ddb.get_item(TableName=out["Table"], Key={"id": {"S": "n1"}})["Item"]
    assert item["text"] == {"S": "hello"}
    processed = cfn.get_template(StackName=stack, TemplateStage="Processed")["TemplateBody"]
    assert processed["Resources"]["Save"]["Type"] == "AWS::Lambda::Function"

    # Deploying the same template again changes nothing.
    code, out, err = aws(
        "cloudformation", "deploy", "--template-file", str(template), "--stack-name", stack,
        "--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset",
    )
    assert code == 0, out + err
    assert "No changes to deploy" in out
    cfn.delete_stack(StackName=stack)
    cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=FAST)


def test_unkai_deploy_shows_progress_and_outputs(tmp_path):
    app = tmp_path / "notes-app"
    app.mkdir()
    (app / "template.yaml").write_text(SAM_APP)
    done = subprocess.run(
        [os.environ["UNKAI_BIN"], "deploy", "--stack-name", "notes-app"],
        cwd=app, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Creating stack notes-app: ")
    assert any("CREATE_COMPLETE" in line and "AWS::Lambda::Function" in line and "Save" in line for line in lines)
    assert "Stack notes-app: CREATE_COMPLETE" in done.stdout
    assert any(line.strip().startswith("Api ") and "execute-api" in line for line in lines)

    again = subprocess.run(
        [os.environ["UNKAI_BIN"], "deploy", "--stack-name", "notes-app"],
        cwd=app, capture_output=True, text=True, timeout=120,
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes to deploy" in again.stdout

    (app / "template.yaml").write_text(SAM_APP.replace("Default: ", "Default: ") + "\n  Extra:\n    Value: yes\n")
    broken = subprocess.run(
        [os.environ["UNKAI_BIN"], "deploy", "--stack-name", "notes-app", "--parameter-overrides", "Missing=1"],
        cwd=app, capture_output=True, text=True, timeout=120,
    )
    assert broken.returncode != 0
    assert "Parameters: [Missing] do not exist in the template" in broken.stderr


REST_APP = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import json
        def handler(event, context):
            name = event["pathParameters"]["name"]
            return {"statusCode": 200, "body": json.dumps({"hello": name, "stage": event["requestContext"]["stage"]})}
      Events:
        Greet:
          Type: Api
          Properties:
            Path: /hello/{name}
            Method: get
Outputs:
  RestApiId:
    Value: !Ref ServerlessRestApi
"""


def test_sam_api_events_make_a_rest_api(client, endpoint):
    cfn = client("cloudformation")
    stack = name("rest")
    stack_id = cfn.create_stack(
        StackName=stack,
        TemplateBody=REST_APP,
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )["StackId"]
    assert settled(cfn, stack) == "CREATE_COMPLETE", cfn.describe_stack_events(StackName=stack)
    api = outputs(cfn, stack)["RestApiId"]
    port = endpoint.rsplit(":", 1)[1]
    status, _, body = call(f"http://{api}.execute-api.localhost:{port}/Prod/hello/ada")
    assert status == 200, body
    assert json.loads(body) == {"hello": "ada", "stage": "Prod"}
    types = {r["ResourceType"] for r in cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"]}
    assert {"AWS::ApiGateway::RestApi", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
            "AWS::Lambda::Permission", "AWS::Lambda::Function", "AWS::IAM::Role"} <= types
    cfn.delete_stack(StackName=stack)
    assert settled(cfn, stack_id) == "DELETE_COMPLETE"


PLAIN_REST = """
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
          import json
          def handler(event, context):
              return {"statusCode": 200, "body": json.dumps({"path": event["path"], "version": context.function_version})}
  Version:
    Type: AWS::Lambda::Version
    Properties:
      FunctionName: !Ref Fn
  Live:
    Type: AWS::Lambda::Alias
    Properties:
      FunctionName: !Ref Fn
      FunctionVersion: !GetAtt Version.Version
      Name: live
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: plain
  Things:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: things
  GetThings:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Things
      HttpMethod: GET
      AuthorizationType: NONE
      ApiKeyRequired: true
      Integration:
        Type: AWS_PROXY
        IntegrationHttpMethod: POST
        Uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Live}/invocations"
  Invoke:
    Type: AWS::Lambda::Permission
    Properties:
      FunctionName: !Ref Live
      Action: lambda:InvokeFunction
      Principal: apigateway.amazonaws.com
  Deployment:
    Type: AWS::ApiGateway::Deployment
    DependsOn: GetThings
    Properties:
      RestApiId: !Ref Api
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties:
      RestApiId: !Ref Api
      DeploymentId: !Ref Deployment
      StageName: v1
  Key:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Enabled: true
      Value: abcdefghijklmnopqrstuvwxyz0123456789
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    DependsOn: Stage
    Properties:
      UsagePlanName: basic
      ApiStages:
        - ApiId: !Ref Api
          Stage: v1
      Throttle:
        RateLimit: 100
        BurstLimit: 10
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties:
      KeyId: !Ref Key
      KeyType: API_KEY
      UsagePlanId: !Ref Plan
Outputs:
  ApiId:
    Value: !Ref Api
  Alias:
    Value: !Ref Live
"""


def test_plain_rest_api_resources_versions_aliases_and_keys(client, endpoint):
    cfn, lam = client("cloudformation"), client("lambda")
    stack = name("plain")
    stack_id = cfn.create_stack(
        StackName=stack, TemplateBody=PLAIN_REST, Capabilities=["CAPABILITY_IAM"]
    )["StackId"]
    status = settled(cfn, stack)
    failures = [
        (e["LogicalResourceId"], e.get("ResourceStatusReason"))
        for e in cfn.describe_stack_events(StackName=stack)["StackEvents"]
        if e["ResourceStatus"].endswith("FAILED")
    ]
    assert status == "CREATE_COMPLETE", failures
    out = outputs(cfn, stack)
    assert out["Alias"].endswith(":live")
    alias = lam.get_alias(FunctionName=out["Alias"].rsplit(":", 1)[0], Name="live")
    assert alias["FunctionVersion"] == "1"
    port = endpoint.rsplit(":", 1)[1]
    url = f"http://{out['ApiId']}.execute-api.localhost:{port}/v1/things"
    status, _, body = call(url)
    assert status == 403, body
    status, _, body = call(url, headers={"x-api-key": "abcdefghijklmnopqrstuvwxyz0123456789"})
    assert status == 200, body
    assert json.loads(body) == {"path": "/things", "version": "1"}
    cfn.delete_stack(StackName=stack)
    assert settled(cfn, stack_id) == "DELETE_COMPLETE", [
        (e["LogicalResourceId"], e.get("ResourceStatusReason"))
        for e in cfn.describe_stack_events(StackName=stack_id)["StackEvents"]
        if e["ResourceStatus"].endswith("FAILED")
    ]


def test_validate_template_and_imports_between_stacks(client):
    cfn = client("cloudformation")
    checked = cfn.validate_template(TemplateBody=json.dumps(TABLE_AND_LOGS))
    assert checked["Description"] == "a table and a log group"
    assert checked["Parameters"] == [
        {"ParameterKey": "Env", "DefaultValue": "dev", "NoEcho": False}
    ]
    sam = cfn.validate_template(TemplateBody=SAM_APP)
    assert sam["DeclaredTransforms"] == ["AWS::Serverless-2016-10-31"]
    assert sam["Capabilities"] == ["CAPABILITY_IAM"]
    with pytest.raises(ClientError) as error:
        cfn.validate_template(TemplateBody="{}")
    assert code_of(error)[0] == "ValidationError"

    exporter = name("exporter")
    cfn.create_stack(StackName=exporter, TemplateBody=json.dumps(TABLE_AND_LOGS))
    assert settled(cfn, exporter) == "CREATE_COMPLETE"
    importer = name("importer")
    template = {
        "Resources": {
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {
                    "LogGroupName": {
                        "Fn::Join": ["", ["/imported/", {"Fn::Select": [
                            1, {"Fn::Split": ["/", {"Fn::ImportValue": f"{exporter}-table-arn"}]}
                        ]}]]
                    }
                },
            }
        },
        "Outputs": {"Group": {"Value": {"Ref": "Logs"}}},
    }
    cfn.create_stack(StackName=importer, TemplateBody=json.dumps(template))
    assert settled(cfn, importer) == "CREATE_COMPLETE"
    table = outputs(cfn, exporter)["TableName"]
    assert outputs(cfn, importer)["Group"] == f"/imported/{table}"
    for stack in (importer, exporter):
        cfn.delete_stack(StackName=stack)


def test_template_bodies_are_limited_to_51200_bytes(client):
    cfn = client("cloudformation")
    big = json.loads(json.dumps(TABLE_AND_LOGS))
    big["Description"] = "x" * 1000
    big["Metadata"] = {"Padding": "y" * 51_200}
    with pytest.raises(ClientError) as error:
        cfn.create_stack(StackName=name("big"), TemplateBody=json.dumps(big))
    assert code_of(error) == (
        "ValidationError",
        "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: "
        "Member must have length less than or equal to 51200",
    )
