#!/usr/bin/env bash
# Builds the .deb (dev profile: fast), checks it (lintian, desktop-file-validate,
# appstreamcli), installs it, starts the installed window under Xvfb and screenshots
# it, upgrades to a rebuilt package with a higher version, then removes it. The user's
# settings and journal must survive the upgrade and the removal. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
. packaging/linux/keyring-session.sh

CARGO_DEB_VERSION=3.6.0
OUT=target/deb-test
ICONS=target/deb-icons
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
step() { printf '\n--- %s (%ss)\n' "$1" "$SECONDS"; }

step "tools"
need=()
command -v lintian >/dev/null || need+=(lintian)
command -v desktop-file-validate >/dev/null || need+=(desktop-file-utils)
command -v appstreamcli >/dev/null || need+=(appstream)
command -v Xvfb >/dev/null || need+=(xvfb xauth)
command -v xdotool >/dev/null || need+=(xdotool)
command -v convert >/dev/null || need+=(imagemagick)
if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
keyring_install
if ! cargo deb --version 2>/dev/null | grep -qx "cargo-deb $CARGO_DEB_VERSION"; then
    cargo install cargo-deb --locked --version "$CARGO_DEB_VERSION"
fi

step "icons from assets/icon.png"
for size in 16 32 48 64 128 256 512; do
    mkdir -p "$ICONS/${size}x${size}"
    convert assets/icon.png -resize "${size}x${size}" "$ICONS/${size}x${size}/propdesk.png"
done

step "package (dev profile)"
rm -rf "$OUT" && mkdir -p "$OUT"
cargo deb --locked --profile dev --deb-version 0.1.0-1 --output "$OUT/propdesk_0.1.0-1_amd64.deb"

step "checks"
desktop-file-validate packaging/linux/com.propdesk.Propdesk.desktop
appstreamcli validate --no-net --pedantic packaging/linux/com.propdesk.Propdesk.metainfo.xml || \
    appstreamcli validate --no-net packaging/linux/com.propdesk.Propdesk.metainfo.xml
# Errors fail; warnings and info are printed for the notes.
lintian --fail-on error --info "$OUT/propdesk_0.1.0-1_amd64.deb" | tee "$OUT/lintian.txt"

step "install"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$OUT/propdesk_0.1.0-1_amd64.deb"
test -x /usr/bin/propdesk
test -f /usr/share/icons/hicolor/512x512/apps/propdesk.png
test -f /usr/share/doc/propdesk/THIRD-PARTY-LICENSES.txt
test -f "/usr/lib/systemd/system/propdesk-watch@.service"

step "start the installed window under Xvfb"
USER_HOME=$(mktemp -d)
DISPLAY_NUMBER=:97
Xvfb "$DISPLAY_NUMBER" -screen 0 1280x800x24 >/dev/null 2>&1 &
XVFB=$!
APP=
SANDBOX=
cleanup() {
    [ -n "$APP" ] && kill "$APP" 2>/dev/null || true
    [ -n "$SANDBOX" ] && kill "$SANDBOX" 2>/dev/null || true
    [ -n "${DBUS_SESSION_BUS_PID:-}" ] && kill "$DBUS_SESSION_BUS_PID" 2>/dev/null || true
    kill "$XVFB" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
HOME=$USER_HOME DISPLAY=$DISPLAY_NUMBER /usr/bin/propdesk >"$OUT/app.log" 2>&1 &
APP=$!
WINDOW=
for _ in $(seq 1 60); do
    WINDOW=$(DISPLAY=$DISPLAY_NUMBER xdotool search --name '^Propdesk' 2>/dev/null | head -1 || true)
    [ -n "$WINDOW" ] && break
    sleep 0.5
done
[ -n "$WINDOW" ] || { echo "no Propdesk window"; cat "$OUT/app.log"; exit 1; }
# First start: the window signs in to the Sandbox and saves its settings.
SETTINGS=$USER_HOME/.config/propdesk/settings.json
JOURNAL=$USER_HOME/.local/share/propdesk/journal.sqlite
for _ in $(seq 1 60); do
    [ -f "$SETTINGS" ] && break
    sleep 0.5
done
sleep 2
DISPLAY=$DISPLAY_NUMBER import -window "$WINDOW" "$OUT/installed-window.png"
echo "screenshot: $OUT/installed-window.png"
kill "$APP"; wait "$APP" 2>/dev/null || true; APP=

step "sign in with \"Remember on this computer\": the secret is in the keyring, not on disk"
# A desktop session: its own D-Bus and GNOME Keyring (unlocked, files in the scratch home),
# and the installed sandbox as the Custom server.
eval "$(dbus-launch --sh-syntax)"
HOME=$USER_HOME keyring_start_unlocked
sandbox_constant() { sed -n "s/^pub const $1: &str = \"\(.*\)\";/\1/p" src/sandbox/seed.rs; }
ADMIN_NAME=$(sandbox_constant ADMIN_NAME)
ADMIN_PASSWORD=$(sandbox_constant ADMIN_PASSWORD)
API_SECRET=$(sandbox_constant SECRET)
[ -n "$ADMIN_NAME" ] && [ -n "$ADMIN_PASSWORD" ] && [ -n "$API_SECRET" ]
SANDBOX_URL=http://127.0.0.1:18765
HOME=$USER_HOME /usr/bin/propdesk sandbox --addr 127.0.0.1:18765 >"$OUT/sandbox.log" 2>&1 &
SANDBOX=$!
HOME=$USER_HOME DISPLAY=$DISPLAY_NUMBER /usr/bin/propdesk >"$OUT/app-remember.log" 2>&1 &
APP=$!
x() { DISPLAY=$DISPLAY_NUMBER xdotool "$@"; }
WINDOW=
for _ in $(seq 1 60); do
    WINDOW=$(x search --name '^Propdesk' 2>/dev/null | head -1 || true)
    [ -n "$WINDOW" ] && break
    sleep 0.5
done
[ -n "$WINDOW" ] || { echo "no Propdesk window"; cat "$OUT/app-remember.log"; exit 1; }
# The window restores the Sandbox first (the Setup screen); positions are those of the
# 1280x800 window in installed-window.png. egui draws its own widgets, so there is
# nothing to find by name: a moved field shows in remember-*.png. The title names the
# environment once signed in (the form's layout depends on it).
wait_for_title() {
    for _ in $(seq 1 120); do
        x getwindowname "$WINDOW" 2>/dev/null | grep -q -- "$1" && return 0
        sleep 0.5
    done
    echo "the window title never named $1"; exit 1
}
wait_for_title Sandbox
sleep 1
x windowfocus --sync "$WINDOW"
x mousemove 527 291 click 1 # Environment: Custom
sleep 1
# egui handles a frame's input together: a click and the keys right after it would reach
# no field yet, and keys before the next click would go with the focus. Hence the pauses.
type_into() { x mousemove "$1" "$2" click 1; sleep 1; x type --delay 60 "$3"; sleep 1; }
type_into 470 405 "$SANDBOX_URL/live/v1"
type_into 470 437 "$SANDBOX_URL/demo/v1"
type_into 470 534 "$ADMIN_NAME"
type_into 460 566 "$ADMIN_PASSWORD"
type_into 478 598 "Propdesk Sandbox"
type_into 478 630 "8123"
type_into 460 662 "$API_SECRET"
x mousemove 246 696 click 1 # Remember on this computer
sleep 0.5
DISPLAY=$DISPLAY_NUMBER import -window "$WINDOW" "$OUT/remember-form.png"
x mousemove 308 770 click 1 # Sign in
wait_for_title Custom
lookup() { secret-tool lookup service Propdesk username "custom/$ADMIN_NAME/$1" 2>/dev/null || true; }
for _ in $(seq 1 60); do
    [ -n "$(lookup token)" ] && break
    sleep 0.5
done
sleep 1 # "remembered in Secret Service" in the screenshot
DISPLAY=$DISPLAY_NUMBER import -window "$WINDOW" "$OUT/remember-signed-in.png"
[ "$(lookup api-secret)" = "$API_SECRET" ] || { echo "the API secret is not in the keyring (see $OUT/remember-*.png)"; exit 1; }
[ "$(lookup password)" = "$ADMIN_PASSWORD" ] || { echo "the password is not in the keyring"; exit 1; }
TOKEN=$(lookup token | sed -n 's/.*"value":"\([^"]*\)".*/\1/p')
[ -n "$TOKEN" ] || { echo "no token in the keyring"; exit 1; }
kill "$APP"; wait "$APP" 2>/dev/null || true; APP=
grep -q '"remember": true' "$SETTINGS" || { echo "the settings do not say remembered"; exit 1; }
# Nowhere on disk: the scratch home holds the app's config, data, logs and the keyring's
# own (encrypted) files.
for secret in "$API_SECRET" "$ADMIN_PASSWORD" "$TOKEN"; do
    if grep -r -l -F -- "$secret" "$USER_HOME" /tmp/propdesk* 2>/dev/null; then
        echo "a secret is on disk in the files above"
        exit 1
    fi
done
echo "remembered in the keyring (secret, password, token); none of them on disk"
kill "$SANDBOX"; wait "$SANDBOX" 2>/dev/null || true; SANDBOX=
# The installed command line onboards one trader on the Sandbox: the user's journal.
printf '%s\n%s\n' \
    "name,email,password,firstName,lastName,streetAddress1,city,state,postCode,country,phone,accountName,initialBalance,dailyLossAutoLiq" \
    "debtest0,debtest0@example.com,Str0ng!Passw0rd,Jamie,Rivera,123 Maple Avenue,Albany,NY,12207,US,+1-518-555-0199,DEBTEST00000,50000,1000" \
    >"$USER_HOME/roster.csv"
HOME=$USER_HOME /usr/bin/propdesk onboard --env sandbox --users "$USER_HOME/roster.csv" \
    --plan DEMOFIRM_MONTHLY --template DEMOFIRM50K --out "$USER_HOME/results.csv" --yes
test -f "$SETTINGS" && test -f "$JOURNAL"
test -f "$USER_HOME/.local/share/propdesk/logs/propdesk.log"
BEFORE=$(sha256sum "$SETTINGS" "$JOURNAL")

step "upgrade to a rebuilt package"
cargo deb --locked --profile dev --no-build --deb-version 0.1.1-1 --output "$OUT/propdesk_0.1.1-1_amd64.deb"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$OUT/propdesk_0.1.1-1_amd64.deb"
[ "$(dpkg-query -W -f '${Version}' propdesk)" = "0.1.1-1" ]
[ "$(sha256sum "$SETTINGS" "$JOURNAL")" = "$BEFORE" ] || { echo "the upgrade changed the user's files"; exit 1; }

step "remove"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq propdesk
! test -e /usr/bin/propdesk
[ "$(sha256sum "$SETTINGS" "$JOURNAL")" = "$BEFORE" ] || { echo "removing changed the user's files"; exit 1; }
rm -rf "$USER_HOME"

step "deb test passed"
