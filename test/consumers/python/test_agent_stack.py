"""Synthesises a CostTrackedBedrockAgent from the Python binding and checks the template.

Run by test/consumers/run-python.sh in a fresh virtual environment that has the wheel built by
`npx projen package:python` and aws-cdk-lib from PyPI.
"""
import json
import os

import aws_cdk as cdk
import pytest
from cdk_bedrock_cost_tracking import (
    BedrockModel,
    CostAllocationTags,
    CostTrackedBedrockAgent,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(outdir))
    stack = cdk.Stack(app, "PythonConsumerStack", env=cdk.Environment(region="ap-southeast-2"))
    CostTrackedBedrockAgent(
        stack,
        "Agent",
        model=BedrockModel.cross_region_profile("au.anthropic.claude-sonnet-4-6"),
        cost_allocation_tags=CostAllocationTags(
            application="CloudEngineer",
            environment="Production",
            cost_center="Engineering",
        ),
    )
    assembly = app.synth()
    with open(os.path.join(assembly.directory, "PythonConsumerStack.template.json"), encoding="utf-8") as file:
        return json.load(file), assembly.directory


def resources_of_type(template, resource_type):
    return [resource for resource in template["Resources"].values() if resource["Type"] == resource_type]


def test_profile_copies_the_australia_profile(template):
    (profile,) = resources_of_type(template[0], "AWS::Bedrock::ApplicationInferenceProfile")
    copy_from = json.dumps(profile["Properties"]["ModelSource"]["CopyFrom"])
    assert "inference-profile/au.anthropic.claude-sonnet-4-6" in copy_from


def test_profile_carries_the_tags(template):
    (profile,) = resources_of_type(template[0], "AWS::Bedrock::ApplicationInferenceProfile")
    tags = {tag["Key"]: tag["Value"] for tag in profile["Properties"]["Tags"]}
    assert tags == {"Application": "CloudEngineer", "Environment": "Production", "CostCenter": "Engineering"}


def test_function_model_id_is_profile_arn(template):
    (function,) = resources_of_type(template[0], "AWS::Lambda::Function")
    model_id = function["Properties"]["Environment"]["Variables"]["BEDROCK_MODEL_ID"]
    assert model_id["Fn::GetAtt"][1] == "InferenceProfileArn"


def test_function_gets_the_tags(template):
    (function,) = resources_of_type(template[0], "AWS::Lambda::Function")
    tags = json.loads(function["Properties"]["Environment"]["Variables"]["COST_ALLOCATION_TAGS"])
    assert tags["Application"] == "CloudEngineer"


def test_function_runs_node22_on_arm64(template):
    (function,) = resources_of_type(template[0], "AWS::Lambda::Function")
    assert function["Properties"]["Runtime"] == "nodejs22.x"
    assert function["Properties"]["Architectures"] == ["arm64"]


def test_handler_asset_is_staged(template):
    with open(os.path.join(template[1], "PythonConsumerStack.assets.json"), encoding="utf-8") as file:
        manifest = json.load(file)
    staged = [os.path.join(template[1], asset["source"]["path"]) for asset in manifest["files"].values()]
    assert any(os.path.isfile(os.path.join(path, "index.js")) for path in staged)


def test_invalid_prop_raises_with_fix():
    stack = cdk.Stack(cdk.App(), "InvalidStack")
    with pytest.raises(Exception, match="invalid maxToolRounds 0"):
        CostTrackedBedrockAgent(
            stack,
            "Agent",
            model=BedrockModel.foundation_model("amazon.nova-pro-v1:0"),
            cost_allocation_tags=CostAllocationTags(application="CloudEngineer"),
            max_tool_rounds=0,
        )
