"""Deploys the template `sam build` made to a CloudFormation endpoint (moto server in the
tests) the way `sam deploy` would, and prints what was created as one JSON document.

moto's CloudFormation does not apply the AWS::Serverless transform, so this does what
`sam deploy` and CloudFormation do between them: zip each built function and upload it to
S3, apply the transform with aws-sam-translator (the library CloudFormation's transform is
built from), create the stack and wait for it. Then it reads back every created resource the
test checks (functions, event source mappings, queues, table, roles, schedules) with boto3.

Usage: python tools/moto_deploy.py [--json] BUILT_TEMPLATE STACK_NAME [Key=Value ...]
The endpoint, region and credentials come from the usual AWS environment
(AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID...). Without --json it prints one line per
resource of the translated template: created, or which type moto cannot create.
"""

import ast
import base64
import hashlib
import io
import json
import os
import sys
import time
import zipfile

import boto3
from cfnlint.decode import cfn_yaml
from samtranslator.translator.managed_policy_translator import ManagedPolicyLoader
from samtranslator.translator.transform import transform


# Types moto 5.2.5's CloudFormation has no model for (moto/cloudformation/parsing.py): it
# skips them with a warning. The stack is created without them, and the test checks their
# translated definitions instead; it also fails if moto starts creating one, or skips another.
MOTO_CANNOT_CREATE = {
    "AWS::SecretsManager::Secret",
    "AWS::CloudWatch::Alarm",
    "AWS::Lambda::Url",
    "AWS::Scheduler::Schedule",
    "AWS::SNS::Subscription",
}


def refers_to(value, names):
    """Whether an Output's value reads any of the logical ids in `names`."""
    text = json.dumps(value)
    return any(f'"{n}"' in text or f'"{n}.' in text or "${" + n in text for n in names)


def zip_dir(path):
    """The function's code package: every file of its build directory, bootstrap executable."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name in sorted(os.listdir(path)):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(os.path.join(path, name), "rb") as f:
                z.writestr(info, f.read())
    return buf.getvalue()


def plain(node):
    """cfn-lint's YAML nodes as plain dicts, lists and strings."""
    return json.loads(json.dumps(node))


def package(template, base, bucket, s3):
    """Uploads each function's built code and points its CodeUri at it, as `sam package` does."""
    code = {}
    for logical, res in template["Resources"].items():
        if res.get("Type") != "AWS::Serverless::Function":
            continue
        data = zip_dir(os.path.join(base, res["Properties"]["CodeUri"]))
        key = f"{logical}.zip"
        s3.put_object(Bucket=bucket, Key=key, Body=data)
        res["Properties"]["CodeUri"] = f"s3://{bucket}/{key}"
        code[logical] = {
            "sha256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
            "zip_bytes": len(data),
        }
    return code


def wait(cfn, stack):
    """Until the stack leaves *_IN_PROGRESS (bounded)."""
    deadline = time.monotonic() + 300
    while True:
        status = cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            return status
        time.sleep(0.5)


def document(doc):
    """A policy document as a dict (moto hands back a role's inline policy as the text of a
    Python dict)."""
    if isinstance(doc, str):
        try:
            return json.loads(doc)
        except ValueError:
            return ast.literal_eval(doc)
    return doc


def describe(session, resources):
    """What the test checks, read back from the created resources."""
    lam = session.client("lambda")
    sqs = session.client("sqs")
    ddb = session.client("dynamodb")
    iam = session.client("iam")
    out = {"functions": {}, "queues": {}, "tables": {}, "roles": {}, "mappings": []}
    for r in resources:
        kind, physical = r["ResourceType"], r.get("PhysicalResourceId")
        if kind == "AWS::Lambda::Function":
            f = lam.get_function(FunctionName=physical)["Configuration"]
            out["functions"][r["LogicalResourceId"]] = f
        elif kind == "AWS::SQS::Queue":
            attrs = sqs.get_queue_attributes(QueueUrl=physical, AttributeNames=["All"])
            out["queues"][r["LogicalResourceId"]] = {"url": physical, **attrs["Attributes"]}
        elif kind == "AWS::DynamoDB::Table":
            table = ddb.describe_table(TableName=physical)["Table"]
            backups = ddb.describe_continuous_backups(TableName=physical)
            table["ContinuousBackups"] = backups["ContinuousBackupsDescription"]
            out["tables"][r["LogicalResourceId"]] = table
        elif kind == "AWS::IAM::Role":
            names = iam.list_role_policies(RoleName=physical)["PolicyNames"]
            inline = {n: document(iam.get_role_policy(RoleName=physical, PolicyName=n)["PolicyDocument"]) for n in names}
            attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=physical)["AttachedPolicies"]]
            role = iam.get_role(RoleName=physical)["Role"]
            out["roles"][r["LogicalResourceId"]] = {
                "arn": role["Arn"],
                "inline": inline,
                "attached": attached,
            }
    for page in lam.get_paginator("list_event_source_mappings").paginate():
        out["mappings"].extend(page["EventSourceMappings"])
    return out


def summary(doc):
    created = {r["LogicalResourceId"]: r for r in doc["resources"]}
    lines = [f"stack {doc['status']}" + (f" ({doc['status_reason']})" if doc["status_reason"] else "")]
    if doc["outputs_left_out"]:
        lines.append("outputs left out (they read resources moto cannot create): " + ", ".join(doc["outputs_left_out"]))
    for logical, res in sorted(doc["translated"]["Resources"].items()):
        r = created.get(logical)
        if r:
            state = r["ResourceStatus"]
        elif res["Type"] in MOTO_CANNOT_CREATE:
            state = "not created (moto cannot create this type)"
        elif "Condition" in res:
            state = f"not created (condition {res['Condition']})"
        else:
            state = "NOT CREATED"
        physical = (r or {}).get("PhysicalResourceId") or ""
        lines.append(f"{state:<44} {res['Type']:<36} {logical}  {physical}")
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    as_json = "--json" in args
    args = [a for a in args if a != "--json"]
    built, stack = args[0], args[1]
    params = dict(p.split("=", 1) for p in args[2:])
    session = boto3.session.Session()
    s3, cfn = session.client("s3"), session.client("cloudformation")

    template = plain(cfn_yaml.load(built))
    bucket = f"{stack.lower()}-code"
    s3.create_bucket(Bucket=bucket)
    code = package(template, os.path.dirname(built), bucket, s3)

    translated = transform(template, dict(params), ManagedPolicyLoader(session.client("iam")))
    # moto checks every Output's attribute against a model; one of a type it lacks fails the
    # whole stack, so those outputs are left out (and listed).
    lacking = {k for k, r in translated["Resources"].items() if r["Type"] in MOTO_CANNOT_CREATE}
    deployed = dict(translated)
    left_out = sorted(k for k, o in translated.get("Outputs", {}).items() if refers_to(o, lacking))
    deployed["Outputs"] = {k: o for k, o in translated.get("Outputs", {}).items() if k not in left_out}
    cfn.create_stack(
        StackName=stack,
        TemplateBody=json.dumps(deployed),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    status = wait(cfn, stack)
    # moto lists a skipped resource as a bare status without id or type.
    resources = [
        r for r in cfn.describe_stack_resources(StackName=stack)["StackResources"] if r.get("ResourceType")
    ]
    stack_desc = cfn.describe_stacks(StackName=stack)["Stacks"][0]
    doc = {
        "status": status,
        "status_reason": stack_desc.get("StackStatusReason"),
        "outputs": {o["OutputKey"]: o.get("OutputValue") for o in stack_desc.get("Outputs", [])},
        "translated": translated,
        "moto_cannot_create": sorted(MOTO_CANNOT_CREATE),
        "outputs_left_out": left_out,
        "code": code,
        "resources": [
            {k: r.get(k) for k in ("LogicalResourceId", "ResourceType", "PhysicalResourceId", "ResourceStatus")}
            for r in resources
        ],
        **describe(session, resources),
    }
    if as_json:
        json.dump(doc, sys.stdout, default=str)
    else:
        sys.stdout.write(summary(doc))


if __name__ == "__main__":
    main()
