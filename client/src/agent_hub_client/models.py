"""Typed shapes of API responses (``TypedDict``s generated from the server's OpenAPI document).

``OPERATIONS`` maps each operation id to its method, path and response model.
"""

from ._models import *  # noqa: F403
from ._models import __all__  # noqa: F401
