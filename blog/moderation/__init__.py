"""Moderation: the authors' queue of comments to approve, mark as spam or delete."""
