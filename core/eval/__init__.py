"""``thinkbot eval``'s core: question sets, scoring, statistics, the runner and the recorded LLM seam.

Nothing here renders (rich, matplotlib) or reads settings: the command in ``bot/`` does that.
"""
