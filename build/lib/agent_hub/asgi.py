"""ASGI entry point for uvicorn (`agent_hub.asgi:app`)."""

from agent_hub.app import create_app

app = create_app()
