"""Strands Agents memory on Amazon Bedrock AgentCore Memory, traceable with OpenTelemetry."""

__version__ = "0.1.0"

__all__ = ["__version__"]
