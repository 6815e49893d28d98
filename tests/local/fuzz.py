"""A request fuzzer for the local server, generating requests from botocore's input shapes.

For each served operation it builds a request the way botocore would (URI labels, query string,
JSON body), from a value of the operation's input shape, and then spoils it in one of several
ways (``Mode``): boundary and out-of-range values, wrong JSON types, huge and deeply nested JSON,
forged tokens, hostile unicode (lone surrogates among them), malformed bodies and paths. It
sends the raw bytes over one kept-alive HTTP connection, as a client would, and checks that the
server answered (no dropped connection), never with a 500, and that every 2xx answer parses
with botocore's own rest-json parser against the operation's output shape.

Everything is drawn from one ``random.Random(seed)``, so a run is reproducible from its seed.
"""

from __future__ import annotations

import base64
import enum
import http.client
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from botocore.parsers import create_parser

from agentcore_memory_otel.local import LocalMemoryServer, model
from agentcore_memory_otel.local.operations import REGISTRY
from agentcore_memory_otel.local.validation import TIMESTAMP_MAX_SECONDS

_PARSER = create_parser("rest-json")
_CANDIDATES = ("a", "a1", "/a", "abc", "A-b_c", "x:y/z", "arn:aws:iam::123456789012:role/fuzz")
HOSTILE_TEXTS = (
    "\\ud800",  # lone surrogates, written as JSON escapes (the body stays valid UTF-8)
    "a\\udfffb",
    "\\udbff\\udbff",
    "\\u0000",
    "\u202e\u0635\u0644",  # right-to-left override, Arabic
    "e\u0301\u0301\u0301",  # stacked combining marks
    "\U0001f600\U0001f4a9",
    "\ufeff\uffff\ufffe",
    "%00%ZZ..%2F..",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{traceId}{actorId}{sessionId}",
    " \t\n",
    "ℌ𝔢𝔩𝔩𝔬²٣",
)


class Mode(enum.Enum):
    """How a generated request is spoiled (``VALID``: not at all)."""

    VALID = "valid"
    BOUNDARY = "boundary"
    INVALID = "invalid"
    WRONG_TYPE = "wrong type"
    HUGE = "huge"
    DEEP = "deep"
    BAD_TOKEN = "bad token"
    UNICODE = "hostile unicode"
    MALFORMED = "malformed body or path"


@dataclass
class World:
    """Resources a valid request names: a memory with a strategy, an event, a record."""

    memory_id: str
    arn: str
    strategy_id: str
    event_id: str
    record_id: str
    job_id: str

    def known(self, name: str) -> Any:
        return {
            "memoryId": self.memory_id,
            "actorId": "actor-1",
            "sessionId": "session-1",
            "eventId": self.event_id,
            "rootEventId": self.event_id,
            "resourceArn": self.arn,
            "memoryRecordId": self.record_id,
            "memoryStrategyId": self.strategy_id,
            "jobId": self.job_id,
        }.get(name)


def build_world(server: LocalMemoryServer, number: int) -> World:
    """Create the resources valid requests name (again, after a fuzzed request deleted them)."""
    control = server.client("bedrock-agentcore-control")
    data = server.client()
    memory = control.create_memory(
        name=f"fuzzworld{number}",
        eventExpiryDuration=30,
        memoryStrategies=[
            {"semanticMemoryStrategy": {"name": "facts", "namespaceTemplates": ["/f/{actorId}"]}}
        ],
    )["memory"]
    event = data.create_event(
        memoryId=memory["id"],
        actorId="actor-1",
        sessionId="session-1",
        eventTimestamp=time.time(),
        payload=[{"conversational": {"role": "USER", "content": {"text": "I live in Paris"}}}],
    )["event"]
    record = data.batch_create_memory_records(
        memoryId=memory["id"],
        records=[
            {
                "requestIdentifier": "r1",
                "namespaces": ["/fuzz"],
                "content": {"text": "a fuzz record"},
                "timestamp": time.time(),
            }
        ],
    )["successfulRecords"][0]["memoryRecordId"]
    server.backend.extraction.wait_idle()
    jobs = data.list_memory_extraction_jobs(memoryId=memory["id"])["jobs"]
    return World(
        memory["id"],
        memory["arn"],
        memory["strategies"][0]["strategyId"],
        event["eventId"],
        record,
        jobs[0]["jobID"],
    )


class Generator:
    """Values of botocore shapes: valid ones, and spoiled ones for the request's ``Mode``."""

    def __init__(self, rng: random.Random, world: World) -> None:
        self.rng = rng
        self.world = world

    # -- valid values -------------------------------------------------------------------
    def value(self, shape: Any, name: str = "", depth: int = 0, *, edge: bool = False) -> Any:
        """A value the model accepts (``edge``: at its bounds where it has any)."""
        known = self.world.known(name)
        if known is not None and self.rng.random() < 0.9:
            return known
        kind = shape.type_name
        meta = shape.metadata
        if meta.get("document"):
            return self._json(depth=2)
        if kind == "string":
            return self._string(shape, edge=edge)
        if kind in ("integer", "long"):
            low, high = meta.get("min", 0), meta.get("max", 1000)
            return self.rng.choice((low, high)) if edge else self.rng.randint(low, high)
        if kind in ("double", "float"):
            return self.rng.choice((0.0, 1.5, -2.25, 1e300, 5e-324)) if edge else self.rng.random()
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "timestamp":
            if edge:
                return self.rng.choice((0, 0.000001, TIMESTAMP_MAX_SECONDS))
            return round(time.time() - self.rng.randint(0, 10**6), self.rng.choice((0, 3, 6)))
        if kind == "blob":
            return base64.b64encode(self.rng.randbytes(self.rng.randint(1, 32))).decode()
        if depth > 6:
            return None
        if kind == "list":
            low, high = meta.get("min", 0), min(meta.get("max", 3), 3)
            count = self.rng.choice((low, high)) if edge else self.rng.randint(low, max(low, high))
            return [self.value(shape.member, "", depth + 1, edge=edge) for _ in range(count)]
        if kind == "map":
            count = self.rng.randint(max(meta.get("min", 0), 1), min(meta.get("max", 3), 3))
            return {
                self._string(shape.key): self.value(shape.value, "", depth + 1, edge=edge)
                for _ in range(count)
            }
        if meta.get("union"):
            member = self.rng.choice(list(shape.members))
            return {member: self.value(shape.members[member], member, depth + 1, edge=edge)}
        built = {}
        for member, child in shape.members.items():
            if child.serialization.get("location") == "header":
                continue
            if member in shape.required_members or self.rng.random() < 0.5:
                item = self.value(child, member, depth + 1, edge=edge)
                if item is not None:
                    built[member] = item
        return built

    def _string(self, shape: Any, *, edge: bool = False) -> str:
        meta = shape.metadata
        if meta.get("enum"):
            return str(self.rng.choice(meta["enum"]))
        low: int = meta.get("min", 1)
        high: int = meta.get("max", 64)
        pattern = meta.get("pattern")
        wanted = (
            self.rng.choice((max(low, 1), high))
            if edge
            else self.rng.randint(max(low, 1), min(high, 40))
        )
        for candidate in self.rng.sample(_CANDIDATES, len(_CANDIDATES)):
            text = (candidate * (wanted // len(candidate) + 1))[: max(wanted, 1)]
            if pattern is None or re.fullmatch(pattern, text):
                return text
        return "a" * max(low, 1)

    def _json(self, depth: int) -> Any:
        """Any JSON value (documents, wrong types)."""
        roll = self.rng.random()
        if depth <= 0 or roll < 0.5:
            return self.rng.choice(
                (None, True, False, 0, -1, 2**63, 2**64 + 1, 1.5, -1e308, "", "x", "é", [], {})
            )
        if roll < 0.75:
            return [self._json(depth - 1) for _ in range(self.rng.randint(0, 3))]
        return {f"k{i}": self._json(depth - 1) for i in range(self.rng.randint(0, 3))}

    # -- spoiled values -----------------------------------------------------------------
    def invalid(self, shape: Any) -> Any:
        """A value of the right JSON type that breaks a constraint, where one can be broken."""
        meta = shape.metadata
        kind = shape.type_name
        if kind == "string":
            return self.rng.choice(
                (
                    "",
                    "NOT_AN_ENUM_VALUE",
                    "a" * (meta.get("max", 64) + 1),
                    "!#$%^&*()",
                    " leading space",
                    "ends-with-colon:",
                )
            )
        if kind in ("integer", "long"):
            return self.rng.choice(
                (meta.get("min", 0) - 1, meta.get("max", 2**31) + 1, -(2**63) - 1, 10**30)
            )
        if kind in ("double", "float"):
            return self.rng.choice((-1.7e308, 1.7e308, -0.0, 3.5e38))
        if kind == "timestamp":
            return self.rng.choice(
                (-1, -1e12, 1e13, 1e300, TIMESTAMP_MAX_SECONDS + 1, "2025-01-01")
            )
        if kind == "list":
            return [None] * self.rng.randint(0, 2) + [self._json(1)] * (meta.get("max", 100) + 1)
        if kind == "map":
            return {f"k{i}": "v" for i in range(meta.get("max", 50) + 1)}
        if kind == "structure":
            return {"unknownMember": 1} if self.rng.random() < 0.5 else {}
        return self._json(1)

    def wrong_type(self, shape: Any) -> Any:
        """A value of some other JSON type than the shape's."""
        choices: list[Any] = [None, True, 0, 1.5, "text", [], {}, [1, "a"], {"a": {"b": []}}]
        keep = {
            "string": str,
            "integer": int,
            "long": int,
            "double": float,
            "float": float,
            "boolean": bool,
            "list": list,
            "map": dict,
            "structure": dict,
        }.get(shape.type_name)
        return self.rng.choice([c for c in choices if keep is None or type(c) is not keep])

    def hostile_text(self) -> str:
        parts = self.rng.choices(HOSTILE_TEXTS, k=self.rng.randint(1, 4))
        return "".join(parts)

    def deep(self) -> Any:
        depth = self.rng.choice((100, 1000, 5000, 100_000))
        opener = self.rng.choice(("list", "dict"))
        return (
            ("[" * depth + "]" * depth)
            if opener == "list"
            else ('{"a":' * depth + "1" + "}" * depth)
        )

    def huge(self, shape: Any) -> Any:
        if shape.type_name == "list":
            return [self.value(shape.member, "", 5) for _ in range(self.rng.choice((101, 1000)))]
        if shape.type_name == "map":
            return {f"k{i}": "v" for i in range(self.rng.choice((100, 5000)))}
        return "x" * self.rng.choice((100_001, 1_000_000))

    def bad_token(self) -> str:
        forged = [
            {"op": "ListEvents", "pos": [{"a": 1}, 2]},
            {"op": "ListEvents", "pos": ["x"]},
            {"op": "Nope", "pos": [1, 2]},
            {"op": "RetrieveMemoryRecords", "pos": ["abc"]},
            {"pos": [1]},
            [1, 2],
            {"op": "ListMemories", "pos": [2**80, "m"]},
        ]
        choice = self.rng.random()
        if choice < 0.5:
            raw = json.dumps(self.rng.choice(forged)).encode()
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")
        if choice < 0.7:
            return base64.urlsafe_b64encode(self.rng.randbytes(self.rng.randint(1, 64))).decode()
        return self.rng.choice(("", "=", "!!!", "a" * 5000, "\\ud800", "é", "%", "[[[[", "null"))


@dataclass
class Built:
    """One request as raw HTTP."""

    operation: str
    mode: Mode
    method: str
    path: str
    body: bytes | None
    headers: dict[str, str] = field(default_factory=dict)


def _members(shape: Any) -> dict[str, Any]:
    return {} if shape is None else dict(shape.members)


def build(generator: Generator, operation: str, mode: Mode) -> Built:
    """A raw request for ``operation`` spoiled as ``mode`` says."""
    rng = generator.rng
    modelled = model.operation(operation)
    shape = modelled.model.input_shape
    members = _members(shape)
    edge = mode is Mode.BOUNDARY
    params = generator.value(shape, edge=edge) if shape is not None else {}
    for name, member in members.items():  # URI labels are always required
        if member.serialization.get("location") == "uri" and name not in params:
            params[name] = generator.value(member, name)
    if operation == "DeleteMemory" and rng.random() < 0.9:  # keep the world, mostly
        params["memoryId"] = "fuzzgone-abcdefghij"
    # Spoil one member (or the whole body) according to the mode.
    body_text: str | None = None
    if members and mode not in (Mode.VALID, Mode.BOUNDARY, Mode.MALFORMED):
        name = rng.choice(list(members))
        member = members[name]
        if mode is Mode.INVALID:
            params[name] = generator.invalid(member)
        elif mode is Mode.WRONG_TYPE:
            params[name] = generator.wrong_type(member)
        elif mode is Mode.HUGE:
            params[name] = generator.huge(member)
        elif mode is Mode.DEEP:
            params[name] = "__DEEP__"
        elif mode is Mode.BAD_TOKEN:
            token_members = [m for m in members if m in ("nextToken", "clientToken")]
            params[rng.choice(token_members) if token_members else name] = generator.bad_token()
        elif mode is Mode.UNICODE:
            params[name] = "__HOSTILE__"
    path_labels: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    body: dict[str, Any] = {}
    for name, value in params.items():
        member = members.get(name)
        location = member.serialization.get("location") if member is not None else None
        wire = member.serialization.get("name", name) if member is not None else name
        if location == "uri":
            text = value if isinstance(value, str) else json.dumps(value)
            if text == "__HOSTILE__":
                text = generator.hostile_text().replace("\\u", "%5Cu")
            elif text == "__DEEP__":
                text = "a" * 5000
            path_labels[wire] = text
        elif location == "querystring":
            values = value if isinstance(value, list) else [value]
            for item in values:
                query.append((wire, item if isinstance(item, str) else json.dumps(item)))
        elif location == "header":
            continue
        else:
            body[name] = value
    path = modelled.uri.split("?", 1)[0]
    for wire, text in path_labels.items():
        encoded = quote(text, safe="")
        path = path.replace("{" + wire + "+}", encoded).replace("{" + wire + "}", encoded)
    if query:
        path += "?" + urlencode(query)
    if body or modelled.method in ("POST", "PUT", "PATCH"):
        body_text = json.dumps(body, ensure_ascii=True)
        body_text = body_text.replace('"__DEEP__"', generator.deep())
        while '"__HOSTILE__"' in body_text:
            body_text = body_text.replace('"__HOSTILE__"', json.dumps(generator.hostile_text()), 1)
            # json.dumps escaped our backslashes; un-escape the lone-surrogate escapes.
            body_text = body_text.replace("\\\\u", "\\u")
    headers = {"Content-Type": "application/json"} if body_text is not None else {}
    method = modelled.method
    if mode is Mode.MALFORMED:
        roll = rng.random()
        if roll < 0.2:
            body_text = rng.choice(
                ("{", "[]", "null", "1", '"x"', "{'a': 1}", '{"a": NaN}', "\x00")
            )
        elif roll < 0.35:
            body_text = (body_text or "{}")[: rng.randint(0, len(body_text or "{}"))]
        elif roll < 0.5:
            path = path.replace("/", "//", 1) + rng.choice(("/", "/..", "%zz", "%", "?a=%ff"))
        elif roll < 0.6:
            method = rng.choice(("PUT", "PATCH", "OPTIONS", "DELETE", "GET"))
        elif roll < 0.7:
            headers["Content-Type"] = "application/json; charset=latin-1"
            body_text = (body_text or "{}") + " " * rng.randint(0, 3)
        elif roll < 0.8:
            return Built(operation, mode, method, path, rng.randbytes(rng.randint(1, 200)), headers)
        elif roll < 0.9:
            return Built(
                operation,
                mode,
                method,
                path,
                "\ufeff".encode() + (body_text or "{}").encode(),
                headers,
            )
        else:
            return Built(
                operation, mode, method, path, (body_text or "{}").encode("utf-16"), headers
            )
    return Built(
        operation,
        mode,
        method,
        path,
        body_text.encode() if body_text is not None else None,
        headers,
    )


@dataclass
class Failure:
    """A request that got a 500, no answer, or a 2xx boto3 cannot parse."""

    built: Built
    problem: str


@dataclass
class Report:
    """What a fuzz run sent and what came back."""

    sent: Counter[str] = field(default_factory=Counter)
    by_mode: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    # (mode, status) pairs, to see that valid requests mostly succeed and spoiled ones do not.
    outcomes: Counter[tuple[str, int]] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0

    def table(self) -> str:
        """A markdown summary: requests per operation, per mode, per status."""
        lines = [
            f"{sum(self.sent.values())} requests, {len(self.sent)} operations, "
            f"{self.statuses.get(500, 0)} answered 500, {len(self.failures)} failures, "
            f"{self.seconds:.1f} s",
            "",
            "| operation | requests |",
            "|---|---|",
            *(f"| {op} | {n} |" for op, n in sorted(self.sent.items())),
            "",
            "modes: " + ", ".join(f"{m} {n}" for m, n in sorted(self.by_mode.items())),
            "statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses.items())),
            "valid requests answered: "
            + ", ".join(f"{s}: {n}" for (m, s), n in sorted(self.outcomes.items()) if m == "valid"),
        ]
        return "\n".join(lines)


class Fuzzer:
    """Sends generated requests to one server over a kept-alive connection."""

    def __init__(self, server: LocalMemoryServer, seed: int) -> None:
        self.server = server
        self.rng = random.Random(seed)
        self._worlds = 0
        self.world = self._new_world()
        parts = urlsplit(server.endpoint_url)
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._conn: http.client.HTTPConnection | None = None

    def _new_world(self) -> World:
        self._worlds += 1
        return build_world(self.server, self._worlds)

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            self._conn = http.client.HTTPConnection(*self._address, timeout=120)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def send(self, built: Built) -> tuple[int, dict[str, str], bytes]:
        """Send one request; an answer-less close raises (the caller records a failure)."""
        conn = self._connection()
        conn.putrequest(built.method, built.path, skip_accept_encoding=True)
        for name, value in built.headers.items():
            conn.putheader(name, value)
        conn.putheader("Content-Length", str(len(built.body or b"")))
        conn.endheaders(built.body)
        response = conn.getresponse()
        data = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        if response.will_close:
            self.close()
        return response.status, headers, data

    def run(self, count: int, report: Report) -> None:
        """Send ``count`` requests, spread over every served operation and every mode."""
        operations = sorted(REGISTRY)
        modes = list(Mode)
        started = time.perf_counter()
        for index in range(count):
            operation = operations[index % len(operations)]
            mode = self.rng.choice(modes)
            generator = Generator(self.rng, self.world)
            built = build(generator, operation, mode)
            report.sent[operation] += 1
            report.by_mode[mode.value] += 1
            try:
                status, headers, data = self.send(built)
            except (http.client.HTTPException, OSError) as exc:
                self.close()
                report.failures.append(Failure(built, f"no answer: {exc!r}"))
                continue
            report.statuses[status] += 1
            report.outcomes[(mode.value, status)] += 1
            if status >= 500:
                report.failures.append(Failure(built, f"{status}: {data[:300]!r}"))
            elif 200 <= status < 300:
                problem = _unparsable(operation, status, headers, data)
                if problem:
                    report.failures.append(Failure(built, problem))
            if index % 25 == 24 and not self._world_alive():
                self.world = self._new_world()
        report.seconds += time.perf_counter() - started

    def _world_alive(self) -> bool:
        status, _, _ = self.send(
            Built("GetMemory", Mode.VALID, "GET", f"/memories/{self.world.memory_id}/details", None)
        )
        return status == 200


def _unparsable(operation: str, status: int, headers: dict[str, str], data: bytes) -> str | None:
    """Why botocore cannot read a 2xx answer as the operation's output, or ``None``."""
    output = model.operation(operation).model.output_shape
    try:
        parsed = _PARSER.parse({"status_code": status, "headers": headers, "body": data}, output)
    except Exception as exc:  # any parser failure is the finding
        return f"botocore cannot parse the {status} answer: {exc!r}"
    if "Error" in parsed and parsed["Error"].get("Code"):
        return f"botocore reads the {status} answer as an error: {parsed['Error']}"
    return None
