"""Portability: moving a blog in (WordPress, Blogger, JSON) and out, and its old addresses."""
