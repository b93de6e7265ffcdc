#!/usr/bin/env bash
# Fetches the Android API 23 android.jar (Debian bullseye's libandroid-23-java) for compile-checking
# the Android Kotlin code without an Android SDK, into
# ${MYNAKIT_TOOLS:-/var/cache/mynakit-tools}/android/android-23.jar. Skips when present.
# Uses a throwaway apt state dir: the system's apt sources and lists are never touched.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

JAR=$MYNAKIT_TOOLS/android/android-23.jar
if [[ -s $JAR ]]; then
    step "android jar present: $JAR"
    exit 0
fi

D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
chmod 755 "$D"   # apt downloads as the _apt user
mkdir -p "$D/lists/partial" "$D/cache/archives/partial"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bullseye main' >"$D/sources.list"
A=(-q -o "Dir::Etc::SourceList=$D/sources.list" -o Dir::Etc::SourceParts=/nonexistent
   -o "Dir::State::Lists=$D/lists" -o "Dir::Cache=$D/cache" -o Dir::State::status=/dev/null
   -o Acquire::Languages=none)
quiet apt-get "${A[@]}" update
(cd "$D" && quiet apt-get "${A[@]}" download libandroid-23-java)
dpkg-deb -x "$D"/libandroid-23-java_*.deb "$D/x"

mkdir -p "$(dirname "$JAR")"
cp "$D/x/usr/share/java/com.android.android-23.jar" "$JAR.tmp"
mv "$JAR.tmp" "$JAR"
step "android jar installed: $JAR ($(basename "$D"/libandroid-23-java_*.deb))"
