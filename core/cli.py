"""Operator commands: `flask users …` for staff accounts, `flask demo load` for the demo data."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from core.accounts import AccountError, create_user, department_by_code, grant_role, set_enabled
from core.extensions import db
from core.models import Role, User

users = AppGroup("users", help="Manage staff accounts.")
demo = AppGroup("demo", help="Demo data for trying the site out.")


@users.command("create")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=click.Choice([r.value for r in Role]), required=True)
@click.option("--department", "department_code", help="Department code, for editor and approver roles.")
@click.option("--name", default="", help="Display name.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(
    email: str, roles: tuple[str, ...], department_code: str | None, name: str, password_stdin: bool
) -> None:
    """Create a staff account with one or more roles."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    department = None
    if department_code:
        department = department_by_code(department_code)
        if department is None:
            raise click.ClickException(f"no department with code {department_code!r}")
    try:
        user = create_user(email, password, name)
        for role in roles:
            grant_role(user, Role(role), department)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"created {user.email} ({', '.join(roles)})")


@users.command("list")
def list_users() -> None:
    """List staff accounts with their roles."""
    for user in db.session.scalars(db.select(User).order_by(User.email)):
        roles = ", ".join(
            f"{m.role.value}@{m.department.code}" if m.department else m.role.value for m in user.memberships
        )
        state = "enabled" if user.is_enabled else "disabled"
        click.echo(f"{user.email}\t{state}\t{roles}")


@users.command("disable")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable an account and end all its sessions."""
    _set_enabled(email, False)


@users.command("enable")
@click.argument("email")
def enable_user(email: str) -> None:
    """Enable a disabled account."""
    _set_enabled(email, True)


def _set_enabled(email: str, enabled: bool) -> None:
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    set_enabled(user, enabled)
    db.session.commit()
    click.echo(f"{user.email} {'enabled' if enabled else 'disabled'}")


@demo.command("load")
def load_demo() -> None:
    """Load the demo departments and accounts (does nothing that is already there)."""
    from core.demo import load

    for line in load():
        click.echo(line)


@demo.command("load-if-empty")
def load_demo_if_empty() -> None:
    """Load the demo data only into a database with no departments yet (what `make run` does)."""
    from core.demo import load
    from core.models import Department

    if db.session.scalar(db.select(Department.id).limit(1)) is not None:
        click.echo("database already has data: demo data not loaded")
        return
    for line in load():
        click.echo(line)


@demo.command("accounts")
def show_demo_accounts() -> None:
    """Print the demo staff accounts and their generated passwords."""
    from core.demo import describe_accounts

    for line in describe_accounts():
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(demo)
