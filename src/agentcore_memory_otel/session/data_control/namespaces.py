"""Which long-term namespaces hold an actor's (or a session's) records.

A memory's strategies write records under namespace templates such as
``/strategies/{memoryStrategyId}/actors/{actorId}/``; custom templates may hold variables of
their own (``namespaceKeys``). For one actor, a template is resolved as far as its variables
are known (``{actorId}``, ``{memoryStrategyId}``, and ``{sessionId}`` for one session), records
are listed under the longest known path (ListMemoryRecords ``namespacePath``), and only those
whose namespace the template can produce for this actor are kept. A template without
``{actorId}`` holds records shared by every actor, and one without ``{sessionId}`` records
that no single session owns: they are reported as skipped, never erased.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from ...wire import limits
from ...wire.limits import bare_memory_id
from .calls import PacedCalls

_VARIABLE: Final = re.compile(r"\{([a-zA-Z][a-zA-Z0-9]*)\}")
_ID_VALUE: Final = r"[a-zA-Z0-9][a-zA-Z0-9-_]*"  # a session or strategy id (no "/")
_CUSTOM_VALUE: Final = r"[a-z0-9][a-z0-9-_]*"  # a namespace variable's value


@dataclass(frozen=True)
class Template:
    """A namespace template, and the strategy whose records it names (if known)."""

    template: str
    strategy_id: str | None = None


@dataclass(frozen=True)
class Skipped:
    """A template whose records are not erased, and why."""

    template: str
    reason: str


@dataclass(frozen=True)
class RecordScope:
    """Where to list one template's records for an actor, and which namespaces are its."""

    template: str
    path: str
    pattern: re.Pattern[str]

    def owns(self, namespace: str) -> bool:
        """Whether ``namespace`` is one this template produces for the actor (or session)."""
        return self.pattern.fullmatch(namespace.rstrip("/")) is not None


def memory_templates(control: Any, memory_id: str) -> list[Template]:
    """The namespace templates of every strategy of the memory (GetMemory)."""
    memory = control.get_memory(memoryId=bare_memory_id(memory_id))["memory"]
    templates: list[Template] = []
    for strategy in memory.get("strategies") or []:
        for template in strategy.get("namespaceTemplates") or strategy.get("namespaces") or []:
            templates.append(Template(template, strategy.get("strategyId")))
    return templates


def record_scopes(
    templates: Iterable[Template], actor_id: str, session_id: str | None
) -> tuple[list[RecordScope], list[Skipped]]:
    """The scopes to list for the actor (or its session), and the templates left out."""
    scopes: list[RecordScope] = []
    skipped: list[Skipped] = []
    for template in templates:
        names = set(_VARIABLE.findall(template.template))
        if "actorId" not in names:
            skipped.append(Skipped(template.template, "no {actorId}: shared by every actor"))
            continue
        if session_id is not None and "sessionId" not in names:
            skipped.append(
                Skipped(template.template, "no {sessionId}: records of the actor, not a session")
            )
            continue
        scope = _scope(template, actor_id, session_id)
        if scope not in scopes:
            scopes.append(scope)
    return scopes, skipped


def _scope(template: Template, actor_id: str, session_id: str | None) -> RecordScope:
    known = {"actorId": actor_id}
    if session_id is not None:
        known["sessionId"] = session_id
    if template.strategy_id is not None:
        known["memoryStrategyId"] = template.strategy_id
    pattern: list[str] = []
    prefix: list[str] = []
    open_end = False  # a variable of unknown value met: the path stops there
    position = 0
    for match in _VARIABLE.finditer(template.template):
        literal = template.template[position : match.start()]
        name = match.group(1)
        pattern.append(re.escape(literal))
        if not open_end:
            prefix.append(literal)
        if name in known:
            pattern.append(re.escape(known[name]))
            if not open_end:
                prefix.append(known[name])
        else:
            is_id = name in ("sessionId", "memoryStrategyId")
            pattern.append(_ID_VALUE if is_id else _CUSTOM_VALUE)
            open_end = True
        position = match.end()
    tail = template.template[position:]
    pattern.append(re.escape(tail))
    path = "".join(prefix) + ("" if open_end else tail)
    if open_end:  # a path names whole "/" segments: cut back to the last one complete
        path = path[: path.rfind("/") + 1]
    path = path.rstrip("/") or "/"
    return RecordScope(template.template, path, re.compile("".join(pattern).rstrip("/")))


def scope_records(
    calls: PacedCalls, memory_id: str, scope: RecordScope
) -> Iterator[dict[str, Any]]:
    """The records in the scope's namespaces (summaries, as ListMemoryRecords gives them)."""
    path = limits.NAMESPACE.check(scope.path, f"namespace path of template {scope.template!r}")
    request = {"memoryId": memory_id, "namespacePath": path}
    for page in calls.pages("ListMemoryRecords", request):
        for record in page.get("memoryRecordSummaries", []):
            if any(scope.owns(ns) for ns in record.get("namespaces") or []):
                yield record
