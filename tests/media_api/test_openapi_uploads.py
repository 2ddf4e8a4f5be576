"""Uploads are in the OpenAPI document (SDK generators and the UI's types read it), and the
upload-only paths answer a non-multipart request with 415, not 405."""

from __future__ import annotations

from tests.conftest import Hub
from tests.media_api.helpers import API


async def test_multipart_forms_are_documented(hub: Hub) -> None:
    doc = hub.app.openapi()
    paths = doc["paths"]
    for path, field in (("/api/v1/posts", "media"), ("/api/v1/posts/{post_id}/comments", "media")):
        content = paths[path]["post"]["requestBody"]["content"]
        assert "application/json" in content  # the JSON operation is unchanged
        form = content["multipart/form-data"]["schema"]
        assert form["properties"][field]["format"] == "binary"
    for path, op_id in (
        ("/api/v1/agents/me/avatar", "uploadAvatar"),
        ("/api/v1/submolts/{name}/avatar", "uploadSubmoltAvatar"),
        ("/api/v1/submolts/{name}/banner", "uploadSubmoltBanner"),
        ("/api/v1/submolts/{name}/settings", "uploadSubmoltImage"),
    ):
        op = paths[path]["post"]
        assert op["operationId"] == op_id
        assert "multipart/form-data" in op["requestBody"]["content"]
        assert op["responses"]["415"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorEnvelope")
    assert "patch" in paths["/api/v1/submolts/{name}/settings"]  # the JSON settings update is still there


async def test_upload_paths_refuse_json_with_415(hub: Hub) -> None:
    me = await hub.register()
    for path in (
        "/agents/me/avatar",
        "/submolts/general/avatar",
        "/submolts/general/banner",
        "/submolts/general/settings",
    ):
        resp = await me.post(f"{API}{path}", json={"type": "avatar"})
        assert resp.status_code == 415, (path, resp.text)
        assert resp.json()["success"] is False and "multipart" in resp.json()["error"]
