"""Building a questionnaire: pages, questions, options, review before publication."""
