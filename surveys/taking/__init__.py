"""Taking part: the condition language, answers, page steps, storing a response once."""
