"""Every limit in ``wire/limits.py`` that botocore's model states agrees with the installed model.

The package checks limits before each call with these constants, and the local server answers
with the same figures; a botocore upgrade that changes one fails here, not in production.
"""

from __future__ import annotations

import re
from typing import Any

import botocore.session
import pytest

from agentcore_memory_otel.wire import limits

DATA = "bedrock-agentcore"
CONTROL = "bedrock-agentcore-control"

# (constant, facet, service, operation, path to the member); "[]" steps into a list's member,
# "{k}"/"{v}" into a map's key/value. Facets: pattern, min, max.
STATED: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    ("MEMORY_ID_PATTERN", "pattern", DATA, "CreateEvent", ("memoryId",)),
    ("MEMORY_ID_MIN_LENGTH", "min", DATA, "CreateEvent", ("memoryId",)),
    ("ACTOR_ID_PATTERN", "pattern", DATA, "CreateEvent", ("actorId",)),
    ("ACTOR_ID_MAX_LENGTH", "max", DATA, "CreateEvent", ("actorId",)),
    ("SESSION_ID_PATTERN", "pattern", DATA, "CreateEvent", ("sessionId",)),
    ("SESSION_ID_MAX_LENGTH", "max", DATA, "CreateEvent", ("sessionId",)),
    ("BRANCH_NAME_PATTERN", "pattern", DATA, "CreateEvent", ("branch", "name")),
    ("BRANCH_NAME_MAX_LENGTH", "max", DATA, "CreateEvent", ("branch", "name")),
    ("BRANCH_NAME_PATTERN", "pattern", DATA, "ListEvents", ("filter", "branch", "name")),
    ("METADATA_CHARSET_PATTERN", "pattern", DATA, "CreateEvent", ("metadata", "{k}")),
    (
        "METADATA_CHARSET_PATTERN",
        "pattern",
        DATA,
        "CreateEvent",
        ("metadata", "{v}", "stringValue"),
    ),
    ("METADATA_MAX_KEYS", "max", DATA, "CreateEvent", ("metadata",)),
    ("METADATA_KEY_MAX_LENGTH", "max", DATA, "CreateEvent", ("metadata", "{k}")),
    ("METADATA_VALUE_MAX_LENGTH", "max", DATA, "CreateEvent", ("metadata", "{v}", "stringValue")),
    ("METADATA_FILTERS_MAX", "max", DATA, "ListEvents", ("filter", "eventMetadata")),
    ("MAX_RESULTS_MAX", "max", DATA, "ListEvents", ("maxResults",)),
    ("PAYLOAD_MAX_ITEMS", "max", DATA, "CreateEvent", ("payload",)),
    (
        "TEXT_MAX_CHARS",
        "max",
        DATA,
        "CreateEvent",
        ("payload", "[]", "conversational", "content", "text"),
    ),
    ("NAMESPACE_PATTERN", "pattern", DATA, "RetrieveMemoryRecords", ("namespace",)),
    ("NAMESPACE_MAX_LENGTH", "max", DATA, "RetrieveMemoryRecords", ("namespace",)),
    (
        "RECORD_TEXT_MAX_CHARS",
        "max",
        DATA,
        "BatchCreateMemoryRecords",
        ("records", "[]", "content", "text"),
    ),
    (
        "RECORD_METADATA_MAX_KEYS",
        "max",
        DATA,
        "BatchCreateMemoryRecords",
        ("records", "[]", "metadata"),
    ),
    (
        "RECORD_STRING_LIST_MAX_ITEMS",
        "max",
        DATA,
        "BatchCreateMemoryRecords",
        ("records", "[]", "metadata", "{v}", "stringListValue"),
    ),
    (
        "RECORD_STRING_LIST_ITEM_MAX_LENGTH",
        "max",
        DATA,
        "BatchCreateMemoryRecords",
        ("records", "[]", "metadata", "{v}", "stringListValue", "[]"),
    ),
    (
        "SEARCH_QUERY_MAX_CHARS",
        "max",
        DATA,
        "RetrieveMemoryRecords",
        ("searchCriteria", "searchQuery"),
    ),
    ("TOP_K_MAX", "max", DATA, "RetrieveMemoryRecords", ("searchCriteria", "topK")),
    ("EVENT_ID_PATTERN", "pattern", DATA, "GetEvent", ("eventId",)),
    ("BRANCH_NAME_PATTERN", "pattern", DATA, "CreateEvent", ("branch", "name")),
    ("BRANCH_NAME_MAX_LENGTH", "max", DATA, "CreateEvent", ("branch", "name")),
]


def _member(service: str, operation: str, path: tuple[str, ...]) -> Any:
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation)
    found = shape.input_shape
    for step in path:
        if step == "[]":
            found = found.member
        elif step == "{k}":
            found = found.key
        elif step == "{v}":
            found = found.value
        else:
            found = found.members[step]
    return found


@pytest.mark.parametrize(
    ("constant", "facet", "service", "operation", "path"),
    STATED,
    ids=[f"{row[0]}:{row[1]}" for row in STATED],
)
def test_a_limit_matches_the_installed_model(
    constant: str, facet: str, service: str, operation: str, path: tuple[str, ...]
) -> None:
    ours = getattr(limits, constant)
    stated = _member(service, operation, path).metadata[facet]
    if facet == "pattern":
        assert isinstance(ours, re.Pattern) and ours.pattern == stated
    else:
        assert ours == stated


def test_every_model_stated_limit_is_compared() -> None:
    """A new constant in limits.py must be compared with the model here, or listed as prose."""
    prose_only = {
        "EVENT_MAX_BYTES",  # the 10 MB event size is documented, not modelled
        "MAX_RESULTS_DEFAULT",
        "TOP_K_DEFAULT",
        "CREATE_EVENT_TPS",
        "TIMESTAMP_MAX_SECONDS",  # what boto3 reads back, not a modelled limit
    }
    constants = {
        name
        for name, value in vars(limits).items()
        if name.isupper() and not isinstance(value, limits.TextRule)  # rules reuse the constants
    }
    compared = {row[0] for row in STATED} | {"ROLES"}  # an enum: compared below
    assert constants - compared - prose_only == set()
    assert prose_only <= constants


def test_the_roles_are_the_models() -> None:
    role = _member(DATA, "CreateEvent", ("payload", "[]", "conversational", "role"))
    assert set(role.enum) == limits.ROLES
