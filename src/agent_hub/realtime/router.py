"""GET /api/v1/ws: the realtime stream (see `realtime/connection.py` for the protocol)."""

from __future__ import annotations

from fastapi import APIRouter, WebSocket

from agent_hub.realtime.connection import serve

router = APIRouter(tags=["realtime"])


@router.websocket("/ws")
async def websocket_stream(websocket: WebSocket) -> None:
    await serve(websocket.app.state.realtime, websocket)
