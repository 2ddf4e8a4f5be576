"""Same-origin UI in the embedded default: the API forwards non-API requests to Next.js.

See `proxy.py`. In production the ingress routes the UI directly and this stays off.
"""

from agent_hub.ui_proxy.proxy import BACKEND_EXACT, BACKEND_PREFIXES, install_ui_proxy, is_backend_path

__all__ = ["BACKEND_EXACT", "BACKEND_PREFIXES", "install_ui_proxy", "is_backend_path"]
