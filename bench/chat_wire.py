"""A minimal Socket.IO v5 / Engine.IO v4 client over one aiohttp WebSocket, for ``bench/chat.py``.

python-socketio's AsyncClient decodes every frame into Python objects and dispatches it through its event
machinery; for 200 receivers that costs the load generator more CPU than the server spends sending, so on two
cores the generator would become what is measured. This client counts a delivery with a string comparison.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable

import aiohttp


class WireClient:
    """Just enough of the protocol for the benchmark: connect, answer pings, emit with an ack, count events.

    ``on_event(name, raw_frame, received_at)`` sees every event frame undecoded: counting a delivery costs a
    string comparison, and decoding stays with the few frames a measurement needs."""

    def __init__(self, session: aiohttp.ClientSession, url: str, cookie: str = "", compress: int = 15) -> None:
        self.session, self.url, self.cookie, self.compress = session, url, cookie, compress
        self.connected: asyncio.Future[str] | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.acks: dict[int, asyncio.Future] = {}
        self.ack_ids = itertools.count(1)
        self.on_event: Callable[[str, str, float], None] = lambda name, frame, at: None
        self.reader: asyncio.Task | None = None
        self.closed = asyncio.Event()

    async def connect(self, timeout: float = 10) -> None:
        endpoint = self.url.replace("http://", "ws://", 1) + "/socket.io/?EIO=4&transport=websocket"
        headers = {"Origin": self.url}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.ws = await self.session.ws_connect(
            endpoint, headers=headers, autoping=False, max_msg_size=0, compress=self.compress
        )
        opening = await asyncio.wait_for(self.ws.receive_str(), timeout)
        if not opening.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opening[:80]}")
        self.connected = asyncio.get_running_loop().create_future()
        self.reader = asyncio.create_task(self._read())
        await self.ws.send_str("40")
        # The connect handler may send events (presence) before the namespace's connect answer.
        answer = await asyncio.wait_for(self.connected, timeout)
        if not answer.startswith("40"):
            raise ConnectionError(f"Socket.IO connect refused: {answer[:200]}")

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for frame in self.ws:
                if frame.type != aiohttp.WSMsgType.TEXT:
                    break
                data = frame.data
                if data.startswith("42"):
                    # '42["name",...]': the event name ends at the second quote.
                    self.on_event(data[4 : data.index('"', 4)], data, time.perf_counter())
                elif data.startswith("43"):
                    bracket = data.index("[")
                    future = self.acks.pop(int(data[2:bracket]), None)
                    if future is not None and not future.done():
                        future.set_result(json.loads(data[bracket:])[0])
                elif data == "2":
                    await self.ws.send_str("3")
                elif data.startswith(("40", "44")) and not self.connected.done():
                    self.connected.set_result(data)
        finally:
            self.closed.set()
            if not self.connected.done():
                self.connected.set_result("closed")
            for future in self.acks.values():
                if not future.done():
                    future.set_exception(ConnectionError("closed"))

    async def call(self, event: str, payload: dict, timeout: float = 30) -> dict:
        assert self.ws is not None
        ack_id = next(self.ack_ids)
        future = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        await self.ws.send_str(f"42{ack_id}" + json.dumps([event, payload]))
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            with contextlib.suppress(Exception):
                await self.reader
