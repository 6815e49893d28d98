"""Memory strategies: the input union turned into the stored ``MemoryStrategy``, and changes to it.

A strategy keeps every member it was given: namespaces, description, record schema, expiry and,
for a custom strategy, its override configuration (prompts and model ids) in the output form
``StrategyConfiguration``. Statuses follow ``memories``' settle rule (CREATING, then ACTIVE).
"""

from __future__ import annotations

import copy
from enum import Enum
from typing import Any

from .errors import ValidationError


class StrategyType(Enum):
    """The built-in kinds of strategy, by the name of their input union member."""

    SEMANTIC = "semanticMemoryStrategy"
    SUMMARIZATION = "summaryMemoryStrategy"
    USER_PREFERENCE = "userPreferenceMemoryStrategy"
    CUSTOM = "customMemoryStrategy"
    EPISODIC = "episodicMemoryStrategy"

    @property
    def per_session(self) -> bool:
        """Whether the kind keeps one record per session (a summary, an episode) from all of it."""
        return self in (StrategyType.SUMMARIZATION, StrategyType.EPISODIC)


# Namespace templates for a strategy given none (those the reference SDK fills in too).
DEFAULT_TEMPLATES: dict[StrategyType, str] = {
    StrategyType.SEMANTIC: "/strategies/{memoryStrategyId}/actors/{actorId}/",
    StrategyType.USER_PREFERENCE: "/strategies/{memoryStrategyId}/actors/{actorId}/",
    StrategyType.SUMMARIZATION: (
        "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/"
    ),
    StrategyType.EPISODIC: "/strategies/{memoryStrategyId}/actors/{actorId}/sessions/{sessionId}/",
    StrategyType.CUSTOM: "/strategies/{memoryStrategyId}/actors/{actorId}/",
}

# Custom override input member -> (override type, output member per configuration part).
_OVERRIDES: dict[str, tuple[str, dict[str, tuple[str, str]]]] = {
    "semanticOverride": (
        "SEMANTIC_OVERRIDE",
        {
            "extraction": ("customExtractionConfiguration", "semanticExtractionOverride"),
            "consolidation": ("customConsolidationConfiguration", "semanticConsolidationOverride"),
        },
    ),
    "summaryOverride": (
        "SUMMARY_OVERRIDE",
        {"consolidation": ("customConsolidationConfiguration", "summaryConsolidationOverride")},
    ),
    "userPreferenceOverride": (
        "USER_PREFERENCE_OVERRIDE",
        {
            "extraction": ("customExtractionConfiguration", "userPreferenceExtractionOverride"),
            "consolidation": (
                "customConsolidationConfiguration",
                "userPreferenceConsolidationOverride",
            ),
        },
    ),
    "episodicOverride": (
        "EPISODIC_OVERRIDE",
        {
            "extraction": ("customExtractionConfiguration", "episodicExtractionOverride"),
            "consolidation": ("customConsolidationConfiguration", "episodicConsolidationOverride"),
            "reflection": ("customReflectionConfiguration", "episodicReflectionOverride"),
        },
    ),
}

# The override type that decides how a custom strategy extracts, as a built-in kind.
OVERRIDE_KINDS: dict[str, StrategyType] = {
    "SEMANTIC_OVERRIDE": StrategyType.SEMANTIC,
    "SUMMARY_OVERRIDE": StrategyType.SUMMARIZATION,
    "USER_PREFERENCE_OVERRIDE": StrategyType.USER_PREFERENCE,
    "EPISODIC_OVERRIDE": StrategyType.EPISODIC,
    "SELF_MANAGED": StrategyType.CUSTOM,
}

# Self-managed defaults for the output members the model requires.
_SELF_MANAGED_DEFAULT_WINDOW = 4


def kind_of(strategy: dict[str, Any]) -> StrategyType:
    """How a stored strategy extracts: its type, or for a custom one its override's kind."""
    kind = StrategyType[strategy["type"]]
    if kind is StrategyType.CUSTOM:
        override = (strategy.get("configuration") or {}).get("type")
        return OVERRIDE_KINDS.get(override or "", StrategyType.SEMANTIC)
    return kind


def prompt_of(strategy: dict[str, Any]) -> str | None:
    """The custom extraction (or consolidation) prompt of a strategy, if it has one."""
    configuration = strategy.get("configuration") or {}
    for part in ("extraction", "consolidation"):
        outer = configuration.get(part) or {}
        for inner in outer.values():
            for override in (inner or {}).values():
                if isinstance(override, dict) and override.get("appendToPrompt"):
                    return str(override["appendToPrompt"])
    return None


def new_strategy(
    strategy: dict[str, Any], strategy_id: str, now_s: float, status: str
) -> dict[str, Any]:
    """Turn one ``MemoryStrategyInput`` union into the stored ``MemoryStrategy`` shape."""
    member, body = next((k, v) for k, v in strategy.items() if v is not None)
    kind = StrategyType(member)
    templates = (
        body.get("namespaceTemplates") or body.get("namespaces") or [DEFAULT_TEMPLATES[kind]]
    )
    output: dict[str, Any] = {
        "strategyId": strategy_id,
        "name": body["name"],
        "type": kind.name,
        "namespaces": list(templates),
        "namespaceTemplates": list(templates),
        "status": status,
        "createdAt": now_s,
        "updatedAt": now_s,
    }
    for key in ("description", "memoryRecordSchema"):
        if key in body:
            output[key] = copy.deepcopy(body[key])
    _apply_expiry(output, body.get("recordExpirySpecification"))
    configuration = _configuration(body)
    if configuration:
        output["configuration"] = configuration
    return output


def _apply_expiry(output: dict[str, Any], spec: dict[str, Any] | None) -> None:
    if not spec:
        return
    if spec.get("recordExpiryDurationDays") is not None:
        output["recordExpiryDurationDays"] = spec["recordExpiryDurationDays"]
    elif spec.get("action") == "REMOVE":
        output.pop("recordExpiryDurationDays", None)


def _configuration(body: dict[str, Any]) -> dict[str, Any]:
    """The output ``StrategyConfiguration`` of a custom or episodic strategy input."""
    out: dict[str, Any] = {}
    reflection = body.get("reflectionConfiguration")
    if reflection:
        out["reflection"] = {"episodicReflectionConfiguration": copy.deepcopy(reflection)}
    custom = body.get("configuration") or {}
    for member, value in custom.items():
        if value is None:
            continue
        if member == "selfManagedConfiguration":
            managed = copy.deepcopy(value)
            managed.setdefault("triggerConditions", [])
            managed.setdefault("historicalContextWindowSize", _SELF_MANAGED_DEFAULT_WINDOW)
            out["type"] = "SELF_MANAGED"
            out["selfManagedConfiguration"] = managed
            continue
        override_type, parts = _OVERRIDES[member]
        out["type"] = override_type
        for part, (outer, inner) in parts.items():
            if value.get(part):
                out[part] = {outer: {inner: copy.deepcopy(value[part])}}
    return out


def modify(strategy: dict[str, Any], change: dict[str, Any], now_s: float) -> None:
    """Apply one ``ModifyMemoryStrategyInput`` to a stored strategy, in place."""
    templates = change.get("namespaceTemplates") or change.get("namespaces")
    if templates:
        strategy["namespaces"] = list(templates)
        strategy["namespaceTemplates"] = list(templates)
    for key in ("description", "memoryRecordSchema"):
        if change.get(key) is not None:
            strategy[key] = copy.deepcopy(change[key])
    _apply_expiry(strategy, change.get("recordExpirySpecification"))
    configuration = change.get("configuration") or {}
    if configuration:
        stored = strategy.setdefault("configuration", {})
        for part, value in configuration.items():
            if value is None:
                continue
            if part == "selfManagedConfiguration":
                stored.setdefault(part, {}).update(copy.deepcopy(value))
            else:
                stored[part] = copy.deepcopy(value)
    strategy["updatedAt"] = now_s


def check_names(strategies: list[dict[str, Any]], field: str) -> None:
    """Reject two strategies with one name in a memory (the name is the id's prefix)."""
    seen: set[str] = set()
    for strategy in strategies:
        if strategy["name"] in seen:
            raise ValidationError.single(
                field, f"Strategy name {strategy['name']!r} is used twice in this memory"
            )
        seen.add(strategy["name"])
