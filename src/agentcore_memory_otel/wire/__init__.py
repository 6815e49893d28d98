"""The event format and the API's facts; imports nothing of the package."""
