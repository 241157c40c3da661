"""Drives the local gateway with unmodified boto3 clients authenticating three ways; prints one JSON object.

Called by callers.test.ts with GATEWAY_URL (a stage path included), a gateway-issued SigV4 key pair
(SIGV4_ID, SIGV4_SECRET), a JWT from the test's loopback issuer (JWT_TOKEN, EXPIRED_JWT) and a JWT
whose models claim names one model (LIMITED_TOKEN). No AWS_BEARER_TOKEN_BEDROCK in the environment unless set here.
"""
import json
import os
import sys

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url = os.environ["GATEWAY_URL"]
config = Config(retries={"max_attempts": 1, "mode": "standard"})
claude = "anthropic.claude-3-5-sonnet-20240620-v1:0"
user = lambda text: [{"role": "user", "content": [{"text": text}]}]
out = {}


def runtime(**credentials):
    return boto3.client("bedrock-runtime", region_name="eu-west-3", endpoint_url=url, config=config, **credentials)


def error_code(call):
    try:
        call()
        return "accepted"
    except ClientError as error:
        return error.response["Error"]["Code"]


def with_bearer(token, work):
    os.environ["AWS_BEARER_TOKEN_BEDROCK"] = token
    try:
        return work()
    finally:
        del os.environ["AWS_BEARER_TOKEN_BEDROCK"]


# SigV4 with gateway-issued credentials: converse, converse_stream, invoke_model.
signed = runtime(aws_access_key_id=os.environ["SIGV4_ID"], aws_secret_access_key=os.environ["SIGV4_SECRET"])
reply = signed.converse(modelId=claude, messages=user("signed by boto3"))
events = [next(iter(event)) for event in signed.converse_stream(modelId=claude, messages=user("streamed"))["stream"]]
body = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]})
invoked = json.loads(signed.invoke_model(modelId=claude, body=body)["body"].read())
out["sigv4"] = {"converse": reply["output"]["message"]["content"][0]["text"], "stream": events, "invoke": invoked["content"][0]["text"]}

out["sigv4_unknown_key"] = error_code(lambda: runtime(aws_access_key_id="AKIDNOTISSUED0001", aws_secret_access_key="x" * 40).converse(modelId=claude, messages=user("hi")))
out["sigv4_wrong_secret"] = error_code(lambda: runtime(aws_access_key_id=os.environ["SIGV4_ID"], aws_secret_access_key="y" * 40).converse(modelId=claude, messages=user("hi")))
out["sigv4_session_token"] = error_code(
    lambda: runtime(aws_access_key_id=os.environ["SIGV4_ID"], aws_secret_access_key=os.environ["SIGV4_SECRET"], aws_session_token="FwoGZXIvYXdzEXAMPLE").converse(modelId=claude, messages=user("hi"))
)

# A JWT sent exactly as an API key (AWS_BEARER_TOKEN_BEDROCK).
out["jwt"] = with_bearer(os.environ["JWT_TOKEN"], lambda: runtime().converse(modelId=claude, messages=user("jwt via boto3"))["output"]["message"]["content"][0]["text"])
out["jwt_expired"] = with_bearer(os.environ["EXPIRED_JWT"], lambda: error_code(lambda: runtime().converse(modelId=claude, messages=user("hi"))))

# A caller limited to one model (its JWT models claim): other models are refused, and the list shows only its own.
out["limited_other_model"] = with_bearer(os.environ["LIMITED_TOKEN"], lambda: error_code(lambda: runtime().converse(modelId=claude, messages=user("hi"))))
control = lambda: boto3.client("bedrock", region_name="eu-west-3", endpoint_url=url, config=config)
out["limited_models"] = with_bearer(os.environ["LIMITED_TOKEN"], lambda: [m["modelId"] for m in control().list_foundation_models()["modelSummaries"]])

# Through the Lambda handler behind an API Gateway REST stand-in (the stage in the signed path).
lambda_url = os.environ.get("LAMBDA_REST_URL")
if lambda_url:
    through_lambda = boto3.client(
        "bedrock-runtime", region_name="eu-west-3", endpoint_url=lambda_url, config=config,
        aws_access_key_id=os.environ["SIGV4_ID"], aws_secret_access_key=os.environ["SIGV4_SECRET"],
    )
    out["sigv4_lambda"] = through_lambda.converse(modelId=claude, messages=user("boto3 via lambda"))["output"]["message"]["content"][0]["text"]
    out["sigv4_lambda_stream"] = [next(iter(event)) for event in through_lambda.converse_stream(modelId=claude, messages=user("streamed"))["stream"]][-1]

json.dump(out, sys.stdout)
