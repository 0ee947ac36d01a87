"""Who am I, my password, and (admins only) the users.

``GET /me`` returns the user, their scope and — for a browser session — the CSRF token that
state-changing API calls send as ``X-CSRF-Token``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from cxo.errors import ForbiddenError, UsageError
from cxo.store.users import (
    MAX_PASSWORD_LENGTH,
    create_user,
    find_user,
    list_users,
    owner_choices,
    remove_user,
    set_password,
    verify_password,
)
from cxo.web.access import Scope
from cxo.web.deps import Admin, CurrentIdentity, CurrentWorkspace, Reader, csrf_token, reader

router = APIRouter(tags=["users"], dependencies=[Depends(reader)])


class PasswordChange(BaseModel):
    """The current password and the new one."""

    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    new_password: str = Field(max_length=MAX_PASSWORD_LENGTH)


class UserIn(BaseModel):
    """A new user."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=100)
    role: str
    password: str = Field(max_length=MAX_PASSWORD_LENGTH)
    owner_of: str | None = Field(default=None, max_length=200)


@router.get("/me")
def me(
    request: Request, workspace: CurrentWorkspace, user: Reader, who: CurrentIdentity
) -> dict[str, Any]:
    """The signed-in user, what they see, and the session's CSRF token (``null`` for
    bearer-token calls, which need none)."""
    return {
        **user.to_dict(),
        "scope": Scope.of(workspace, user).to_dict(),
        "via": who.via,
        "csrf_token": csrf_token(request) if who.via == "session" else None,
    }


@router.post("/me/password")
def change_password(
    request: Request,
    workspace: CurrentWorkspace,
    user: Reader,
    who: CurrentIdentity,
    body: PasswordChange,
) -> dict[str, str]:
    """Change one's own password (other sessions end; this one continues)."""
    url = workspace.app_database_url
    if verify_password(url, user.name, body.current_password) is None:
        raise ForbiddenError("the current password is wrong; nothing changed")
    set_password(url, user.name, body.new_password, author=user.name)
    changed = find_user(url, user.name)
    if who.via == "session" and changed is not None:
        request.session["fp"] = changed.fingerprint
    return {"status": "changed"}


@router.get("/users")
def users(workspace: CurrentWorkspace, _: Admin) -> list[dict[str, Any]]:
    """Every user with role and scope (admins only)."""
    return [u.to_dict() for u in list_users(workspace.app_database_url)]


@router.post("/users", status_code=201)
def user_add(workspace: CurrentWorkspace, admin: Admin, body: UserIn) -> dict[str, Any]:
    """Add a user (admins only); an owner's ``owner_of`` must be named in the charter."""
    if body.role == "owner" and body.owner_of is not None:
        choices = owner_choices(workspace.charter())
        if body.owner_of.strip() not in choices:
            raise UsageError(
                f"{body.owner_of!r} is neither an accountable person nor a department of the "
                "charter",
                hint="known: " + (", ".join(sorted(choices)) or "none"),
            )
    user = create_user(
        workspace.app_database_url,
        body.name,
        body.role,
        body.password,
        owner_of=body.owner_of,
        author=admin.name,
    )
    return user.to_dict()


@router.delete("/users/{name}")
def user_remove(workspace: CurrentWorkspace, admin: Admin, name: str) -> dict[str, str]:
    """Remove a user and their tokens (admins only; not oneself)."""
    if name == admin.name:
        raise UsageError("you cannot remove yourself", hint="another admin or `cxo user remove`")
    remove_user(workspace.app_database_url, name, author=admin.name)
    return {"removed": name}
