"""Authoring: the signed-in author's dashboard, the editor with live preview, and revisions."""
