"""The terminal app: the app, its screens, dialogs, widgets and command palette."""
