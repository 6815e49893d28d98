"""Extractors: turn a conversation into long-term memory texts for one kind of strategy.

``RuleBasedExtractor`` (the default) is deterministic and offline: it reads what the user says
with a few English sentence patterns. It is a stand-in for the service's model-based
extraction, good enough for the user guide's examples ("I like sushi with tuna" becomes "The
user likes sushi with tuna."), and nothing more: it does not infer, merge or resolve anything.
``ModelExtractor`` asks a Strands model instead (for example Bedrock, when credentials exist).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .strategies import StrategyType


@dataclass(frozen=True)
class Message:
    """One conversational message, decoded to its role and plain text."""

    role: str  # USER, ASSISTANT, TOOL or OTHER
    text: str


class Extractor(Protocol):
    """Turns messages into record texts for one strategy kind.

    ``kind`` is SEMANTIC (facts), USER_PREFERENCE (preferences), SUMMARIZATION or EPISODIC (one
    text for the whole session so far) or CUSTOM (self-managed: nothing to extract). ``prompt``
    is a custom strategy's ``appendToPrompt``, if any. Raising marks the job FAILED.
    """

    def extract(
        self, kind: StrategyType, messages: Sequence[Message], prompt: str | None
    ) -> list[str]:
        """The record texts to store, one per fact or preference (one summary per session)."""
        ...


_SENTENCE = re.compile(r"[^.!?\n]+[.!?]?")
_LIKES = re.compile(
    r"\bI(?:\s+really|\s+also|\s+just)?\s+(like|love|enjoy|prefer|adore|want|dislike|hate)\s+(.+)",
    re.IGNORECASE,
)
_DONT_LIKE = re.compile(r"\bI\s+(?:do not|don't|dont)\s+(like|enjoy|want)\s+(.+)", re.IGNORECASE)
# "my favourite X is Y" is read in three linear steps (``_favourite``): one pattern for the
# whole phrase, ``[\w ]+?\s+is\s+(.+)``, retries from every "my favourite" and every space,
# which took a minute on a 100,000-character message while holding the GIL.
_FAVOURITE = re.compile(r"\bmy\s+favou?rite\s+", re.IGNORECASE)
_WORDS = re.compile(r"[\w ]*+")
# Starts only at the first of a run of spaces (the look-behind), so a long run is walked once.
_IS = re.compile(r"(?<!\s)\s++is\s++(?=\S)", re.IGNORECASE)
_FACT = re.compile(
    r"\b(I\s+am|I'm|I\s+live|I\s+work|I\s+have|I\s+own|I\s+was|I\s+study|I\s+moved|my\s+\w+"
    r"(?:\s+\w+)?\s+(?:is|are|was))\b(.*)",
    re.IGNORECASE,
)
_THIRD_PERSON = (
    (re.compile(r"\bI'm\b", re.IGNORECASE), "the user is"),
    (re.compile(r"\bI am\b", re.IGNORECASE), "the user is"),
    (re.compile(r"\bI was\b", re.IGNORECASE), "the user was"),
    (re.compile(r"\bI have\b", re.IGNORECASE), "the user has"),
    (re.compile(r"\bI've\b", re.IGNORECASE), "the user has"),
    (re.compile(r"\bI live\b", re.IGNORECASE), "the user lives"),
    (re.compile(r"\bI work\b", re.IGNORECASE), "the user works"),
    (re.compile(r"\bI own\b", re.IGNORECASE), "the user owns"),
    (re.compile(r"\bI study\b", re.IGNORECASE), "the user studies"),
    (re.compile(r"\bI\b"), "the user"),
    (re.compile(r"\bmy\b", re.IGNORECASE), "the user's"),
    (re.compile(r"\bme\b", re.IGNORECASE), "the user"),
    (re.compile(r"\bmine\b", re.IGNORECASE), "the user's"),
)
_VERB_S = {
    "like": "likes",
    "love": "loves",
    "enjoy": "enjoys",
    "prefer": "prefers",
    "adore": "adores",
    "want": "wants",
    "dislike": "dislikes",
    "hate": "hates",
}
SUMMARY_MAX_CHARS = 4000
_QUOTE_MAX_CHARS = 200


def _sentences(messages: Sequence[Message], role: str = "USER") -> list[str]:
    return [
        s.strip()
        for m in messages
        if m.role == role
        for s in _SENTENCE.findall(m.text)
        if s.strip()
    ]


def _favourite(sentence: str) -> tuple[str, str] | None:
    """``(X, Y)`` of the first "my favourite X is Y" in a sentence (X words and spaces only)."""
    head = _FAVOURITE.search(sentence)
    if head is None:
        return None
    rest = sentence[head.end() :]
    words = _WORDS.match(rest)
    verb = _IS.search(rest, 1)
    if words is None or verb is None or verb.start() > words.end():
        return None
    return rest[: verb.start()], rest[verb.end() :]


def _third_person(text: str) -> str:
    for pattern, replacement in _THIRD_PERSON:
        text = pattern.sub(replacement, text)
    return text


def _finish(text: str) -> str:
    text = " ".join(text.split()).rstrip(" ,;:")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _unique(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(t for t in texts if t))


class RuleBasedExtractor:
    """The default extractor: deterministic English sentence patterns over the user's words.

    * Preferences: "I like / love / enjoy / prefer / want / dislike / hate X", "I don't like X"
      and "my favourite X is Y", one record each ("The user likes X.").
    * Facts: "I am / I'm / I live / I work / I have / I own / I was / I study / I moved ..." and
      "my X is Y", rewritten in the third person ("The user lives in Paris.").
    * Summaries and episodes: one text quoting the session's user messages in order, with the
      number of assistant replies, at most 4,000 characters.
    * Self-managed custom strategies: nothing (their owner extracts).
    """

    def extract(
        self, kind: StrategyType, messages: Sequence[Message], prompt: str | None
    ) -> list[str]:
        """See ``Extractor.extract``; ``prompt`` is ignored (there is no model to prompt)."""
        if kind is StrategyType.USER_PREFERENCE:
            return _unique([self._preference(s) for s in _sentences(messages)])
        if kind is StrategyType.SEMANTIC:
            return _unique([self._fact(s) for s in _sentences(messages)])
        if kind.per_session:
            return self._summary(messages)
        return []

    @staticmethod
    def _preference(sentence: str) -> str:
        match = _DONT_LIKE.search(sentence)
        if match:
            return _finish(f"the user does not {match.group(1).lower()} {match.group(2)}")
        match = _LIKES.search(sentence)
        if match:
            verb = _VERB_S[match.group(1).lower()]
            return _finish(f"the user {verb} {_third_person(match.group(2))}")
        favourite = _favourite(sentence)
        if favourite:
            return _finish(f"the user's favourite {favourite[0]} is {favourite[1]}")
        return ""

    @staticmethod
    def _fact(sentence: str) -> str:
        if (
            sentence.endswith("?")
            or any(p.search(sentence) for p in (_LIKES, _DONT_LIKE))
            or _favourite(sentence)
        ):
            return ""
        match = _FACT.search(sentence)
        if not match:
            return ""
        return _finish(_third_person(match.group(1) + match.group(2)))

    @staticmethod
    def _summary(messages: Sequence[Message]) -> list[str]:
        said = [m.text.strip()[:_QUOTE_MAX_CHARS] for m in messages if m.role == "USER"]
        replies = sum(1 for m in messages if m.role == "ASSISTANT")
        if not said:
            return []
        quoted = "; ".join(f'"{text}"' for text in said if text)
        summary = f"The user said, in order: {quoted}. The assistant replied {replies} time(s)."
        return [summary[:SUMMARY_MAX_CHARS]]


_INSTRUCTIONS: dict[StrategyType, str] = {
    StrategyType.SEMANTIC: "List the lasting facts about the user stated in the conversation.",
    StrategyType.USER_PREFERENCE: "List the user's preferences stated in the conversation.",
    StrategyType.SUMMARIZATION: "Summarise the conversation in a short paragraph.",
    StrategyType.EPISODIC: "Describe the episode: what the user wanted and what happened.",
}
_LIST_FORMAT = "Answer with one item per line, each a full sentence, and nothing else."


class ModelExtractor:
    """Extraction by a Strands model: one model call per job, no tools.

    Args:
        model: Any Strands ``Model`` (``BedrockModel`` when credentials exist; the tests use
            ``agentcore_memory_otel.testing.ScriptedModel``).
    """

    def __init__(self, model: Any) -> None:
        self._model = model

    def extract(
        self, kind: StrategyType, messages: Sequence[Message], prompt: str | None
    ) -> list[str]:
        """See ``Extractor.extract``: the model's answer, one record per line (one summary)."""
        from strands import Agent  # the local server runs without Strands unless asked to

        instruction = _INSTRUCTIONS.get(kind)
        if instruction is None or not messages:
            return []
        single = kind.per_session
        system = " ".join(filter(None, [instruction, None if single else _LIST_FORMAT, prompt]))
        transcript = "\n".join(f"{m.role}: {m.text}" for m in messages)
        agent = Agent(model=self._model, system_prompt=system, callback_handler=None)
        answer = str(agent(transcript)).strip()
        if single:
            return [answer] if answer else []
        lines = (line.strip().lstrip("-*• ").strip() for line in answer.splitlines())
        return _unique([line for line in lines if line])
