#!/usr/bin/env bash
# Builds the TLC runner's base image without any container registry: a minimal Debian bookworm with a Java 17
# runtime, made by debootstrap from the Debian mirror apt already uses, then imported as a local image.
#
# Usage: docker/build-base.sh [--force]
# Environment:
#   ITERPIN_BASE_IMAGE       image tag to create (default localhost/iterpin-base:bookworm)
#   ITERPIN_CONTAINER_ENGINE docker or podman (default: docker if its daemon answers, else podman)
#   ITERPIN_DEBIAN_MIRROR    Debian mirror URL (default: the first bookworm source in apt's configuration)
set -euo pipefail

tag="${ITERPIN_BASE_IMAGE:-localhost/iterpin-base:bookworm}"
suite=bookworm
force=0

say() { printf 'build-base: %s\n' "$*" >&2; }
die() { printf 'build-base: error: %s\n' "$*" >&2; exit 1; }

for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

# --- the container engine ---------------------------------------------------------------------------------------
engine="${ITERPIN_CONTAINER_ENGINE:-}"
if [[ -z "$engine" ]]; then
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    engine=docker
  elif command -v podman >/dev/null 2>&1; then
    engine=podman
  else
    die "no container engine: neither a docker daemon nor podman is available (Debian: apt-get install podman runc)"
  fi
fi
command -v "$engine" >/dev/null 2>&1 || die "container engine '$engine' is not installed"

image_exists() {
  if [[ "$engine" == podman ]]; then
    podman image exists "$tag"
  else
    "$engine" image inspect "$tag" >/dev/null 2>&1
  fi
}

if [[ "$force" -eq 0 ]] && image_exists; then
  say "$engine image $tag already exists; nothing to do (--force rebuilds it)"
  exit 0
fi

# --- prerequisites ------------------------------------------------------------------------------------------------
[[ "$(id -u)" -eq 0 ]] || die "debootstrap needs root; run this script as root (e.g. sudo $0)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (Debian: apt-get install debootstrap)"

# --- the Debian mirror apt uses -----------------------------------------------------------------------------------
# Reads one-line sources (sources.list, *.list) and deb822 sources (*.sources). A source whose suite is exactly
# "$suite" wins; otherwise any source of a Debian archive (a URI ending in /debian) will do, since debootstrap can
# fetch bookworm from any Debian mirror.
find_mirror() {
  local files=() f
  [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] && files+=("$f")
  done
  ((${#files[@]})) || return 1
  awk -v want="$suite" '
    function flush() {
      if (is822 && types ~ /(^| )deb( |$)/) {
        n = split(uris, u, " "); m = split(suites, s, " ")
        for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) consider(u[i], s[j])
      }
      is822 = 0; types = ""; uris = ""; suites = ""; enabled = 1
    }
    function consider(uri, st) {
      sub(/\/+$/, "", uri)
      if (st == want && exact == "") exact = uri
      if (uri ~ /\/debian$/ && any == "") any = uri
    }
    FNR == 1 { flush(); is822 = (FILENAME ~ /\.sources$/) }
    {
      line = $0; sub(/#.*/, "", line)
      if (is822) {
        if ($0 ~ /^[ \t]*$/) { flush(); is822 = 1; next }
        if (match(line, /^[A-Za-z-]+:/)) {
          key = tolower(substr(line, 1, RLENGTH - 1)); val = substr(line, RLENGTH + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "enabled" && tolower(val) == "no") types = ""
        }
        next
      }
      n = split(line, w, /[ \t]+/); k = 1
      if (w[k] == "") k++
      if (w[k] != "deb") next
      k++
      if (w[k] ~ /^\[/) { while (k <= n && w[k] !~ /\]$/) k++; k++ }
      if (k + 1 <= n) consider(w[k], w[k + 1])
    }
    END { flush(); if (exact != "") print exact; else if (any != "") print any; else exit 1 }
  ' "${files[@]}"
}

mirror="${ITERPIN_DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror="$(find_mirror)" || die "no Debian source found in /etc/apt/sources.list{,.d}; set ITERPIN_DEBIAN_MIRROR"
fi

# --- debootstrap and import ---------------------------------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/var/tmp}/iterpin-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

say "building $tag with $engine: debootstrap --variant=minbase $suite from $mirror (downloads ~60 MB, ~1 min)"
start=$SECONDS
if ! debootstrap --variant=minbase --include=openjdk-17-jre-headless "$suite" "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1; then
  tail -n 25 "$work/debootstrap.log" >&2
  [[ -f "$root/debootstrap/debootstrap.log" ]] && tail -n 25 "$root/debootstrap/debootstrap.log" >&2
  die "debootstrap failed (log above)"
fi
"$root/usr/bin/java" -version >/dev/null 2>&1 || chroot "$root" java -version >/dev/null 2>&1 \
  || die "the bootstrapped system has no working java"

# Nothing in the image needs apt's caches or the documentation.
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
       "$root"/usr/share/man/* "$root"/debootstrap

say "importing the root file system as $tag"
quiet=()
[[ "$engine" == podman ]] && quiet=(--quiet)
tar --numeric-owner -C "$root" -cf - . | "$engine" import "${quiet[@]}" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$tag" >/dev/null
image_exists || die "$engine import finished but $tag is not listed"
say "done: $tag ($((SECONDS - start)) s)"
