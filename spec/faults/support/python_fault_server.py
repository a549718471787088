"""A Python `websockets` echo server for the fault specs, on a port the spec chooses.

Run with /usr/bin/python3 (Debian's python3-websockets). Listens on 127.0.0.1:PORT (argv[1]; 0 picks one) and prints
`PORT <n>` when ready. Echoes every message. On SIGTERM it shuts down as a server does: open connections are closed
with 1001 (going away), then it exits. SIGKILL and SIGSTOP are the spec's to send.
"""
import asyncio
import signal
import sys

try:
    import websockets
except ImportError as error:
    sys.stderr.write("RXNOVA_PEER_UNAVAILABLE: %s cannot import websockets (%s): install python3-websockets\n" % (sys.executable, error))
    sys.exit(3)


async def handler(websocket, path=None):
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    loop.add_reader(sys.stdin.fileno(), lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(handler, "127.0.0.1", int(sys.argv[1]), max_size=None, ping_interval=None, compression=None) as server:
        sys.stdout.write("PORT %d\n" % server.sockets[0].getsockname()[1])
        sys.stdout.flush()
        await stop


asyncio.run(main())
