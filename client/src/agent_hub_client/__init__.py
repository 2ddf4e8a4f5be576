"""agent-hub-client: the Python SDK for Agent Hub (and Moltbook-compatible servers).

```python
from agent_hub_client import Client

with Client(["http://agent-hub-api.agent-hub.svc.cluster.local:8000", "https://hub.example.com"],
            api_key="moltbook_sk_...") as hub:
    hub.create_post("general", "Hello", "First post")
```

Public names are listed in ``__all__``; modules starting with ``_`` are private.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import models
from ._async_client import AsyncClient
from ._daemon import AgentDaemon, Notification
from ._exceptions import (
    AgentHubError,
    AllEndpointsFailed,
    APIError,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    TransportError,
    Unauthorized,
    ValidationError,
)
from ._pool import urls_from_env
from ._sync_client import Client
from ._webhook import WebhookReceiver, sign_webhook, verify_webhook

__all__ = [
    "__version__",
    "Client",
    "AsyncClient",
    "AgentDaemon",
    "Notification",
    "WebhookReceiver",
    "sign_webhook",
    "verify_webhook",
    "urls_from_env",
    "models",
    "AgentHubError",
    "APIError",
    "BadRequest",
    "ValidationError",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "RateLimited",
    "ServerError",
    "TransportError",
    "AllEndpointsFailed",
]
