#!/bin/sh
# hookwise capture hook (hookwise-shim 1)
#
# Installed by `hookwise install`; `hookwise uninstall` puts back exactly what
# was here before. It records one event in .git/hookwise/spool and wakes the
# background worker, then runs the hook that was here before (if any) with the
# same arguments and stdin. It never fails the git command and prints nothing;
# its own errors go to .git/hookwise/log.
#
# Only shell builtins and one `git rev-parse` run on the commit's critical
# path: Python starts only in the background, when no worker is running.

hw_python='@HOOKWISE_PYTHON@'
hw_chained='@HOOKWISE_CHAINED@'
hw_chained_shell='@HOOKWISE_CHAINED_SHELL@'
# The hook's name from $0, also when another manager runs this file under a
# suffixed name (pre-commit's migration mode runs it as post-commit.legacy).
case ${0##*/} in
    post-commit*) hw_hook=post-commit ;;
    post-merge*) hw_hook=post-merge ;;
    post-checkout*) hw_hook=post-checkout ;;
    post-rewrite*) hw_hook=post-rewrite ;;
    *) hw_hook=${0##*/} ;;
esac
hw_stdin=

hw_record() {
    hw_state=${HOOKWISE_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/hookwise}
    if [ "$hw_hook" = post-rewrite ]; then
        # git's old->new pairs, kept in a hidden file so the chained hook gets them too
        # (set only once it is complete: the chain below reads it instead of stdin)
        cat > "$hw_dir/spool/.stdin-$$" || { rm -f "$hw_dir/spool/.stdin-$$"; return 1; }
        hw_stdin="$hw_dir/spool/.stdin-$$"
    fi
    # The event is written under a hidden name and renamed into place, so the
    # worker (which skips hidden files) never sees it half-written. The name
    # carries this process's pid, which no live process shares: only a stale
    # event of a dead process can hold it, and then a suffix is added.
    hw_tmp="$hw_dir/spool/.event-$hw_hook-$$"
    {
        printf 'hookwise 1\nhook %s\n' "$hw_hook"
        for hw_arg in "$@"; do printf 'arg %s\n' "$hw_arg"; done
        printf 'git-dir %s\nhead %s\nref %s\n' "$hw_gitdir" "$hw_head" "$hw_ref"
        [ -n "$GIT_REFLOG_ACTION" ] && printf 'env GIT_REFLOG_ACTION=%s\n' "$GIT_REFLOG_ACTION"
        # The reflog line this checkout wrote names both branches; backfill
        # derives the same event id from it, so the switch is stored once.
        [ "$hw_hook" = post-checkout ] && [ -f "$hw_gitdir/logs/HEAD" ] \
            && printf 'reflog %s\n' "$(tail -n 1 "$hw_gitdir/logs/HEAD")"
        if [ -n "$hw_stdin" ]; then printf 'stdin\n'; cat "$hw_stdin"; fi
        printf 'end\n'
    } > "$hw_tmp" || { rm -f "$hw_tmp"; return 1; }
    hw_file="$hw_dir/spool/$hw_hook-${hw_head:-none}-$$"
    hw_n=0
    while [ -e "$hw_file" ]; do
        hw_n=$((hw_n + 1))
        [ "$hw_n" -gt 20 ] && { rm -f "$hw_tmp"; return 1; }
        hw_file="$hw_dir/spool/$hw_hook-${hw_head:-none}-$$-$hw_n"
    done
    mv -f "$hw_tmp" "$hw_file" || { rm -f "$hw_tmp"; return 1; }
    # Wake the worker: while it runs it polls the spools; start it when it does not.
    case ${HOOKWISE_NO_WORKER:-0} in 0) ;; *) return 0 ;; esac
    # No pid file is the usual state after the worker's idle exit: not an error to log.
    if [ -e "$hw_dir/registered" ] && { read -r hw_pid < "$hw_state/worker.pid"; } 2> /dev/null \
        && kill -0 "$hw_pid" 2> /dev/null; then
        return 0
    fi
    "$hw_python" -m hookwise worker --detach --register "$hw_dir" \
        < /dev/null > /dev/null 2>> "$hw_dir/log" &
    return 0
}

# The one line a user sees when even the log cannot be written.
hw_say_unwritable() {
    hw_free=$(df -P "$hw_dir" 2> /dev/null | awk 'NR == 2 { print $4 }')
    if [ "$hw_free" = 0 ]; then
        echo "hookwise: $hw_hook: the disk holding $hw_dir is full; nothing captured" >&2
    else
        echo "hookwise: $hw_hook: cannot write to $hw_dir (check its permissions); nothing captured" >&2
    fi
}

hw_capture() {
    case ${HOOKWISE_DISABLE:-0} in 0) ;; *) return 0 ;; esac
    hw_info=$(git rev-parse --git-common-dir --git-dir HEAD --symbolic-full-name HEAD 2> /dev/null) \
        || hw_info=$(git rev-parse --git-common-dir --git-dir 2> /dev/null) \
        || { echo "hookwise: $hw_hook: not in a git repository; nothing captured" >&2; return 0; }
    { read -r hw_common; read -r hw_gitdir; read -r hw_head; read -r hw_ref; } << HOOKWISE_INFO
$hw_info
HOOKWISE_INFO
    case $hw_common in /*) ;; *) hw_common="$PWD/$hw_common" ;; esac
    case $hw_gitdir in /*) ;; *) hw_gitdir="$PWD/$hw_gitdir" ;; esac
    hw_dir="$hw_common/hookwise"
    [ -d "$hw_dir/spool" ] || mkdir -p "$hw_dir/spool" 2> /dev/null
    if ! { hw_record "$@" 2>> "$hw_dir/log"; } 2> /dev/null; then
        { printf '%s hook %s: could not record the event (see the lines above)\n' \
            "$(date +%Y-%m-%dT%H:%M:%S%z)" "$hw_hook" >> "$hw_dir/log"; } 2> /dev/null \
            || hw_say_unwritable
    fi
    return 0
}

hw_capture "$@"

# Chain the hook that was here before hookwise, with the same arguments, stdin
# and (for shell scripts) the same $0, so managers such as husky that locate
# their scripts relative to $0 keep working.
if [ -n "$hw_chained" ] && [ -x "$hw_chained" ]; then
    if [ -n "$hw_stdin" ]; then
        # A compound command: a failed redirection here does not end the
        # shell, as it would on the special builtin exec (POSIX 2.8.1).
        { exec < "$hw_stdin"; } 2> /dev/null
        rm -f "$hw_stdin"
    fi
    if [ -n "$hw_chained_shell" ]; then
        HOOKWISE_CHAINED_HOOK=$hw_chained exec "$hw_chained_shell" -c '. "$HOOKWISE_CHAINED_HOOK"' "$0" "$@"
    fi
    exec "$hw_chained" "$@"
fi
[ -n "$hw_stdin" ] && rm -f "$hw_stdin"
exit 0
