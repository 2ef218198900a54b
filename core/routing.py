"""Routes: a module's share of a feature's blueprint, under its own path prefix and roles.

A feature has one public and one staff blueprint (docs/architecture.md); each stage's view module adds its routes
to them through a Routes object, which joins the module's path prefix and wraps each view in the role check its
pages need. The staff blueprint itself requires a signed-in staff member (core.permissions.guard_blueprint), so the
check here narrows it to the roles of the stage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint

from core.models import Role
from core.permissions import roles_required

F = TypeVar("F", bound=Callable[..., Any])


class Routes:
    """`@routes.route(rule)` adds `prefix + rule` to the blueprint, the view guarded by roles when any are given."""

    def __init__(self, blueprint: Blueprint, prefix: str = "", *roles: Role) -> None:
        self.blueprint = blueprint
        self.prefix = prefix
        self.roles = roles
        # One guarded function per view, so a view under two rules is wrapped once and keeps one endpoint.
        self._guarded: dict[Callable[..., Any], Callable[..., Any]] = {}

    def route(self, rule: str, **options: Any) -> Callable[[F], F]:
        def decorator(view: F) -> F:
            endpoint = options.pop("endpoint", None) or view.__name__
            self.blueprint.add_url_rule(self.prefix + rule, endpoint, self._guard(view), **options)
            return view

        return decorator

    def record_once(self, function: Callable[..., Any]) -> Callable[..., Any]:
        return self.blueprint.record_once(function)

    def _guard(self, view: Callable[..., Any]) -> Callable[..., Any]:
        if not self.roles:
            return view
        if view not in self._guarded:
            self._guarded[view] = roles_required(*self.roles)(view)
        return self._guarded[view]
