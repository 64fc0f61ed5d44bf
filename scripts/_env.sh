# Sourced by the other scripts: makes .venv and installs the project into it when pyproject.toml changed.
# Usage: . scripts/_env.sh [extra]   (extra: "dev" for the test tools)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extra="${1:-}"
python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
stamp=".venv/.installed-${extra:-base}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    if [ -n "$extra" ]; then
        .venv/bin/python -m pip install --quiet -e ".[$extra]"
    else
        .venv/bin/python -m pip install --quiet -e .
    fi
    echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
