"""newsloom: follow a news story across many outlets.

The stages, one module each: ``ingest`` (read inputs) → ``clean`` → ``copies`` → ``cluster``
(stories) → ``compare`` (the claim table) → ``store``; ``pipeline`` runs them, ``cli`` and
``serve`` are the ways in.
"""
