"""Legality review: the gate, the reviewer's steps, how a consultation ended, archiving."""
