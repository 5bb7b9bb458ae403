"""LLM providers behind the ``Model`` protocol, each through its official SDK.

Imported on demand by ``backend_agent.agent.config.create_model``, so the
SDKs are only needed by ``backend-agent run`` with a real provider.
"""

__all__: list[str] = []
