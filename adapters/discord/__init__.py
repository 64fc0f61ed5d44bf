"""Discord adapter: turns discord.py events into core requests and renders core events back."""
