"""The chatbot webhook: a multi-turn conversation per user (the bot asks for a name, remembers
it, counts turns), two users kept apart, concurrent messages of one user all counted, bad JSON
refused; the conversation items checked in the table."""

from concurrent.futures import ThreadPoolExecutor

from conftest import http


def say(stack, user, text):
    answer = http("POST", stack["WebhookUrl"], {"user": user, "text": text})
    assert answer.status == 200, answer
    return answer.json()


def test_conversation_keeps_state_per_user(stack, dynamodb):
    table = dynamodb.Table(stack["TableName"])

    first = say(stack, "ada", "hi there")
    assert first["turn"] == 1 and "name" in first["reply"].lower()
    assert "Ada" in say(stack, "ada", "ada")["reply"]
    # Another user has a conversation of their own.
    assert "name" in say(stack, "alan", "hello")["reply"].lower()
    assert say(stack, "alan", "my name is Alan Turing")["reply"] == "Nice to meet you, Alan Turing!"

    assert say(stack, "ada", "what is my name?") == {"reply": "Your name is Ada.", "turn": 3}
    assert say(stack, "alan", "What's my name")["reply"] == "Your name is Alan Turing."
    assert "4" in say(stack, "ada", "how many messages have I sent?")["reply"]

    ada = table.get_item(Key={"user": "ada"}, ConsistentRead=True)["Item"]
    assert ada["name"] == "Ada" and ada["turns"] == 4
    assert [entry["from"] for entry in ada["history"]] == ["user", "bot"] * 4
    assert ada["history"][0]["text"] == "hi there"
    assert ada["history"][-1]["text"] == "This is message number 4 from you."
    alan = table.get_item(Key={"user": "alan"}, ConsistentRead=True)["Item"]
    assert alan["name"] == "Alan Turing" and alan["turns"] == 3


def test_concurrent_messages_are_all_counted(stack, dynamodb):
    with ThreadPoolExecutor(max_workers=4) as pool:
        turns = list(pool.map(lambda n: say(stack, "busy", f"message {n}")["turn"], range(8)))
    assert sorted(turns) == list(range(1, 9))
    busy = dynamodb.Table(stack["TableName"]).get_item(Key={"user": "busy"}, ConsistentRead=True)
    assert busy["Item"]["turns"] == 8
    assert len(busy["Item"]["history"]) == 16


def test_bad_requests_are_refused(stack, dynamodb):
    for body in ["{not json", "[]", {"text": "hi"}, {"user": "x"}, {"user": "x", "text": ""}]:
        answer = http("POST", stack["WebhookUrl"], body)
        assert answer.status == 400, (body, answer)
        assert answer.json()["message"], answer
    assert "Item" not in dynamodb.Table(stack["TableName"]).get_item(Key={"user": "x"})
