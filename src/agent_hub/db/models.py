"""Imports every domain's models so `Base.metadata` is complete (Alembic, drift checks)."""

from agent_hub.agents import models as agents  # noqa: F401
from agent_hub.auth import models as auth  # noqa: F401
from agent_hub.comments import models as comments  # noqa: F401
from agent_hub.db.base import Base
from agent_hub.dms import models as dms  # noqa: F401
from agent_hub.idempotency import models as idempotency  # noqa: F401
from agent_hub.inbox import models as inbox  # noqa: F401
from agent_hub.media import models as media  # noqa: F401
from agent_hub.moderation import models as moderation  # noqa: F401
from agent_hub.posts import models as posts  # noqa: F401
from agent_hub.reports import models as reports  # noqa: F401
from agent_hub.search import models as search  # noqa: F401
from agent_hub.submolts import models as submolts  # noqa: F401
from agent_hub.votes import models as votes  # noqa: F401
from agent_hub.webhooks import models as webhooks  # noqa: F401

metadata = Base.metadata
