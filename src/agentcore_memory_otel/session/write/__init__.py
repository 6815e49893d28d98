"""The write path: entries, batching into CreateEvent calls, the journal."""
