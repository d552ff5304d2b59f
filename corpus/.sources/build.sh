#!/usr/bin/env bash
# Rebuilds the corpus's office documents from the HTML sources kept here, with
# LibreOffice (Debian: apt-get install libreoffice-writer-nogui fonts-noto-core).
#
#   corpus/.sources/docs/<lang>/<name>.html       -> corpus/docs/<lang>/<name>.pdf
#   corpus/.sources/docs/<lang>/<name>.docx.html  -> corpus/docs/<lang>/<name>.docx
#
# HTML goes through ODT first: LibreOffice's direct HTML->PDF export (the
# Writer/Web filter) leaves page 1 blank and drops <h1> headings. Page breaks
# come from `style="page-break-before: always"` in the source, so what sits on
# which page is decided by the source, not by the font metrics of the machine.
# The document's <title> becomes the PDF's Title metadata.
# Usage: corpus/.sources/build.sh [source.html ...]   (default: all sources)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(dirname "$here")
soffice=$(command -v soffice || command -v libreoffice || true)
[ -n "$soffice" ] || { echo "build.sh: LibreOffice (soffice) is not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
profile="file://$tmp/profile"

if [ $# -gt 0 ]; then sources=("$@"); else sources=("$here"/docs/*/*.html); fi
for src in "${sources[@]}"; do
  [ -f "$src" ] || continue
  src=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
  lang=$(basename "$(dirname "$src")")
  base=$(basename "$src" .html)
  target=pdf
  case "$base" in *.docx) target=docx; base=${base%.docx} ;; esac
  out="$corpus/docs/$lang"
  mkdir -p "$out" "$tmp/odt"
  cp "$src" "$tmp/odt/$base.html"
  "$soffice" -env:UserInstallation="$profile" --headless --infilter="HTML (StarWriter)" \
    --convert-to odt --outdir "$tmp/odt" "$tmp/odt/$base.html" >/dev/null
  if [ "$target" = pdf ]; then
    "$soffice" -env:UserInstallation="$profile" --headless \
      --convert-to 'pdf:writer_pdf_Export:{"EmbedStandardFonts":{"type":"boolean","value":"true"}}' \
      --outdir "$out" "$tmp/odt/$base.odt" >/dev/null
  else
    "$soffice" -env:UserInstallation="$profile" --headless --convert-to docx:"MS Word 2007 XML" \
      --outdir "$out" "$tmp/odt/$base.odt" >/dev/null
  fi
  echo "built docs/$lang/$base.$target"
done
