"""Reads shared by the training pages, the agenda, the group page's panel and the grading."""
