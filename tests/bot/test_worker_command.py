"""``thinkbot worker`` as a user runs it (the installed entry point in a subprocess). Starting, readiness and the
SIGTERM drain are in tests/deploy/test_procfile.py, which runs every Procfile process."""

import os
import subprocess
import sys
from pathlib import Path

THINKBOT = str(Path(sys.executable).with_name("thinkbot"))


def thinkbot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("THINKBOT_", "GROQ_", "OPENAI_", "REDIS_"))}
    return subprocess.run(
        [THINKBOT, *args], cwd=cwd, env=base | env, capture_output=True, text=True, timeout=60, check=False
    )


def test_worker_help_names_its_settings(tmp_path: Path) -> None:
    result = thinkbot("worker", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("REDIS_URL", "THINKBOT_WORKER_CONCURRENCY", "THINKBOT_JOB_CLAIM_SECONDS", "SIGTERM"):
        assert name in result.stdout
    assert "worker" in thinkbot("--help", cwd=tmp_path).stdout


def test_a_worker_without_redis_is_a_settings_error(tmp_path: Path) -> None:
    result = thinkbot("worker", cwd=tmp_path, GROQ_API_KEY="gsk_test")
    assert result.returncode == 2
    assert "REDIS_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_worker_setting_is_named(tmp_path: Path) -> None:
    result = thinkbot(
        "worker", cwd=tmp_path, GROQ_API_KEY="gsk_test", REDIS_URL="redis://127.0.0.1:1", THINKBOT_JOB_CLAIM_SECONDS="0"
    )
    assert result.returncode == 2
    assert "THINKBOT_JOB_CLAIM_SECONDS" in result.stderr
