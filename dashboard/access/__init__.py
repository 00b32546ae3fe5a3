"""The dashboard's one way to the data: sign-in, scope and every scoped query."""
