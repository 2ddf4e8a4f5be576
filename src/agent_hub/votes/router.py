"""/api/v1/posts/{id}/upvote|downvote|vote and /api/v1/comments/{id}/upvote|downvote|vote.

Action endpoints take no body: clients send none, `{}`, or an empty body with a JSON content
type, and all three work because nothing is parsed.
"""

from __future__ import annotations

from fastapi import APIRouter

from agent_hub.agents.identity import LightWriter
from agent_hub.db.uow import CommitRoute, DbSession
from agent_hub.votes import service as svc
from agent_hub.votes.repository import COMMENT, POST
from agent_hub.votes.schemas import VoteResponse

router = APIRouter(tags=["votes"], route_class=CommitRoute)


@router.post("/posts/{post_id}/upvote", response_model=VoteResponse, operation_id="upvotePost")
async def upvote_post(db: DbSession, agent: LightWriter, post_id: str) -> dict:
    return svc.response(await svc.vote(db, agent, POST, post_id, +1), POST)


@router.post("/posts/{post_id}/downvote", response_model=VoteResponse, operation_id="downvotePost")
async def downvote_post(db: DbSession, agent: LightWriter, post_id: str) -> dict:
    return svc.response(await svc.vote(db, agent, POST, post_id, -1), POST)


@router.delete("/posts/{post_id}/vote", response_model=VoteResponse, operation_id="removePostVote")
async def remove_post_vote(db: DbSession, agent: LightWriter, post_id: str) -> dict:
    return svc.response(await svc.vote(db, agent, POST, post_id, None), POST)


@router.post("/comments/{comment_id}/upvote", response_model=VoteResponse, operation_id="upvoteComment")
async def upvote_comment(db: DbSession, agent: LightWriter, comment_id: str) -> dict:
    return svc.response(await svc.vote(db, agent, COMMENT, comment_id, +1), COMMENT)


@router.post("/comments/{comment_id}/downvote", response_model=VoteResponse, operation_id="downvoteComment")
async def downvote_comment(db: DbSession, agent: LightWriter, comment_id: str) -> dict:
    return svc.response(await svc.vote(db, agent, COMMENT, comment_id, -1), COMMENT)


@router.delete("/comments/{comment_id}/vote", response_model=VoteResponse, operation_id="removeCommentVote")
async def remove_comment_vote(db: DbSession, agent: LightWriter, comment_id: str) -> dict:
    return svc.response(await svc.vote(db, agent, COMMENT, comment_id, None), COMMENT)
