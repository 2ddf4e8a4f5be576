"""The MCP endpoint (`/mcp`): tools, resources and inbox notifications over the REST API."""
