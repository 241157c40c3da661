"""Drives the local gateway with an unmodified boto3 client; prints one JSON object of results.

Called by boto3.test.ts with GATEWAY_URL and AWS_BEARER_TOKEN_BEDROCK set (boto3 >= 1.39
then sends `Authorization: Bearer`, as it would to Bedrock).
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError

url = os.environ["GATEWAY_URL"]
config = Config(retries={"max_attempts": 1, "mode": "standard"})
runtime = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=url, config=config)
control = boto3.client("bedrock", region_name="us-east-1", endpoint_url=url, config=config)
claude = "anthropic.claude-3-5-sonnet-20240620-v1:0"
user = lambda text: [{"role": "user", "content": [{"text": text}]}]
out = {"boto3": boto3.__version__}

reply = runtime.converse(modelId=claude, messages=user("hello from boto3"))
out["converse"] = {"text": reply["output"]["message"]["content"][0]["text"], "stopReason": reply["stopReason"], "usage": reply["usage"]}

events = []
text = ""
for event in runtime.converse_stream(modelId=claude, messages=user("stream from boto3"))["stream"]:
    kind = next(iter(event))
    events.append(kind)
    if kind == "contentBlockDelta":
        text += event[kind]["delta"].get("text", "")
out["converse_stream"] = {"events": events, "text": text}

tools = {"tools": [{"toolSpec": {"name": "get_weather", "inputSchema": {"json": {"type": "object"}}}}]}
tool_input, tool_names = "", []
for event in runtime.converse_stream(modelId=claude, messages=user("[tool:get_weather] Oslo"), toolConfig=tools)["stream"]:
    if "contentBlockStart" in event:
        tool_names.append(event["contentBlockStart"]["start"]["toolUse"]["name"])
    if "contentBlockDelta" in event:
        tool_input += event["contentBlockDelta"]["delta"]["toolUse"]["input"]
    if "messageStop" in event:
        stop = event["messageStop"]["stopReason"]
out["tool_stream"] = {"names": tool_names, "input": json.loads(tool_input), "stopReason": stop}

try:
    for event in runtime.converse_stream(modelId=claude, messages=user("[cut] break"))["stream"]:
        pass
    out["cut"] = "no error"
except EventStreamError as error:
    out["cut"] = error.response["Error"]["Code"]

body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]})
invoked = json.loads(runtime.invoke_model(modelId=claude, body=body)["body"].read())
out["invoke"] = {"type": invoked["type"], "text": invoked["content"][0]["text"]}

out["models"] = [m["modelId"] for m in control.list_foundation_models()["modelSummaries"]]

os.environ["AWS_BEARER_TOKEN_BEDROCK"] = "wrong"
bad = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=url, config=config)
try:
    bad.converse(modelId=claude, messages=user("hi"))
    out["wrong_key"] = "accepted"
except ClientError as error:
    out["wrong_key"] = error.response["Error"]["Code"]
    out["wrong_key_class"] = type(error).__name__

json.dump(out, sys.stdout)
