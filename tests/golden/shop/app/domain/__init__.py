"""Your code: one module per entity, with the hooks its service runs (app.core.hooks).

backend-agent writes these files once and ``backend-agent update`` never changes them.
"""
