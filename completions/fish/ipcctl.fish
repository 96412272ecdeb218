# fish completion for ipcctl (ipcutils): commands, each command's options, ids and /NAMEs.
function __ipcctl_words
    set -l words (commandline -opc)
    set -e words[1]
    for w in $words
        string match -q -- '-*' $w; or echo $w
    end
end

function __ipcctl_at --description 'true when the group (and action) typed so far are these'
    set -l words (__ipcctl_words)
    test (count $words) -eq (count $argv); or return 1
    for i in (seq (count $argv))
        test "$argv[$i]" = '*'; or test "$words[$i]" = "$argv[$i]"; or return 1
    end
end

function __ipcctl_in --description 'true when the group is $argv[1] and an action was typed'
    set -l words (__ipcctl_words)
    test (count $words) -ge 2; and test "$words[1]" = "$argv[1]"
    and contains -- "$words[2]" $argv[2..-1]
end

set -l groups msg sem shm mq psem pshm chmod chown exists wait leakcheck metrics
complete -c ipcctl -f
complete -c ipcctl -n '__ipcctl_at' -a 'msg' -d 'System V message queues'
complete -c ipcctl -n '__ipcctl_at' -a 'sem' -d 'System V semaphore sets'
complete -c ipcctl -n '__ipcctl_at' -a 'shm' -d 'System V shared memory'
complete -c ipcctl -n '__ipcctl_at' -a 'mq' -d 'POSIX message queues'
complete -c ipcctl -n '__ipcctl_at' -a 'psem' -d 'POSIX named semaphores'
complete -c ipcctl -n '__ipcctl_at' -a 'pshm' -d 'POSIX shared memory'
complete -c ipcctl -n '__ipcctl_at' -a 'chmod' -d 'set permission bits (IPC_SET)'
complete -c ipcctl -n '__ipcctl_at' -a 'chown' -d 'set the owner (IPC_SET)'
complete -c ipcctl -n '__ipcctl_at' -a 'exists' -d 'exit 0 when the object exists, 2 when not'
complete -c ipcctl -n '__ipcctl_at' -a 'wait' -d 'wait until the object exists, or is gone'
complete -c ipcctl -n '__ipcctl_at' -a 'leakcheck' -d 'run CMD, report the IPC objects it left'
complete -c ipcctl -n '__ipcctl_at' -a 'metrics' -d 'IPC usage as Prometheus metrics'
complete -c ipcctl -s J -l json -d 'print data as JSON'
complete -c ipcctl -s h -l help -d 'display help'
complete -c ipcctl -s V -l version -n '__ipcctl_at' -d 'display version'

complete -c ipcctl -n '__ipcctl_at msg' -a 'send recv peek drain set'
complete -c ipcctl -n '__ipcctl_at sem' -a 'get set setall op wait post run'
complete -c ipcctl -n '__ipcctl_at shm; or __ipcctl_at pshm' -a 'read write dump'
complete -c ipcctl -n '__ipcctl_at mq' -a 'send recv follow attr'
complete -c ipcctl -n '__ipcctl_at psem' -a 'get post wait run'
complete -c ipcctl -n '__ipcctl_at chmod; or __ipcctl_at chown' -a 'shm msg sem'

for kind in shm msg sem
    complete -c ipcctl -n "__ipcctl_at $kind '*'; or __ipcctl_at chmod $kind; or __ipcctl_at chown $kind" \
        -a "(awk 'NR > 1 { print \$2 }' /proc/sysvipc/$kind 2>/dev/null)"
    complete -c ipcctl -n "__ipcctl_in $kind send recv peek drain set get setall op wait post run read write dump; or __ipcctl_at chmod $kind; or __ipcctl_at chown $kind" \
        -l key -r -d 'name the object by key'
end
complete -c ipcctl -n "__ipcctl_at mq '*'" -a "(ls /dev/mqueue 2>/dev/null | sed 's|^|/|')"
complete -c ipcctl -n "__ipcctl_at psem '*'" -a "(ls /dev/shm 2>/dev/null | sed -n 's|^sem\.|/|p')"
complete -c ipcctl -n "__ipcctl_at pshm '*'" -a "(ls /dev/shm 2>/dev/null | grep -v '^sem\.' | sed 's|^|/|')"
complete -c ipcctl -n '__ipcctl_at chown "*" "*"' -a '(__fish_complete_users)'

complete -c ipcctl -n '__ipcctl_in msg send recv; or __ipcctl_in sem op wait run; or __ipcctl_in mq send recv; or __ipcctl_in psem wait run' \
    -l nowait -d 'fail at once (exit 2) instead of waiting'
complete -c ipcctl -n '__ipcctl_in msg send recv; or __ipcctl_in sem op wait run; or __ipcctl_in mq send recv; or __ipcctl_in psem wait run' \
    -l timeout -r -d 'wait at most DUR (500ms, 2s, 1m)'
complete -c ipcctl -n '__ipcctl_in msg send recv' -l type -r -d 'message type'
complete -c ipcctl -n '__ipcctl_in msg recv' -l except -r -d 'any type but N'
complete -c ipcctl -n '__ipcctl_in msg recv' -l noerror -d 'truncate long messages'
complete -c ipcctl -n '__ipcctl_in msg peek' -l index -r -d 'which message, from 0'
complete -c ipcctl -n '__ipcctl_in msg set' -l qbytes -r -d 'maximum bytes on the queue'
complete -c ipcctl -n '__ipcctl_in sem op wait post' -l undo -d 'SEM_UNDO'
complete -c ipcctl -n '__ipcctl_in shm read write; or __ipcctl_in pshm read write' -l offset -r -d 'first byte'
complete -c ipcctl -n '__ipcctl_in shm read; or __ipcctl_in pshm read' -l length -r -d 'bytes'
complete -c ipcctl -n '__ipcctl_in mq send' -l priority -r -d '0-32767'
complete -c ipcctl -n '__ipcctl_in mq attr' -l nonblock -x -a 'on off' -d "set O_NONBLOCK on ipcctl's own descriptor"

# exists and wait: KIND, then the object; leakcheck: its options, then CMD.
complete -c ipcctl -n '__ipcctl_at exists; or __ipcctl_at wait' -a 'shm msg sem pshm mq psem'
for kind in shm msg sem
    complete -c ipcctl -n "__ipcctl_at exists $kind; or __ipcctl_at wait $kind" \
        -a "(awk 'NR > 1 { print \$2 }' /proc/sysvipc/$kind 2>/dev/null)"
end
complete -c ipcctl -n "__ipcctl_at exists mq; or __ipcctl_at wait mq" -a "(ls /dev/mqueue 2>/dev/null | sed 's|^|/|')"
complete -c ipcctl -n "__ipcctl_at exists psem; or __ipcctl_at wait psem" -a "(ls /dev/shm 2>/dev/null | sed -n 's|^sem\.|/|p')"
complete -c ipcctl -n "__ipcctl_at exists pshm; or __ipcctl_at wait pshm" -a "(ls /dev/shm 2>/dev/null | grep -v '^sem\.' | sed 's|^|/|')"
complete -c ipcctl -n '__ipcctl_in exists shm msg sem; or __ipcctl_in wait shm msg sem' -l key -r -d 'name the object by key'
complete -c ipcctl -n '__ipcctl_in wait shm msg sem pshm mq psem' -l gone -d 'wait until it no longer exists'
complete -c ipcctl -n '__ipcctl_in wait shm msg sem pshm mq psem' -l timeout -r -d 'wait at most DUR, then exit 2'
complete -c ipcctl -n '__ipcctl_at leakcheck' -l isolate -d 'run CMD in private IPC and mount namespaces'
complete -c ipcctl -n '__fish_seen_subcommand_from metrics' -l top -x -d 'series for the N fullest queues'
complete -c ipcctl -n '__fish_seen_subcommand_from metrics' -l textfile -r -F -d 'write them for node_exporter'
complete -c ipcctl -n '__fish_seen_subcommand_from metrics' -l listen -x -d 'serve /metrics on [ADDR:]PORT'
