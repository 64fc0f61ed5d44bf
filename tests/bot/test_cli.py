"""``thinkbot`` as a user runs it: the installed entry point in a subprocess, against the fake Groq."""

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from bot.ask import EMBEDDED_NOTE
from tests.fakes.groq_server import FakeGroq

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))


def step(title: str, content: str = "reasoning", next_action: str = "continue") -> str:
    return json.dumps({"title": title, "content": content, "next_action": next_action})


@pytest.fixture
def run(tmp_path: Path, fake_groq: FakeGroq):
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_"))}
    base_env.update(GROQ_API_KEY=fake_groq.api_key, GROQ_BASE_URL=fake_groq.base_url, COLUMNS="120")

    def run_cli(*args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
        merged = {**base_env, **env}
        for key in [k for k, v in merged.items() if v == ""]:
            del merged[key]
        return subprocess.run(
            [THINKBOT, *args], cwd=tmp_path, env=merged, input=stdin, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip

    return run_cli


def script_strawberry(fake: FakeGroq) -> None:
    fake.reply(step("Spell the word", "s-t-r-a-w-b-e-r-r-y [bold]not markup[/bold]"))
    fake.reply(step("Count the Rs", "r at 3, 8, 9"))
    fake.reply(step("Double-check", "Counting again gives 3", "final_answer"))
    fake.reply("There are **3** Rs in strawberry.")


def test_help_lists_every_command(run):
    result = run("--help")
    assert result.returncode == 0
    assert "ask" in result.stdout
    assert "Exit codes" in run("ask", "--help").stdout


def test_ask_shows_collapsed_steps_then_the_answer(run, fake_groq):
    script_strawberry(fake_groq)
    result = run("ask", "How many Rs are in strawberry?")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Step 1 · Spell the word") < out.index("Step 2 · Count the Rs") < out.index("Step 3")
    assert "s-t-r-a-w" not in out  # collapsed: titles and times only
    assert "There are 3 Rs in strawberry." in out
    assert "3 steps" in out


def test_ask_full_steps_prints_model_text_verbatim(run, fake_groq):
    script_strawberry(fake_groq)
    result = run("ask", "--steps", "full", "How many Rs are in strawberry?")
    assert result.returncode == 0, result.stderr
    assert "s-t-r-a-w-b-e-r-r-y [bold]not markup[/bold]" in result.stdout


def test_ask_full_steps_renders_each_steps_markdown_as_the_answer_is(run, fake_groq):
    fake_groq.reply(step("Count", "There are **three** Rs:\n\n- one in *str*\n- two in `berry`", "final_answer"))
    fake_groq.reply("There are **3** Rs.")
    result = run("ask", "--steps", "full", "How many Rs are in strawberry?")
    assert result.returncode == 0, result.stderr
    steps = result.stdout.split("Answer")[0]
    assert "There are three Rs:" in steps
    assert "• one in str" in steps
    assert "• two in berry" in steps
    for raw in ("**", "*str*", "`", "- one"):
        assert raw not in steps


def test_ask_joins_unquoted_words_into_the_question(run, fake_groq):
    fake_groq.reply("3")
    result = run("ask", "--strategy", "bare", "how", "many", "rs", "in", "strawberry?")
    assert result.returncode == 0, result.stderr
    assert fake_groq.chat_requests[0].messages == [{"role": "user", "content": "how many rs in strawberry?"}]


def test_ask_dash_reads_the_whole_question_from_stdin(run, fake_groq):
    fake_groq.reply("3")
    result = run("ask", "--strategy", "bare", "-", stdin="How many Rs\nare in strawberry?\n")
    assert result.returncode == 0, result.stderr
    assert fake_groq.chat_requests[0].messages == [{"role": "user", "content": "How many Rs\nare in strawberry?"}]


def test_version_is_the_installed_packages(run):
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout == f"thinkbot {version('thinkbot')}\n"


def test_without_redis_one_short_note_and_no_log_line_before_an_error(run, fake_groq):
    fake_groq.reply("3")
    answered = run("ask", "--strategy", "bare", "q")
    assert answered.returncode == 0, answered.stderr
    assert answered.stderr == EMBEDDED_NOTE + "\n"
    fake_groq.error(401)
    failed = run("ask", "--strategy", "bare", "q", THINKBOT_LLM_MAX_RETRIES="0")
    assert failed.returncode == 1
    assert failed.stderr.startswith(EMBEDDED_NOTE + "\nError: ")


def test_ask_fresh_thinks_again_instead_of_replaying_the_cache(run, fake_groq, redis_url):
    env = {"REDIS_URL": redis_url, "THINKBOT_REDIS_KEY_PREFIX": f"fresh{os.getpid()}"}
    fake_groq.reply("first").reply("second")
    first = run("ask", "--strategy", "bare", "Same question?", **env)
    again = run("ask", "--strategy", "bare", "Same question?", **env)
    fresh = run("ask", "--strategy", "bare", "--fresh", "Same question?", **env)
    assert [r.returncode for r in (first, again, fresh)] == [0, 0, 0], fresh.stderr
    assert "cached" in again.stdout
    assert "cached" not in fresh.stdout
    assert "second" in fresh.stdout
    assert len(fake_groq.chat_requests) == 2
    assert first.stderr == again.stderr == ""  # with Redis: no note


def test_the_local_user_is_not_rate_limited_unless_set(run, fake_groq, redis_url):
    env = {"REDIS_URL": redis_url, "THINKBOT_REDIS_KEY_PREFIX": f"unlimited{os.getpid()}"}
    env |= {"THINKBOT_USER_RATE": "1/1h", "THINKBOT_PLACE_RATE": "1/1h"}
    fake_groq.respond_with(lambda _: "ok")
    unlimited = [run("ask", "--strategy", "bare", f"question {n}", **env) for n in range(3)]
    assert [r.returncode for r in unlimited] == [0, 0, 0], unlimited[-1].stderr
    limited = [run("ask", "--strategy", "bare", f"other {n}", THINKBOT_CLI_RATE_LIMITED="true", **env) for n in (1, 2)]
    assert limited[0].returncode == 0, limited[0].stderr
    assert limited[1].returncode == 1
    assert limited[1].stderr.lower().count("try again") == 1, limited[1].stderr


def test_ask_json_prints_one_event_per_line(run, fake_groq):
    script_strawberry(fake_groq)
    result = run("ask", "--json", "--strategy", "g1", "How many Rs are in strawberry?")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["type"] for e in events] == ["chain_started", "step", "step", "step", "final_answer"]
    assert events[1]["title"] == "Spell the word"
    assert events[-1]["text"] == "There are **3** Rs in strawberry."
    assert events[1]["usage"]["prompt_tokens"] > 0


def test_strategy_and_model_options_reach_the_chain(run, fake_groq):
    for text in ("one", "two", "final"):
        fake_groq.reply(text)
    result = run("ask", "--json", "--strategy", "berry", "--model", "qwen/qwen3-32b", "q", THINKBOT_BERRY_TURNS="2")
    assert result.returncode == 0, result.stderr
    assert {r.model for r in fake_groq.chat_requests} == {"qwen/qwen3-32b"}
    assert json.loads(result.stdout.splitlines()[0])["strategy"] == "berry"


@pytest.mark.parametrize("chosen", ["option", "setting"])
def test_ask_bare_makes_one_plain_request_and_prints_the_answer(run, fake_groq, chosen):
    fake_groq.reply("There are **3** Rs in strawberry.", prompt_tokens=20, completion_tokens=9)
    question = "How many Rs are in strawberry?"
    if chosen == "option":
        result = run("ask", "--strategy", "bare", question)
    else:
        result = run("ask", question, THINKBOT_STRATEGY="bare")
    assert result.returncode == 0, result.stderr
    [call] = fake_groq.chat_requests
    assert call.messages == [{"role": "user", "content": "How many Rs are in strawberry?"}]
    out = result.stdout
    assert "Thinking (bare on " in out
    assert "Step " not in out  # the answer is the only thing shown, once
    assert out.count("There are 3 Rs in strawberry.") == 1
    assert "0 steps" in out
    assert "29 tokens" in out


def test_settings_come_from_dotenv(run, fake_groq, tmp_path):
    (tmp_path / ".env").write_text("THINKBOT_MODEL=moonshotai/kimi-k2-instruct-0905\n")
    fake_groq.reply(step("s", next_action="final_answer")).reply("ok")
    assert run("ask", "q").returncode == 0
    assert fake_groq.chat_requests[0].model == "moonshotai/kimi-k2-instruct-0905"


def test_failed_chain_exits_1_with_a_clear_message(run, fake_groq):
    fake_groq.reply(step("first")).error(413)
    result = run("ask", "q")
    assert result.returncode == 1
    assert "Step 1 · first" in result.stdout
    assert "too long" in result.stderr
    assert "(1 step was completed)" in result.stderr


def test_wrong_key_exits_1_naming_the_variable_not_the_value(run):
    result = run("ask", "q", GROQ_API_KEY="gsk_this_is_not_right_123", THINKBOT_LLM_MAX_RETRIES="0")
    assert result.returncode == 1
    assert "GROQ_API_KEY" in result.stderr
    assert "gsk_this_is_not_right_123" not in result.stdout + result.stderr


@pytest.mark.parametrize("question", ["", "   ", "x" * 4001])
def test_bad_question_exits_2(run, fake_groq, question):
    result = run("ask", question)
    assert result.returncode == 2
    assert "Error:" in result.stderr
    assert fake_groq.chat_requests == []


def test_missing_key_exits_2_before_any_call(run, fake_groq):
    result = run("ask", "q", GROQ_API_KEY="")
    assert result.returncode == 2
    assert "GROQ_API_KEY is not set" in result.stderr
    assert fake_groq.requests == []


def test_invalid_setting_exits_2_naming_it(run):
    result = run("ask", "q", THINKBOT_TEMPERATURE="hot", THINKBOT_STEP_CAP="0")
    assert result.returncode == 2
    assert "THINKBOT_TEMPERATURE" in result.stderr
    assert "THINKBOT_STEP_CAP" in result.stderr
    assert result.stderr.count("\n") == 1  # one message


def test_unknown_model_exits_1_naming_the_setting(run):
    result = run("ask", "--model", "llama-3.3-70b-versatile", "q")
    assert result.returncode == 1
    assert "THINKBOT_MODEL" in result.stderr


def test_ask_goes_through_the_shared_cache_and_limits(run, fake_groq, redis_url):
    script_strawberry(fake_groq)
    env = {"REDIS_URL": redis_url, "THINKBOT_REDIS_KEY_PREFIX": f"cli{os.getpid()}", "THINKBOT_USER_RATE": "2/1h"}
    env["THINKBOT_CLI_RATE_LIMITED"] = "true"
    first = run("ask", "How many Rs are in strawberry?", **env)
    second = run("ask", "how many Rs are in strawberry?", **env)
    third = run("ask", "Another question?", **env)
    assert first.returncode == 0, first.stderr
    assert "cached" not in first.stdout
    assert second.returncode == 0, second.stderr
    assert "Step 3 · Double-check" in second.stdout
    assert "cached" in second.stdout
    assert len(fake_groq.chat_requests) == 4
    assert third.returncode == 1
    assert "try again in 30 min" in third.stderr
    assert third.stderr.lower().count("try again") == 1  # said once
    assert len(fake_groq.chat_requests) == 4


HOSTILE_STEP = r'{"title": "Spell\ud800 it\u0000", "content": "s\udfff-t\u0000-r", "next_action": "%s"}'


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_ask_survives_surrogates_and_nul_from_the_model(run, fake_groq, as_json):
    fake_groq.reply(HOSTILE_STEP % "continue").reply(HOSTILE_STEP % "final_answer").reply("Three\ud800 Rs\x00.")
    result = run("ask", *(["--json"] if as_json else ["--steps", "full"]), "How many Rs?")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if as_json:
        events = [json.loads(line) for line in result.stdout.splitlines()]
        assert [e["type"] for e in events] == ["chain_started", "step", "step", "final_answer"]
        assert events[1]["title"] == "Spell\ufffd it"
        assert events[1]["content"] == "s\ufffd-t-r"
        assert events[-1]["text"] == "Three\ufffd Rs."
    else:
        assert "Spell\ufffd it" in result.stdout
        assert "Three\ufffd Rs." in result.stdout


@pytest.mark.parametrize("empty", ["", "\u200b \u200b"])
def test_an_empty_answer_exits_1_and_is_not_cached(run, fake_groq, redis_url, empty):
    env = {"REDIS_URL": redis_url, "THINKBOT_REDIS_KEY_PREFIX": f"cliempty{os.getpid()}{len(empty)}"}
    fake_groq.reply(step("only", next_action="final_answer")).reply(empty)
    fake_groq.reply(step("only", next_action="final_answer")).reply("Now an answer.")
    first = run("ask", "--json", "Empty?", **env)
    second = run("ask", "--json", "Empty?", **env)
    assert first.returncode == 1
    failed = json.loads(first.stdout.splitlines()[-1])
    assert (failed["type"], failed["kind"]) == ("chain_failed", "empty_answer")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout.splitlines()[-1])["cached"] is False
    assert len(fake_groq.chat_requests) == 4


NATIVE_REASONING = (
    "We need to count the letter r in strawberry. Let me spell the word and look at every letter in turn. " * 4
    + "\n\n## Spelling\ns-t-r-a-w-b-e-r-r-y: r at 3, 8 and 9, so three."
)


@pytest.mark.parametrize("chosen", ["option", "setting"])
def test_ask_native_shows_the_model_reasoning_as_titled_steps_then_the_answer(run, fake_groq, chosen):
    fake_groq.reply("There are **3** Rs in strawberry.", reasoning=NATIVE_REASONING)
    question = "How many Rs are in strawberry?"
    if chosen == "option":
        result = run("ask", "--strategy", "native", "--steps", "full", question)
    else:
        result = run("ask", "--steps", "full", question, THINKBOT_STRATEGY="native")
    assert result.returncode == 0, result.stderr
    [call] = fake_groq.chat_requests
    assert (call.model, call.body["stream"], call.body["include_reasoning"]) == ("openai/gpt-oss-120b", True, True)
    out = result.stdout
    assert "Thinking (native on openai/gpt-oss-120b" in out
    assert (
        out.index("Step 1 · We need to count the letter r in…") < out.index("Step 2 · Spelling") < out.index("Answer")
    )
    assert "s-t-r-a-w-b-e-r-r-y: r at 3, 8 and 9, so three." in out
    assert "There are 3 Rs in strawberry." in out
    assert "2 steps" in out


def test_ask_native_json_sends_step_deltas_before_each_step(run, fake_groq):
    fake_groq.reply("3", reasoning=NATIVE_REASONING)
    result = run("ask", "--json", "--strategy", "native", "q")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds[0] == "chain_started"
    assert kinds[-1] == "final_answer"
    steps = [e for e in events if e["type"] == "step"]
    assert [s["title"] for s in steps] == ["We need to count the letter r in…", "Spelling"]
    for s in steps:
        assert kinds.index("step_delta") < kinds.index("step")
        assert any(e["type"] == "step_delta" and e["index"] == s["index"] for e in events[: events.index(s)])
    assert events[-1]["text"] == "3"
    assert events[-1]["steps"] == 2


def test_ask_native_on_a_model_that_does_not_reason_exits_2_naming_it(run, fake_groq):
    result = run("ask", "--strategy", "native", "--model", "moonshotai/kimi-k2-instruct-0905", "q")
    assert result.returncode == 2
    assert "moonshotai/kimi-k2-instruct-0905 is not one" in " ".join(result.stderr.split())  # wrapped at 120
    assert "Traceback" not in result.stderr
    assert fake_groq.chat_requests == []
