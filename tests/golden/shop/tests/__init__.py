"""The test suite of the service."""
