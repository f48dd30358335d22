"""The Qt Widgets user interface: main window, item models, dialogs, background workers."""
