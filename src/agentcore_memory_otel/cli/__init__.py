"""The command line: ``agentcore-memory-otel`` (serve, events, demo) and its output helpers."""
