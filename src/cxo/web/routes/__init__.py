"""The app's routers, one module per resource; each reads the workspace from the app state."""
