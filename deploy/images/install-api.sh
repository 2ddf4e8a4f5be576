#!/usr/bin/env bash
# Install the agent-hub API/worker image contents: Debian runtime packages and the
# Python project into a virtual environment.
#
# The Dockerfile (deploy/images/api.Dockerfile) calls this script, and CI runs the same
# commands outside a container, e.g.:
#
#   deploy/images/install-api.sh --skip-apt "$(mktemp -d)/venv"
#
# Usage: install-api.sh [options] VENV_PATH
#   VENV_PATH       virtual environment to create (or reuse) and install the project into
#   --src DIR|WHEEL project root holding pyproject.toml (default: the repo this script is in),
#                   or a built wheel (dist/agent_hub-*.whl; the release test installs that)
#   --extras LIST   optional dependency groups to install too, e.g. "media,s3" (default: none)
#   --skip-apt      do not install Debian packages (they are installed already)
#   --apt-only      only install the Debian runtime packages (no VENV_PATH needed)
#   --python EXE    interpreter used to create the venv (default: python3)
#   -h, --help      show this help
set -euo pipefail

APT_PACKAGES=(
  ca-certificates   # TLS to S3/LLM APIs/webhook targets
  tesseract-ocr     # OCR engine for image descriptions
  tesseract-ocr-eng # English language data
  libsndfile1       # audio decoding (soundfile)
  ffmpeg            # audio/video transcoding for Whisper
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
venv=""
extras=""
skip_apt=0
apt_only=0
python="${PYTHON:-python3}"

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --src) src="$2"; shift 2 ;;
    --extras) extras="$2"; shift 2 ;;
    --skip-apt) skip_apt=1; shift ;;
    --apt-only) apt_only=1; shift ;;
    --python) python="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "install-api.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *)
      if [ -n "$venv" ]; then
        echo "install-api.sh: only one VENV_PATH allowed" >&2
        exit 2
      fi
      venv="$1"; shift ;;
  esac
done

if [ "$skip_apt" = 1 ] && [ "$apt_only" = 1 ]; then
  echo "install-api.sh: --skip-apt and --apt-only exclude each other" >&2
  exit 2
fi

install_apt() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-api.sh: apt-get not found; install these packages yourself: ${APT_PACKAGES[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
  # No package lists or caches in the image.
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
}

if [ "$skip_apt" = 0 ]; then
  install_apt
fi
if [ "$apt_only" = 1 ]; then
  exit 0
fi

if [ -z "$venv" ]; then
  echo "install-api.sh: VENV_PATH is required" >&2
  usage >&2
  exit 2
fi
case "$src" in
  *.whl)
    if [ ! -f "$src" ]; then
      echo "install-api.sh: no wheel at $src" >&2
      exit 1
    fi ;;
  *)
    if [ ! -f "$src/pyproject.toml" ]; then
      echo "install-api.sh: no pyproject.toml in $src" >&2
      exit 1
    fi ;;
esac

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
"$venv/bin/python" -m pip install --upgrade pip
# A non-editable install: the image needs no source tree at run time. Extras use pip's
# `PATH[extra,...]` form, for a project directory and a wheel alike.
target="$src"
if [ -n "$extras" ]; then
  target="${src}[${extras}]"
fi
"$venv/bin/python" -m pip install "$target"
# Smoke check: the console script exists and the package imports.
"$venv/bin/python" -c "import agent_hub"
test -x "$venv/bin/agent-hub"
echo "install-api.sh: installed agent-hub into $venv"
