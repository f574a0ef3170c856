#!/usr/bin/env bash
# Runs tests/real_keyring.rs against the real keyrings, each REQUIRED (a store that
# cannot be used fails the run instead of being skipped):
#   1. Secret Service: GNOME Keyring, unlocked, in a private D-Bus session;
#   2. the same in a fresh session, where the test may lock the keyring;
#   3. the kernel keyring (keyutils) in a fresh session keyring, with no D-Bus.
# Installs the packages it needs from Debian's archive. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/../.."
. packaging/linux/keyring-session.sh

step() { printf '\n--- %s (%ss)\n' "$1" "$SECONDS"; }

step "packages"
keyring_install
cargo test --locked --test real_keyring --no-run

step "Secret Service (GNOME Keyring)"
# GNOME Keyring keeps its files in $HOME: a scratch one, with cargo's own folders kept.
export RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup} CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/one" "$SCRATCH/two"
HOME=$SCRATCH/one PROPDESK_REAL_KEYRING=secret-service dbus-run-session -- bash -c \
    '. packaging/linux/keyring-session.sh && keyring_start_unlocked && cargo test --locked --test real_keyring' 2>&1 |
    grep -v 'Failed to set fd limit'

step "Secret Service, locked"
HOME=$SCRATCH/two PROPDESK_REAL_KEYRING=secret-service PROPDESK_KEYRING_MAY_LOCK=1 dbus-run-session -- bash -c \
    '. packaging/linux/keyring-session.sh && keyring_start_unlocked &&
     cargo test --locked --test real_keyring a_locked_secret_service -- --exact a_locked_secret_service_is_reported_plainly' 2>&1 |
    grep -v -e 'Failed to set fd limit' -e 'SystemPrompter' -e 'cannot open display' -e 'couldn.t create system prompt' -e '^$'

step "kernel keyring (keyutils)"
# No session bus at all, so the app falls back to the kernel keyring.
PROPDESK_REAL_KEYRING=keyutils DBUS_SESSION_BUS_ADDRESS="unix:path=$SCRATCH/no-bus" \
    keyctl session - cargo test --locked --test real_keyring

step "real keyring tests passed"
