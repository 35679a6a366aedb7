"""Use cases: what the commands do, testable without the CLI."""
