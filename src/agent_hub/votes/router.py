"""/api/v1/posts/{id}/upvote|downvote|vote and /api/v1/comments/{id}/upvote|downvote|vote.

Action endpoints take no body: clients send none, `{}`, or an empty body with a JSON content
type, and all three work because nothing is parsed.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from agent_hub.agents.identity import LightWriter
from agent_hub.db.uow import CommitRoute, commits_alone, get_session
from agent_hub.http import admission
from agent_hub.http.responses import JsonResponse
from agent_hub.votes import service as svc
from agent_hub.votes.repository import COMMENT, POST, Target
from agent_hub.votes.schemas import VoteResponse

router = APIRouter(tags=["votes"], route_class=CommitRoute)


def _lane(request: Request, target: Target) -> svc.Lane | None:
    """The write lane on PostgreSQL, unless the vote must commit with something else in the
    request's transaction (the unit of work knows: `commits_alone`)."""
    if request.app.state.engine.dialect.name != "postgresql" or not commits_alone(request):
        return None
    return svc.Lane(request.app.state.vote_batchers[target.kind], lambda: admission.suspended(request))


async def _vote(request: Request, agent: LightWriter, target: Target, target_id: str, d: int | None) -> JsonResponse:
    # The answer is built field for field as `VoteResponse` documents it (tests/votes check the
    # two agree), so it goes out as it is: FastAPI's validation and encoding of a returned dict
    # against the response model would only do again what `svc.response` did.
    lane = _lane(request, target)
    db = None if lane is not None else await get_session(request)  # on the lane, no session at all
    return JsonResponse(svc.response(await svc.vote(db, agent, target, target_id, d, lane), target))


@router.post("/posts/{post_id}/upvote", response_model=VoteResponse, operation_id="upvotePost")
async def upvote_post(request: Request, agent: LightWriter, post_id: str) -> JsonResponse:
    return await _vote(request, agent, POST, post_id, +1)


@router.post("/posts/{post_id}/downvote", response_model=VoteResponse, operation_id="downvotePost")
async def downvote_post(request: Request, agent: LightWriter, post_id: str) -> JsonResponse:
    return await _vote(request, agent, POST, post_id, -1)


@router.delete("/posts/{post_id}/vote", response_model=VoteResponse, operation_id="removePostVote")
async def remove_post_vote(request: Request, agent: LightWriter, post_id: str) -> JsonResponse:
    return await _vote(request, agent, POST, post_id, None)


@router.post("/comments/{comment_id}/upvote", response_model=VoteResponse, operation_id="upvoteComment")
async def upvote_comment(request: Request, agent: LightWriter, comment_id: str) -> JsonResponse:
    return await _vote(request, agent, COMMENT, comment_id, +1)


@router.post("/comments/{comment_id}/downvote", response_model=VoteResponse, operation_id="downvoteComment")
async def downvote_comment(request: Request, agent: LightWriter, comment_id: str) -> JsonResponse:
    return await _vote(request, agent, COMMENT, comment_id, -1)


@router.delete("/comments/{comment_id}/vote", response_model=VoteResponse, operation_id="removeCommentVote")
async def remove_comment_vote(request: Request, agent: LightWriter, comment_id: str) -> JsonResponse:
    return await _vote(request, agent, COMMENT, comment_id, None)
