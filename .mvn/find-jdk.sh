#!/bin/sh
# Prints the home of a JDK >= 25 for Hounsfield's build and launcher, or explains what to install.
# Order: $JAVA_HOME if it is >= 25, then /usr/lib/jvm/*25* (and any newer JDK there), then the
# `java` on PATH. Used by ./mvnw and ./hounsfield; it changes nothing, it only prints a path.
required=25

major_of() { # $1 = a JDK home; prints its feature version or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$1/release" | head -n 1)
  else
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 |
      sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1)
  fi
  case "$v" in 1) v=;; esac # 1.8 and older
  printf '%s' "$v"
}

ok() { m=$(major_of "$1"); [ -n "$m" ] && [ "$m" -ge "$required" ]; }

if [ -n "${JAVA_HOME-}" ] && ok "$JAVA_HOME"; then
  printf '%s\n' "$JAVA_HOME"; exit 0
fi
for d in /usr/lib/jvm/*"$required"* /usr/lib/jvm/* /usr/local/lib/jvm/* "$HOME"/.sdkman/candidates/java/*; do
  [ -d "$d" ] && ok "$d" && { printf '%s\n' "$d"; exit 0; }
done
if command -v java >/dev/null 2>&1; then
  j=$(command -v java); j=$(readlink -f "$j" 2>/dev/null || printf '%s' "$j")
  h=${j%/bin/java}
  ok "$h" && { printf '%s\n' "$h"; exit 0; }
fi
{
  echo "Hounsfield needs a JDK $required or newer, and none was found."
  [ -n "${JAVA_HOME-}" ] && echo "  JAVA_HOME=$JAVA_HOME is JDK '$(major_of "$JAVA_HOME")', too old or not a JDK."
  echo "  Looked in: \$JAVA_HOME, /usr/lib/jvm/*, the java on PATH."
  echo "  Install one, e.g. 'apt-get install temurin-25-jdk' (Adoptium's apt repository) or an"
  echo "  Eclipse Temurin 25 archive, then set JAVA_HOME to it."
} >&2
exit 1
