"""Comments: readers post and reply without an account; spam defences; the comment section."""
