"""Operations: what an operator runs the blog with (health check, backup, doctor, maintain)."""
