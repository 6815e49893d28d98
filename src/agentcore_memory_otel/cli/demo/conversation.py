"""The demo's conversation: a travel-planning agent with two tools and a scripted model.

The model is ``ScriptedModel``: its replies are written here, so the demo runs offline and
gives the same conversation every time. The tools really run.
"""

from __future__ import annotations

from dataclasses import dataclass

from strands import tool

from ...testing import Reply, ToolCall

SYSTEM_PROMPT = "You are a concise travel assistant. Use tools for weather and money."

_WEATHER = {"lisbon": "sunny, 24°C", "oslo": "light rain, 11°C", "kyoto": "clear, 19°C"}
_RATES = {("EUR", "NOK"): 11.6, ("EUR", "JPY"): 162.0, ("USD", "EUR"): 0.92}


@tool
def get_weather(city: str) -> str:
    """Current weather for a city."""
    return _WEATHER.get(city.lower(), "no data")


@tool
def convert_currency(amount: float, from_currency: str, to_currency: str) -> str:
    """Convert an amount between two currencies at today's rate."""
    rate = _RATES.get((from_currency.upper(), to_currency.upper()))
    if rate is None:
        return f"no rate for {from_currency}->{to_currency}"
    return f"{amount * rate:.2f} {to_currency.upper()}"


TOOLS = [get_weather, convert_currency]


@dataclass(frozen=True)
class Turn:
    """What the user says, and the scripted model's replies for that turn."""

    prompt: str
    replies: tuple[Reply, ...]

    @property
    def uses_tools(self) -> bool:
        """Whether the model calls a tool in this turn."""
        return any(isinstance(r, ToolCall) for r in self.replies)


FIRST_SESSION = (
    Turn(
        "Hi! I live in Porto and I am planning a trip in May. I prefer mild weather.",
        ("Hello! A trip from Porto in May, in mild weather: noted. Where to?",),
    ),
    Turn(
        "What's the weather like in Lisbon right now?",
        (
            ToolCall("get_weather", {"city": "Lisbon"}),
            "Lisbon is sunny at 24°C, a little warm but pleasant.",
        ),
    ),
    Turn(
        "And in Oslo?",
        (
            ToolCall("get_weather", {"city": "Oslo"}),
            "Oslo has light rain at 11°C. Cooler, as you like it.",
        ),
    ),
    Turn(
        "How much is 500 EUR in Norwegian kroner?",
        (
            ToolCall(
                "convert_currency", {"amount": 500, "from_currency": "EUR", "to_currency": "NOK"}
            ),
            "500 EUR is about 5800.00 NOK.",
        ),
    ),
    Turn("Great, I'll go with Oslo. Thanks!", ("Enjoy Oslo! Pack a light rain jacket.",)),
)

RESUMED_SESSION = (
    Turn(
        "I'm back. Which city did I pick, and is its weather mild enough for me?",
        ("You picked Oslo: light rain at 11°C when you asked, mild as you prefer.",),
    ),
)


def script(turns: tuple[Turn, ...]) -> list[Reply]:
    """The scripted model's replies for ``turns``, in order."""
    return [reply for turn in turns for reply in turn.replies]
