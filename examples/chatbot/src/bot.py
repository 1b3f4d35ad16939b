"""A chat webhook: `POST /webhook` with `{"user": ..., "text": ...}` answers
`{"reply": ..., "turn": n}`.

The conversation of each user is one item of the table (key `user`): the name the bot learned,
the number of turns, what the bot waits for, and the recent history. A tiny rule-based bot asks
for the user's name, remembers it, counts turns and answers "what is my name". Concurrent messages
of one user are serialized by a condition on the turn count (optimistic locking).
"""

import base64
import json
import os
import random
import re
import time

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
client = table.meta.client

HISTORY = 50  # messages kept per conversation (user and bot), oldest dropped first
MAX_TEXT = 1000

NAME_GIVEN = re.compile(r"^(?:my name is|i am|i'm|call me)\s+(?P<name>.+?)[.!]*$", re.IGNORECASE)
ASKS_NAME = re.compile(r"^what(?:'s| is) my name\??$", re.IGNORECASE)
ASKS_COUNT = re.compile(r"how many (?:messages|turns)", re.IGNORECASE)
GREETING = re.compile(r"^(?:hi|hello|hey)\b", re.IGNORECASE)


def respond(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def parse(event):
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode("utf-8", errors="replace")
    try:
        message = json.loads(body)
    except ValueError:
        return None, "request body must be valid JSON"
    if not isinstance(message, dict):
        return None, "request body must be a JSON object"
    user, text = message.get("user"), message.get("text")
    if not isinstance(user, str) or not user.strip():
        return None, "user is required and must be a non-empty string"
    if not isinstance(text, str) or not text.strip():
        return None, "text is required and must be a non-empty string"
    if len(text) > MAX_TEXT:
        return None, f"text must be at most {MAX_TEXT} characters"
    return (user.strip(), text.strip()), None


def clean_name(name):
    return " ".join(part.capitalize() for part in name.split())[:50]


def reply_to(state, text):
    """The bot's answer; updates `state` (name, awaiting)."""
    name = state.get("name")
    given = NAME_GIVEN.match(text)
    if given:
        state["name"] = clean_name(given.group("name"))
        state["awaiting"] = None
        return f"Nice to meet you, {state['name']}!"
    if state.get("awaiting") == "name":
        if ASKS_NAME.match(text):
            return "I don't know your name yet. What is your name?"
        state["name"] = clean_name(text)
        state["awaiting"] = None
        return f"Nice to meet you, {state['name']}!"
    if ASKS_NAME.match(text):
        if name:
            return f"Your name is {name}."
        state["awaiting"] = "name"
        return "I don't know your name yet. What is your name?"
    if ASKS_COUNT.search(text):
        return f"This is message number {state['turns']} from you."
    if not name:
        state["awaiting"] = "name"
        return "Hello! I'm a bot. What is your name?"
    if GREETING.match(text):
        return f"Hello again, {name}!"
    return f"{name}, you said: {text}"


def handler(event, context):
    parsed, problem = parse(event)
    if problem:
        return respond(400, {"message": problem})
    user, text = parsed
    for attempt in range(10):
        item = table.get_item(Key={"user": user}, ConsistentRead=True).get("Item")
        previous_turns = int(item["turns"]) if item else 0
        state = {
            "name": item.get("name") if item else None,
            "awaiting": item.get("awaiting") if item else None,
            "turns": previous_turns + 1,
        }
        reply = reply_to(state, text)
        now = int(time.time())
        history = list(item.get("history", [])) if item else []
        history += [
            {"from": "user", "text": text, "at": now},
            {"from": "bot", "text": reply, "at": now},
        ]
        new_item = {"user": user, "turns": state["turns"], "history": history[-HISTORY:]}
        if state["name"]:
            new_item["name"] = state["name"]
        if state["awaiting"]:
            new_item["awaiting"] = state["awaiting"]
        try:
            if item:
                table.put_item(
                    Item=new_item,
                    ConditionExpression="turns = :seen",
                    ExpressionAttributeValues={":seen": previous_turns},
                )
            else:
                table.put_item(
                    Item=new_item,
                    ConditionExpression="attribute_not_exists(#u)",
                    ExpressionAttributeNames={"#u": "user"},
                )
        except client.exceptions.ConditionalCheckFailedException:
            # Another message of this user came first: start over from its state.
            time.sleep(random.uniform(0, 0.02 * (attempt + 1)))
            continue
        print(json.dumps({"user": user, "turn": state["turns"], "attempts": attempt + 1}))
        return respond(200, {"reply": reply, "turn": state["turns"]})
    return respond(409, {"message": "too many concurrent messages for this user, try again"})
