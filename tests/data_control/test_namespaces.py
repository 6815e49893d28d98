"""Which namespaces are an actor's (or a session's): templates resolved, listed, matched."""

from __future__ import annotations

import pytest

from agentcore_memory_otel.session.data_control.namespaces import Template, record_scopes

STRATEGY = "facts-AbCdEfGh12"


@pytest.mark.parametrize(
    ("template", "session", "path", "owned", "not_owned"),
    [
        (
            "/strategies/{memoryStrategyId}/actors/{actorId}/",
            None,
            f"/strategies/{STRATEGY}/actors/user/42:a.b",
            [f"/strategies/{STRATEGY}/actors/user/42:a.b/"],
            [f"/strategies/{STRATEGY}/actors/user/42:a.bc/", "/strategies/x/actors/user/42:a.b/"],
        ),
        (
            "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/",
            None,
            f"/strategies/{STRATEGY}/actors/user/42:a.b/sessions",
            [f"/strategies/{STRATEGY}/actors/user/42:a.b/sessions/s-1/"],
            [f"/strategies/{STRATEGY}/actors/user/42:a.b/sessions/s/x/"],
        ),
        (
            "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/",
            "s-1",
            f"/strategies/{STRATEGY}/actors/user/42:a.b/sessions/s-1",
            [f"/strategies/{STRATEGY}/actors/user/42:a.b/sessions/s-1/"],
            [f"/strategies/{STRATEGY}/actors/user/42:a.b/sessions/s-2/"],
        ),
        (  # a custom variable before the actor: listed under what is known, matched exactly
            "/topics/{topic}/{actorId}",
            None,
            "/topics",
            ["/topics/travel/user/42:a.b"],
            ["/topics/travel/user/42:a.b/more", "/topics/Travel/user/42:a.b"],
        ),
        (  # a variable mid-segment: the path stops at the last whole segment
            "/facts-{topic}/{actorId}",
            None,
            "/",
            ["/facts-x/user/42:a.b"],
            ["/facts-x/bob"],
        ),
    ],
)
def test_a_template_becomes_a_path_and_an_exact_match(
    template: str, session: str | None, path: str, owned: list[str], not_owned: list[str]
) -> None:
    # An actor id with the characters a regular expression or a path could misread.
    (scope,), skipped = record_scopes([Template(template, STRATEGY)], "user/42:a.b", session)
    assert skipped == []
    assert scope.path == path
    assert all(scope.owns(ns) for ns in owned)
    assert not any(scope.owns(ns) for ns in not_owned)


def test_templates_not_the_actors_alone_are_skipped_with_a_reason() -> None:
    templates = [Template("/shared/{memoryStrategyId}/"), Template("/users/{actorId}/")]
    scopes, skipped = record_scopes(templates, "a", None)
    assert [s.template for s in scopes] == ["/users/{actorId}/"]
    assert [(s.template, s.reason) for s in skipped] == [
        ("/shared/{memoryStrategyId}/", "no {actorId}: shared by every actor")
    ]
    scopes, skipped = record_scopes(templates, "a", "s")
    assert scopes == [] and len(skipped) == 2
