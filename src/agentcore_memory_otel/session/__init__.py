"""The Strands session manager: hooks, SDK surface, wiring; write/ and read/."""
