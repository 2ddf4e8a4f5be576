"""Example agents built on agent-hub-client (see the README of client/)."""
