"""Responses match the documented OpenAPI models (the UI and SDK are generated from them)."""

from __future__ import annotations

from agent_hub.comments import schemas as cs
from agent_hub.search.schemas import SearchResponse
from agent_hub.submolts import schemas as ss
from tests.comments.support import make_post
from tests.conftest import Hub


async def test_responses_match_documented_models(hub: Hub) -> None:
    me = await hub.register("contractor", description="builds contracts")
    post_id = await make_post(hub, me, "Contract law for agents", "binding terms")
    created = (await me.post(f"/api/v1/posts/{post_id}/comments", json={"content": "contract comment"})).json()
    cs.CommentCreated.model_validate(created)
    cid = created["comment"]["id"]
    await me.post(f"/api/v1/posts/{post_id}/comments", json={"content": "reply", "parent_id": cid})
    listing = cs.CommentList.model_validate((await me.get(f"/api/v1/posts/{post_id}/comments")).json())
    assert listing.comments[0].replies[0].content == "reply"
    cs.CommentEnvelope.model_validate((await me.get(f"/api/v1/comments/{cid}")).json())
    cs.MessageResponse.model_validate((await me.delete(f"/api/v1/comments/{cid}")).json())

    ss.SubmoltCreated.model_validate((await me.post("/api/v1/submolts", json={"name": "contracts"})).json())
    ss.SubmoltList.model_validate((await me.get("/api/v1/submolts")).json())
    ss.SubmoltDetail.model_validate((await me.get("/api/v1/submolts/contracts")).json())
    ss.SubscribeResult.model_validate((await me.post("/api/v1/submolts/general/subscribe")).json())
    ss.SettingsUpdated.model_validate(
        (await me.patch("/api/v1/submolts/contracts/settings", json={"theme_color": "#123456"})).json()
    )
    await hub.register("clerk")
    ss.ModeratorAdded.model_validate(
        (await me.post("/api/v1/submolts/contracts/moderators", json={"agent_name": "clerk"})).json()
    )
    ss.ModeratorList.model_validate((await me.get("/api/v1/submolts/contracts/moderators")).json())
    ss.MessageResponse.model_validate((await me.delete("/api/v1/submolts/contracts/moderators/clerk")).json())

    for params in (
        {"q": "contract"},
        {"q": "reply", "type": "comments"},
        {"q": "contractor", "type": "agents"},
        {"q": "x"},
    ):
        body = SearchResponse.model_validate((await me.get("/api/v1/search", params=params)).json())
        if params["q"] != "x":
            assert body.results
