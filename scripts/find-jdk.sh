# Sourced by ./mvnw and ./winnow: prints the home of a JDK >= 25, or an error on stderr.
winnow_java_major() {
  local v
  v="$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  echo "${v%%.*}"
}
winnow_find_jdk() {
  local c
  for c in "${WINNOW_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
    [ -n "$c" ] && [ -x "$c/bin/java" ] || continue
    local m; m="$(winnow_java_major "$c")"
    if [ -n "$m" ] && [ "$m" -ge 25 ] 2>/dev/null; then echo "$c"; return 0; fi
  done
  echo "winnow: no JDK 25 found (looked at WINNOW_JAVA_HOME, JAVA_HOME and /usr/lib/jvm). Install a JDK 25 (e.g. Temurin 25) and set WINNOW_JAVA_HOME." >&2
  return 1
}
