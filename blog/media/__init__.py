"""Media: the images authors upload, stored once by content and served with their real type."""
