"""Reading: the pages readers browse (home, articles, tags, archive) and their queries."""
