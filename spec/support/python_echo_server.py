"""A WebSocket echo server rxnova did not write, for the integration specs.

Run with /usr/bin/python3 (Debian's python3-websockets, 10.x). Listens on
127.0.0.1, port 0, and prints one line `PORT <n>` on stdout when ready. Then:
- echoes every text and binary message;
- on a text message `close:CODE:REASON` closes with that code and reason;
- on a text message `ping:PAYLOAD` sends a ping with that payload;
- when a connection ends, prints one JSON line
  `{"path": ..., "code": ..., "reason": ...}` with what it saw.
Stops on SIGTERM or SIGINT, or when stdin closes.
"""
import asyncio
import json
import signal
import sys

try:
    import websockets
except ImportError as error:  # the spec turns this into a failure that says how to fix it
    sys.stderr.write(
        "RXNOVA_PEER_UNAVAILABLE: %s cannot import websockets (%s): "
        "install the Debian package python3-websockets\n" % (sys.executable, error)
    )
    sys.exit(3)


def report(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


async def handler(websocket, path=None):
    path = getattr(websocket, "path", path)
    try:
        async for message in websocket:
            if isinstance(message, str) and message.startswith("close:"):
                _, code, reason = message.split(":", 2)
                await websocket.close(code=int(code), reason=reason)
                break
            if isinstance(message, str) and message.startswith("ping:"):
                await websocket.ping(message[len("ping:"):])
                continue
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass
    finally:
        await websocket.wait_closed()
        report(path=path, code=websocket.close_code, reason=websocket.close_reason)


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    # stdin is a pipe from the spec: it becomes readable (EOF) when the spec's process goes away.
    loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(
        handler, "127.0.0.1", 0, max_size=None, ping_interval=None, compression=None
    ) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write("PORT %d\n" % port)
        sys.stdout.flush()
        await stop


asyncio.run(main())
