# Sourced by the scripts: make sure uv exists (bootstrapped from pip) and never downloads Python.
export UV_PYTHON_DOWNLOADS=never
if ! command -v uv >/dev/null 2>&1; then
  if [ -x "$HOME/.local/bin/uv" ]; then
    export PATH="$HOME/.local/bin:$PATH"
  else
    echo "cxo: installing uv with pip (one time)" >&2
    python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv
    export PATH="$HOME/.local/bin:$PATH"
  fi
fi
# shellcheck disable=SC2086  # CXO_SYNC_EXTRAS holds flags (scripts/test: --extra spark)
uv sync --locked --quiet ${CXO_SYNC_EXTRAS:-}
