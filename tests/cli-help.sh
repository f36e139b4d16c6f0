# cli-help.sh - the command line itself: version, help, usage errors.
. "${OFFMIG_SRCDIR:?}/lib.sh"

t_begin "--version prints the version"
t_run "$OFFMIG" --version >out 2>err
t_expect_status 0
t_expect_output out '^offmig [0-9]+\.[0-9]+\.[0-9]+$'
t_expect_empty err
t_end

t_begin "help lists every command"
t_run "$OFFMIG" help >out 2>err
t_expect_status 0
for c in inspect os profiles apps folders; do
	t_expect_output out "^  $c "
done
t_end

t_begin "help CMD shows usage and options"
t_run "$OFFMIG" help profiles >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig profiles .*VOLUME'
t_expect_output out '--uel DAYS'
t_end

t_begin "help CMD for every command, with the --no-logs hint"
for c in inspect os profiles apps folders; do
	t_run "$OFFMIG" help "$c" >out 2>err
	t_expect_status 0
	t_expect_output out "^usage: offmig $c .*VOLUME"
	t_expect_output out '^  --json '
	t_expect_output out '^  --no-logs .*replay'
	t_expect_output out 'read dirty hives as they are'
	t_expect_empty err
done
t_end

t_begin "--help and -h print the overview"
t_run "$OFFMIG" --help >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig '
t_expect_output out '^  folders '
t_expect_empty err
t_end

t_begin "CMD --help is the same"
t_run "$OFFMIG" apps --help >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig apps '
t_end

t_begin "no command is a usage error"
t_run "$OFFMIG" >out 2>err
t_expect_status 2
t_expect_output err '^usage: offmig'
t_expect_empty out
t_end

t_begin "an unknown command is a usage error"
t_run "$OFFMIG" frobnicate >out 2>err
t_expect_status 2
t_expect_output err "no command 'frobnicate'"
t_end

t_begin "help for an unknown command"
t_run "$OFFMIG" help frobnicate >out 2>err
t_expect_status 2
t_expect_output err "no command 'frobnicate'"
t_end

for c in inspect os profiles apps folders; do
	t_begin "$c without VOLUME is a usage error"
	t_run "$OFFMIG" "$c" >out 2>err
	t_expect_status 2
	t_expect_output err "^offmig $c: missing VOLUME"
	t_expect_output err "^usage: offmig $c "
	t_expect_empty out
	t_end
done

t_begin "an unknown option is a usage error"
t_run "$OFFMIG" os --frob "$OFFMIG_VOLUMES/win10" >out 2>err
t_expect_status 2
t_expect_output err "unknown or incomplete option '--frob'"
t_end

t_begin "an option that needs an argument, given none"
t_run "$OFFMIG" os "$OFFMIG_VOLUMES/win10" --windows >out 2>err
t_expect_status 2
t_expect_output err "^usage: offmig os "
t_expect_empty out
t_end

t_begin "--help stops before any work"
t_run "$OFFMIG" profiles --help /nonexistent >out 2>err
t_expect_status 0
t_expect_output out '^usage: offmig profiles '
t_expect_empty err
t_end

t_begin "--uel needs a number of days"
t_run "$OFFMIG" profiles --uel soon "$OFFMIG_VOLUMES/win10" >out 2>err
t_expect_status 2
t_expect_output err "--uel takes a number of days, not 'soon'"
t_end

t_begin "--uel refuses negative days, fractions and overflow"
for d in -3 1.5 99999999999999999999 ''; do
	t_run "$OFFMIG" profiles --uel "$d" "$OFFMIG_VOLUMES/win10" >out 2>err
	t_expect_status 2
	t_expect_output err "--uel takes a number of days, not '$d'"
	t_expect_empty out
done
t_end

t_begin "too many arguments"
t_run "$OFFMIG" os "$OFFMIG_VOLUMES/win10" extra >out 2>err
t_expect_status 2
t_expect_output err "unexpected argument 'extra'"
t_end

t_begin "inspect has no single CSV table"
t_run "$OFFMIG" inspect --csv "$OFFMIG_VOLUMES/win10" >out 2>err
t_expect_status 2
t_expect_output err 'use --json'
t_end

t_begin "folders --csv needs a USER"
t_run "$OFFMIG" folders --csv "$OFFMIG_VOLUMES/win10" >out 2>err
t_expect_status 2
t_expect_output err 'needs a USER'
t_end

t_summary
