"""What every chat platform shares: text splitting, link safety, caps on what one chain may post.

Platform packages (``adapters.discord``, ``adapters.slack``) keep their SDK wiring, payload parsing, markup and
transport, and call into these modules for the rest. Import the modules directly (``adapters.chat.split``).
"""
