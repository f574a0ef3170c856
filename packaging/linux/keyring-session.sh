# Sourced by test-keyring.sh and test-deb.sh: the packages for a real Secret Service
# (GNOME Keyring) and the kernel keyring, and a way to start an unlocked throwaway
# keyring inside the current D-Bus session.

# Installs what is missing, quietly (root or sudo).
keyring_install() {
    local sudo need=()
    sudo=$([ "$(id -u)" -eq 0 ] && echo "" || echo sudo)
    command -v gnome-keyring-daemon >/dev/null || need+=(gnome-keyring)
    command -v dbus-run-session >/dev/null || need+=(dbus)
    command -v dbus-launch >/dev/null || need+=(dbus-x11)
    command -v secret-tool >/dev/null || need+=(libsecret-tools)
    command -v keyctl >/dev/null || need+=(keyutils)
    if [ ${#need[@]} -gt 0 ]; then
        $sudo apt-get update -qq
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    fi
}

# Inside a D-Bus session: starts GNOME Keyring's secrets component with its login
# keyring unlocked by a throwaway password ($HOME should be a scratch folder), and
# waits until an item can be stored and read back.
keyring_start_unlocked() {
    echo -n "propdesk-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # The daemon forks and takes its bus name a moment later; a call before that would
    # make D-Bus start a second, locked daemon. NameHasOwner starts nothing.
    local i
    for i in $(seq 1 50); do
        dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null |
            grep -q 'boolean true' && break
        sleep 0.1
    done
    for i in $(seq 1 50); do
        if echo -n ready | secret-tool store --label=ready propdesk-test ready 2>/dev/null &&
            [ "$(secret-tool lookup propdesk-test ready 2>/dev/null)" = ready ]; then
            secret-tool clear propdesk-test ready
            return 0
        fi
        sleep 0.1
    done
    echo "GNOME Keyring did not start unlocked" >&2
    return 1
}
