"""What every chat platform shares, written once.

- :mod:`~adapters.chat.presenter`: turns a chain's events into operations on the platform's small per-chain
  surface (:mod:`~adapters.chat.surface`): the head, step groups under the channel's pace, answer parts, notes,
  refusals, the failure; with the thread cap (:mod:`~adapters.chat.caps`) counted and folded here.
- :mod:`~adapters.chat.pacing`: one pruned lock per channel and the platform's post pace.
- :mod:`~adapters.chat.reacting`: the expand/collapse/stop rules, toggle limits and the wait for a message's link.
- :mod:`~adapters.chat.followup`: how many earlier turns a follow-up carries; :mod:`~adapters.chat.wording`: what
  the bot says; :mod:`~adapters.chat.split`, :mod:`~adapters.chat.links`: one splitter, one link judge.

Platform packages (``adapters.discord``, ``adapters.slack``) keep their SDK wiring, payload parsing, markup and
transport: a surface for the presenter and one for reactions. Import the modules directly
(``adapters.chat.presenter``).
"""
