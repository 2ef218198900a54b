"""Open data: the JSON API and its OpenAPI document, Atom feeds, what site search indexes."""
