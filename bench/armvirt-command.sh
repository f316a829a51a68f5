# Sourced by the bench scripts: armvirt_command LOGFILE sets the array ARMVIRT to the command that runs armvirt: the
# words of $ARMVIRT_CLI when set, else `dotnet armvirt.dll` as bench/publish-cli.sh publishes it (Release, ReadyToRun;
# the publish log goes to LOGFILE). Returns non-zero, with a message on stderr, when publishing fails.
armvirt_command() {
    if [[ -n "${ARMVIRT_CLI:-}" ]]; then
        read -r -a ARMVIRT <<< "$ARMVIRT_CLI"
        return 0
    fi
    echo "== publishing src/ArmVirt.Cli (Release, ReadyToRun; bench/publish-cli.sh)"
    local dll
    dll=$("$(dirname "${BASH_SOURCE[0]}")/publish-cli.sh" "$1") || return 1
    ARMVIRT=(dotnet "$dll")
}
