"""The echo/error/sleep actions of tests/functions/python/app.py, run by awslambdaric."""

import time


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
    raise ValueError("unknown action %r" % action)
