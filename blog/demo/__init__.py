"""Demo content: loaded into an empty blog on first start, or on demand with `flask demo load`.

The posts are Markdown files with a small TOML header in `data/posts/`, read by `content`.
"""
