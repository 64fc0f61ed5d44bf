"""Prompt texts and g1's step schema. Bump ``PROMPT_VERSION`` whenever a text or the schema changes: cached answers
are keyed on it."""

from __future__ import annotations

from typing import Any

__all__ = [
    "BERRY_CRITIQUE",
    "BERRY_SYNTHESIS",
    "BERRY_SYSTEM",
    "G1_FINAL_REQUEST",
    "G1_PREFILL",
    "G1_REASK",
    "G1_STEP_SCHEMA",
    "G1_SYSTEM",
    "PROMPT_VERSION",
]

PROMPT_VERSION = "2"  # 2: g1's steps carry G1_STEP_SCHEMA (Structured Outputs where the model has them)

G1_SYSTEM = """\
You are an expert problem solver who shows its reasoning one step at a time.

For every step, reply with ONE JSON object and nothing else, with exactly these keys:
- "title": a few words naming what this step does,
- "content": the reasoning of this step,
- "next_action": "continue" if another step is needed, or "final_answer" when you are ready to answer.

How to reason:
- Take at least 3 steps before "final_answer"; take as many as the problem really needs.
- Do not settle on the first idea: name the other plausible answers or approaches and weigh them.
- Before you commit to an answer, check it again by a different method. If the two disagree, find out why.
- Assume you may have made a mistake and look for it; say plainly what you are unsure of.
- Work with concrete details: write out the items, letters, numbers or cases one by one instead of guessing.

Example of one step:
{"title": "Restating the problem", "content": "We are asked to ...", "next_action": "continue"}

Output only the JSON object: no text before or after it, no code fences."""

# One g1 step, as G1_SYSTEM describes it; strict-ready (closed, every key required) for Structured Outputs.
G1_STEP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "description": "A few words naming what this step does."},
        "content": {"type": "string", "description": "The reasoning of this step."},
        "next_action": {"type": "string", "enum": ["continue", "final_answer"]},
    },
    "required": ["title", "content", "next_action"],
    "additionalProperties": False,
}

G1_PREFILL = (
    "Understood. I will now think it through step by step, following the instructions above, "
    "starting by breaking the problem down."
)

G1_REASK = (
    "Your last reply could not be used: {reason}. Reply again for step {index} with only one JSON object "
    'with the keys "title", "content" and "next_action".'
)

G1_FINAL_REQUEST = (
    "Now give the final answer, based only on your reasoning above. Do not use JSON. Write only the answer "
    "itself, without a title or preamble, keeping any format the question asked for (for example an exact "
    "short answer, or one of the given choices)."
)

BERRY_SYSTEM = """\
You are a careful thinker. Work through the question step by step in Markdown: restate what is asked, reason it \
out, check your work, then end with a line starting with "**Answer:**" that gives your answer."""

BERRY_CRITIQUE = """\
Read your previous answers above critically. Point out any mistakes, gaps, unchecked assumptions or better \
approaches, then write an improved, complete answer in Markdown. End with a line starting with "**Answer:**"."""

BERRY_SYNTHESIS = """\
Taking all of your answers and critiques above into account, write the final answer to the original question. \
Give only the answer and the brief justification a reader needs; no headings about turns or critiques."""
