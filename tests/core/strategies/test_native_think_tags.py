"""The think-tag parser of the native strategy: reasoning and answer split the same whatever the chunking."""

import time

from hypothesis import example, given
from hypothesis import strategies as st

from core.strategies.think_tags import Split, ThinkTags, split_think


def fed(pieces: list[str]) -> Split:
    tags = ThinkTags()
    reasoning, answer = [], []
    for piece in pieces:
        split = tags.feed(piece)
        reasoning.append(split.reasoning)
        answer.append(split.answer)
    end = tags.flush()
    return Split("".join(reasoning) + end.reasoning, "".join(answer) + end.answer)


def chunked(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


def test_a_leading_think_block_is_the_reasoning_and_the_rest_the_answer():
    assert split_think("\n <think>\nCount: 3.\n</think>\n\nThree.") == Split("\nCount: 3.\n", "\n\nThree.")


def test_a_reply_without_a_leading_block_is_all_answer():
    assert split_think("Three. <think>no</think>") == Split("", "Three. <think>no</think>")
    assert split_think("<b>Three</b>") == Split("", "<b>Three</b>")
    assert split_think("  <thi") == Split("", "<thi")


def test_only_the_first_closing_tag_ends_the_block_and_an_unclosed_block_is_all_reasoning():
    assert split_think("<think>a</think>b</think>") == Split("a", "b</think>")
    assert split_think("<think>still thinking </thin") == Split("still thinking </thin", "")


def test_pieces_are_handed_back_as_they_come_holding_only_a_possible_tag():
    tags = ThinkTags()
    assert tags.feed("<thi") == Split("", "")
    assert tags.feed("nk>Let me count") == Split("Let me count", "")
    assert tags.thinking
    assert tags.feed(" again</th") == Split(" again", "")
    assert tags.feed("ink>3") == Split("", "3")
    assert tags.feed(" Rs") == Split("", " Rs")
    assert not tags.thinking


_ALPHABET = st.sampled_from(["<think>", "</think>", "<", "/", "think", ">", "t", " ", "\n", "x", "é", "🙂", "</th"])
_texts = st.lists(_ALPHABET, max_size=30).map("".join)


@given(text=_texts, cuts=st.lists(st.integers(0, 200), max_size=12))
@example(text="<think>a</think>b", cuts=[1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15])
@example(text=" <think></think>", cuts=[1, 15])
def test_any_chunking_splits_like_the_whole(text: str, cuts: list[int]):
    whole = split_think(text)
    assert fed(chunked(text, cuts)) == whole
    assert fed(list(text)) == whole
    assert len(whole.reasoning) + len(whole.answer) <= len(text)


def _seconds(size: int) -> float:
    text = "<think>" + "</thin" * size + "</think>" + "x" * size
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        result = fed(list(text))
        best = min(best, time.perf_counter() - began)
    assert result == Split("</thin" * size, "x" * size)
    return best


def test_time_grows_linearly_with_the_reply_in_one_character_pieces():
    small, large = _seconds(10_000), _seconds(80_000)
    assert large < 8 * 3 * small, f"8 times the text took {large / small:.1f} times as long"
