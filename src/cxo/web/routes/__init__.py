"""The app's routers, one module per resource; each reads the workspace from the app state.

API routers (``analyses``, ``initiatives``, ``followups``, ``users``) are mounted under
``/api/v1`` and require a signed-in user (:data:`cxo.web.deps.Reader`) for every route; the
routes ask for more where they change things. ``auth`` and ``pages`` serve HTML.
"""
