"""The persistence engine: Strands messages and state to AgentCore events, and back."""
