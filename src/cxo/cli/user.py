"""``cxo user``: local users of the web app and API, their roles, passwords and tokens."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.markup import escape as esc
from rich.table import Table

from cxo.cli.common import (
    JsonOption,
    WorkspaceOption,
    console,
    echo,
    handle_errors,
    print_json,
    workspace,
)
from cxo.errors import UsageError

user_app = typer.Typer(
    name="user",
    help="Users of the web app and API: admin, cx_lead, owner (scoped), viewer.",
    no_args_is_help=True,
)

PasswordStdinOption = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of stdin (scripts)."
    ),
]


def register(app: typer.Typer) -> None:
    """Add ``user`` to ``app``."""
    app.add_typer(user_app, name="user")


def interactive() -> bool:
    """Whether a person sits at the terminal (then the password is asked, not read)."""
    return sys.stdin.isatty()


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice on a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not interactive():
        raise UsageError(
            "no terminal to ask for the password", hint="pipe it in with --password-stdin"
        )
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise UsageError("the two passwords differ; nothing changed")
    return first


def _check_owner_of(ws_owner_choices: set[str], owner_of: str | None) -> None:
    if owner_of is not None and owner_of.strip() not in ws_owner_choices:
        known = ", ".join(sorted(ws_owner_choices)) or "none (the charter names no owners)"
        raise UsageError(
            f"{owner_of!r} is neither an accountable person nor a department of the charter",
            hint=f"known: {known}",
        )


@user_app.command("add")
@handle_errors
def add_command(
    name: Annotated[str, typer.Argument(help="User name (to sign in with).")],
    role: Annotated[
        str, typer.Option("--role", help="admin, cx_lead, owner or viewer.", show_default=False)
    ],
    owner_of: Annotated[
        str | None,
        typer.Option(
            "--owner-of",
            help="For role owner: the accountable person or department of the charter.",
        ),
    ] = None,
    password_stdin: PasswordStdinOption = False,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a user with a role; the password is asked twice (or read with --password-stdin)."""
    from cxo.store.users import check_name, check_role, create_user, owner_choices

    ws = workspace(path)
    check_name(name)
    check_role(role)
    if role == "owner":
        _check_owner_of(owner_choices(ws.charter()), owner_of)
    password = read_password(password_stdin)
    user = create_user(
        ws.app_database_url, name, role, password, owner_of=owner_of, author=getpass.getuser()
    )
    if as_json:
        print_json(user.to_dict())
        return
    scope = f" for {user.owner_of}" if user.owner_of else ""
    echo(f"user {user.name} added ({user.role}{scope})")


@user_app.command("list")
@handle_errors
def list_command(path: WorkspaceOption = None, as_json: JsonOption = False) -> None:
    """Users, their roles and scopes."""
    from cxo.store.users import list_users

    users = list_users(workspace(path).app_database_url)
    if as_json:
        print_json([u.to_dict() for u in users])
        return
    table = Table(title=f"users ({len(users)})")
    for col in ("name", "role", "owner of", "tokens", "created"):
        table.add_column(col)
    for u in users:
        table.add_row(
            esc(u.name),
            u.role,
            esc(u.owner_of or ""),
            str(u.tokens),
            u.created_at.strftime("%Y-%m-%d"),
        )
    console.print(table)


@user_app.command("remove")
@handle_errors
def remove_command(
    name: Annotated[str, typer.Argument(help="User name.")], path: WorkspaceOption = None
) -> None:
    """Remove a user and their tokens (their sessions end)."""
    from cxo.store.users import remove_user

    remove_user(workspace(path).app_database_url, name, author=getpass.getuser())
    echo(f"user {name} removed")


@user_app.command("passwd")
@handle_errors
def passwd_command(
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: PasswordStdinOption = False,
    path: WorkspaceOption = None,
) -> None:
    """Set a new password (asked twice, or read with --password-stdin); sessions end."""
    from cxo.store.users import get_user, set_password

    url = workspace(path).app_database_url
    get_user(url, name)
    set_password(url, name, read_password(password_stdin), author=getpass.getuser())
    echo(f"password of {name} changed")


@user_app.command("token")
@handle_errors
def token_command(
    name: Annotated[str, typer.Argument(help="User name.")],
    revoke: Annotated[
        bool, typer.Option("--revoke", help="Revoke every token of the user instead.")
    ] = False,
    path: WorkspaceOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a bearer token for scripts (printed once, stored hashed), or --revoke them."""
    from cxo.store.users import create_token, revoke_tokens

    url = workspace(path).app_database_url
    if revoke:
        count = revoke_tokens(url, name, author=getpass.getuser())
        if as_json:
            print_json({"name": name, "revoked": count})
        else:
            echo(f"{count} token(s) of {name} revoked")
        return
    token = create_token(url, name, author=getpass.getuser())
    if as_json:
        print_json({"name": name, "token": token})
        return
    echo(token)
    echo(
        "this token is shown once; send it as `Authorization: Bearer <token>`",
        err=True,
    )
