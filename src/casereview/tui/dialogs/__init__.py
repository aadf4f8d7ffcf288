"""The modal dialogs: notes and reasons, export, bundle, help."""
