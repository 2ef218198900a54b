"""Handling: the department's answers, templates, answer sheets and the published feedback."""
