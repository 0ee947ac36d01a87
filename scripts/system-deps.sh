# Sourced by scripts/test: the Debian packages the tests drive for real — Chromium (browser
# tests through Playwright and the report's PDF), poppler-utils (pdftoppm checks the PDF) and
# a Java runtime (the Spark parity tests).
# Installed with apt-get when missing and we may (root); never a downloaded browser.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)  # Spark parity tests
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "cxo: installing ${missing[*]} with apt-get (one time)" >&2
    apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
  else
    echo "cxo: ${missing[*]} missing; browser and PDF tests will fail (install them)" >&2
  fi
fi
