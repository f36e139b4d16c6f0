/*
 * cli.h - what the offmig command's files share: the command table entry,
 * the options every inventory command takes, and printing helpers.  The CLI
 * includes only offmig.h and this header.
 */
#ifndef OFFMIG_CLI_H
#define OFFMIG_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "offmig.h"

struct offmig_cmd {
	const char	*name;
	int		(*run)(struct offmig_ctx *ctx, int argc, char **argv);
	const char	*usage;		/* one line, as in the man page SYNOPSIS */
	const char	*summary;	/* for "offmig help" */
	const char	*help;		/* option list for "offmig help CMD" */
};

extern const struct offmig_cmd cmd_inspect_entry;
extern const struct offmig_cmd cmd_os_entry;
extern const struct offmig_cmd cmd_profiles_entry;
extern const struct offmig_cmd cmd_apps_entry;
extern const struct offmig_cmd cmd_folders_entry;
extern const struct offmig_cmd cmd_hive_check_entry;
extern const struct offmig_cmd cmd_hive_recover_entry;
extern const struct offmig_cmd cmd_hive_get_entry;
extern const struct offmig_cmd cmd_hive_export_entry;
extern const struct offmig_cmd cmd_hive_import_entry;
extern const struct offmig_cmd cmd_hive_clean_entry;
extern const struct offmig_cmd cmd_xml_entry;
extern const struct offmig_cmd cmd_store_create_entry;
extern const struct offmig_cmd cmd_store_verify_entry;
extern const struct offmig_cmd cmd_store_list_entry;
extern const struct offmig_cmd cmd_store_remove_entry;
extern const struct offmig_cmd cmd_store_wipe_entry;
extern const struct offmig_cmd cmd_store_restore_entry;

/* Options shared by the inventory commands. */
struct cli_common {
	enum offmig_format	 format;	/* --json, --csv */
	const char		*windows_dir;	/* --windows DIR */
	int			 no_logs;	/* --no-logs */
	unsigned		 jobs;		/* --jobs N, 0: automatic */
	int			 all;		/* --all */
	struct offmig_filter	*filter;	/* --ui, --ue, --uel */
	unsigned		 width;		/* terminal columns, 0 = no limit */
};

/*
 * getopt_long option codes for the shared options; each command appends
 * CLI_COMMON_LONGOPTS to its own table and passes unknown codes to
 * cli_common_opt().
 */
enum {
	OPT_JSON = 0x100, OPT_CSV, OPT_WINDOWS, OPT_NO_LOGS, OPT_ALL, OPT_UI,
	OPT_UE, OPT_UEL, OPT_HELP, OPT_JOBS
};
#define CLI_COMMON_LONGOPTS \
	{ "json", no_argument, NULL, OPT_JSON }, \
	{ "csv", no_argument, NULL, OPT_CSV }, \
	{ "windows", required_argument, NULL, OPT_WINDOWS }, \
	{ "no-logs", no_argument, NULL, OPT_NO_LOGS }, \
	{ "jobs", required_argument, NULL, OPT_JOBS }, \
	{ "all", no_argument, NULL, OPT_ALL }, \
	{ "ui", required_argument, NULL, OPT_UI }, \
	{ "ue", required_argument, NULL, OPT_UE }, \
	{ "uel", required_argument, NULL, OPT_UEL }, \
	{ "help", no_argument, NULL, 'h' }

/*
 * Parses the options of an inventory command (its own table is only the
 * shared one) and checks that between minpos and maxpos arguments remain.
 * Returns the index of the first argument, CLI_HELP_SHOWN after --help, or
 * CLI_USAGE_ERROR after printing a usage error.
 */
#define CLI_HELP_SHOWN	(-2)
#define CLI_USAGE_ERROR	(-1)
int	cli_parse(const struct offmig_cmd *cmd, struct cli_common *c, int argc,
	    char **argv, int minpos, int maxpos);
/*
 * An inventory command is three steps around cli_run_report(): check the
 * arguments (optional; return 0 or print a usage error and return
 * OFFMIG_EXIT_USAGE), build the document from the open volume (args are
 * the arguments after VOLUME), and print it in the table or CSV form.
 * JSON is printed by cli_run_report() itself.
 */
typedef int	cli_check_fn(const struct offmig_cmd *cmd,
		    const struct cli_common *c, int nargs);
typedef int	cli_build_fn(struct offmig_ctx *ctx, struct offmig_volume *vol,
		    const struct cli_common *c, char **args, int nargs,
		    struct offmig_doc **docp);
typedef int	cli_print_fn(const struct offmig_cmd *cmd,
		    const struct cli_common *c, const struct offmig_node *root);
/*
 * Runs one: options, 1 to maxpos arguments, the volume, the report, the
 * output; returns the exit status.
 */
int	cli_run_report(const struct offmig_cmd *cmd, struct offmig_ctx *ctx,
	    int argc, char **argv, int maxpos, cli_check_fn *check,
	    cli_build_fn *build, cli_print_fn *print);

/* Prints "usage: ..." and the command's help text to stdout. */
void	cli_help(const struct offmig_cmd *cmd);

/* Prepares c (filter allocated, width from the terminal or $COLUMNS). */
void	cli_common_init(struct cli_common *c);
void	cli_common_release(struct cli_common *c);
/*
 * Handles one shared option.  Returns 1 when handled, 0 when ch is not a
 * shared option, -1 after printing a usage error.
 */
int	cli_common_opt(const struct offmig_cmd *cmd, struct cli_common *c,
	    int ch, const char *arg);

/* Writes text from the disk with control and invalid bytes as '?'. */
void	cli_put(FILE *fp, const char *s);

/*
 * Prints one formatted line, cleaned as by cli_put() (so it may carry text
 * from the disk), wrapped at spaces to width columns with continuation
 * lines indented by indent spaces; width 0 means no limit.  Exits on ENOMEM.
 */
void	cli_wrapf(FILE *fp, size_t indent, unsigned width, const char *fmt,
	    ...) __attribute__((format(printf, 4, 5)));

/* Prints "offmig CMD: msg" to stderr. */
void	cli_error(const struct offmig_cmd *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prints a usage error and the usage line; returns OFFMIG_EXIT_USAGE. */
int	cli_usage(const struct offmig_cmd *cmd, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Prints the error recorded in ctx and returns the matching exit status. */
int	cli_fail(const struct offmig_cmd *cmd, struct offmig_ctx *ctx, int err);
/* The log callback that prints "offmig: warning: msg" to stderr. */
void	cli_log(void *arg, enum offmig_level level, const char *msg);
/*
 * Opens the volume per the shared options; prints the error and returns
 * the exit status on failure (0 on success).
 */
int	cli_open_volume(const struct offmig_cmd *cmd, struct offmig_ctx *ctx,
	    const struct cli_common *c, const char *root,
	    struct offmig_volume **volp);
/*
 * Exit status at the end of a command that produced its output: 1 when
 * items failed or warnings were logged, else 0.
 */
int	cli_finish(struct offmig_ctx *ctx);

/*
 * Prints a report: the whole document as JSON, or the array at rows as a
 * table or CSV with the given columns.  Returns 0, or an exit status.
 */
int	cli_print(const struct offmig_cmd *cmd, const struct cli_common *c,
	    const struct offmig_node *root, const char *rows,
	    const struct offmig_column *cols, size_t ncols);

/* The hive list columns (cmd-os.c) and the folders view (cmd-folders.c). */
extern const struct offmig_column cli_hive_columns[];
extern const size_t cli_nhive_columns;
void	cli_print_folders(const struct cli_common *c,
	    const struct offmig_node *root, int brief);

/* Options the hive tools share; each takes the ones it lists. */
enum {
	HOPT_JSON = 0x200, HOPT_NO_LOGS, HOPT_FORCE, HOPT_FORMAT, HOPT_UTF8,
	HOPT_PREFIX, HOPT_KEY_ONLY, HOPT_BACKUP, HOPT_APPLY, HOPT_UNDO,
	HOPT_WINDOWS
};

struct cli_hive_opts {
	int		 json, no_logs, force, utf8, key_only, apply, undo;
	const char	*out, *format, *prefix, *backup, *windows;
	unsigned	 width;
};

/*
 * Parses the options of one hive tool (only those named in allowed, e.g.
 * "json no-logs output", are accepted) and checks that between minpos and
 * maxpos (-1: any) arguments remain.  Returns the index of the first
 * argument, CLI_HELP_SHOWN or CLI_USAGE_ERROR (usage printed).
 */
int	cli_hive_parse(const struct offmig_cmd *cmd, struct cli_hive_opts *o,
	    int argc, char **argv, const char *allowed, int minpos,
	    int maxpos);
/* Prints a document as JSON on stdout; 0 or an exit status. */
int	cli_print_doc(const struct offmig_cmd *cmd,
	    const struct offmig_doc *doc);
/* A string member, or "-". */
const char *cli_strv(const struct offmig_node *o, const char *key);

/* Prints "== title ==" section headers of the readable report. */
void	cli_section(FILE *fp, const char *title);

/* Writes one CSV field to stdout, quoted when needed; NULL is empty. */
void	cli_csv_field(const char *s);

#endif /* OFFMIG_CLI_H */
