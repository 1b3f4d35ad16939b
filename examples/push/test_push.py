"""Push delivery: three clients connect (each connection lands in the table), one sends a
message, the two others receive it through @connections and the sender does not; closing a
connection removes it from the table and later messages do not reach it."""

import asyncio
import json
import time

import websockets


def connection_ids(table):
    return {item["connectionId"] for item in table.scan()["Items"]}


def wait_for(condition, what, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


async def receive(client, timeout=10):
    return json.loads(await asyncio.wait_for(client.recv(), timeout))


def test_messages_reach_every_other_client(stack, dynamodb):
    url = stack["WebSocketUrl"]
    table = dynamodb.Table(stack["ConnectionsTableName"])
    assert url.startswith(("ws://", "wss://")) and url.endswith("/prod")

    async def scenario():
        async with websockets.connect(url, open_timeout=20) as alice, websockets.connect(
            url, open_timeout=20
        ) as bob:
            async with websockets.connect(url, open_timeout=20) as carol:
                assert len(connection_ids(table)) == 3
                await alice.send(json.dumps({"action": "sendmessage", "message": "hello all"}))
                to_bob, to_carol = await receive(bob), await receive(carol)
                assert to_bob == to_carol
                assert to_bob["message"] == "hello all"
                alice_id = to_bob["from"]
                assert alice_id in connection_ids(table)
                # The sender gets nothing back.
                try:
                    extra = await asyncio.wait_for(alice.recv(), 1)
                except asyncio.TimeoutError:
                    extra = None
                assert extra is None, extra

                await carol.send(json.dumps({"action": "sendmessage", "message": {"n": 2}}))
                assert (await receive(alice))["message"] == {"n": 2}
                carol_id = (await receive(bob))["from"]
                assert carol_id != alice_id

            # Carol left: $disconnect removed her connection.
            await asyncio.to_thread(
                wait_for,
                lambda: carol_id not in connection_ids(table),
                "$disconnect did not remove the connection",
            )
            await bob.send(json.dumps({"action": "sendmessage", "message": "still here?"}))
            last = await receive(alice)
            assert last["message"] == "still here?"
            assert last["from"] not in (alice_id, carol_id)
        return alice_id

    asyncio.run(scenario())
    wait_for(lambda: not connection_ids(table), "connections left in the table after closing")
