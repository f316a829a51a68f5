# Sourced by the bench scripts: armvirt_command LOGFILE sets the array ARMVIRT to the command that runs armvirt: the
# words of $ARMVIRT_CLI when set, else the executable bench/publish-cli.sh publishes (Release, self-contained, ReadyToRun;
# the publish log goes to LOGFILE). Returns non-zero, with a message on stderr, when publishing fails.
armvirt_command() {
    if [[ -n "${ARMVIRT_CLI:-}" ]]; then
        read -r -a ARMVIRT <<< "$ARMVIRT_CLI"
        return 0
    fi
    echo "== publishing src/ArmVirt.Cli (Release, self-contained, ReadyToRun; bench/publish-cli.sh)"
    local exe
    exe=$("$(dirname "${BASH_SOURCE[0]}")/publish-cli.sh" "$1") || return 1
    ARMVIRT=("$exe")
}
