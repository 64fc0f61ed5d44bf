import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import StepParseError
from core.strategies.step_parser import ParsedStep, parse_step


def test_plain_object():
    step = parse_step('{"title": "Count", "content": "s-t-r", "next_action": "continue"}')
    assert step == ParsedStep(title="Count", content="s-t-r", next_action="continue")


@pytest.mark.parametrize(
    "text",
    [
        '```json\n{"title": "T", "content": "C", "next_action": "final_answer"}\n```',
        '```\n{"title": "T", "content": "C", "next_action": "final_answer"}\n```',
        'Here is the step:\n{"title": "T", "content": "C", "next_action": "final_answer"}\nHope it helps.',
        '{"title": "T", "content": "C", "next_action": "final_answer",}',
        '{"Title": "T", "CONTENT": "C", "Next_Action": "Final_Answer"}',
        '{"title": "T", "content": "C", "next_action": "final answer"}',
    ],
)
def test_repairs_fences_prose_commas_and_case(text):
    assert parse_step(text) == ParsedStep(title="T", content="C", next_action="final_answer")


def test_missing_title_is_made_from_content():
    step = parse_step('{"content": "one two three four five six seven eight nine ten"}')
    assert step.title == "one two three four five six seven eight…"
    assert step.next_action == "continue"


def test_mistyped_keys_are_coerced():
    step = parse_step('{"title": 3, "content": ["a", "b"], "next_action": null}')
    assert step == ParsedStep(title="3", content="a\nb", next_action="continue")


def test_unknown_next_action_means_continue():
    assert parse_step('{"title": "T", "content": "C", "next_action": "maybe"}').next_action == "continue"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "not a JSON object"),
        ("I think the answer is 3.", "not a JSON object"),
        ('{"title": "T", "content": "C"', "not a JSON object"),
        ('["a", "b"]', "not a JSON object"),
        ('{"title": "T", "next_action": "continue"}', 'no "content"'),
        ('{"title": "T", "content": "   "}', 'no "content"'),
    ],
)
def test_unusable_replies_raise_own_error(text, reason):
    with pytest.raises(StepParseError, match=reason):
        parse_step(text)


def test_deeply_nested_input_is_a_parse_error_not_a_crash():
    with pytest.raises(StepParseError):
        parse_step("{" + '"a":[' * 100_000 + "]" * 100_000 + "}")


@given(st.text())
def test_any_text_parses_or_raises_step_parse_error(text):
    try:
        step = parse_step(text)
    except StepParseError:
        return
    assert step.content
    assert step.title
    assert step.next_action in ("continue", "final_answer")


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.sampled_from(["title", "content", "next_action", "Title", "x"]), _json_values))
def test_any_json_object_parses_or_raises_step_parse_error(obj):
    try:
        step = parse_step(json.dumps(obj))
    except StepParseError:
        return
    assert step.content


def test_json_escapes_for_surrogates_and_controls_are_made_safe():
    step = parse_step(r'{"title": "T\ud800 \u202ex\u200b\ny", "content": "a\u0000b\udfff\r\nc", "next_action": "x"}')
    assert step == ParsedStep(title="T\ufffd x y", content="ab\ufffd\nc", next_action="continue")
    step.content.encode("utf-8")


def test_content_of_invisible_characters_is_no_content():
    with pytest.raises(StepParseError, match='no "content"'):
        parse_step('{"title": "T", "content": "\\u200b\\u2060 \\ufeff"}')


def test_an_invisible_title_is_made_from_content():
    assert parse_step('{"title": "\\u200b\\u202e", "content": "Count the Rs"}').title == "Count the Rs"


def test_the_first_fence_holding_an_object_wins():
    text = 'Prose ```python\nx = 1``` then ```JSON  {"content": "C", "title": "T"}``` and ```{"content": "D"}``` ```'
    assert parse_step(text) == ParsedStep(title="T", content="C", next_action="continue")


def test_deeply_nested_lists_of_content_are_flattened():
    step = parse_step('{"content": ' + "[" * 500 + '"a", ["b", ""]' + "]" * 500 + "}")
    assert step.content == "a\nb"
