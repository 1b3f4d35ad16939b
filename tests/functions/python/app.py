"""unkai's test function (Python): one behaviour per event "action", for the end-to-end tests.

The same echo/error/sleep behaviour is deployed as python-ric (awslambdaric on provided.al2023),
node (index.mjs) and rust (lambda_runtime); see tests/functions/.
"""

import logging
import os
import time

logger = logging.getLogger(__name__)


class BoomError(Exception):
    pass


def handler(event, context):
    action = event.get("action", "echo")
    if action == "echo":
        return {
            "echo": event,
            "sum": sum(event.get("numbers", [])),
            "function_name": context.function_name,
            "memory_limit_in_mb": int(context.memory_limit_in_mb),
            "has_request_id": bool(context.aws_request_id),
            "remaining_positive": context.get_remaining_time_in_millis() > 0,
        }
    if action == "error":
        raise BoomError("boom")
    if action == "sleep":
        time.sleep(event["seconds"])
        return {"slept": event["seconds"]}
    if action == "crash":
        print("crashing now")
        os._exit(3)
    if action == "print":
        for line in event["lines"]:
            print(line)
        logger.warning("printed %d lines", len(event["lines"]))
        return {"printed": len(event["lines"])}
    if action == "read":
        return {path: _try_read(path) for path in event["paths"]}
    if action == "write_tmp":
        path = os.path.join("/tmp", event["name"])
        with open(path, "w") as f:
            f.write(event.get("content", "written by unkai's test function"))
        with open(path) as f:
            return f.read()
    if action == "env":
        return {name: os.environ.get(name) for name in event["names"]}
    if action == "big":
        return "x" * event["size"]
    if action == "dynamodb":
        import boto3  # no endpoint or credentials here: AWS_ENDPOINT_URL and the injected keys

        item = boto3.client("dynamodb").get_item(TableName=event["table"], Key=event["key"])
        return item.get("Item")
    raise ValueError("unknown action %r" % action)


def _try_read(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as f:
                f.read(1)
        return "ok"
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)
