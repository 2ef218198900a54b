"""Open data: the JSON API, the Atom feed, what site search indexes."""
